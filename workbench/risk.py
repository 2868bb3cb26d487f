"""Transparent risk indicators per entity and the triage queue.

Owns the indicator definitions (lexicons and weights in ``risk.toml``, editable by an
analyst) and the ranked queue. Indicators are reasons to review, never findings.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

SENTENCES = {
    "missing_child_match": "a photo matches a missing-child case ({})",
    "case_match": "leads to known case(s) {}",
    "movement": "advertised in {}",
    "volume": "{} ads",
    "burstiness": "up to {} ads in one day",
    "personas_per_phone": "up to {} names or photos behind one phone",
    "photos_across_cities": "the same photo in up to {} cities",
    "third_person": "third-person or agency wording in {} of ads",
    "youth_coded": "youth-coded words or emoji in {} of ads",
    "restrictive": "restrictive terms in {} of ads",
    "new_in_town": "new-in-town wording in {} of ads",
}
LOOKALIKE_PAIRS = (
    ("0", "o"),
    ("1", "i"),
    ("3", "e"),
    ("4", "a"),
    ("5", "s"),
    ("7", "t"),
    ("@", "a"),
    ("$", "s"),
    ("!", "i"),
)
LOOKALIKE = str.maketrans(dict(LOOKALIKE_PAIRS))


@dataclass(frozen=True)
class RiskConfig:
    """Weights, scales and lexicons of the indicators (see ``risk.toml``)."""

    weights: dict = field(default_factory=dict)
    scale: dict = field(default_factory=dict)
    lexicons: dict = field(default_factory=dict)
    fires_at: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None) -> RiskConfig:
        """The shipped defaults, overlaid with an analyst's TOML file when given."""
        data = tomllib.loads(resources.files("workbench").joinpath("risk.toml").read_text("utf-8"))
        if path is not None:
            from .io import InputError  # noqa: PLC0415

            try:
                mine = tomllib.loads(Path(path).read_text("utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise InputError(
                    str(path),
                    f"the risk configuration cannot be read ({exc})",
                    "Start from a copy of the shipped risk.toml.",
                ) from None
            for section, values in mine.items():
                data.setdefault(section, {}).update(values)
        return cls(
            weights=data.get("weights", {}),
            scale=data.get("scale", {}),
            lexicons=data.get("lexicons", {}),
            fires_at=data.get("fires_at", {}),
        )


_SPACED = r"\b(?:[a-z] ){2,}[a-z]\b"


def normalise_for_terms(texts: pd.Series) -> pd.Series:
    """Undo the spelling tricks that hide terms: NFKC, lowercase, lookalike digits,
    letters spaced out ("y o u n g"), repeated punctuation between letters ("y.o.u.n.g").

    Vectorised in Arrow (RE2); the Python steps (NFKC, joining spaced letters) run only
    on the texts that need them.

    Examples
    --------
    >>> normalise_for_terms(pd.Series(["Y.O.U.N.G and f r e s h", "ｎｅｗ 1n t0wn", None])).tolist()
    ['young and fresh', 'new in town', '']
    """
    s = texts.astype("string[pyarrow]").fillna("")
    wide = ~s.str.isascii()
    if wide.any():
        s = s.where(~wide, s[wide].map(lambda t: unicodedata.normalize("NFKC", t)).astype(s.dtype))
    s = s.str.lower()
    # Two passes join every run: a match takes the letter after its dots, so "y.o.u" keeps
    # "o.u" for the second pass (RE2 has no look-behind).
    for _ in range(2):
        s = s.str.replace(r"([a-z])[.\-_*]+([a-z])", r"\1\2", regex=True)
    spaced = s.str.contains(_SPACED, regex=True)
    if spaced.any():
        joined = (
            s[spaced]
            .astype(object)
            .str.replace(_SPACED, lambda m: m.group(0).replace(" ", ""), regex=True)
        )
        s = s.where(~spaced, joined.astype(s.dtype))
    for old, new in LOOKALIKE_PAIRS:
        s = s.str.replace(old, new, regex=False)
    return s


def _term_pattern(terms: list[str]) -> str:
    """One RE2 pattern matching any term as a whole word (letters may not touch it)."""
    words = sorted((t.lower().translate(LOOKALIKE) for t in terms), key=len, reverse=True)
    return r"(?:^|[^a-z])(?:" + "|".join(re.escape(w) for w in words) + r")(?:[^a-z]|$)"


def city_key(accounts: pd.DataFrame) -> pd.Series:
    """One key per place, so "New Orleans", "New Orleans LA" and "nola" count once.

    With coordinates, the key is a one-degree grid cell (about 100 km); without, the lower-cased name
    without a trailing state or province code.
    """
    name = accounts["city"].fillna("").astype(str).str.lower().str.strip()
    name = (
        name.str.replace(r"[,\s]+[a-z]{2}$", "", regex=True)
        .str.replace(r"[^a-z ]", "", regex=True)
        .str.strip()
    )
    if "lat" in accounts and "lon" in accounts:
        lat, lon = (
            pd.to_numeric(accounts["lat"], errors="coerce"),
            pd.to_numeric(accounts["lon"], errors="coerce"),
        )
        grid = (
            lat.round().astype("Int64").astype(str) + "/" + lon.round().astype("Int64").astype(str)
        )
        name = grid.where(lat.notna() & lon.notna(), name)
    return name.where(name != "", pd.NA)


def account_flags(accounts: pd.DataFrame, config: RiskConfig) -> pd.DataFrame:
    """Per account: which wording lexicons fire (bool columns)."""
    text = normalise_for_terms(
        accounts.get("title", pd.Series("", index=accounts.index)).fillna("")
        + " "
        + accounts["text"].fillna("")
    )
    raw = accounts["text"].fillna("")
    flags = pd.DataFrame({"account_id": accounts["account_id"].to_numpy()})
    for name in ("third_person", "youth_coded", "restrictive", "new_in_town"):
        terms = config.lexicons.get(name, [])
        hit = (
            text.str.contains(_term_pattern(terms), regex=True).to_numpy()
            if terms
            else np.zeros(len(text), bool)
        )
        if name == "youth_coded" and config.lexicons.get("youth_emoji"):
            emoji = "|".join(re.escape(e) for e in config.lexicons["youth_emoji"])
            hit = hit | raw.str.contains(emoji, regex=True).to_numpy()
        flags[name] = hit
    return flags


def entity_indicators(
    accounts: pd.DataFrame,
    entities: pd.DataFrame,
    identifiers: pd.DataFrame,
    leads: pd.DataFrame | None = None,
    photo_groups: pd.DataFrame | None = None,
    config: RiskConfig | None = None,
) -> pd.DataFrame:
    """``entity_summary.csv``: one row per entity with more than one account (or a lead),
    with its size, span, one column per indicator value, ``risk_score`` and ``risk_reasons``."""
    config = config or RiskConfig.load()
    # Only entities of several accounts or with a lead get a row: drop the rest first, so
    # the text indicators are not computed for a million singletons.
    wanted = entities.groupby("entity_id")["account_id"].transform("size").gt(1)
    if leads is not None and len(leads):
        with_lead = entities.loc[entities["account_id"].isin(leads["account_id"]), "entity_id"]
        wanted = wanted | entities["entity_id"].isin(with_lead)
    entities = entities[wanted]
    accounts = accounts[accounts["account_id"].isin(entities["account_id"])]
    acc = (
        accounts[["account_id", "posted_at"]]
        .assign(city=city_key(accounts).to_numpy())
        .merge(entities, on="account_id")
    )
    flags = account_flags(accounts, config)
    acc = acc.merge(flags, on="account_id")
    g = acc.groupby("entity_id")
    summary = g.agg(
        n_accounts=("account_id", "size"),
        n_cities=("city", "nunique"),
        first_seen=("posted_at", "min"),
        last_seen=("posted_at", "max"),
        third_person=("third_person", "mean"),
        youth_coded=("youth_coded", "mean"),
        restrictive=("restrictive", "mean"),
        new_in_town=("new_in_town", "mean"),
    )
    ids = identifiers.merge(entities, on="account_id")
    phones = ids[ids["kind"] == "phone"]
    summary["n_phones"] = (
        phones.groupby("entity_id")["value"].nunique().reindex(summary.index).fillna(0).astype(int)
    )
    summary["n_emails"] = (
        ids[ids["kind"] == "email"]
        .groupby("entity_id")["value"]
        .nunique()
        .reindex(summary.index)
        .fillna(0)
        .astype(int)
    )
    # Circuits: how often the entity's posts change city, per week of activity.
    ordered = acc.dropna(subset=["posted_at"]).sort_values(["entity_id", "posted_at"])
    moved = (ordered["city"] != ordered.groupby("entity_id")["city"].shift()) & ordered.groupby(
        "entity_id"
    ).cumcount().gt(0)
    moves = moved.groupby(ordered["entity_id"]).sum()
    weeks = ((summary["last_seen"] - summary["first_seen"]).dt.total_seconds() / 604800).clip(
        lower=1
    )
    summary["moves"] = moves.reindex(summary.index).fillna(0).astype(int)
    summary["moves_per_week"] = (summary["moves"] / weeks).round(2)
    day = acc["posted_at"].dt.floor("D")
    summary["burst"] = (
        acc.assign(day=day)
        .groupby(["entity_id", "day"])
        .size()
        .groupby(level=0)
        .max()
        .reindex(summary.index)
        .fillna(0)
    )
    titles = (
        accounts[["account_id", "title"]]
        .merge(entities, on="account_id")
        .merge(phones[["account_id", "value"]], on="account_id")
    )
    summary["personas"] = (
        titles.groupby(["entity_id", "value"])["title"]
        .nunique()
        .groupby(level=0)
        .max()
        .reindex(summary.index)
        .fillna(0)
    )
    if photo_groups is not None and len(photo_groups):
        pg = photo_groups[["account_id", "group_id"]].merge(
            acc[["account_id", "entity_id", "city"]], on="account_id"
        )
        summary["photo_cities"] = (
            pg.groupby(["entity_id", "group_id"])["city"]
            .nunique()
            .groupby(level=0)
            .max()
            .reindex(summary.index)
            .fillna(0)
        )
    else:
        summary["photo_cities"] = 0
    case_links = pd.DataFrame(
        columns=["cases", "missing", "missing_cases"], index=pd.Index([], name="entity_id")
    )
    if leads is not None and len(leads):
        le = leads.merge(entities, on="account_id")
        le["missing"] = le.get("case_kind", pd.Series("", index=le.index)) == "missing"
        case_links = le.groupby("entity_id").agg(
            cases=("case_id", lambda c: ", ".join(sorted(set(c))[:5])),
            missing=("missing", "any"),
            missing_cases=(
                "case_id",
                lambda c: ", ".join(sorted(set(c[le.loc[c.index, "missing"]]))[:5]),
            ),
        )
    summary = summary.join(case_links, how="left")
    summary["cases"] = summary["cases"].fillna("")
    summary["missing"] = summary["missing"].fillna(False).astype(bool)
    summary["missing_cases"] = summary.get(
        "missing_cases", pd.Series("", index=summary.index)
    ).fillna("")
    keep = (summary["n_accounts"] > 1) | (summary["cases"] != "")
    summary = summary[keep].copy()
    sc, w = config.scale, config.weights
    values = pd.DataFrame(index=summary.index)
    values["missing_child_match"] = summary["missing"].astype(float)
    values["case_match"] = (summary["cases"] != "").astype(float)
    values["movement"] = np.maximum(
        summary["n_cities"] / sc.get("movement_cities", 6),
        summary["moves_per_week"] / sc.get("moves_per_week", 2),
    ).clip(0, 1)
    values["volume"] = (summary["n_accounts"] / sc.get("volume_accounts", 40)).clip(0, 1)
    values["burstiness"] = (summary["burst"] / sc.get("burst_per_day", 8)).clip(0, 1)
    values["personas_per_phone"] = (
        (summary["personas"] - 1).clip(lower=0) / sc.get("personas", 4)
    ).clip(0, 1)
    values["photos_across_cities"] = (
        (summary["photo_cities"] - 1).clip(lower=0) / sc.get("photo_cities", 4)
    ).clip(0, 1)
    for name in ("third_person", "youth_coded", "restrictive", "new_in_town"):
        values[name] = (summary[name] / sc.get("term_share", 0.5)).clip(0, 1)
    # An indicator counts only once it fires: below its ``fires_at`` value it is 0, so every
    # indicator in the score is one sentence in the reasons (a pair of accounts in two cities
    # is 2/6 of movement, but not a reason to review, and so not part of the score either).
    fires_at = config.fires_at
    for name in values.columns:
        values[name] = (
            values[name].where(values[name] >= float(fires_at.get(name, 0.0)), 0.0).fillna(0.0)
        )
    weights = pd.Series({k: float(w.get(k, 0.0)) for k in values.columns})
    summary["risk_score"] = (
        values.mul(weights, axis=1).sum(axis=1) / max(weights.sum(), 1e-9)
    ).round(4)
    measure = {
        "missing_child_match": summary["missing_cases"],
        "case_match": summary["cases"],
        "movement": summary["n_cities"].astype(str)
        + " cities, moving "
        + summary["moves"].astype(str)
        + np.where(summary["moves"].to_numpy() == 1, " time (", " times (")
        + summary["moves_per_week"].astype(str)
        + " a week)",
        "volume": summary["n_accounts"],
        "burstiness": summary["burst"].astype(int),
        "personas_per_phone": summary["personas"].astype(int),
        "photos_across_cities": summary["photo_cities"].astype(int),
    }
    for name in (
        "third_person",
        "youth_coded",
        "restrictive",
        "new_in_town",
    ):  # "under 1%", never "0%"
        share = summary[name].astype(float)
        measure[name] = (
            (share * 100).round().astype(int).astype(str).add("%").where(share >= 0.005, "under 1%")
        )
    contrib = values.mul(weights, axis=1)
    order = contrib.columns[np.argsort(-weights.to_numpy(), kind="stable")]
    sentences = {}
    for name in order:  # one pass per indicator (about ten), not per entity
        fired = values[name] > 0
        m = measure.get(name, summary.get(name))
        sentences[name] = m[fired].map(lambda v, n=name: SENTENCES[n].format(v)).astype(object)
    stacked = pd.DataFrame(sentences, index=summary.index, columns=list(order)).stack().dropna()
    reasons = (
        stacked.groupby(level=0).agg("; ".join).reindex(summary.index).fillna("")
        if len(stacked)
        else pd.Series("", index=summary.index)
    )
    summary["risk_reasons"] = reasons
    for name in values.columns:
        summary[f"ind_{name}"] = values[name].round(3)
    summary = summary.reset_index().sort_values(
        ["missing", "risk_score", "n_accounts", "entity_id"], ascending=[False, False, False, True]
    )
    summary["first_seen"] = summary["first_seen"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    summary["last_seen"] = summary["last_seen"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    cols = [
        "entity_id",
        "n_accounts",
        "n_phones",
        "n_emails",
        "n_cities",
        "moves",
        "moves_per_week",
        "first_seen",
        "last_seen",
        "risk_score",
        "risk_reasons",
        "cases",
        "missing",
    ] + [f"ind_{c}" for c in values.columns]
    return summary[cols].reset_index(drop=True)


def triage_queue(entity_summary: pd.DataFrame, leads: pd.DataFrame) -> pd.DataFrame:
    """One ranked queue: missing-child matches, then resurfacing leads and entities by score.

    Columns: rank, item_type (missing_match / lead / entity), item_id, score, reason.
    Ordering is stable (ties broken by id).
    """
    parts = []
    if leads is not None and len(leads):
        kind = leads.get("case_kind", pd.Series("subject", index=leads.index))
        parts.append(
            pd.DataFrame(
                {
                    "item_type": np.where(kind == "missing", "missing_match", "lead"),
                    "item_id": leads["case_id"] + "/" + leads["account_id"],
                    "priority": np.where(kind == "missing", 2.0, 1.0)
                    + leads["score"].astype(float),
                    "score": leads["score"].astype(float),
                    "reason": leads["reasons"],
                }
            )
        )
    if entity_summary is not None and len(entity_summary):
        parts.append(
            pd.DataFrame(
                {
                    "item_type": "entity",
                    "item_id": entity_summary["entity_id"],
                    "priority": np.where(entity_summary["missing"], 2.0, 0.0)
                    + entity_summary["risk_score"].astype(float) * 1.5,
                    "score": entity_summary["risk_score"].astype(float),
                    "reason": entity_summary["risk_reasons"].replace(
                        "", "linked accounts; no indicator fired"
                    ),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["rank", "item_type", "item_id", "score", "reason"])
    queue = pd.concat(parts, ignore_index=True).sort_values(
        ["priority", "item_id"], ascending=[False, True], kind="stable"
    )
    queue.insert(0, "rank", np.arange(1, len(queue) + 1))
    return queue.drop(columns="priority").reset_index(drop=True)


def filter_queue(
    queue: pd.DataFrame,
    accounts: pd.DataFrame,
    entities: pd.DataFrame,
    entity_summary: pd.DataFrame | None = None,
    city: str | None = None,
    platform: str | None = None,
    start=None,
    end=None,
    indicator: str | None = None,
) -> pd.DataFrame:
    """Keep queue items with at least one account in the city / platform / time window, and
    (for ``indicator``, e.g. ``"youth_coded"``) entities where that indicator fired.
    Ranks are kept, so a filtered queue still reads in the global order.

    Examples
    --------
    >>> queue = pd.DataFrame({"rank": [1, 2], "item_type": ["entity", "lead"], "item_id": ["E1", "C1/a2"],
    ...                       "score": [0.5, 0.9], "reason": ["", ""]})
    >>> accounts = pd.DataFrame({"account_id": ["a1", "a2"], "city": ["Houston", "Dallas"],
    ...                          "platform": ["x", "y"], "posted_at": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    >>> entities = pd.DataFrame({"account_id": ["a1", "a2"], "entity_id": ["E1", "E2"]})
    >>> filter_queue(queue, accounts, entities, city="houston")["item_id"].tolist()
    ['E1']
    """
    lead_items = queue[queue["item_type"] != "entity"]
    members = pd.concat(
        [
            pd.DataFrame(
                {
                    "item_id": lead_items["item_id"],
                    "account_id": lead_items["item_id"].str.split("/", n=1).str[1],
                }
            ),
            entities.rename(columns={"entity_id": "item_id"})[["item_id", "account_id"]],
        ],
        ignore_index=True,
    ).merge(accounts[["account_id", "city", "platform", "posted_at"]], on="account_id")
    keep = pd.Series(True, index=members.index)
    if city and city.strip():
        pattern = r"(?<![a-z])" + re.escape(city.strip().lower()) + r"(?![a-z])"
        keep &= members["city"].fillna("").str.lower().str.contains(pattern, regex=True)
    if platform:
        keep &= members["platform"].fillna("").str.lower() == platform.lower()
    if start is not None:
        keep &= members["posted_at"] >= pd.Timestamp(start)
    if end is not None:
        keep &= members["posted_at"] <= pd.Timestamp(end)
    wanted = set(members.loc[keep, "item_id"])
    out = queue[queue["item_id"].isin(wanted)]
    if indicator and entity_summary is not None:
        column = f"ind_{indicator}"
        if column not in entity_summary:
            raise ValueError(
                f"unknown indicator {indicator!r}; choose one of "
                + ", ".join(c[4:] for c in entity_summary.columns if c.startswith("ind_"))
            )
        fired = set(entity_summary.loc[entity_summary[column] > 0, "entity_id"])
        out = out[(out["item_type"] != "entity") | out["item_id"].isin(fired)]
    return out.reset_index(drop=True)

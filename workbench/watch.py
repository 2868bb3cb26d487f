"""Cases -> watchlist -> leads with reasons: known subjects and missing children resurfacing.

Owns the watchlist built from cases and the scoring of leads. It reuses the
identifier normalisers of ``extract``, the Hamming index of ``photos`` and MinHash of
``textsim``; it never decides entities (it reads ``entities``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import extract, link, photos, textpairs
from .io import explode_multi
from .schema import KIND_WORDS, OUTPUT_COLUMNS, STRONG_KINDS

log = logging.getLogger(__name__)

IDENTIFIER_SCORE = {
    "phone": 0.95,
    "email": 0.95,
    "handle": 0.9,
    "payment": 0.9,
    "wallet": 0.95,
    "url": 0.6,
}


@dataclass(frozen=True)
class WatchConfig:
    """How leads are found and scored.

    min_lead_score : leads below this are not written (measured on synthetic worlds)
    photo_radius : Hamming radius on 64-bit pHash for "same photo"
    text_threshold : MinHash similarity of an ad to a case's sample ad text
    entity_factor : an account in the same entity as a matching account gets this
        share of that account's score
    """

    min_lead_score: float = 0.5
    photo_radius: int = 8
    pdq_radius: int = 31  # of 256 bits, as Meta publishes for PDQ
    text_threshold: float = 0.5
    entity_factor: float = 0.8
    region: str = "US"
    num_perm: int = 64
    seed: int = 0


def build_watchlist(cases: pd.DataFrame, region: str = "US") -> pd.DataFrame:
    """Every identifier a case is known by: (case_id, case_kind, kind, value, source).

    Fields are normalised with the same functions as accounts, each case in its own
    region: its ``country`` / ``region`` column, else what its notes say (a city, a
    currency, a language; ``extract.regions``), else ``region``. So "07911 123456" on a
    GB case meets "+44 7911 123456" in an ad. The notes are searched with the full
    extractor. Photo hashes become kind ``image``.

    Examples
    --------
    >>> cases = pd.DataFrame({"case_id": ["C1", "C2"], "kind": "subject", "country": ["GB", None],
    ...     "phones": ["07911 123456", "55 1234 5678"], "notes": ["", "vista en Guadalajara"]})
    >>> build_watchlist(cases)["value"].tolist()
    ['+447911123456', '+525512345678']
    """
    fields = {"phones": "phone", "emails": "email", "handles": "handle"}
    kinds = cases["kind"] if "kind" in cases.columns else pd.Series("subject", index=cases.index)
    base = pd.DataFrame({"case_id": cases["case_id"], "case_kind": kinds.fillna("subject")})
    notes = (
        cases["notes"].fillna("") if "notes" in cases.columns else pd.Series("", index=cases.index)
    )
    as_accounts = pd.DataFrame(
        {
            "account_id": cases["case_id"],
            "text": notes,
            "title": pd.NA,
            "phone": cases.get("phones"),
            "email": cases.get("emails"),
            "handle": cases.get("handles"),
            "image_hashes": cases.get("image_hashes"),
            "pdq_hashes": cases.get("pdq_hashes"),
        }
    )
    for column in ("country", "region"):  # the case's own country decides how its fields read
        if column in cases.columns:
            as_accounts[column] = cases[column].to_numpy()
    found = extract.extract_frame(as_accounts, region=region)
    found = found.rename(columns={"account_id": "case_id"})
    found["source"] = found["source"].replace(
        {"text": "notes", **{v: k for k, v in fields.items()}}
    )
    watch = found[["case_id", "kind", "value", "source"]].merge(base, on="case_id", how="left")
    return watch.drop_duplicates(["case_id", "kind", "value"]).reset_index(drop=True)


def _identifier_hits(
    watch: pd.DataFrame, identifiers: pd.DataFrame, hubs: pd.DataFrame | None
) -> pd.DataFrame:
    watched = watch[watch["kind"].isin(STRONG_KINDS)]
    watched = watched[
        ~link.is_hub(watched, hubs)
    ]  # before the join: a hub is on thousands of accounts
    ids = identifiers[
        identifiers["kind"].isin(STRONG_KINDS) & identifiers["value"].isin(watched["value"])
    ]
    hits = watched.merge(ids[["account_id", "kind", "value"]], on=["kind", "value"])
    hits["score"] = hits["kind"].map(IDENTIFIER_SCORE).fillna(0.5)
    hits["signal"] = "identifier"
    hits["reason"] = (
        "same "
        + hits["kind"].map(KIND_WORDS).astype(str)
        + " "
        + hits["value"].astype(str)
        + " as case "
        + hits["case_id"].astype(str)
    )
    return hits[["case_id", "account_id", "score", "signal", "reason"]]


def _photo_hits(watch: pd.DataFrame, accounts: pd.DataFrame, config: WatchConfig) -> pd.DataFrame:
    """Photo matches: PDQ (256-bit) where both sides have it, 64-bit pHash otherwise."""
    phash = _hash_hits(watch, accounts, "image", "image_hashes", 64, config.photo_radius, config)
    pdq = _hash_hits(watch, accounts, "pdq", "pdq_hashes", 256, config.pdq_radius, config)
    if len(pdq):
        both = phash.merge(
            pdq[["case_id", "account_id"]], on=["case_id", "account_id"], how="left", indicator=True
        )
        phash = phash[(both["_merge"] == "left_only").to_numpy()]
    found = [
        frame for frame in (pdq, phash) if len(frame)
    ]  # empty frames would change the column types
    return pd.concat(found, ignore_index=True) if found else phash


def _hash_hits(
    watch: pd.DataFrame,
    accounts: pd.DataFrame,
    kind: str,
    column: str,
    bits: int,
    radius: int,
    config: WatchConfig,
) -> pd.DataFrame:
    empty = pd.DataFrame(columns=["case_id", "account_id", "score", "signal", "reason"])
    case_photos = watch[watch["kind"] == kind]
    if case_photos.empty or column not in accounts:
        return empty
    acc_photos = explode_multi(accounts, column)
    if acc_photos.empty:
        return empty
    acc_words, acc_ok = photos.parse_hex(acc_photos[column], bits=bits)
    case_words, case_ok = photos.parse_hex(case_photos["value"], bits=bits)
    acc_photos, case_photos = (
        acc_photos[acc_ok],
        case_photos[case_ok],
    )  # io already warned about bad hashes
    if case_photos.empty or acc_photos.empty:
        return empty
    index = photos.HammingIndex(acc_words[acc_ok], radius=radius)
    found = index.query(case_words[case_ok], radius=radius)
    q, i, d = (found[c].to_numpy() for c in ("query_idx", "index_idx", "distance"))
    hits = pd.DataFrame(
        {
            "case_id": case_photos["case_id"].to_numpy()[q],
            "case_kind": case_photos["case_kind"].to_numpy()[q],
            "account_id": acc_photos["account_id"].to_numpy()[i],
            "distance": d,
        }
    )
    hits = hits.sort_values(["case_id", "account_id", "distance"]).drop_duplicates(
        ["case_id", "account_id"]
    )
    if hits.empty:
        return empty
    # A PDQ bit weighs a quarter of a pHash bit: the same edit flips about 4x as many of 256.
    hits["score"] = 0.97 - 0.025 * hits["distance"] * (64 / bits)
    what = np.where(
        hits["case_kind"] == "missing", "same photo as missing-child case ", "same photo as case "
    )
    scale = "" if bits == 64 else f" of {bits} (PDQ)"
    hits["reason"] = (
        what
        + hits["case_id"].astype(str)
        + ", "
        + hits["distance"].astype(str)
        + np.where(hits["distance"] == 1, " bit", " bits")
        + scale
        + " apart"
    )
    hits["signal"] = "photo"
    return hits[["case_id", "account_id", "score", "signal", "reason"]]


def _text_hits(cases: pd.DataFrame, accounts: pd.DataFrame, config: WatchConfig) -> pd.DataFrame:
    notes = cases["notes"].fillna("")
    has = notes.str.len() > 40
    if not has.any() or accounts.empty:
        return pd.DataFrame(columns=["case_id", "account_id", "score", "signal", "reason"])
    pairs = textpairs.similar_across(
        notes[has].reset_index(drop=True),
        accounts["text"].fillna(""),
        threshold=config.text_threshold,
        num_perm=config.num_perm,
        seed=config.seed,
    )
    case_ids = cases.loc[has, "case_id"].to_numpy()
    hits = pd.DataFrame(
        {
            "case_id": case_ids[pairs["left"].to_numpy()],
            "account_id": accounts["account_id"].to_numpy()[pairs["right"].to_numpy()],
            "similarity": pairs["similarity"].to_numpy(),
        }
    )
    hits["score"] = 0.35 + 0.6 * hits["similarity"]
    hits["signal"] = "template"
    hits["reason"] = (
        "ad text "
        + hits["similarity"].round(2).astype(str)
        + " similar to the sample ad in the notes of case "
        + hits["case_id"].astype(str)
    )
    return hits[["case_id", "account_id", "score", "signal", "reason"]]


def _entity_hits(direct: pd.DataFrame, entities: pd.DataFrame, config: WatchConfig) -> pd.DataFrame:
    if direct.empty or entities is None:
        return pd.DataFrame(columns=["case_id", "account_id", "score", "signal", "reason"])
    # A missing child's case is about the photo: entity-mates of the account are not leads to it.
    direct = direct[direct["case_kind"] != "missing"] if "case_kind" in direct else direct
    # Ties broken by account id, so the entity's representative does not depend on row order.
    best = direct.sort_values(["score", "account_id"], ascending=[False, True]).drop_duplicates(
        ["case_id", "account_id"]
    )
    best = best.merge(entities[["account_id", "entity_id"]], on="account_id")
    per_entity = best.drop_duplicates(["case_id", "entity_id"])
    mates = per_entity.merge(
        entities[["account_id", "entity_id"]].rename(columns={"account_id": "mate"}), on="entity_id"
    )
    mates = mates[mates["mate"] != mates["account_id"]]
    mates = mates.sort_values("score", ascending=False).drop_duplicates(["case_id", "mate"])
    # Weighted by how surely each of the two accounts belongs to the entity (its strongest link).
    sure = (
        entities.set_index("account_id")["link_probability"]
        if "link_probability" in entities
        else None
    )
    factor = config.entity_factor
    if sure is not None:
        factor = (
            factor
            * sure.reindex(mates["account_id"]).fillna(1.0).to_numpy()
            * sure.reindex(mates["mate"]).fillna(1.0).to_numpy()
        )
    out = pd.DataFrame(
        {
            "case_id": mates["case_id"],
            "account_id": mates["mate"],
            "score": mates["score"] * factor,
            "signal": "entity",
        }
    )
    out["reason"] = (
        "same entity as account "
        + mates["account_id"].astype(str)
        + ", which matched: "
        + mates["reason"].astype(str).str.replace(r" as (missing-child )?case \S+", "", regex=True)
    )
    return out


def watchlist_with_confirmed(
    cases: pd.DataFrame,
    identifiers: pd.DataFrame,
    confirmed: pd.DataFrame | None = None,
    region: str = "US",
) -> pd.DataFrame:
    """The cases' watchlist plus the identifiers of accounts an analyst confirmed for a case."""
    watch = build_watchlist(cases, region)
    if confirmed is None or not len(confirmed):
        return watch
    joined = confirmed.merge(identifiers[["account_id", "kind", "value"]], on="account_id")
    joined = joined.merge(
        cases[["case_id", "kind"]].rename(columns={"kind": "case_kind"}), on="case_id"
    )
    extra = joined.assign(source="confirmed account " + joined["account_id"]).drop(
        columns="account_id"
    )
    return pd.concat([watch, extra], ignore_index=True).drop_duplicates(
        ["case_id", "kind", "value"]
    )


def direct_hits(
    cases: pd.DataFrame,
    accounts: pd.DataFrame,
    identifiers: pd.DataFrame,
    hubs: pd.DataFrame | None = None,
    config: WatchConfig | None = None,
    watchlist: pd.DataFrame | None = None,
    text: bool = True,
) -> pd.DataFrame:
    """The evidence of each case on each account, before entities and combining.

    One row per piece of evidence: case_id, account_id, score, signal (identifier,
    photo, template), reason, case_kind. ``watchlist`` defaults to
    ``build_watchlist(cases)``; an incremental watch passes only the entries it has not
    matched yet (and ``text=False`` when the case notes were matched before).

    Examples
    --------
    >>> cases = pd.DataFrame({"case_id": ["C1"], "kind": ["subject"], "phones": ["713 482 0193"],
    ...     "emails": [None], "handles": [None], "image_hashes": [None], "notes": [""]})
    >>> accounts = pd.DataFrame({"account_id": ["a1"], "text": ["call 7134820193"], "image_hashes": [None]})
    >>> direct_hits(cases, accounts, extract.extract_frame(accounts))[["case_id", "account_id", "signal"]].values.tolist()
    [['C1', 'a1', 'identifier']]
    """
    config = config or WatchConfig()
    watch = build_watchlist(cases, config.region) if watchlist is None else watchlist
    parts = [_identifier_hits(watch, identifiers, hubs), _photo_hits(watch, accounts, config)]
    if text:
        parts.append(_text_hits(cases, accounts, config))
    direct = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else parts[0]
    )
    kinds = cases.set_index("case_id")["kind"]
    return direct.assign(case_kind=direct["case_id"].map(kinds).to_numpy())


def entity_hits(
    direct: pd.DataFrame, entities: pd.DataFrame | None, config: WatchConfig | None = None
) -> pd.DataFrame:
    """Entity evidence: each account in the same entity as an account with direct
    evidence gets ``entity_factor`` of the entity's best direct score for that case
    (missing-child cases excepted: they are about the photo)."""
    return _entity_hits(direct, entities, config or WatchConfig())


def combine(hits: pd.DataFrame) -> pd.DataFrame:
    """One lead per (case, account): score = 1 - prod(1 - s) over its distinct evidence
    (noisy-or, so independent signals add up), reasons joined, strongest first."""
    if hits.empty:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS["leads"]) + ["signals"])
    hits = hits.sort_values("score", ascending=False).drop_duplicates(
        ["case_id", "account_id", "reason"]
    )
    hits = hits.assign(miss=np.log1p(-hits["score"].astype(float).clip(0, 0.999)))
    grouped = hits.groupby(["case_id", "account_id"], sort=False)
    leads = grouped.agg(
        miss=("miss", "sum"),
        reasons=("reason", "; ".join),
        signals=("signal", lambda s: ";".join(dict.fromkeys(s))),
    ).reset_index()
    leads["score"] = (1 - np.exp(leads["miss"])).round(4)
    return leads.drop(columns="miss")


def find_leads(
    cases: pd.DataFrame,
    accounts: pd.DataFrame,
    identifiers: pd.DataFrame,
    entities: pd.DataFrame | None = None,
    hubs: pd.DataFrame | None = None,
    config: WatchConfig | None = None,
    confirmed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``leads.csv``: for each case, accounts that may be the same subject, best first.

    Missing-child cases come first; within a case, leads are sorted by score. Only
    leads at or above ``config.min_lead_score`` are kept. ``confirmed`` (case_id,
    account_id) are accounts an analyst confirmed: their identifiers and photos join
    their case's watchlist.
    """
    config = config or WatchConfig()
    if cases is None or cases.empty:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS["leads"]) + ["signals", "case_kind"])
    watch = watchlist_with_confirmed(cases, identifiers, confirmed, config.region)
    direct = pd.concat(
        [
            _identifier_hits(watch, identifiers, hubs),
            _photo_hits(watch, accounts, config),
            _text_hits(cases, accounts, config),
        ],
        ignore_index=True,
    )
    kinds = cases.set_index("case_id")["kind"]
    direct = direct.assign(case_kind=direct["case_id"].map(kinds).to_numpy())
    hits = pd.concat([direct, _entity_hits(direct, entities, config)], ignore_index=True)
    leads = combine(hits)
    leads = leads[leads["score"] >= config.min_lead_score]
    leads = leads.merge(
        cases[["case_id", "kind"]].rename(columns={"kind": "case_kind"}), on="case_id", how="left"
    )
    leads["_missing"] = leads["case_kind"] != "missing"
    leads = leads.sort_values(
        ["_missing", "case_id", "score", "account_id"], ascending=[True, True, False, True]
    )
    cols = list(OUTPUT_COLUMNS["leads"]) + ["signals", "case_kind"]
    return leads[cols].reset_index(drop=True)

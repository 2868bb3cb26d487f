"""Links and hubs as data an analyst can read: each link's waterfall of weights, each hub's figures.

Owns the ``links`` and ``hubs`` tables of a linkage; the numbers come from ``weights``
and the grouping from ``resolve``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .compare import ID_FAMILIES, Coded
from .config import LinkConfig
from .hubs import KIND_WORDS
from .weights import Weights

FAMILY_WORDS = {
    "phone": "phone",
    "email": "email",
    "handle": "handle",
    "xhandle": "user name on two platforms",
    "other": "identifier",
    "photo": "photo",
}
TIME_WORDS = (
    "",
    "posted within a day",
    "posted within a week",
    "posted within a month",
    "posted within six months",
    "posted more than six months apart",
)
# Cross-entity pairs below this probability are not written: at 1M accounts they are most of
# the candidates and say only that the comparison was made.
SHOWN_PROBABILITY = 0.1


def _strings(values, codes: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """``values[codes]`` as an Arrow string array, null where ``mask`` is False."""
    mask = codes >= 0 if mask is None else mask & (codes >= 0)
    index = pa.array(np.where(mask, codes, 0), mask=~mask)
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), type=pa.string())
    return (values if len(values) else pa.array([""])).take(index)


def _fmt(values, spec: str, mask: np.ndarray | None = None) -> pa.Array:
    """Each value formatted with ``spec``, formatting each distinct value once; null where
    ``mask`` is False.

    Examples
    --------
    >>> _fmt(np.array([1.25, -3.0, 1.25]), "+.1f").to_pylist()
    ['+1.2', '-3.0', '+1.2']
    """
    codes, distinct = pd.factorize(np.asarray(values))
    text = [format(v, spec) for v in distinct]  # bounded: distinct values
    return _strings(text, codes, mask)


def _bits(values, mask: np.ndarray | None = None) -> pa.Array:
    """``+11.2`` for each weight."""
    return _fmt(np.round(np.asarray(values, dtype=float), 1), "+.1f", mask)


def _take(values: np.ndarray, x: np.ndarray, fill: str) -> np.ndarray:
    """``values[x]`` where ``x >= 0``, else ``fill`` (safe when there are no values at all)."""
    padded = np.r_[values.astype(object), np.array([fill], dtype=object)]
    return padded[np.where(x >= 0, x, -1)]


def _part(mask: np.ndarray, *pieces) -> pa.Array:
    """One reason part: its pieces (text, or arrays null where they don't apply) glued, null
    on the rows where ``mask`` is False."""
    pieces = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in pieces]
    gate = pa.array(np.full(len(mask), "", dtype=object), type=pa.string(), mask=~mask)
    return pc.binary_join_element_wise(gate, *pieces, "", null_handling="emit_null")


def _reasons(rows: pd.DataFrame, coded: Coded, weights: Weights) -> pd.Series:
    """``same phone +1713... (on 3 accounts) +11.2; same city +2.9; ...; prior -12.7 => 0.97``

    Built column by column in Arrow: each part is null where it doesn't apply, and the parts
    are joined with ``"; "`` skipping nulls (no Python code per row)."""
    if rows.empty:
        return pd.Series([], index=rows.index, dtype=object)
    parts = []
    values = pa.array(coded.value.astype(str), type=pa.string())
    for family in ID_FAMILIES + ("photo",):
        x = rows[f"x_{family}"].to_numpy()
        on = x >= 0
        value = _strings(values, x, on)
        count = _fmt(rows[f"k_{family}"].to_numpy(), "", on)
        weight = _bits(rows[f"w_{family}"], on)
        if family == "photo":
            distance = _fmt(rows["photo_distance"].to_numpy(), "", on)
            head = ("same photo ", value, " (", distance, " bits apart, on ", count)
        else:
            head = (f"same {FAMILY_WORDS[family]} ", value, " (on ", count)
        parts.append(_part(on, *head, " accounts) ", weight))
    absent = sum(rows[f"w_{f}"].where(rows[f"x_{f}"] < 0, 0.0) for f in ID_FAMILIES)
    absent = (absent + rows["w_photo"].where(rows["x_photo"] < 0, 0.0)).to_numpy()
    text = rows["text"].to_numpy()
    w_text = _bits(rows["w_text"])
    similar = _fmt(rows["similarity"].round(2).to_numpy(), "")
    parts.append(_part(text >= 2, "ad text ", similar, " similar ", w_text))
    parts.append(_part(text == 1, "ad text not similar ", w_text))
    city = rows["city"].to_numpy()
    parts.append(_part(city == 1, "same city ", _bits(rows["w_city"])))
    parts.append(_part(city == 2, "different cities ", _bits(rows["w_city"])))
    time = rows["time"].to_numpy()
    when = _strings(TIME_WORDS, time)
    parts.append(_part(time > 0, when, " ", _bits(rows["w_time"])))
    parts.append(_part(absent != 0, "nothing else shared ", _bits(absent)))
    prior = np.log2(weights.prior / (1 - weights.prior))
    probability = _fmt(rows["probability"].round(3).to_numpy(), "")
    everywhere = np.ones(len(rows), dtype=bool)
    parts.append(_part(everywhere, f"prior {prior:+.1f} bits => match probability ", probability))
    joined = pc.binary_join_element_wise(*parts, "; ", null_handling="skip")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=rows.index, dtype=object)


def pair_links(
    table: pd.DataFrame,
    scored: pd.DataFrame,
    labels: np.ndarray,
    coded: Coded,
    ids,
    weights: Weights,
) -> pd.DataFrame:
    """The links table: compared pairs inside an entity (used) and the likelier ones across
    entities (not used), with kind/value of the strongest piece of evidence, the match
    probability as ``weight``, each comparison's weight in bits and the reason in words."""
    same = labels[table["i"].to_numpy()] == labels[table["j"].to_numpy()]
    show = same | (scored["probability"].to_numpy() >= SHOWN_PROBABILITY)
    rows = pd.concat([table[show], scored[show]], axis=1)
    used = same[show]
    pieces = [f"w_{f}" for f in (*ID_FAMILIES, "photo")]
    agree = np.column_stack(
        [rows[f"x_{f}"].to_numpy() >= 0 for f in (*ID_FAMILIES, "photo")]
        + [rows["text"].to_numpy() >= 2]
    )
    strength = np.where(agree, rows[[*pieces, "w_text"]].to_numpy(), -np.inf)
    best = strength.argmax(axis=1)
    families = np.array([*ID_FAMILIES, "photo", "text"], dtype=object)[best]
    x = np.column_stack(
        [rows[f"x_{f}"].to_numpy() for f in (*ID_FAMILIES, "photo")] + [np.full(len(rows), -1)]
    )
    x_best = x[np.arange(len(rows)), best]
    kind = _take(coded.kind, x_best, "text")
    kind = np.where(families == "xhandle", "handle", kind)
    value = np.where(
        x_best >= 0, _take(coded.value, x_best, ""), rows["similarity"].round(3).astype(str)
    )
    links = pd.DataFrame(
        {
            "src": ids[rows["i"].to_numpy()],
            "dst": ids[rows["j"].to_numpy()],
            "kind": kind,
            "value": value,
            "weight": rows["probability"].round(4).to_numpy(),
        }
    )
    links["reason"] = _reasons(rows, coded, weights).to_numpy()
    links.loc[~used, "reason"] = (
        links.loc[~used, "reason"] + "; not used: the groups on either side stay apart"
    )
    links["used"] = used
    links["log_odds"] = rows["log_odds"].round(2).to_numpy()
    for col in [*pieces, "w_text", "w_city", "w_time"]:
        links[col] = rows[col].round(2).to_numpy()
    return links.sort_values(
        ["used", "weight"], ascending=[False, False], kind="stable"
    ).reset_index(drop=True)


def data_hubs(
    coded: Coded, labels: np.ndarray, accounts: pd.DataFrame, weights: Weights, config: LinkConfig
) -> pd.DataFrame:
    """Values whose accounts don't belong together: held by 3+ accounts spread over entities,
    none of which holds half of them (or too common to compare pair by pair). Whatever their
    share of all accounts, a value kept inside one operator's accounts is not a hub."""
    cols = [
        "kind",
        "value",
        "n_accounts",
        "n_entities",
        "n_cities",
        "n_platforms",
        "weight_bits",
        "reason",
    ]
    n = max(len(labels), 1)
    real = (coded.kind[coded.x] != "xhandle") & (coded.k[coded.x] >= 3)
    x, a = coded.x[real], coded.a[real]
    frame = pd.DataFrame({"x": x, "entity": labels[a]})
    if frame.empty:
        return pd.DataFrame(columns=cols)
    per = frame.groupby("x").agg(n_accounts=("entity", "size"))
    per["n_entities"] = frame.drop_duplicates().groupby("x").size()
    for col, name in (("city", "n_cities"), ("platform", "n_platforms")):
        values = accounts[col] if col in accounts else pd.Series(pd.NA, index=accounts.index)
        code = pd.factorize(values.astype("string"))[0][a]
        seen = pd.DataFrame({"x": x, "v": code})
        per[name] = (
            seen[seen["v"] >= 0]
            .drop_duplicates()
            .groupby("x")
            .size()
            .reindex(per.index)
            .fillna(0)
            .astype(int)
        )
    top = frame.groupby(["x", "entity"]).size().groupby(level=0).max()
    per["top_share"] = (top / per["n_accounts"]).reindex(per.index)
    too_common = per["n_accounts"] > config.max_pair_accounts
    spread = (per["n_accounts"] >= 3) & (per["n_entities"] >= 2) & (per["top_share"] < 0.5)
    hubs = per[(spread | too_common) & (per["n_entities"] >= 2)].copy()
    if hubs.empty:
        return pd.DataFrame(columns=cols)
    xs = hubs.index.to_numpy()
    hubs["kind"], hubs["value"] = coded.kind[xs], coded.value[xs]
    family = coded.family[xs]
    m_agree = np.array(
        [weights.m[f][1] if f in ID_FAMILIES else weights.m["photo"][1] for f in family]
    )
    hubs["weight_bits"] = np.round(np.log2(m_agree / (hubs["n_accounts"].to_numpy() / n)), 1)
    prior = np.log2(weights.prior / (1 - weights.prior))
    words = hubs["kind"].map(KIND_WORDS).fillna(hubs["kind"])
    hubs["reason"] = (
        words
        + " on "
        + hubs["n_accounts"].astype(str)
        + " accounts that fall in "
        + hubs["n_entities"].astype(str)
        + " entities (the largest holds "
        + (hubs["top_share"] * 100).round().astype(int).astype(str)
        + "%), "
        + hubs["n_cities"].astype(str)
        + " cities, "
        + hubs["n_platforms"].astype(str)
        + " platforms; sharing it weighs "
        + hubs["weight_bits"].map(lambda v: f"{v:+.1f}")
        + f" bits against a prior of {prior:+.1f}: not evidence of one operator"
    )
    hubs.loc[too_common.reindex(hubs.index).to_numpy(), "reason"] += (
        f" (on more than {config.max_pair_accounts} accounts: not compared pair by pair)"
    )
    return hubs.sort_values(["n_accounts", "kind", "value"], ascending=[False, True, True])[
        cols
    ].reset_index(drop=True)

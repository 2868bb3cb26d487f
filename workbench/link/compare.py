"""Candidate pairs of accounts and how they compare, one column per comparison.

Owns blocking (which pairs are looked at: a shared identifier, a shared near-duplicate
photo, similar ad text) and the comparison table of those pairs. It does not weigh the
evidence (``weights``) nor group accounts (``resolve``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..textsim import pairs_within_groups

# Identifier kinds compared as one family each; payment, wallet and web address are rare
# enough to share a family.
FAMILY_OF_KIND = {
    "phone": "phone",
    "email": "email",
    "handle": "handle",
    "payment": "other",
    "wallet": "other",
    "url": "other",
    "xhandle": "xhandle",
    "image": "photo",
}
ID_FAMILIES = ("phone", "email", "handle", "xhandle", "other")
# Text similarity bins (MinHash estimate of 3-shingle Jaccard); the LSH finds pairs from 0.3.
TEXT_EDGES = (0.3, 0.45, 0.6, 0.75, 0.9)
# Days between posts.
TIME_EDGES = (1.0, 7.0, 30.0, 180.0)


class Coded(NamedTuple):
    """Evidence as integer positions: account ``a`` carries value ``x`` (of ``family``)."""

    a: np.ndarray
    x: np.ndarray
    k: np.ndarray  # accounts per value, indexed by x
    family: np.ndarray  # family name per value, indexed by x
    kind: np.ndarray  # identifier kind per value
    value: np.ndarray  # identifier value per value (photo: representative hash)


def cross_platform_handles(evidence: pd.DataFrame) -> pd.DataFrame:
    """The bare user name of each platform-scoped handle (``instagram:jade_22`` -> ``jade_22``),
    as evidence of kind ``xhandle``: the same distinctive name on two platforms.

    Examples
    --------
    >>> ev = pd.DataFrame({"account_id": ["a", "b"], "kind": "handle", "value": ["instagram:jade_22", "kik:jade_22"]})
    >>> cross_platform_handles(ev)["value"].tolist()
    ['jade_22', 'jade_22']
    """
    handles = evidence[
        (evidence["kind"] == "handle") & evidence["value"].str.contains(":", regex=False)
    ]
    bare = handles["value"].str.split(":", n=1).str[1]
    out = pd.DataFrame(
        {
            "account_id": handles["account_id"].to_numpy(),
            "kind": "xhandle",
            "value": bare.to_numpy(),
        }
    )
    return out[out["value"].str.len() >= 4].drop_duplicates(ignore_index=True)


def code_evidence(evidence: pd.DataFrame, index: pd.Index) -> Coded:
    """Number the accounts (by ``index``) and the distinct (kind, value) of ``evidence``."""
    a = index.get_indexer(evidence["account_id"])
    keep = a >= 0
    evidence, a = evidence[keep], a[keep].astype(np.int64)
    x, keys = pd.factorize(
        pd.MultiIndex.from_arrays([evidence["kind"], evidence["value"].astype(str)])
    )
    x = x.astype(np.int64)
    pair = np.unique(x * np.int64(len(index) + 1) + a)
    x, a = pair // (len(index) + 1), pair % (len(index) + 1)
    k = np.bincount(x, minlength=len(keys))
    kinds = keys.get_level_values(0).to_numpy(dtype=object)
    family = np.array([FAMILY_OF_KIND.get(kd, "other") for kd in kinds], dtype=object)
    return Coded(a, x, k, family, kinds, keys.get_level_values(1).to_numpy(dtype=object))


def value_pairs(coded: Coded, max_k: int) -> pd.DataFrame:
    """Account pairs ``i < j`` that share a value held by 2..``max_k`` accounts, one row per (pair, value)."""
    on = (coded.k[coded.x] >= 2) & (coded.k[coded.x] <= max_k)
    a, x = coded.a[on], coded.x[on]  # sorted by x then a
    sizes = np.bincount(x, minlength=len(coded.k))
    sizes = sizes[sizes > 0]
    i, j = pairs_within_groups(a, sizes)
    xs, _ = pairs_within_groups(x, sizes)
    return pd.DataFrame({"i": i, "j": j, "x": xs})


def photo_distance(
    members: pd.DataFrame, index: pd.Index, pairs: pd.DataFrame, coded: Coded
) -> np.ndarray:
    """Hamming distance between the two accounts' hashes in the photo group of each pair."""
    if members is None or members.empty or pairs.empty:
        return np.zeros(len(pairs), dtype=np.int64)
    best = members.sort_values("distance").drop_duplicates(["account_id", "rep"])
    hashes = best["hash"].astype(str).map(lambda h: int(h, 16)).to_numpy(dtype=np.uint64)
    at = pd.Series(
        hashes,
        index=pd.MultiIndex.from_arrays(
            [index.get_indexer(best["account_id"]), best["rep"].astype(str).to_numpy()]
        ),
    )
    rep = coded.value[pairs["x"].to_numpy()].astype(str)
    hi = (
        at.reindex(pd.MultiIndex.from_arrays([pairs["i"].to_numpy(), rep]))
        .fillna(0)
        .to_numpy(dtype=np.uint64)
    )
    hj = (
        at.reindex(pd.MultiIndex.from_arrays([pairs["j"].to_numpy(), rep]))
        .fillna(0)
        .to_numpy(dtype=np.uint64)
    )
    return np.bitwise_count(hi ^ hj).astype(np.int64)


def _account_context(accounts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    city = accounts["city"] if "city" in accounts else pd.Series(pd.NA, index=accounts.index)
    city_code = pd.factorize(city.astype("string").str.strip().str.lower())[0].astype(np.int64)
    if "posted_at" in accounts:
        posted = pd.to_datetime(accounts["posted_at"], errors="coerce")
        days = (posted - pd.Timestamp("2000-01-01")).dt.total_seconds().to_numpy(
            dtype=float
        ) / 86400.0
    else:
        days = np.full(len(accounts), np.nan)
    return city_code, days


def context_levels(
    accounts: pd.DataFrame, i: np.ndarray, j: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """City level (0 unknown, 1 same, 2 different) and time level (0 unknown, 1.. by days apart)."""
    city, days = _account_context(accounts)
    ci, cj = city[i], city[j]
    city_level = np.where((ci < 0) | (cj < 0), 0, np.where(ci == cj, 1, 2))
    gap = np.abs(days[i] - days[j])
    time_level = np.where(
        np.isnan(gap), 0, 1 + np.searchsorted(np.asarray(TIME_EDGES), gap, side="right")
    )
    return city_level.astype(np.int8), time_level.astype(np.int8)


def text_level(similarity: np.ndarray, both: np.ndarray | None = None) -> np.ndarray:
    """0 when either ad has no text, 1 below the first bin, then one level per bin of ``TEXT_EDGES``."""
    level = 1 + np.searchsorted(np.asarray(TEXT_EDGES), similarity, side="right")
    return np.where(True if both is None else both, level, 0).astype(np.int8)


def photo_level(
    distance: np.ndarray, shared: np.ndarray, both: np.ndarray, radius: int
) -> np.ndarray:
    """0 either account has no photo, 1 no shared photo, then 2 within radius/4, 3 within
    radius/2, 4 within the radius."""
    edges = np.array([radius // 4, radius // 2])
    return np.where(
        ~both, 0, np.where(shared, 2 + np.searchsorted(edges, distance, side="left"), 1)
    ).astype(np.int8)


def presence(
    accounts: pd.DataFrame,
    coded: Coded,
    members: pd.DataFrame | None,
    signatures: np.ndarray | None,
    text_known: bool,
) -> dict[str, np.ndarray]:
    """Per family, which accounts carry any value of it: a comparison with an account that
    has none is "unknown" and weighs nothing (a missing e-mail is no evidence either way)."""
    n = len(accounts)
    out = {}
    for family in ID_FAMILIES:
        on = np.zeros(n, dtype=bool)
        on[coded.a[coded.family[coded.x] == family]] = True
        out[family] = on
    photo = (
        accounts["image_hashes"].fillna("").astype(str).str.strip().ne("").to_numpy()
        if "image_hashes" in accounts
        else np.zeros(n, dtype=bool)
    )
    if members is not None and len(members):
        photo = photo | pd.Index(accounts["account_id"]).isin(members["account_id"])
    out["photo"] = photo
    if signatures is not None:
        out["text"] = ~(signatures == np.iinfo(np.uint32).max).all(axis=1)
    else:
        out["text"] = np.full(n, text_known)
    return out


def compare_pairs(
    accounts: pd.DataFrame,
    coded: Coded,
    members: pd.DataFrame | None,
    text_pairs: pd.DataFrame | None,
    max_k: int,
    photo_radius: int,
    present: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The comparison table of every candidate pair (i < j account positions).

    Columns: ``k_<family>`` accounts on the rarest value the pair shares in each identifier
    family (0: none), ``x_<family>`` that value's number and ``both_<family>`` whether both
    accounts carry the family at all; ``photo`` level, ``k_photo``, ``x_photo``;
    ``similarity`` and ``text`` level; ``city`` and ``time`` levels (``present``: per family,
    which accounts carry it).
    """
    index = pd.Index(accounts["account_id"])
    n = np.int64(len(index))
    shared = value_pairs(coded, max_k)
    shared["family"] = coded.family[shared["x"].to_numpy()]
    shared["k"] = coded.k[shared["x"].to_numpy()]
    shared = shared.sort_values("k", kind="stable").drop_duplicates(["i", "j", "family"])
    keys = [shared["i"].to_numpy() * n + shared["j"].to_numpy()]
    sim = np.zeros(0)
    if text_pairs is not None and len(text_pairs):
        ti, tj = index.get_indexer(text_pairs["src"]), index.get_indexer(text_pairs["dst"])
        ok = (ti >= 0) & (tj >= 0) & (ti != tj)
        lo, hi = np.minimum(ti, tj)[ok], np.maximum(ti, tj)[ok]
        keys.append(lo * n + hi)
        sim = text_pairs["similarity"].to_numpy(dtype=float)[ok]
    key = np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    table = pd.DataFrame({"i": key // n, "j": key % n})
    for family in (*ID_FAMILIES, "photo"):
        part = shared[shared["family"] == family]
        at = np.searchsorted(key, part["i"].to_numpy() * n + part["j"].to_numpy())
        k_col, x_col = np.zeros(len(key), dtype=np.int64), np.full(len(key), -1, dtype=np.int64)
        k_col[at], x_col[at] = part["k"].to_numpy(), part["x"].to_numpy()
        table[f"k_{family}"], table[f"x_{family}"] = k_col, x_col
    i, j = table["i"].to_numpy(), table["j"].to_numpy()
    for family in ID_FAMILIES:
        table[f"both_{family}"] = present[family][i] & present[family][j]
    has_photo = table["x_photo"].to_numpy() >= 0
    distance = np.zeros(len(key), dtype=np.int64)
    if has_photo.any():
        distance[has_photo] = photo_distance(
            members,
            index,
            table.loc[has_photo, ["i", "j"]].assign(x=table.loc[has_photo, "x_photo"].to_numpy()),
            coded,
        )
    table["photo_distance"] = distance
    table["photo"] = photo_level(
        distance, has_photo, has_photo | (present["photo"][i] & present["photo"][j]), photo_radius
    )
    similarity = np.zeros(len(key))
    if len(sim):
        at = np.searchsorted(key, keys[-1])
        np.maximum.at(similarity, at, sim)
    table["similarity"] = similarity
    table["text"] = text_level(
        similarity, (similarity > 0) | (present["text"][i] & present["text"][j])
    )
    table["city"], table["time"] = context_levels(
        accounts, table["i"].to_numpy(), table["j"].to_numpy()
    )
    return table

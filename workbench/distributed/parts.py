"""The work done on one partition of accounts (or of a shuffled table) by a Dask worker.

Plain pandas/numpy, no Dask import: each function calls the same step code as the
single-machine path (``extract``, ``textsim``, ``watch``) on its rows, so a partition's
answer is the whole table's answer restricted to that partition's accounts. The
index of an accounts partition is the account's position in the whole table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import extract, io, link, photos, textpairs, textsim
from ..extract.frame import FIELD_SOURCES, TEXT_SOURCES
from ..schema import IDENTIFIER_COLUMNS, STRONG_KINDS

POS, RANK = "_pos", "_rank"
NO_CITY = "\x00"  # stands for a missing city in shuffled tables (NA keys shuffle badly)
SOURCE_RANK = {source: rank for rank, source in enumerate(TEXT_SOURCES + FIELD_SOURCES)}
# city, platform, country, region and coordinates decide each account's phone region (extract.regions)
WORKER_COLUMNS = (
    ("account_id", "city", "platform", "country", "region", "lat", "lon")
    + TEXT_SOURCES
    + FIELD_SOURCES
)
"""The accounts columns workers need (extract reads the sources; watch reads text and hashes)."""


def ad_text(part: pd.DataFrame) -> pd.Series:
    """Title and text of each ad, joined as ``pipeline.near_duplicate_text`` joins them."""
    return part["title"].fillna("") + " \n " + part["text"].fillna("")


def _positions(part: pd.DataFrame, account_ids: pd.Series) -> np.ndarray:
    return part.index.to_numpy()[pd.Index(part["account_id"]).get_indexer(account_ids)]


# ---------------------------------------------------------------- extract
def identifiers_meta() -> pd.DataFrame:
    frame = pd.DataFrame(
        {c: pd.Series(dtype="str") for c in IDENTIFIER_COLUMNS + extract.frame.REGION_COLUMNS}
    )
    return frame.astype({"start": "int64", "end": "int64"}).assign(
        **{POS: pd.Series(dtype="int64"), RANK: pd.Series(dtype="int64")}
    )


def extract_part(part: pd.DataFrame, region: str) -> pd.DataFrame:
    """``extract.extract_frame`` of one partition, with each row's account position and
    source rank, from which the gathered table is put back in the single-machine order."""
    found = extract.extract_frame(
        part, region=region, workers=1, with_regions=True
    )  # partitions run in parallel
    found = found.astype(
        {
            c: "str"
            for c in IDENTIFIER_COLUMNS + extract.frame.REGION_COLUMNS
            if c not in ("start", "end")
        }
    )
    found[POS] = _positions(part, found["account_id"]).astype(np.int64)
    found[RANK] = found["source"].map(SOURCE_RANK).to_numpy(dtype=np.int64)
    return found


def order_identifiers(found: pd.DataFrame) -> pd.DataFrame:
    """Gathered partitions -> the identifiers table exactly as ``extract_frame`` of the whole.

    The whole-table order is (source, account position, order within the cell); an
    account lives in one partition, so a stable sort on the first two restores it.

    Examples
    --------
    >>> found = pd.DataFrame({"account_id": ["b", "a", "a"], "kind": "phone", "value": ["+2", "+1", "+3"],
    ...                       "raw": "", "source": ["text", "phone", "text"], "start": 0, "end": 1, "rule": "",
    ...                       POS: [1, 0, 0], RANK: [0, 2, 0]})
    >>> order_identifiers(found)["value"].tolist()
    ['+3', '+2', '+1']
    """
    order = np.lexsort((found[POS].to_numpy(), found[RANK].to_numpy()))
    return found.iloc[order].drop(columns=[POS, RANK]).reset_index(drop=True)


# ---------------------------------------------------------------- identifier join
def strong_rows(found: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """(kind, value, account_id, city, platform) of the partition's strong identifiers."""
    rows = found.loc[found["kind"].isin(STRONG_KINDS), ["kind", "value", "account_id"]]
    where = pd.Index(part["account_id"]).get_indexer(rows["account_id"])
    return rows.assign(
        city=part["city"].to_numpy()[where], platform=part["platform"].to_numpy()[where]
    )


def shared_identifiers(rows: pd.DataFrame) -> pd.DataFrame:
    """On a partition shuffled by (kind, value): identifiers on two or more accounts, with
    their global document frequency and spread (the hub statistics)."""
    stats = rows.groupby(["kind", "value"], sort=False).agg(
        n_accounts=("account_id", "nunique"),
        n_cities=("city", "nunique"),
        n_platforms=("platform", "nunique"),
    )
    return stats[stats["n_accounts"] >= 2].reset_index()


# ---------------------------------------------------------------- boilerplate
def shingle_counts(part: pd.DataFrame, k: int) -> pd.DataFrame:
    """(shingle, city, n): how many of the partition's ads in each city hold each shingle."""
    table = textsim.shingles(ad_text(part), k=k).drop_duplicates(["doc", "shingle"])
    city = part["city"].astype(object).fillna(NO_CITY).to_numpy()[table["doc"].to_numpy()]
    counts = (
        pd.DataFrame({"shingle": table["shingle"].to_numpy(), "city": city})
        .groupby(["shingle", "city"])
        .size()
    )
    return counts.rename("n").reset_index().astype({"city": "str", "n": "int64"})


def boilerplate(counts: pd.DataFrame, threshold: float, min_spread: int) -> pd.DataFrame:
    """On a partition shuffled by shingle: the shingles of ``textsim.boilerplate_shingles``
    (document frequency >= threshold, in >= min_spread distinct cities).

    Examples
    --------
    >>> counts = pd.DataFrame({"shingle": np.array([7, 7, 7, 9, 9], dtype=np.uint64),
    ...                        "city": ["A", "B", "C", "A", NO_CITY], "n": [10, 10, 5, 1, 40]})
    >>> boilerplate(counts, threshold=20, min_spread=3)["shingle"].tolist()
    [7]
    """
    df = counts.groupby("shingle")["n"].sum()
    cities = counts[counts["city"] != NO_CITY].groupby("shingle")["city"].nunique()
    keep = (df >= threshold) & (cities.reindex(df.index).fillna(0) >= min_spread)
    return pd.DataFrame({"shingle": df.index[keep.to_numpy()].to_numpy(dtype=np.uint64)})


# ---------------------------------------------------------------- MinHash / LSH
def signatures(part: pd.DataFrame, boiler: pd.DataFrame, num_perm: int, seed: int) -> pd.DataFrame:
    """MinHash signatures of the partition's ads, boilerplate removed; index = account position."""
    cleaned = textsim.strip_boilerplate(ad_text(part), boiler)
    sig = textsim.minhash_signatures(cleaned, num_perm=num_perm, seed=seed, normalise=False)
    return pd.DataFrame(sig, index=part.index, columns=[f"s{p}" for p in range(num_perm)])


def band_keys(sig: pd.DataFrame, bands: int, rows: int) -> pd.DataFrame:
    """(band, key, pos) of every non-empty signature, keys hashed as ``textsim.lsh_pairs`` does."""
    values = sig.to_numpy()
    live = np.flatnonzero(~(values == textsim.EMPTY).all(axis=1))
    pos = sig.index.to_numpy()[live]
    out = []
    for band in range(bands):  # bounded by the number of bands
        key = np.full(len(live), np.uint64(band), dtype=np.uint64)
        for column in values[live, band * rows : (band + 1) * rows].astype(np.uint64).T:
            # lsh_pairs' key; any hash of the band's values would give the same buckets
            key = textsim._mix(key ^ column)
        out.append(pd.DataFrame({"band": np.int64(band), "key": key, POS: pos}))
    if not out:
        return pd.DataFrame(
            {
                "band": pd.Series(dtype="int64"),
                "key": pd.Series(dtype="uint64"),
                POS: pd.Series(dtype="int64"),
            }
        )
    return pd.concat(out, ignore_index=True).astype({POS: "int64"})


def similar_pairs(
    keys: pd.DataFrame, signatures: np.ndarray, max_bucket: int, threshold: float
) -> pd.DataFrame:
    """On a partition shuffled by band key: pairs (i < j) sharing a bucket of at most
    ``max_bucket`` ads (larger ones are not expanded, as in ``textsim.lsh_pairs``), with
    their estimated similarity from the broadcast signatures, at or above ``threshold``."""
    empty = pd.DataFrame(
        {
            "i": pd.Series(dtype="int64"),
            "j": pd.Series(dtype="int64"),
            "similarity": pd.Series(dtype="float64"),
        }
    )
    if keys.empty:
        return empty
    keys = keys.sort_values(["band", "key", POS], kind="stable")
    band, key = keys["band"].to_numpy(), keys["key"].to_numpy()
    start = np.flatnonzero(np.r_[True, (band[1:] != band[:-1]) | (key[1:] != key[:-1])])
    size = np.diff(np.r_[start, len(keys)])
    keep = (size > 1) & (size <= max_bucket)
    i, j = textsim.pairs_within_groups(keys[POS].to_numpy()[np.repeat(keep, size)], size[keep])
    n = np.int64(len(signatures))
    code = np.sort(np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j))
    code = (
        code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code
    )  # sort: numpy's hash unique is slower
    i, j = code // n, code % n
    sim = textsim.estimate_similarity(signatures, i, j)
    ok = sim >= threshold
    return pd.DataFrame({"i": i[ok], "j": j[ok], "similarity": sim[ok]}) if ok.any() else empty


# ---------------------------------------------------------------- watch
def _photo_hit_ids(part: pd.DataFrame, watchlist: pd.DataFrame, config) -> list[np.ndarray]:
    """Accounts with a photo within watch's radius of a case photo (pHash and PDQ)."""
    found = []
    for kind, column, bits, radius in (
        ("image", "image_hashes", 64, config.photo_radius),
        ("pdq", "pdq_hashes", 256, config.pdq_radius),
    ):  # two hash kinds
        case_photos = watchlist.loc[watchlist["kind"] == kind, "value"]
        if case_photos.empty or column not in part:
            continue
        acc = io.explode_multi(part, column)
        acc_words, acc_ok = photos.parse_hex(acc[column], bits=bits)
        case_words, case_ok = photos.parse_hex(case_photos, bits=bits)
        if not acc_ok.any() or not case_ok.any():
            continue
        matches = photos.HammingIndex(acc_words[acc_ok], radius=radius).query(
            case_words[case_ok], radius=radius
        )
        found.append(acc["account_id"].to_numpy()[acc_ok][matches["index_idx"].to_numpy()])
    return found


def hit_accounts(part: pd.DataFrame, found: pd.DataFrame, shared: tuple) -> pd.DataFrame:
    """Accounts of the partition with any direct evidence for a case: a watchlist
    identifier (hubs aside), a case photo within watch's radius, or an ad similar to a
    case's notes. A superset of ``watch.direct_hits`` (whose exact rules the client
    applies afterwards), built from public pieces because ``direct_hits`` fails on a
    partition without any identifier match (empty object columns)."""
    watchlist, hubs, notes, config = shared
    strong = watchlist[watchlist["kind"].isin(STRONG_KINDS)][["kind", "value"]].drop_duplicates()
    ids = found[["account_id", "kind", "value"]].merge(strong, on=["kind", "value"])
    hit = [ids.loc[~link.is_hub(ids, hubs), "account_id"].to_numpy(dtype=object)]
    hit += _photo_hit_ids(part, watchlist, config)
    if len(notes) and len(part):
        pairs = textpairs.similar_across(
            notes,
            part["text"].fillna(""),
            threshold=config.text_threshold,
            num_perm=config.num_perm,
            seed=config.seed,
        )
        hit.append(part["account_id"].to_numpy()[pairs["right"].to_numpy(dtype=np.int64)])
    return pd.DataFrame(
        {"account_id": pd.unique(np.concatenate([h.astype(object) for h in hit]))}, dtype="str"
    )

"""Near-duplicate photo groups: accounts that post the same picture, possibly re-encoded.

Owns turning (account, hash) rows into connected groups and their spread; the
search itself is :class:`~workbench.photos.index.HammingIndex`, and deciding what a
shared photo means for linking is ``link``'s job.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .bits import hamming, parse_hex
from .index import HammingIndex

logger = logging.getLogger(__name__)

PHASH_RADIUS = 8
"""Default pHash radius (bits of 64), from ``benchmarks/bench_photos.py``: 120 synthetic
photos x 22 repost forms, false-match rate (FMR) over all 328,440 pairs of different
images. Match rate at 8 bits, plain hash (border trimmed) / with ``REPOST_VARIANTS``
(mirror, centre, tilts on both sides; crop windows and the caption cut of one photo
against the other's main hash: 55 pairs of hashes per pair of photos):

- resize 50%, JPEG q30-q90, contrast -25%, watermark text: 1.00 / 1.00
- brightness +25%: 0.99 / 1.00; crop 5%: 0.91 / 1.00; resize+JPEG+crop 5%: 0.91 / 1.00
- crop 10% centred: 0.39 / 1.00; a random 5-10% crop split any way: 0.49 / 1.00;
  10% off one corner: 0.02 / 0.98
- rotation 2-5 degrees either way: 0.33-0.38 / 1.00; mirror: 0 / 1.00; rotation 90/180:
  0 / 0, 1.00 with the ``DIHEDRAL`` variants
- 5% frame, frame + JPEG, pad to square: 0.02-0.08 before trimming / 1.00;
  frame with a caption bar: 0.03 / 1.00 (the caption cut of the captioned copy)
- FMR: 0 for the plain hash up to 10 bits (8e-05 at 12); with repost variants 1e-05 at
  8 bits (3 pairs), 2e-04 at 10, 9e-04 at 12. Every crop window compared with every
  other (400 pairs of hashes) matches the corner crop at 1.00 but at an FMR of 1e-04,
  10x more, for 0.017 of one form: the windows are compared one-sided.
- a caption cut in every main hash instead of as a variant: 0.13-0.94 on the other forms

Not larger because chance pairs grow with n and with the hashes per photo: among 1M
photos with uniformly random hashes ~140 pairs fall within 8 bits by chance, ~5,000
within 10 and ~114,000 within 12; photos carrying all 20 hashes multiply that by up to
400 (one-sided windows: ~55), and connected groups chain through them. That is why
variants are for the photos you hold (cases, a hash list) and accounts keep one hash.
Real photo hashes are less uniform than that model, so these counts are a floor."""
PDQ_RADIUS = 31
"""Default PDQ radius (bits of 256), Meta's published match threshold, kept after the same
benchmark. Plain (border trimmed) / with ``REPOST_VARIANTS``: resize, JPEG, brightness,
contrast, watermark >= 0.98 / >= 0.99; frame and pad to square 1.00 after trimming (0
before); mirror 0 / 1.00; rotation 2-5 degrees 0 / 0.98-0.99; caption bar 0 / 1.00; crop
5% 0.15 / 0.42, random 5-10% crop 0.01 / 0.20, corner 0 / 0.34. No false match up to 64
bits. PDQ is not built for crops: pHash with variants covers them at 8, and where both
hash kinds match only the PDQ match is reported, where only pHash does the pHash match
is. 48 bits would lift crops but queries on 1M hashes run ~40x slower than at 31, and
partners' PDQ lists assume 31."""

GROUP_COLUMNS = (
    "group_id",
    "hash",
    "n_accounts",
    "n_photos",
    "n_hashes",
    "n_cities",
    "spread_bits",
    "accounts",
    "cities",
    "first_seen",
    "last_seen",
)
MEMBER_COLUMNS = ("account_id", "hash", "group_id", "distance")


class PhotoGroups(NamedTuple):
    """Result of :func:`group`: ``groups`` (one row per group), ``members`` (account, hash,
    group_id, distance to the representative) and ``hubs`` (buckets the index skipped)."""

    groups: pd.DataFrame
    members: pd.DataFrame
    hubs: pd.DataFrame


def photos_from_accounts(accounts: pd.DataFrame, column: str = "image_hashes") -> pd.DataFrame:
    """One row per (account, hash) from a ``;``-separated hash column of the accounts table.

    Carries ``city`` and ``posted_at`` along when present.

    Examples
    --------
    >>> accounts = pd.DataFrame({"account_id": ["a", "b"], "image_hashes": ["0f;FF", None]})
    >>> photos_from_accounts(accounts)[["account_id", "hash"]].values.tolist()
    [['a', '0f'], ['a', 'ff']]
    """
    keep = ["account_id"] + [c for c in ("city", "posted_at") if c in accounts.columns]
    if column not in accounts.columns:
        return pd.DataFrame(columns=[*keep, "hash"])
    photos = accounts[keep].assign(hash=accounts[column].astype("string").str.split(";"))
    photos = photos.explode("hash")
    photos["hash"] = photos["hash"].str.strip().str.lower()
    photos = photos[photos["hash"].notna() & (photos["hash"] != "")]
    return photos.reset_index(drop=True)


def _join_limited(keys: pd.Series, values: pd.Series, limit: int) -> pd.Series:
    """Per key, the sorted distinct values ';'-joined, truncated to ``limit`` with a count."""
    pairs = pd.DataFrame({"key": keys.to_numpy(), "value": values.astype("str").to_numpy()})
    pairs = pairs.dropna().drop_duplicates().sort_values(["key", "value"], ignore_index=True)
    total = pairs.groupby("key", sort=True).size()
    shown = pairs[pairs.groupby("key").cumcount() < limit]
    # Join in Arrow (one C++ call) rather than one Python join per group.
    offsets = np.r_[0, np.cumsum(shown.groupby("key", sort=True).size().to_numpy())]
    lists = pa.LargeListArray.from_arrays(
        pa.array(offsets, type=pa.int64()),
        pa.array(shown["value"].to_numpy(dtype=object), type=pa.large_string()),
    )
    joined = pd.Series(
        pc.binary_join(lists, pa.scalar(";", type=pa.large_string())).to_pylist(),
        index=total.index,
        dtype=object,
    )
    more = (total - limit).to_numpy()
    suffix = np.where(more > 0, ";…(+" + more.astype(str).astype(object) + " more)", "")
    return joined + suffix


def group(
    photos: pd.DataFrame,
    radius: int | None = None,
    bits: int | None = None,
    min_accounts: int = 2,
    max_listed: int = 20,
    max_bucket: int = 5_000,
    max_copies: int = 1_000,
) -> PhotoGroups:
    """Connected groups of near-duplicate photos across accounts.

    Two hashes are joined when within ``radius`` bits; groups are the connected
    components, so a chain of small edits can join hashes further apart than
    ``radius`` (``spread_bits`` reports the farthest member from the representative).

    Parameters
    ----------
    photos : DataFrame
        Columns ``account_id``, ``hash`` (16 or 64 hex digits) and optionally
        ``city``, ``posted_at``. Invalid hashes are skipped with a log message.
    radius : int, optional
        Defaults to :data:`PHASH_RADIUS` (64-bit) or :data:`PDQ_RADIUS` (256-bit).
    bits : int, optional
        64 or 256; inferred from the hash length when omitted.
    min_accounts : int
        Keep groups seen on at least this many distinct accounts.
    max_listed : int
        Accounts and cities listed per group before truncating.
    max_bucket, max_copies : int
        Hub protection, see :class:`HammingIndex`.

    Returns
    -------
    PhotoGroups
        ``groups`` sorted by spread (accounts, then cities), ``group_id`` 0 the widest;
        ``members`` maps (account_id, hash) to group_id; ``hubs`` the skipped buckets.

    Examples
    --------
    >>> photos = pd.DataFrame({"account_id": ["a", "b", "c"],
    ...                        "hash": ["ff00000000000000", "ff00000000000001", "0123456789abcdef"]})
    >>> out = group(photos)
    >>> out.groups[["group_id", "hash", "n_accounts", "accounts"]].values.tolist()
    [[0, 'ff00000000000000', 2, 'a;b']]
    """
    hashes = photos["hash"].astype("string").str.strip().str.lower()
    if bits is None:
        bits = 256 if len(hashes) and hashes.str.len().median() > 32 else 64
    radius = (PDQ_RADIUS if bits == 256 else PHASH_RADIUS) if radius is None else radius
    words, valid = parse_hex(hashes, bits=bits)
    if (~valid).any():
        logger.warning(
            "skipped %d photo rows with invalid %d-bit hashes", int((~valid).sum()), bits
        )
    rows = photos.loc[valid].assign(hash=hashes[valid]).reset_index(drop=True)
    codes, uniques = pd.factorize(rows["hash"])
    distinct = words[valid][np.unique(codes, return_index=True)[1]]
    index = HammingIndex(distinct, radius, max_bucket=max_bucket, max_copies=max_copies)
    near = index.unique_pairs()
    n = len(uniques)
    graph = coo_matrix((np.ones(len(near)), (near["u"], near["v"])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    rows["component"] = component[index.inverse][codes]
    # Most photos are seen once: drop components with too few rows before any groupby.
    rows = rows[np.bincount(rows["component"])[rows["component"]] >= min_accounts]

    accounts_per_hash = rows.groupby(["component", "hash"])["account_id"].nunique()
    rep = (
        accounts_per_hash.rename("n")
        .reset_index()
        .sort_values(["component", "n", "hash"], ascending=[True, False, True])
        .drop_duplicates("component")
        .set_index("component")["hash"]
    )
    has_city = "city" in rows.columns
    has_time = "posted_at" in rows.columns
    summary = rows.groupby("component").agg(
        n_accounts=("account_id", "nunique"),
        n_photos=("hash", "size"),
        n_hashes=("hash", "nunique"),
    )
    summary = summary[summary["n_accounts"] >= min_accounts]
    rows = rows[rows["component"].isin(summary.index)]
    rep_words, _ = parse_hex(rep.reindex(rows["component"]).to_numpy(), bits=bits)
    row_words, _ = parse_hex(rows["hash"].to_numpy(), bits=bits)
    rows = rows.assign(distance=hamming(row_words, rep_words, bits=bits))
    summary["hash"] = rep.reindex(summary.index)
    summary["spread_bits"] = rows.groupby("component")["distance"].max()
    summary["accounts"] = _join_limited(rows["component"], rows["account_id"], max_listed)
    if has_city:
        summary["n_cities"] = rows.groupby("component")["city"].nunique()
        summary["cities"] = _join_limited(rows["component"], rows["city"], max_listed)
    else:
        summary["n_cities"], summary["cities"] = 0, ""
    if has_time:
        seen = pd.to_datetime(rows["posted_at"], errors="coerce", utc=True).groupby(
            rows["component"]
        )
        summary["first_seen"], summary["last_seen"] = seen.min(), seen.max()
    else:
        summary["first_seen"], summary["last_seen"] = pd.NaT, pd.NaT
    summary = summary.sort_values(
        ["n_accounts", "n_cities", "n_photos", "hash"], ascending=[False, False, False, True]
    )
    summary["group_id"] = np.arange(len(summary), dtype=np.int64)
    summary["cities"] = summary["cities"].fillna("")
    groups = summary.reset_index(drop=True)[list(GROUP_COLUMNS)]
    rows["group_id"] = summary["group_id"].reindex(rows["component"]).to_numpy()
    members = (
        rows[list(MEMBER_COLUMNS)]
        .drop_duplicates(["account_id", "hash"])
        .sort_values(["group_id", "account_id", "hash"], ignore_index=True)
    )
    logger.info(
        "photo groups: %d groups over %d accounts from %d distinct hashes",
        len(groups),
        members["account_id"].nunique(),
        n,
    )
    return PhotoGroups(groups, members, index.hubs)

"""Match photos that carry several hashes each (mirrored, centre, tilted variants).

Owns turning a hash table with variant columns into stacked words and collapsing a
plain :class:`~workbench.photos.index.HammingIndex` search over them back to one row
per pair of photos. The search itself stays a plain Hamming search; which variants
to hash is ``hashing.py``'s choice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .bits import parse_hex
from .index import HammingIndex

logger = logging.getLogger(__name__)


def variant_words(
    table: pd.DataFrame, kind: str = "phash", variants: Sequence[str] | None = None
) -> np.ndarray:
    """The main hash then each variant hash of every row, as packed words.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`~workbench.photos.hash_images`: column ``kind`` and variant
        columns ``<kind>_<name>``.
    kind : {"phash", "pdq"}
    variants : sequence of str, optional
        Variant names to stack, in order; default every ``<kind>_<name>`` column present.
        A missing or invalid variant value repeats the row's main hash.

    Returns
    -------
    ndarray of uint64, shape (n, 1 + k) for pHash or (n, 1 + k, 4) for PDQ
        Invalid main hashes parse as 0; drop those rows first (``error`` set).

    Examples
    --------
    >>> table = pd.DataFrame({"phash": ["00000000000000ff"], "phash_mirror": ["ff00000000000000"]})
    >>> variant_words(table).tolist()
    [[255, 18374686479671623680]]
    """
    bits = 256 if kind == "pdq" else 64
    if variants is None:
        variants = [
            c.removeprefix(f"{kind}_")
            for c in table.columns
            if c.startswith(f"{kind}_") and c != f"{kind}_quality"
        ]
    main, _ = parse_hex(table[kind], bits=bits)
    stacked = [main]
    for name in variants:  # bounded: one column per variant name
        column = f"{kind}_{name}"
        if column not in table.columns:
            raise KeyError(f"no column {column!r}: hash the images with variants=[{name!r}]")
        words, valid = parse_hex(table[column], bits=bits)
        stacked.append(np.where(valid.reshape(-1, *([1] * (words.ndim - 1))), words, main))
    return np.stack(stacked, axis=1)


def query_variants(
    index: HammingIndex,
    queries: np.ndarray,
    radius: int | None = None,
    per_item: int = 1,
) -> pd.DataFrame:
    """Photos within ``radius`` bits of each query photo, over every pair of their hashes.

    A pair of photos matches when any hash of the query (main or variant) is within
    ``radius`` of any indexed hash of the other; the smallest such distance is kept.
    Every extra hash is one more chance of a false match, which
    ``benchmarks/bench_photos.py`` measures.

    Parameters
    ----------
    index : HammingIndex
        Built on ``per_item`` consecutive hashes per indexed photo, e.g.
        ``HammingIndex(variant_words(table).reshape(-1))`` for pHash or
        ``.reshape(-1, 4)`` for PDQ; ``per_item=1`` for plain hashes.
    queries : ndarray of uint64, shape (n, k) for pHash or (n, k, 4) for PDQ
        ``k`` hashes per query photo (from :func:`variant_words`); a plain (n,) or
        (n, 4) array is one hash per photo.
    radius : int, optional
        Defaults to the index's radius.
    per_item : int
        Hashes per indexed photo.

    Returns
    -------
    DataFrame with columns query_idx, index_idx (the indexed photo, position //
    per_item), distance, query_variant and index_variant (0 for the main hash, k for
    the k-th variant); one row per pair, sorted by query_idx, distance, index_idx.

    Examples
    --------
    >>> indexed = np.array([[0x0F, 0xF0], [0xFF00, 0x00FF]], dtype=np.uint64)  # 2 photos, main + mirror
    >>> index = HammingIndex(indexed.reshape(-1), radius=1)
    >>> query = np.array([[0xF1, 0x1F]], dtype=np.uint64)  # a mirrored repost of photo 0
    >>> query_variants(index, query, per_item=2).values.tolist()
    [[0, 0, 1, 0, 1]]
    """
    words = np.asarray(queries, dtype=np.uint64)
    if words.ndim == 1 or (index.n_words > 1 and words.ndim == 2):
        words = words[:, None]
    n, k = words.shape[:2]
    hits = index.query(words.reshape(n * k, index.n_words), radius)
    q, i = hits["query_idx"].to_numpy(), hits["index_idx"].to_numpy()
    pairs = pd.DataFrame(
        {
            "query_idx": q // k,
            "index_idx": i // per_item,
            "distance": hits["distance"].to_numpy(),
            "query_variant": q % k,
            "index_variant": i % per_item,
        }
    )
    pairs = pairs.sort_values(
        ["query_idx", "index_idx", "distance", "query_variant", "index_variant"]
    ).drop_duplicates(["query_idx", "index_idx"])
    return pairs.sort_values(["query_idx", "distance", "index_idx"], ignore_index=True)

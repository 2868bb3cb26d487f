"""Multi-index hashing: every pair of hashes within a Hamming radius, without all-pairs.

Owns the search structure only; turning pairs into photo groups lives in
``groups.py``. Pigeonhole: cut the bits into bands and give band ``b`` a radius
``r_b`` with ``sum(r_b + 1) > radius``; then any two hashes within ``radius`` bits
differ by at most ``r_b`` bits in at least one band. With ``r_b = 0`` and
``radius + 1`` bands this is the classic exact-band scheme, which is what the
planner picks for small collections; for ~1M hashes such narrow bands hold
thousands of hashes each, so it picks fewer, wider bands (about log2(n) bits) and
enumerates the few band values within ``r_b`` bits instead.
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .bits import uint64_to_hex

logger = logging.getLogger(__name__)

_DENSE_MAX_WIDTH = 24  # a band this narrow gets a direct offsets table (<= 64 MiB)
_CHUNK_ROWS = 1 << 22  # candidate rows materialised at once: bounds memory to ~100s of MiB
_MAX_VARIANTS = 20_000
_SCAN_PAIRS = 1 << 18  # query x index sizes up to this are scanned directly (measured faster)


@dataclass(frozen=True)
class Band:
    word: int
    shift: int
    width: int
    radius: int

    @property
    def mask(self) -> np.uint64:
        return np.uint64((1 << self.width) - 1)

    def keys(self, words: np.ndarray) -> np.ndarray:
        return (words[:, self.word] >> np.uint64(self.shift)) & self.mask


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts)]


def _n_variants(width: int, radius: int) -> int:
    return sum(math.comb(width, k) for k in range(radius + 1))


def plan_bands(n: int, n_words: int, radius: int) -> tuple[Band, ...]:
    """Choose bands and per-band radii minimising estimated lookups plus candidates.

    Examples
    --------
    >>> [b.width for b in plan_bands(1_000, 1, 6)]
    [10, 9, 9, 9, 9, 9, 9]
    >>> sum(b.radius + 1 for b in plan_bands(1_000_000, 1, 6)) > 6
    True
    """
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    best, best_cost = None, math.inf
    for per_word in range(1, 65):
        n_bands = per_word * n_words
        if n_bands > radius + 1 and per_word > 1:
            break
        radii = _split(max(radius + 1 - n_bands, 0), n_bands)
        widths = _split(64, per_word) * n_words
        variants = [_n_variants(w, r) for w, r in zip(widths, radii, strict=True)]
        if sum(variants) > _MAX_VARIANTS:
            continue
        cost = sum(v * (1.0 + n / 2.0**w) for v, w in zip(variants, widths, strict=True))
        if cost < best_cost:
            bands, word_widths = [], _split(64, per_word)
            for k in range(n_bands):
                word, pos = divmod(k, per_word)
                shift = 64 - sum(word_widths[: pos + 1])
                bands.append(Band(word, shift, word_widths[pos], radii[k]))
            best, best_cost = tuple(bands), cost
    if best is None:
        raise ValueError(f"radius {radius} is too large for multi-index hashing")
    return best


def _flip_masks(width: int, radius: int) -> np.ndarray:
    # Bounded by _MAX_VARIANTS; runs once per band.
    masks = [0]
    for k in range(1, radius + 1):
        masks.extend(sum(1 << b for b in bits) for bits in itertools.combinations(range(width), k))
    return np.array(masks, dtype=np.uint64)


def _ranges_to_positions(lo: np.ndarray, cnt: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(lo[k], lo[k] + cnt[k])`` for all k, vectorised."""
    total = int(cnt.sum())
    offsets = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
    return offsets + np.arange(total, dtype=np.int64)


class _BandTable:
    """Sorted band keys of the indexed hashes with O(1) (dense) or O(log n) lookup."""

    def __init__(self, band: Band, words: np.ndarray, max_bucket: int):
        self.band, self.max_bucket = band, max_bucket
        keys = band.keys(words)
        self.order = np.argsort(keys, kind="stable")
        self.dense = band.width <= _DENSE_MAX_WIDTH
        if self.dense:
            counts = np.bincount(keys.astype(np.intp), minlength=1 << band.width)
            dtype = np.int32 if len(keys) < 2**31 else np.int64
            self.starts = np.concatenate([[0], np.cumsum(counts)]).astype(dtype)
            # A byte per bucket (4 MiB at 22 bits) stays in cache: most probes miss.
            self.occupied = np.minimum(counts, 1).astype(np.uint8)
            big = np.flatnonzero(counts > max_bucket)
            self.oversized = pd.DataFrame({"key": big.astype(np.uint64), "size": counts[big]})
        else:
            self.sorted_keys = keys[self.order]
            uniq, counts = np.unique(self.sorted_keys, return_counts=True)
            big = counts > max_bucket
            self.oversized = pd.DataFrame({"key": uniq[big], "size": counts[big]})
        self.flips = _flip_masks(band.width, band.radius)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Probe keys; return (probe index, first sorted position, count) of non-empty buckets."""
        if self.dense:
            idx = keys.view(np.intp) if keys.dtype == np.uint64 else keys
            hit = np.flatnonzero(self.occupied[idx])
            idx = idx[hit]
            lo = self.starts[idx].astype(np.int64)
            return hit, lo, self.starts[idx + 1] - lo
        lo = np.searchsorted(self.sorted_keys, keys, side="left")
        cnt = np.searchsorted(self.sorted_keys, keys, side="right") - lo
        hit = np.flatnonzero(cnt)
        return hit, lo[hit], cnt[hit]

    def bucket_size(self, keys: np.ndarray) -> np.ndarray:
        if self.dense:
            idx = keys.view(np.intp) if keys.dtype == np.uint64 else keys
            return self.starts[idx + 1] - self.starts[idx]
        return np.searchsorted(self.sorted_keys, keys, side="right") - np.searchsorted(
            self.sorted_keys, keys, side="left"
        )


class HammingIndex:
    """Index of 64-bit (or 64·k-bit) hashes for all-pairs and query search within a radius.

    Identical hashes are stored once; results are reported for input positions.

    Parameters
    ----------
    hashes : ndarray of uint64, shape (n,) or (n, k)
        Packed hashes, e.g. from :func:`hex_to_uint64`.
    radius : int
        Largest radius the index is planned for; larger searches re-plan.
    max_bucket : int
        Band buckets holding more distinct hashes than this are skipped as hubs
        (reported in :attr:`hubs`); pairs reachable only through them are lost.
    max_copies : int
        A hash present more than this many times is expanded as a star from its
        first copy instead of all pairs (also reported in :attr:`hubs`).

    Examples
    --------
    >>> h = np.array([0b0, 0b111, 0b1, 0b11 << 60], dtype=np.uint64)
    >>> HammingIndex(h, radius=1).pairs().values.tolist()
    [[0, 2, 1]]
    >>> HammingIndex(h, radius=3).query(np.array([3], dtype=np.uint64)).values.tolist()
    [[0, 1, 1], [0, 2, 1], [0, 0, 2]]
    """

    def __init__(
        self, hashes: np.ndarray, radius: int, max_bucket: int = 5_000, max_copies: int = 1_000
    ):
        words = np.asarray(hashes, dtype=np.uint64)
        self.n_words = 1 if words.ndim == 1 else words.shape[1]
        words = words.reshape(len(words), self.n_words)
        self.radius, self.max_bucket, self.max_copies = int(radius), max_bucket, max_copies
        if self.n_words == 1:
            self.unique, first, self.inverse, self.counts = np.unique(
                words[:, 0], return_index=True, return_inverse=True, return_counts=True
            )
            self.unique = self.unique[:, None]
        else:
            rows = np.ascontiguousarray(words).view(f"V{8 * self.n_words}")[:, 0]
            _, first, self.inverse, self.counts = np.unique(
                rows, return_index=True, return_inverse=True, return_counts=True
            )
            self.unique = words[first]
        self.first = first
        # CSR of input positions per distinct hash, for expanding results.
        self.members = np.argsort(self.inverse, kind="stable")
        self.member_ptr = np.concatenate([[0], np.cumsum(self.counts)])
        self._tables: dict[int, list[_BandTable]] = {}
        self._tables_for(self.radius)

    def __len__(self) -> int:
        return len(self.inverse)

    def _tables_for(self, radius: int) -> list[_BandTable]:
        if radius not in self._tables:
            plan = plan_bands(len(self.unique), self.n_words, radius)
            logger.debug("planned %d bands for radius %d: %s", len(plan), radius, plan)
            self._tables[radius] = [_BandTable(b, self.unique, self.max_bucket) for b in plan]
        return self._tables[radius]

    @property
    def hubs(self) -> pd.DataFrame:
        """The hub report: columns kind, band, key, size, hash.

        ``kind="bucket"``: band ``band`` value ``key`` held ``size`` distinct hashes (> max_bucket);
        ``kind="copies"``: hash ``hash`` (hex) occurred ``size`` times (> max_copies).
        """
        frames = []
        for b, table in enumerate(self._tables_for(self.radius)):
            frames.append(table.oversized.assign(kind="bucket", band=b, hash=""))
        big = np.flatnonzero(self.counts > self.max_copies)
        frames.append(
            pd.DataFrame(
                {
                    "kind": "copies",
                    "band": -1,
                    "key": np.zeros(len(big), dtype=np.uint64),
                    "size": self.counts[big],
                    "hash": uint64_to_hex(self.unique[big]),
                }
            )
        )
        return pd.concat(frames, ignore_index=True)[["kind", "band", "key", "size", "hash"]]

    def _search(self, queries: np.ndarray, radius: int, self_join: bool):
        """Distinct-hash level matches: (query row, distinct-hash id, distance)."""
        n_unique = len(self.unique)
        if not self_join and len(queries) * n_unique <= _SCAN_PAIRS:
            # A handful of queries: one vectorised scan beats probing the bands.
            dist = np.bitwise_count(queries[:, None, :] ^ self.unique[None, :, :]).sum(
                axis=2, dtype=np.int32
            )
            qi, uj = np.nonzero(dist <= radius)
            return qi, uj, dist[qi, uj]
        tables = self._tables_for(radius)
        out_q, out_u, out_d = [], [], []
        for b, table in enumerate(tables):
            per_query = len(table.flips) * max(1.0, n_unique / 2.0**table.band.width)
            chunk = int(max(1, min(len(queries), _CHUNK_ROWS // per_query)))
            n_flips = len(table.flips)
            for start in range(0, len(queries), chunk):  # bounded: memory chunks
                q_keys = table.band.keys(queries[start : start + chunk])
                keys = q_keys[:, None] ^ table.flips[None, :]
                if self_join:
                    # A pair apart in this band is reachable from both ends: probe upwards only.
                    upward = keys > q_keys[:, None]
                    upward[:, 0] = True  # flips[0] == 0: the query's own bucket
                    probe = np.flatnonzero(upward)
                    keys = keys.ravel()[probe]
                hit, lo, cnt = table.lookup(keys.ravel())
                cnt[cnt > self.max_bucket] = 0
                source = probe[hit] if self_join else hit
                qi = np.repeat(source // n_flips + start, cnt)
                uj = table.order[_ranges_to_positions(lo, cnt)]
                if self_join:
                    # Inside its own bucket each pair is seen from both members: keep one.
                    keep = (np.repeat(source % n_flips, cnt) != 0) | (qi < uj)
                    qi, uj = qi[keep], uj[keep]
                diff = queries[qi] ^ self.unique[uj]
                dist = np.bitwise_count(diff).sum(axis=1, dtype=np.int32)
                keep = dist <= radius
                qi, uj, dist, diff = qi[keep], uj[keep], dist[keep], diff[keep]
                # Report each pair once: drop it if an earlier band already found it.
                seen = np.zeros(len(qi), dtype=bool)
                for earlier in tables[:b]:
                    near = np.bitwise_count(earlier.band.keys(diff)) <= earlier.band.radius
                    target = earlier.band.keys(self.unique[uj])
                    if self_join:  # it was probed from the smaller key into the larger key's bucket
                        target = np.maximum(target, earlier.band.keys(queries[qi]))
                    near &= earlier.bucket_size(target) <= self.max_bucket
                    seen |= near
                out_q.append(qi[~seen]), out_u.append(uj[~seen]), out_d.append(dist[~seen])
        if not out_q:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty.astype(np.int32)
        return np.concatenate(out_q), np.concatenate(out_u), np.concatenate(out_d)

    def unique_pairs(self, radius: int | None = None) -> pd.DataFrame:
        """Pairs of distinct hashes (ids into ``self.unique``) within ``radius``, u < v."""
        radius = self.radius if radius is None else int(radius)
        u, v, d = self._search(self.unique, radius, self_join=True)
        return pd.DataFrame({"u": np.minimum(u, v), "v": np.maximum(u, v), "distance": d})

    def _expanded_members(self, ids: np.ndarray, capped: bool) -> tuple[np.ndarray, np.ndarray]:
        counts = self.counts[ids]
        if capped:
            counts = np.where(counts > self.max_copies, 1, counts)
        positions = self.members[_ranges_to_positions(self.member_ptr[ids], counts)]
        return np.repeat(np.arange(len(ids)), counts), positions

    def pairs(self, radius: int | None = None) -> pd.DataFrame:
        """All pairs of input positions within ``radius`` bits, ``i < j``.

        Returns
        -------
        DataFrame with columns i, j, distance (sorted by i, j).
        """
        radius = self.radius if radius is None else int(radius)
        near = self.unique_pairs(radius)
        frames = [self._copy_pairs()]
        # Cross pairs: every copy of u with every copy of v (capped to the first copy).
        ku, pu = self._expanded_members(near["u"].to_numpy(), capped=True)
        cu = np.bincount(ku, minlength=len(near))
        kv, pv = self._expanded_members(near["v"].to_numpy(), capped=True)
        cv = np.bincount(kv, minlength=len(near))
        # For pair k, take the cu[k] x cv[k] product of its two member lists.
        reps = np.repeat(cv, cu)  # each u-member repeated by its pair's v count
        i = np.repeat(pu, reps)
        v_start = np.repeat(np.cumsum(cv) - cv, cu)
        j = pv[_ranges_to_positions(v_start, reps)]
        d = np.repeat(near["distance"].to_numpy(), cu * cv)
        frames.append(pd.DataFrame({"i": i, "j": j, "distance": d}))
        out = pd.concat(frames, ignore_index=True)
        i, j = out["i"].to_numpy(), out["j"].to_numpy()
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        order = np.lexsort((hi, lo))
        return pd.DataFrame(
            {
                "i": lo[order],
                "j": hi[order],
                "distance": out["distance"].to_numpy(dtype=np.int32)[order],
            }
        )

    def _copy_pairs(self) -> pd.DataFrame:
        """Distance-0 pairs among copies of one hash; a star from the first copy past max_copies."""
        ids = np.flatnonzero(self.counts > 1)
        counts = self.counts[ids]
        small = counts <= self.max_copies
        # Star for hubs: first copy to each other copy.
        big_ids = ids[~small]
        _, pos = self._expanded_members(big_ids, capped=False)
        first = np.repeat(self.first[big_ids], self.counts[big_ids])
        star = pd.DataFrame({"i": first, "j": pos}).query("i != j")
        # All pairs within each small copy set: member a with members after it.
        small_ids = ids[small]
        _, pos = self._expanded_members(small_ids, capped=False)
        start = np.repeat(
            np.cumsum(self.counts[small_ids]) - self.counts[small_ids], self.counts[small_ids]
        )
        rank = np.arange(len(pos)) - start
        after = np.repeat(self.counts[small_ids], self.counts[small_ids]) - rank - 1
        i = np.repeat(pos, after)
        j = pos[_ranges_to_positions(np.arange(len(pos)) + 1, after)]
        out = pd.concat([star, pd.DataFrame({"i": i, "j": j})], ignore_index=True)
        return out.assign(distance=0)

    def query(self, hashes: np.ndarray, radius: int | None = None) -> pd.DataFrame:
        """Indexed hashes within ``radius`` bits of each query hash.

        Returns
        -------
        DataFrame with columns query_idx, index_idx, distance (every copy of a matched
        hash is reported), sorted by query_idx, distance, index_idx.
        """
        radius = self.radius if radius is None else int(radius)
        queries = np.asarray(hashes, dtype=np.uint64).reshape(-1, self.n_words)
        q, u, d = self._search(queries, radius, self_join=False)
        k, pos = self._expanded_members(u, capped=False)
        q, d = q[k], d[k]
        order = np.lexsort((pos, d, q))
        return pd.DataFrame({"query_idx": q[order], "index_idx": pos[order], "distance": d[order]})

"""Accounts into entities from weighted pairs, so that one wrong pair cannot merge two groups.

Owns the clustering: rounds in which each group joins the neighbouring group its
evidence points to most, when the evidence between the two *groups* is strong enough.
It does not weigh pairs (``weights``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .config import LinkConfig


def components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Connected component label of each of ``n`` nodes given edges (src, dst).

    Examples
    --------
    >>> components(4, np.array([0, 2]), np.array([1, 3])).tolist()
    [0, 0, 1, 1]
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    return connected_components(graph, directed=False)[1].astype(np.int64)


def _count_distinct(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of integer columns (each < 2**20 apart from the first) and, per distinct
    value of the first column, how many distinct rows it has."""
    key = columns[0].astype(np.int64)
    for col in columns[1:]:
        key = key * np.int64(1 << 21) + col
    key = np.sort(key)  # sort-based: numpy 2.4's hash-based np.unique is several times slower here
    distinct = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    first = distinct >> np.int64(21 * (len(columns) - 1))
    starts = (
        np.flatnonzero(np.r_[True, first[1:] != first[:-1]])
        if len(first)
        else np.zeros(0, dtype=np.int64)
    )
    return first[starts], np.diff(np.r_[starts, len(first)])


def group_evidence(
    labels: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    log_odds: np.ndarray,
    piece: np.ndarray | None = None,
    floor: float = -np.inf,
) -> pd.DataFrame:
    """Per pair of groups whose best candidate pair reaches ``floor``: the best pair's log-odds
    and the support: for each piece of evidence that leans to a match (``piece``: one photo or
    phone shared by several accounts is one piece however many pairs it makes), the accounts
    it touches on the smaller side, summed."""
    n = np.int64(max(len(labels), 1))
    gi, gj = labels[i], labels[j]
    cross = gi != gj
    swap = gi > gj
    lo, hi = np.where(swap, gj, gi)[cross], np.where(swap, gi, gj)[cross]
    a_lo, a_hi = np.where(swap, j, i)[cross], np.where(swap, i, j)[cross]
    score = log_odds[cross]
    piece = (np.arange(len(i)) if piece is None else piece)[cross]
    group_pair = lo * n + hi
    strong = score >= floor  # only a group pair whose best pair reaches the floor can join
    if not strong.any():
        return pd.DataFrame({"lo": [], "hi": [], "best": [], "positive": []})
    order = np.lexsort((-score[strong], group_pair[strong]))
    sorted_pairs = group_pair[strong][order]
    first = np.r_[True, sorted_pairs[1:] != sorted_pairs[:-1]]
    keys, best = sorted_pairs[first], score[strong][order][first]
    support = np.zeros(len(keys), dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, group_pair), len(keys) - 1)  # the group pair's row
    lean = (score > 0) & (keys[at] == group_pair)
    if lean.any():
        # (group pair, piece) numbered, then its distinct accounts on either side
        at = at[lean]
        code = pd.factorize(piece[lean])[0]
        width = np.int64(code.max(initial=0) + 1)
        gp_of = pd.factorize(at * width + code)[0]  # (group pair, piece) numbered
        owner = np.zeros(int(gp_of.max()) + 1, dtype=np.int64)
        owner[gp_of] = at
        _, on_lo = _count_distinct(gp_of, pd.factorize(a_lo[lean])[0])
        _, on_hi = _count_distinct(gp_of, pd.factorize(a_hi[lean])[0])
        np.add.at(support, owner, np.minimum(on_lo, on_hi))
    return pd.DataFrame({"lo": keys // n, "hi": keys % n, "best": best, "positive": support})


STEP_BITS = 4.0


def _rounds(
    labels: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    log_odds: np.ndarray,
    piece: np.ndarray,
    merge_bits: float,
    strong_bits: float,
    small_group: int,
    max_rounds: int,
) -> np.ndarray:
    n = len(labels)
    for _ in range(max_rounds):  # bounded; each round is vectorised over the pairs
        groups = group_evidence(labels, i, j, log_odds, piece, merge_bits)
        if groups.empty:
            break
        sizes = np.bincount(labels, minlength=n)
        smaller = np.minimum(sizes[groups["lo"].to_numpy()], sizes[groups["hi"].to_numpy()])
        # Two established groups need support that grows with the smaller one: a few look-alike
        # pairs between two large groups are what chance and imitators leave, a split operator
        # leaves more.
        needed = np.where(
            smaller <= small_group, 1, np.maximum(2, np.ceil(np.log2(np.maximum(smaller, 1))))
        )
        best = groups["best"].to_numpy()
        ok = (best >= merge_bits) & (
            (groups["positive"].to_numpy() >= needed)
            | (best >= strong_bits) & (smaller <= small_group + 1)
        )
        groups = groups[ok]
        if groups.empty:
            break
        # Each group's best partner; a pair of groups joins when each is the other's best, so a
        # group cannot be pulled two ways in one round (a chain through one ad would merge
        # two operators that no evidence joins directly).
        lo, hi, best = groups["lo"].to_numpy(), groups["hi"].to_numpy(), groups["best"].to_numpy()
        g, o, b = np.r_[lo, hi], np.r_[hi, lo], np.r_[best, best]
        order = np.lexsort((o, -b, g))  # by group, best first, lower partner on ties
        g, o = g[order], o[order]
        first = np.r_[True, g[1:] != g[:-1]]
        g, o = g[first], o[first]
        partner = np.full(n, -1, dtype=np.int64)
        partner[g] = o
        mutual = partner[o] == g
        # Mutual best partners pair off: each pair becomes one group, numbered as connected
        # components number them (by lowest member), so labels stay 0..groups-1.
        root = np.arange(n, dtype=np.int64)
        root[np.maximum(g, o)[mutual]] = np.minimum(g, o)[mutual]
        keep = root == np.arange(n)
        new = (np.cumsum(keep) - 1)[root][labels]
        if np.array_equal(new, labels):
            break
        labels = new
        # Groups only ever merge: a pair inside one group stays inside it and can't count again.
        cross = labels[i] != labels[j]
        i, j, log_odds, piece = i[cross], j[cross], log_odds[cross], piece[cross]
    return labels


def cluster(
    n: int,
    i: np.ndarray,
    j: np.ndarray,
    log_odds: np.ndarray,
    merge_bits: float = LinkConfig.merge_bits,
    strong_bits: float = LinkConfig.strong_bits,
    small_group: int = LinkConfig.small_group,
    max_rounds: int = 50,
    stage: np.ndarray | None = None,
    piece: np.ndarray | None = None,
) -> np.ndarray:
    """Entity label of each account.

    Two groups join when their best pair reaches ``merge_bits`` and the evidence between
    them has support: one piece when the smaller group has at most ``small_group``
    accounts, else at least log2 of its size (each piece counted by the accounts it touches
    on the smaller side, so a value shared by several accounts is one piece); a group of
    ``small_group`` + 1 may also join on one pair of ``strong_bits``. Two large groups
    joined by a photo or two are what stolen pictures and look-alikes leave. In each
    round two groups join when each is the other's best partner. Pairs come in by ``stage`` (identifiers,
    then photos, then text) and, within a stage, strongest first, so an operator's accounts
    join up on their shared identifiers before a weaker look-alike pair can pull one away.

    Examples
    --------
    >>> cluster(4, np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([8.0, -3.0, 8.0])).tolist()
    [0, 0, 1, 1]
    """
    labels = np.arange(n, dtype=np.int64)
    stage = np.zeros(len(i), dtype=np.int8) if stage is None else stage
    piece = np.arange(len(i)) if piece is None else piece
    # Only pairs that lean to a match can merge or support a merge.
    lean = log_odds > min(merge_bits, 0.0)
    i, j, log_odds, stage, piece = i[lean], j[lean], log_odds[lean], stage[lean], piece[lean]
    for last in np.unique(stage):
        now = stage <= last
        top = float(np.max(log_odds[now], initial=merge_bits))
        for floor in [*np.arange(np.floor(top), merge_bits, -STEP_BITS)[1:], merge_bits]:
            now &= labels[i] != labels[j]  # pairs already inside one group can't merge anything
            si, sj, so, sp = i[now], j[now], log_odds[now], piece[now]
            labels = _rounds(labels, si, sj, so, sp, floor, strong_bits, small_group, max_rounds)
    return labels

"""Evidence -> links -> entities, with the hub guard.

Owns which evidence links two accounts and how links become entities (presumed
operators). Shared mechanisms (MinHash/LSH, the Hamming index) come from
``textsim`` and ``photos``; identifiers come from ``extract``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .schema import OUTPUT_COLUMNS, STRONG_KINDS
from .textsim import pairs_within_groups

log = logging.getLogger(__name__)

KIND_WORDS = {"phone": "phone", "email": "email", "handle": "handle", "payment": "payment account",
              "wallet": "crypto wallet", "url": "web address", "image": "photo", "pdq": "photo (PDQ)"}


@dataclass(frozen=True)
class LinkConfig:
    """Knobs of entity resolution; the defaults are measured on synthetic worlds.

    hub_min_accounts : identifiers on at least this many accounts are tested as hubs
    hub_max_cohesion : a candidate is a hub when (distinct groups among its accounts,
        judged by other evidence) / (its accounts) is above this: its accounts are unrelated
    hub_max_share : identifiers on more than this share of all accounts are always hubs
    photo_radius : Hamming radius (bits of 64) for the same photo re-uploaded
    pdq_radius : Hamming radius (bits of 256) for PDQ hashes (``pdq_hashes``); a PDQ
        group whose accounts all share one pHash group is that photo again and adds nothing
    use_pdq : group PDQ hashes too, where accounts carry them. Off by default: on our
        worlds (PDQ on 29% of accounts) it left entity F1 unchanged at 10k (0.9836) and
        20k (0.9832, 2 groups fewer) while photo grouping took twice as long (300k
        accounts: 13.6 s pHash, +27.7 s PDQ); for data whose PDQ hashes come from
        another source than its pHashes, turn it on
    text_threshold : MinHash similarity above which two ads count as related when
        judging hubs
    text_merge_threshold : similarity at which a pair of ads is weak evidence that can
        merge two groups (pairs between the two thresholds are kept, marked unused)
    weak_min_support : distinct pieces of weak evidence (photos, similar ad pairs) needed
        between two groups before they merge
    weak_min_density : two groups joined by ad text alone (no shared photo) need similar
        pairs on at least this share of all pairs between them: an operator imitating
        another's template matches a few of its ads, a split operator most (precision
        0.978 to 0.996 at 20k, recall at most 0.0025 lower)
    small_group : groups of at most this many accounts may join the one group their weak
        evidence points to without a second piece
    text_num_perm, text_bands : MinHash length and LSH bands (rows = num_perm // bands).
        128 x 42 bands of 3 rows finds a pair at similarity 0.45 with probability 0.98
        and 0.3 with 0.68; 64 x 32 bands of 2 rows found more at 0.3 but let unrelated
        ads sharing two common phrases into a bucket: 189M candidate pairs at 1M ads
        against 34M, the same entity F1 at 10k-100k
    text_max_bucket : LSH buckets with more ads than this are not expanded into pairs
    text_attach_threshold : a lone account (no other evidence joined it) whose similar ads
        at this similarity or more all belong to one group joins that group: an operator's
        ad posted with a fresh number and photo but the usual template (recall 0.957 to
        0.973 at 10k, 0.966 to 0.977 at 100k, precision unchanged)
    """

    hub_min_accounts: int = 6
    hub_max_cohesion: float = 0.4
    hub_max_share: float = 0.05
    photo_radius: int = 8
    pdq_radius: int = 31
    use_pdq: bool = False
    text_threshold: float = 0.3
    text_merge_threshold: float = 0.45
    text_num_perm: int = 128
    text_bands: int = 42
    text_max_bucket: int = 500
    text_attach_threshold: float = 0.4
    weak_min_support: int = 2
    weak_min_density: float = 0.02
    small_group: int = 2
    use_text: bool = True
    use_photos: bool = True
    seed: int = 0


@dataclass
class Linkage:
    """What linking found: entity per account, links with reasons, hubs."""

    entities: pd.DataFrame
    links: pd.DataFrame
    hubs: pd.DataFrame
    evidence: pd.DataFrame = field(repr=False, default=None)  # (account_id, kind, value) used


def _components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _star_edges(codes: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Link every member of a group to the group's first member (sorted by account code)."""
    if len(codes) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.lexsort((codes, group))
    codes, group = codes[order], group[order]
    first = np.r_[True, group[1:] != group[:-1]]
    anchor = np.maximum.accumulate(np.where(first, np.arange(len(group)), 0))
    keep = ~first
    return codes[anchor][keep], codes[keep], order[keep]


def identifier_evidence(identifiers: pd.DataFrame, photo_groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """The (account_id, kind, value) rows that can link accounts.

    Strong identifier kinds come from ``identifiers``; photos come as near-duplicate
    group ids (``photo_groups``: account_id, group_id, hash) so re-uploads with a few
    flipped bits count as one photo.
    """
    parts = [identifiers.loc[identifiers["kind"].isin(STRONG_KINDS), ["account_id", "kind", "value"]]]
    if photo_groups is not None and len(photo_groups):
        rep = photo_groups["rep"] if "rep" in photo_groups else photo_groups["group_id"]
        parts.append(pd.DataFrame({"account_id": photo_groups["account_id"].reset_index(drop=True), "kind": "image",
                                   "value": rep.astype(str).reset_index(drop=True)}))
    evidence = pd.concat(parts, ignore_index=True)
    # drop_duplicates on integer codes: hashing three string columns costs seconds at 1M accounts
    key = np.zeros(len(evidence), dtype=np.int64)
    for col in ("account_id", "kind", "value"):  # three columns; int64 holds the product up to ~1e18 rows
        codes, distinct = pd.factorize(evidence[col])
        key = key * np.int64(len(distinct) + 1) + codes + 1
    return evidence[~pd.Series(key).duplicated().to_numpy()].reset_index(drop=True)


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values by sorting (numpy 2.4's hash-based ``np.unique`` is far slower here)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _distinct_per(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct non-negative ``values`` per group number (``nunique``; -1 is missing)."""
    named = values >= 0
    width = np.int64(values.max(initial=0) + 1)
    pairs = _unique(group[named] * width + values[named])
    return np.bincount(pairs // width, minlength=n_groups)


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + count)`` for each pair, without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    before = np.cumsum(counts) - counts
    return np.repeat(np.asarray(starts, dtype=np.int64) - before, counts) + np.arange(int(counts.sum()), dtype=np.int64)


def _cohesion(evidence: pd.DataFrame, codes: np.ndarray, ident: np.ndarray, candidate: np.ndarray,
              text_src: np.ndarray, text_dst: np.ndarray, vouch: np.ndarray | None = None) -> pd.Series:
    """Per candidate identifier: distinct groups among its accounts, judged only by the
    *other* evidence among those same accounts (leave-one-out, induced).

    Identifiers that always appear together (a footer's phone and e-mail) are twins and
    do not vouch for each other; identifiers outside ``vouch`` (per identifier number: the
    too common ones, on a share of all accounts) vouch for nothing. Joins are done on sorted integer keys (a merge of
    millions of rows in pandas costs seconds).
    """
    n_acc = np.int64(max(int(codes.max(initial=-1)), int(text_src.max(initial=-1)), int(text_dst.max(initial=-1))) + 1)
    n_ident = int(ident.max()) + 1 if len(ident) else 0
    # Nodes: distinct (candidate identifier x, account a), sorted by x then a.
    node_key = _unique(ident[candidate] * n_acc + codes[candidate])
    x, a = node_key // n_acc, node_key % n_acc
    df = np.bincount(x, minlength=n_ident)
    # Twins: candidates with (nearly) the same account set, merged into one composite.
    by_account = np.argsort(a, kind="stable")
    per_account = np.bincount(a)
    per_account = per_account[per_account > 0]
    xi, xj = pairs_within_groups(x[by_account], per_account)
    lo, hi = np.minimum(xi, xj), np.maximum(xi, xj)
    pair, co = np.unique(lo * n_ident + hi, return_counts=True)
    lo, hi = pair // max(n_ident, 1), pair % max(n_ident, 1)
    twins = co / (df[lo] + df[hi] - co) >= 0.9
    composite = _components(n_ident, lo[twins], hi[twins]) if n_ident else ident
    # Other evidence on each node's account (evidence rows of an account are a range once sorted).
    by_row = np.argsort(codes, kind="stable")
    row_count = np.bincount(codes, minlength=n_acc)
    row_start = np.cumsum(row_count) - row_count
    node = np.repeat(np.arange(len(node_key)), row_count[a])
    y = ident[by_row[_ranges(row_start[a], row_count[a])]]
    other = composite[x[node]] != composite[y]
    if vouch is not None:  # a site footer's number on every ad says nothing about who wrote them
        other &= vouch[y]
    src, dst, _ = _star_edges(node[other], x[node[other]] * np.int64(max(n_ident, 1)) + y[other])
    if len(text_src):
        # Similar ads among one candidate's accounts: (x, a) -- (x, b) for each text pair (a, b)
        # whose accounts both carry candidates (one direction suffices: edges are undirected).
        nodes_of = np.bincount(a, minlength=n_acc)
        both = (nodes_of[text_src] > 0) & (nodes_of[text_dst] > 0)
        text_src, text_dst = text_src[both], text_dst[both]
        first_node = np.cumsum(nodes_of) - nodes_of  # an account's nodes are a range of ``by_account``
        t_node = by_account[_ranges(first_node[text_src], nodes_of[text_src])]
        wanted = x[t_node] * n_acc + np.repeat(text_dst, nodes_of[text_src])
        at = pd.Index(node_key).get_indexer(wanted)  # hash lookup: 2x faster than binary search here
        hit = at >= 0
        src, dst = np.r_[src, t_node[hit]], np.r_[dst, at[hit]]
    labels = _components(len(node_key), src, dst)
    groups = _unique(x * np.int64(len(node_key) + 1) + labels) // (len(node_key) + 1)
    present = np.flatnonzero(df)
    return pd.Series(np.bincount(groups, minlength=n_ident)[present] / df[present], index=present)


def find_hubs(evidence: pd.DataFrame, accounts: pd.DataFrame, config: LinkConfig,
              text_pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Identifiers shared by too many unrelated accounts (support numbers, placeholders, stock photos).

    An identifier on at least ``hub_min_accounts`` accounts is a hub when those
    accounts do not otherwise belong together: the share of distinct groups among them
    (by the other identifiers, photos and ad texts they share) is above
    ``hub_max_cohesion``. Spread over cities and platforms is reported in the reason.
    """
    coded = _code(evidence, pd.Index(accounts["account_id"]), text_pairs)
    return _find_hubs(evidence, coded, accounts, config).drop(columns="x")


class _Coded(NamedTuple):
    """Evidence and text pairs as integer positions, computed once per run."""

    codes: np.ndarray  # account position of each evidence row
    ident: np.ndarray  # identifier number (kind, value) of each evidence row, in order of first appearance
    t_src: np.ndarray  # text pairs: account positions and similarity
    t_dst: np.ndarray
    t_sim: np.ndarray


def _positions(values: pd.Series, ids: pa.Array) -> np.ndarray:
    """Position of each value in ``ids`` (unique), -1 when absent: Arrow's hash lookup, no Python strings."""
    found = pc.index_in(pc.cast(pa.array(values), pa.large_string()), value_set=ids)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _identifier_numbers(frame: pd.DataFrame) -> np.ndarray:
    """``frame.groupby(["kind", "value"], sort=False).ngroup()`` from two factorisations."""
    kind = pd.factorize(frame["kind"])[0].astype(np.int64)
    value = pd.factorize(frame["value"])[0].astype(np.int64)
    return pd.factorize(value * np.int64(kind.max(initial=0) + 1) + kind)[0].astype(np.int64)


def _code(evidence: pd.DataFrame, index: pd.Index, text_pairs: pd.DataFrame | None) -> _Coded:
    ids = pc.cast(pa.array(index.to_numpy() if index.dtype == object else index), pa.large_string())
    codes = _positions(evidence["account_id"], ids)
    ident = _identifier_numbers(evidence)
    if text_pairs is not None and len(text_pairs):
        t_src, t_dst = _positions(text_pairs["src"], ids), _positions(text_pairs["dst"], ids)
        t_sim = text_pairs["similarity"].to_numpy(dtype=float)
    else:
        t_src = t_dst = np.zeros(0, dtype=np.int64)
        t_sim = np.zeros(0)
    return _Coded(codes, ident, t_src.astype(np.int64), t_dst.astype(np.int64), t_sim)


def _find_hubs(evidence: pd.DataFrame, coded: _Coded, accounts: pd.DataFrame, config: LinkConfig) -> pd.DataFrame:
    """:func:`find_hubs` on coded evidence; keeps each hub's identifier number in ``x``."""
    codes, ident = coded.codes, coded.ident
    n_ident = int(ident.max(initial=-1)) + 1
    n_accounts = _distinct_per(ident, codes, n_ident)
    candidate = n_accounts[ident] >= config.hub_min_accounts
    vouch = n_accounts <= max(config.hub_max_share * len(accounts), 50)
    cols = list(OUTPUT_COLUMNS["hubs"]) + ["cohesion", "n_groups", "x"]
    if not candidate.any():
        return pd.DataFrame(columns=cols)
    cohesion = _cohesion(evidence, codes, ident, candidate, coded.t_src, coded.t_dst, vouch)
    rows = np.flatnonzero(candidate)
    x = ident[rows]
    by_x = np.argsort(x, kind="stable")
    first = rows[by_x[np.r_[True, x[by_x][1:] != x[by_x][:-1]]]]  # each candidate's first row
    stats = pd.DataFrame({"x": ident[first], "kind": evidence["kind"].iloc[first].to_numpy(),
                          "value": evidence["value"].iloc[first].to_numpy()})
    for col, per_row in (("n_accounts", codes[rows]), ("n_cities", pd.factorize(accounts["city"])[0][codes[rows]]),
                         ("n_platforms", pd.factorize(accounts["platform"])[0][codes[rows]])):
        stats[col] = _distinct_per(x, per_row, n_ident)[stats["x"].to_numpy()]
    stats["cohesion"] = cohesion.reindex(stats["x"]).to_numpy().round(3)
    stats["n_groups"] = (stats["cohesion"] * stats["n_accounts"]).round().astype(int)
    too_common = stats["n_accounts"] > max(config.hub_max_share * len(accounts), 50)
    flagged = (stats["cohesion"] > config.hub_max_cohesion) | too_common
    hubs = stats[flagged].copy()
    words = hubs["kind"].map(KIND_WORDS).fillna(hubs["kind"])
    hubs["reason"] = (words + " on " + hubs["n_accounts"].astype(str) + " accounts in "
                      + hubs["n_cities"].astype(str) + " cities and " + hubs["n_platforms"].astype(str)
                      + " platforms that otherwise share nothing (" + hubs["n_groups"].astype(str)
                      + " unrelated groups); treated as a hub and not used to link")
    common = too_common[flagged].to_numpy()
    hubs.loc[common, "reason"] = (words[common] + " on " + hubs.loc[common, "n_accounts"].astype(str)
                                  + f" accounts, more than {config.hub_max_share:.0%} of all; treated as a hub and not used to link")
    return hubs.sort_values(["n_accounts", "kind", "value"], ascending=[False, True, True])[cols].reset_index(drop=True)


def is_hub(frame: pd.DataFrame, hubs: pd.DataFrame | None) -> np.ndarray:
    """Which rows of a (kind, value) table name a hub; the one test every step uses.

    Examples
    --------
    >>> rows = pd.DataFrame({"kind": ["phone", "phone"], "value": ["+18005550123", "+17134820193"]})
    >>> is_hub(rows, pd.DataFrame({"kind": ["phone"], "value": ["+18005550123"]})).tolist()
    [True, False]
    """
    if hubs is None or hubs.empty or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    keys = pd.MultiIndex.from_frame(frame[["kind", "value"]].astype(str))
    return keys.isin(pd.MultiIndex.from_frame(hubs[["kind", "value"]].astype(str)))


def _keep_bridging_hubs(hubs: pd.DataFrame, coded: _Coded, n: int, config: LinkConfig) -> pd.DataFrame:
    """Second look at hub candidates: a hub must join groups that stand on their own.

    Without every hub, accounts fall into groups by their other evidence. A candidate
    whose accounts touch at most one such group of two or more accounts joins nothing
    established (an operator's phone on ads that share nothing else), so it links after
    all; one that touches several (a footer number, a stock photo) stays a hub.
    """
    if hubs.empty:
        return hubs
    on_hub_rows = _on(coded.ident, hubs["x"].to_numpy())
    src, dst, _ = _star_edges(coded.codes[~on_hub_rows], coded.ident[~on_hub_rows])
    strong = coded.t_sim >= config.text_merge_threshold
    labels = _components(n, np.r_[src, coded.t_src[strong]], np.r_[dst, coded.t_dst[strong]])
    sizes = np.bincount(labels)
    group = labels[coded.codes[on_hub_rows]]
    established = pd.DataFrame({"x": coded.ident[on_hub_rows], "group": group})[sizes[group] >= 2]
    bridged = established.groupby("x")["group"].nunique()
    hubs = hubs.assign(n_established=bridged.reindex(hubs["x"]).fillna(0).astype(int).to_numpy())
    too_common = hubs["reason"].str.contains("of all;", regex=False)
    return hubs[(hubs["n_established"] >= 2) | too_common].reset_index(drop=True)


def _on(ident: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Which rows carry one of the ``chosen`` identifier numbers (a lookup table, not a hash)."""
    table = np.zeros(int(max(ident.max(initial=-1), np.max(chosen, initial=-1))) + 1, dtype=bool)
    table[chosen.astype(np.int64)] = True
    return table[ident]


def link_accounts(accounts: pd.DataFrame, identifiers: pd.DataFrame, config: LinkConfig | None = None,
                  photo_groups: pd.DataFrame | None = None, text_pairs: pd.DataFrame | None = None) -> Linkage:
    """Resolve accounts into entities from identifiers, photo groups and text pairs.

    Strong identifiers (phone, email, handle, payment, wallet, URL) that are not hubs
    link alone. Photos and ad-text similarity are weaker: they merge two groups only with
    support (two independent pieces of evidence between them), or attach a small group
    (one or two accounts) whose weak evidence all points to one group — the way a known
    operator resurfaces with a new phone but an old photo or template.

    Parameters
    ----------
    accounts : validated accounts (account_id, city, platform, ...)
    identifiers : the identifiers table from ``extract.extract_frame``
    photo_groups : (account_id, group_id, rep) near-duplicate photo groups, optional
    text_pairs : (src, dst, similarity) near-duplicate ad text pairs, optional

    Returns
    -------
    Linkage with ``entities`` (account_id, entity_id), ``links`` and ``hubs``.
    """
    config = config or LinkConfig()
    index = pd.Index(accounts["account_id"])
    n = len(index)
    ids = _IdTaker(index)
    evidence = identifier_evidence(identifiers, photo_groups)
    coded = _code(evidence, index, text_pairs)
    hubs = _keep_bridging_hubs(_find_hubs(evidence, coded, accounts, config), coded, n, config)
    hub_rows = _on(coded.ident, hubs["x"].to_numpy()) if len(hubs) else np.zeros(len(evidence), dtype=bool)
    hubs = hubs.drop(columns="x")
    used = evidence[~hub_rows].reset_index(drop=True)
    codes, ident = coded.codes[~hub_rows], coded.ident[~hub_rows]
    image = (used["kind"] == "image").to_numpy()

    s_src, s_dst, s_rows = _star_edges(codes[~image], ident[~image])
    labels = _components(n, s_src, s_dst)
    strong_rows = np.flatnonzero(~image)[s_rows]
    kinds = used["kind"].iloc[strong_rows].reset_index(drop=True)
    values = used["value"].iloc[strong_rows].reset_index(drop=True)
    strong_links = pd.DataFrame({"src": ids[s_src], "dst": ids[s_dst], "kind": kinds, "value": values,
                                 "weight": 1.0, "used": True})
    kind_codes, kind_names = pd.factorize(kinds)
    words = pa.array([KIND_WORDS.get(k, k) for k in kind_names], type=pa.large_string()).take(pa.array(kind_codes))
    strong_links["reason"] = _join("same ", words, " ", values)

    p_src, p_dst, p_rows = _star_edges(codes[image], ident[image])
    photo_rows = np.flatnonzero(image)[p_rows]
    sim = coded.t_sim.round(3)
    a = np.r_[p_src, coded.t_src]
    b = np.r_[p_dst, coded.t_dst]
    is_photo = np.r_[np.ones(len(p_src), dtype=bool), np.zeros(len(sim), dtype=bool)]
    # A piece of evidence: one photo (its identifier number), or one pair of similar ads.
    piece = np.r_[ident[photo_rows], ident.max(initial=-1) + 1 + np.arange(len(sim))]
    weight = np.r_[np.full(len(p_src), 0.9), sim]
    strong_enough = is_photo | (weight >= config.text_merge_threshold)
    labels, accepted_strong = _merge_weak(labels, a[strong_enough], b[strong_enough], piece[strong_enough],
                                          is_photo[strong_enough], config)
    accepted = np.zeros(len(a), dtype=bool)
    accepted[np.flatnonzero(strong_enough)] = accepted_strong
    labels, attached = _attach_lone(labels, coded.t_src, coded.t_dst, coded.t_sim >= config.text_attach_threshold)
    accepted[len(p_src):] |= attached
    value = pd.concat([used["value"].iloc[photo_rows].astype(str).reset_index(drop=True), _float_text(sim)],
                      ignore_index=True)
    weak_links = pd.DataFrame({"src": ids[a], "dst": ids[b], "kind": np.where(is_photo, "image", "text"),
                               "value": value, "weight": weight, "used": accepted})
    photo_value, text_value = pa.array(value.iloc[:len(p_src)]), pa.array(value.iloc[len(p_src):])
    what = pa.chunked_array([_join("same photo ", photo_value),
                             _join("ad text ", text_value, " similar (same template with different details)")])
    alone = pc.if_else(accepted, pa.scalar("", pa.large_string()),
                       pa.scalar("; not used alone: not enough other evidence between these groups", pa.large_string()))
    weak_links["reason"] = pd.Series(_join(what, alone), dtype="str")
    entities = _name_entities(ids[np.arange(n)], labels)
    links = pd.concat([strong_links, weak_links], ignore_index=True)
    return Linkage(entities=entities, links=links, hubs=hubs, evidence=used)


class _IdTaker:
    """``ids[positions]`` for account ids; string ids are taken in Arrow (a million Python
    strings cost seconds to make and seconds more to turn back into Arrow)."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.arrow = pa.array(index) if pd.api.types.is_string_dtype(index.dtype) else None

    def __getitem__(self, positions: np.ndarray):
        if self.arrow is None:
            return self.index.to_numpy()[positions]
        return pd.Series(self.arrow.take(pa.array(np.asarray(positions, dtype=np.int64))), dtype="str")


def _float_text(values: np.ndarray) -> pd.Series:
    """``values.astype(str)``, formatting each distinct value once (similarities take few values)."""
    codes, distinct = pd.factorize(values)
    return pd.Series(pa.array(distinct.astype(str), type=pa.large_string()).take(pa.array(codes)), dtype="str")


def _join(*parts) -> pa.Array:
    """Element-wise concatenation of string columns and constants in Arrow (no Python string per row)."""
    def arrow(part):
        if isinstance(part, str):
            return pa.scalar(part, type=pa.large_string())
        return pc.cast(part if isinstance(part, pa.Array | pa.ChunkedArray) else pa.array(part), pa.large_string())
    return pc.binary_join_element_wise(*map(arrow, parts), pa.scalar("", type=pa.large_string()))


def _merge_weak(labels: np.ndarray, a: np.ndarray, b: np.ndarray, piece: np.ndarray, photo: np.ndarray,
                config: LinkConfig) -> tuple[np.ndarray, np.ndarray]:
    """Merge strong groups joined by weak evidence that has support; returns (labels, edge used).

    ``a``, ``b``: account positions of each weak edge; ``piece``: which piece of evidence it
    is; ``photo``: whether it is a photo (else a pair of similar ads).
    """
    if len(a) == 0:
        return labels, np.zeros(0, dtype=bool)
    ga, gb = labels[a], labels[b]
    cross = ga != gb
    lo, hi = np.minimum(ga, gb), np.maximum(ga, gb)
    width = np.int64(len(labels) + 1)
    pair = lo.astype(np.int64) * width + hi
    pieces = pd.DataFrame({"pair": pair[cross], "piece": piece[cross], "photo": photo[cross]}).drop_duplicates(["pair", "piece"])
    support = pieces.groupby("pair").agg(support=("piece", "size"), photos=("photo", "sum")).reset_index()
    support["lo"], support["hi"] = support["pair"] // width, support["pair"] % width
    sizes = np.bincount(labels)
    # A small group whose weak evidence all points to one other group may join it alone.
    partners = np.bincount(np.r_[support["lo"].to_numpy(), support["hi"].to_numpy()], minlength=len(sizes))
    small_lo = (sizes[support["lo"]] <= config.small_group) & (partners[support["lo"]] == 1)
    small_hi = (sizes[support["hi"]] <= config.small_group) & (partners[support["hi"]] == 1)
    # Two groups joined by ad text alone: the similar pairs must be a share of all the pairs
    # between them (a look-alike template of another operator matches a few of its ads).
    dense = (support["photos"].to_numpy() > 0) | (
        support["support"].to_numpy() >= config.weak_min_density * sizes[support["lo"]] * sizes[support["hi"]])
    accept = ((support["support"].to_numpy() >= config.weak_min_support) & dense) | small_lo | small_hi
    ok = support[accept]
    merged = labels
    if len(ok):
        comp = _components(int(labels.max()) + 1, ok["lo"].to_numpy(), ok["hi"].to_numpy())
        merged = comp[labels]
    accepted_pairs = np.sort(ok["pair"].to_numpy())
    at = np.minimum(np.searchsorted(accepted_pairs, pair), max(len(accepted_pairs) - 1, 0))
    used = accepted_pairs[at] == pair if len(accepted_pairs) else np.zeros(len(pair), dtype=bool)
    return merged, used | ~cross


def _attach_lone(labels: np.ndarray, a: np.ndarray, b: np.ndarray, similar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A group of one account whose similar-ad pairs (``similar``) all lead to one other
    group joins it; returns (labels, which pairs were used)."""
    width = np.int64(labels.max(initial=0) + 1)
    ga, gb = labels[a], labels[b]
    cross = similar & (ga != gb)
    if not cross.any():
        return labels, np.zeros(len(a), dtype=bool)
    pairs = _unique(np.r_[ga[cross] * width + gb[cross], gb[cross] * width + ga[cross]])
    group, other = pairs // width, pairs % width
    lone = (np.bincount(labels, minlength=width)[group] == 1) & (np.bincount(group, minlength=width)[group] == 1)
    merged = _components(int(width), group[lone], other[lone])[labels]
    joined = _unique(np.r_[group[lone] * width + other[lone], other[lone] * width + group[lone]])
    key = ga * width + gb
    at = np.minimum(np.searchsorted(joined, key), max(len(joined) - 1, 0))
    used = cross & (joined[at] == key) if len(joined) else np.zeros(len(a), dtype=bool)
    return merged, used


def _name_entities(ids: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Stable entity ids: numbered by the first account (input order) of each entity."""
    n_labels = int(labels.max()) + 1 if len(labels) else 0
    first = np.full(n_labels, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels)))
    present = first < len(labels)
    rank = np.full(n_labels, -1, dtype=np.int64)
    rank[np.flatnonzero(present)[np.argsort(first[present], kind="stable")]] = np.arange(int(present.sum()))
    width = max(5, len(str(int(present.sum()))))
    digits = pc.utf8_lpad(pa.array(rank.astype(str), type=pa.large_string()), width, "0").take(pa.array(labels))
    return pd.DataFrame({"account_id": ids, "entity_id": pd.Series(_join("E", digits), dtype="str")})


def explain_entity(entity_id: str, entities: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The links that hold one entity together, strongest first.

    Examples
    --------
    >>> entities = pd.DataFrame({"account_id": ["a", "b"], "entity_id": ["E1", "E1"]})
    >>> links = pd.DataFrame({"src": ["a"], "dst": ["b"], "kind": ["phone"], "value": ["+17134820193"],
    ...                       "weight": [1.0], "reason": ["same phone +17134820193"], "used": [True]})
    >>> explain_entity("E1", entities, links)["reason"].tolist()
    ['same phone +17134820193']
    """
    members = set(entities.loc[entities["entity_id"] == entity_id, "account_id"])
    inside = links["src"].isin(members) & links["dst"].isin(members) & links["used"].astype(bool)
    return links[inside].sort_values("weight", ascending=False).reset_index(drop=True)

"""Evidence -> links -> entities, with the hub guard.

Owns which evidence links two accounts and how links become entities (presumed
operators). Shared mechanisms (MinHash/LSH, the Hamming index) come from
``textsim`` and ``photos``; identifiers come from ``extract``.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import KIND_WORDS, OUTPUT_COLUMNS, STRONG_KINDS
from ..textsim import pairs_within_groups
from .config import LinkConfig
from .resolve import components

log = logging.getLogger(__name__)


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


def identifier_evidence(
    identifiers: pd.DataFrame, photo_groups: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The (account_id, kind, value) rows that can link accounts.

    Strong identifier kinds come from ``identifiers``; photos come as near-duplicate
    group ids (``photo_groups``: account_id, group_id, hash) so re-uploads with a few
    flipped bits count as one photo.
    """
    parts = [
        identifiers.loc[identifiers["kind"].isin(STRONG_KINDS), ["account_id", "kind", "value"]]
    ]
    if photo_groups is not None and len(photo_groups):
        rep = photo_groups["rep"] if "rep" in photo_groups else photo_groups["group_id"]
        parts.append(
            pd.DataFrame(
                {
                    "account_id": photo_groups["account_id"].reset_index(drop=True),
                    "kind": "image",
                    "value": rep.astype(str).reset_index(drop=True),
                }
            )
        )
    evidence = pd.concat(parts, ignore_index=True)
    # drop_duplicates on integer codes: hashing three string columns costs seconds at 1M accounts
    key = np.zeros(len(evidence), dtype=np.int64)
    for col in (
        "account_id",
        "kind",
        "value",
    ):  # three columns; int64 holds the product up to ~1e18 rows
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
    return np.repeat(np.asarray(starts, dtype=np.int64) - before, counts) + np.arange(
        int(counts.sum()), dtype=np.int64
    )


def _cohesion(
    evidence: pd.DataFrame,
    codes: np.ndarray,
    ident: np.ndarray,
    candidate: np.ndarray,
    text_src: np.ndarray,
    text_dst: np.ndarray,
    vouch: np.ndarray | None = None,
) -> pd.Series:
    """Per candidate identifier: distinct groups among its accounts, judged only by the
    *other* evidence among those same accounts (leave-one-out, induced).

    Identifiers that always appear together (a footer's phone and e-mail) are twins and
    do not vouch for each other; identifiers outside ``vouch`` (per identifier number: the
    too common ones, on a share of all accounts) vouch for nothing. Joins are done on sorted integer keys (a merge of
    millions of rows in pandas costs seconds).
    """
    n_acc = np.int64(
        max(
            int(codes.max(initial=-1)), int(text_src.max(initial=-1)), int(text_dst.max(initial=-1))
        )
        + 1
    )
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
    composite = components(n_ident, lo[twins], hi[twins]) if n_ident else ident
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
        first_node = (
            np.cumsum(nodes_of) - nodes_of
        )  # an account's nodes are a range of ``by_account``
        t_node = by_account[_ranges(first_node[text_src], nodes_of[text_src])]
        wanted = x[t_node] * n_acc + np.repeat(text_dst, nodes_of[text_src])
        at = pd.Index(node_key).get_indexer(
            wanted
        )  # hash lookup: 2x faster than binary search here
        hit = at >= 0
        src, dst = np.r_[src, t_node[hit]], np.r_[dst, at[hit]]
    labels = components(len(node_key), src, dst)
    groups = _unique(x * np.int64(len(node_key) + 1) + labels) // (len(node_key) + 1)
    present = np.flatnonzero(df)
    return pd.Series(np.bincount(groups, minlength=n_ident)[present] / df[present], index=present)


def find_hubs(
    evidence: pd.DataFrame,
    accounts: pd.DataFrame,
    config: LinkConfig,
    text_pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
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
    ident: (
        np.ndarray
    )  # identifier number (kind, value) of each evidence row, in order of first appearance
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


def _find_hubs(
    evidence: pd.DataFrame, coded: _Coded, accounts: pd.DataFrame, config: LinkConfig
) -> pd.DataFrame:
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
    stats = pd.DataFrame(
        {
            "x": ident[first],
            "kind": evidence["kind"].iloc[first].to_numpy(),
            "value": evidence["value"].iloc[first].to_numpy(),
        }
    )
    for col, per_row in (
        ("n_accounts", codes[rows]),
        ("n_cities", pd.factorize(accounts["city"])[0][codes[rows]]),
        ("n_platforms", pd.factorize(accounts["platform"])[0][codes[rows]]),
    ):
        stats[col] = _distinct_per(x, per_row, n_ident)[stats["x"].to_numpy()]
    stats["cohesion"] = cohesion.reindex(stats["x"]).to_numpy().round(3)
    stats["n_groups"] = (stats["cohesion"] * stats["n_accounts"]).round().astype(int)
    too_common = stats["n_accounts"] > max(config.hub_max_share * len(accounts), 50)
    flagged = (stats["cohesion"] > config.hub_max_cohesion) | too_common
    hubs = stats[flagged].copy()
    words = hubs["kind"].map(KIND_WORDS).fillna(hubs["kind"])
    hubs["reason"] = (
        words
        + " on "
        + hubs["n_accounts"].astype(str)
        + " accounts in "
        + hubs["n_cities"].astype(str)
        + " cities and "
        + hubs["n_platforms"].astype(str)
        + " platforms that otherwise share nothing ("
        + hubs["n_groups"].astype(str)
        + " unrelated groups); treated as a hub and not used to link"
    )
    common = too_common[flagged].to_numpy()
    hubs.loc[common, "reason"] = (
        words[common]
        + " on "
        + hubs.loc[common, "n_accounts"].astype(str)
        + f" accounts, more than {config.hub_max_share:.0%} of all; treated as a hub and not used to link"
    )
    return hubs.sort_values(["n_accounts", "kind", "value"], ascending=[False, True, True])[
        cols
    ].reset_index(drop=True)


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


def _keep_bridging_hubs(
    hubs: pd.DataFrame, coded: _Coded, n: int, config: LinkConfig
) -> pd.DataFrame:
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
    labels = components(n, np.r_[src, coded.t_src[strong]], np.r_[dst, coded.t_dst[strong]])
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


class _IdTaker:
    """``ids[positions]`` for account ids; string ids are taken in Arrow (a million Python
    strings cost seconds to make and seconds more to turn back into Arrow)."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.arrow = pa.array(index) if pd.api.types.is_string_dtype(index.dtype) else None

    def __getitem__(self, positions: np.ndarray):
        if self.arrow is None:
            return self.index.to_numpy()[positions]
        return pd.Series(
            self.arrow.take(pa.array(np.asarray(positions, dtype=np.int64))), dtype="str"
        )


def _float_text(values: np.ndarray) -> pd.Series:
    """``values.astype(str)``, formatting each distinct value once (similarities take few values)."""
    codes, distinct = pd.factorize(values)
    return pd.Series(
        pa.array(distinct.astype(str), type=pa.large_string()).take(pa.array(codes)), dtype="str"
    )


def _join(*parts) -> pa.Array:
    """Element-wise concatenation of string columns and constants in Arrow (no Python string per row)."""

    def arrow(part):
        if isinstance(part, str):
            return pa.scalar(part, type=pa.large_string())
        return pc.cast(
            part if isinstance(part, pa.Array | pa.ChunkedArray) else pa.array(part),
            pa.large_string(),
        )

    return pc.binary_join_element_wise(*map(arrow, parts), pa.scalar("", type=pa.large_string()))


def _name_entities(ids: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Stable entity ids: numbered by the first account (input order) of each entity."""
    n_labels = int(labels.max()) + 1 if len(labels) else 0
    first = np.full(n_labels, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels)))
    present = first < len(labels)
    rank = np.full(n_labels, -1, dtype=np.int64)
    rank[np.flatnonzero(present)[np.argsort(first[present], kind="stable")]] = np.arange(
        int(present.sum())
    )
    width = max(5, len(str(int(present.sum()))))
    digits = pc.utf8_lpad(pa.array(rank.astype(str), type=pa.large_string()), width, "0").take(
        pa.array(labels)
    )
    return pd.DataFrame(
        {"account_id": ids, "entity_id": pd.Series(_join("E", digits), dtype="str")}
    )


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

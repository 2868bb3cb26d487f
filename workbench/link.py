"""Evidence -> links -> entities, with the hub guard.

Owns which evidence links two accounts and how links become entities (presumed
operators). Shared mechanisms (MinHash/LSH, the Hamming index) come from
``textsim`` and ``photos``; identifiers come from ``extract``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .schema import OUTPUT_COLUMNS, STRONG_KINDS

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
    text_threshold : MinHash similarity above which two ads share a template
    text_min_support : weak (text) links needed between two groups before they merge,
        unless every account of the smaller group is linked
    """

    hub_min_accounts: int = 15
    hub_max_cohesion: float = 0.35
    hub_max_share: float = 0.05
    photo_radius: int = 8
    text_threshold: float = 0.6
    text_num_perm: int = 64
    text_bands: int = 16
    text_max_bucket: int = 200
    text_min_support: int = 2
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
        parts.append(pd.DataFrame({"account_id": photo_groups["account_id"].to_numpy(), "kind": "image",
                                   "value": photo_groups["group_id"].astype(str).to_numpy()}))
    evidence = pd.concat(parts, ignore_index=True).drop_duplicates()
    return evidence.reset_index(drop=True)


def find_hubs(evidence: pd.DataFrame, accounts: pd.DataFrame, base_labels: np.ndarray,
              config: LinkConfig) -> pd.DataFrame:
    """Identifiers shared by too many unrelated accounts (support numbers, placeholders, stock photos).

    An identifier on many accounts is a hub when those accounts do not otherwise
    belong together: the share of distinct groups (by all other evidence) among them is
    high. Spread over cities and platforms is reported as part of the reason.
    """
    index = pd.Index(accounts["account_id"])
    codes = index.get_indexer(evidence["account_id"])
    ev = evidence.assign(code=codes, group=base_labels[codes],
                         city=accounts["city"].to_numpy()[codes], platform=accounts["platform"].to_numpy()[codes])
    stats = ev.groupby(["kind", "value"], sort=False).agg(
        n_accounts=("code", "nunique"), n_groups=("group", "nunique"),
        n_cities=("city", "nunique"), n_platforms=("platform", "nunique")).reset_index()
    stats = stats[stats["n_accounts"] >= config.hub_min_accounts]
    cohesion = stats["n_groups"] / stats["n_accounts"]
    too_common = stats["n_accounts"] > max(config.hub_max_share * len(accounts), 50)
    is_hub = (cohesion > config.hub_max_cohesion) | too_common
    hubs = stats[is_hub].copy()
    hubs["cohesion"] = cohesion[is_hub].round(3)
    words = hubs["kind"].map(KIND_WORDS).fillna(hubs["kind"])
    hubs["reason"] = (words + " on " + hubs["n_accounts"].astype(str) + " accounts in "
                      + hubs["n_cities"].astype(str) + " cities and " + hubs["n_platforms"].astype(str)
                      + " platforms that share nothing else (" + hubs["n_groups"].astype(str)
                      + " unrelated groups); treated as a hub and not used to link")
    hubs.loc[too_common[is_hub].to_numpy(), "reason"] = (
        words + " on " + hubs["n_accounts"].astype(str) + " accounts, more than "
        + f"{config.hub_max_share:.0%} of all; treated as a hub and not used to link")
    cols = list(OUTPUT_COLUMNS["hubs"]) + ["cohesion", "n_groups"]
    return hubs.sort_values("n_accounts", ascending=False)[cols].reset_index(drop=True)


def _evidence_edges(evidence: pd.DataFrame, index: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = index.get_indexer(evidence["account_id"]).astype(np.int64)
    group = evidence.groupby(["kind", "value"], sort=False).ngroup().to_numpy()
    return _star_edges(codes, group)


def link_accounts(accounts: pd.DataFrame, identifiers: pd.DataFrame, config: LinkConfig | None = None,
                  photo_groups: pd.DataFrame | None = None, text_pairs: pd.DataFrame | None = None) -> Linkage:
    """Resolve accounts into entities from identifiers, photo groups and text pairs.

    Parameters
    ----------
    accounts : validated accounts (account_id, city, platform, ...)
    identifiers : the identifiers table from ``extract.extract_frame``
    photo_groups : (account_id, group_id, hash) near-duplicate photo groups, optional
    text_pairs : (src, dst, similarity) near-duplicate ad text pairs, optional; weak
        evidence that merges two groups only with support

    Returns
    -------
    Linkage with ``entities`` (account_id, entity_id), ``links`` and ``hubs``.
    """
    config = config or LinkConfig()
    index = pd.Index(accounts["account_id"])
    n = len(index)
    evidence = identifier_evidence(identifiers, photo_groups)
    ids = index.to_numpy()

    # Groups by everything except the candidates: the yardstick for "unrelated".
    counts = evidence.groupby(["kind", "value"], sort=False)["account_id"].transform("size")
    candidate = counts >= config.hub_min_accounts
    src, dst, _ = _evidence_edges(evidence[~candidate.to_numpy()], index)
    t_src = t_dst = np.zeros(0, dtype=np.int64)
    if text_pairs is not None and len(text_pairs):
        t_src = index.get_indexer(text_pairs["src"]).astype(np.int64)
        t_dst = index.get_indexer(text_pairs["dst"]).astype(np.int64)
    base = _components(n, np.r_[src, t_src], np.r_[dst, t_dst])
    hubs = find_hubs(evidence, accounts, base, config)
    is_hub = evidence.merge(hubs[["kind", "value"]].assign(_hub=True), on=["kind", "value"],
                            how="left")["_hub"].fillna(False).to_numpy(dtype=bool)
    used = evidence[~is_hub].reset_index(drop=True)

    # Strong evidence links alone.
    s_src, s_dst, rows = _evidence_edges(used, index)
    strong_labels = _components(n, s_src, s_dst)
    strong_links = pd.DataFrame({"src": ids[s_src], "dst": ids[s_dst], "kind": used["kind"].to_numpy()[rows],
                                 "value": used["value"].to_numpy()[rows], "weight": 1.0})
    strong_links["reason"] = "same " + strong_links["kind"].map(KIND_WORDS).fillna(strong_links["kind"]) + " " + strong_links["value"]

    # Weak evidence (text) merges two strong groups only with support.
    labels = strong_labels
    text_links = pd.DataFrame(columns=list(OUTPUT_COLUMNS["links"]))
    if text_pairs is not None and len(text_pairs):
        labels, text_links = _merge_weak(index, strong_labels, text_pairs, config)
    entities = _name_entities(ids, labels)
    links = pd.concat([strong_links.assign(used=True), text_links], ignore_index=True)
    return Linkage(entities=entities, links=links, hubs=hubs, evidence=used)


def _merge_weak(index: pd.Index, labels: np.ndarray, text_pairs: pd.DataFrame,
                config: LinkConfig) -> tuple[np.ndarray, pd.DataFrame]:
    src = index.get_indexer(text_pairs["src"])
    dst = index.get_indexer(text_pairs["dst"])
    sim = text_pairs["similarity"].to_numpy(dtype=float)
    ga, gb = labels[src], labels[dst]
    cross = ga != gb
    lo, hi = np.minimum(ga, gb), np.maximum(ga, gb)
    sizes = np.bincount(labels)
    pairs = pd.DataFrame({"lo": lo[cross], "hi": hi[cross], "a": src[cross], "b": dst[cross]})
    # Support: how many distinct accounts on each side take part in links between the two groups.
    support = pairs.groupby(["lo", "hi"]).agg(n_links=("a", "size"), a_accounts=("a", "nunique"),
                                               b_accounts=("b", "nunique")).reset_index()
    smaller = np.minimum(sizes[support["lo"]], sizes[support["hi"]])
    covered = np.minimum(support["a_accounts"], support["b_accounts"]) >= smaller
    accept = (support["n_links"] >= config.text_min_support) | covered
    ok = support[accept.to_numpy()]
    merged = labels
    if len(ok):
        k = int(labels.max()) + 1
        comp = _components(k, ok["lo"].to_numpy(), ok["hi"].to_numpy())
        merged = comp[labels]
    width = np.int64(len(labels) + 1)
    accepted = np.isin(lo.astype(np.int64) * width + hi, ok["lo"].to_numpy(np.int64) * width + ok["hi"].to_numpy(np.int64))
    used = accepted | ~cross
    ids = index.to_numpy()
    links = pd.DataFrame({"src": ids[src], "dst": ids[dst], "kind": "text",
                          "value": np.round(sim, 3).astype(str), "weight": np.round(sim, 3), "used": used})
    links["reason"] = np.where(
        cross & ~used, "ad text " + links["value"] + " similar (same template), but without support from other links; not used",
        "ad text " + links["value"] + " similar (same template with different details)")
    return merged, links


def _name_entities(ids: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Stable entity ids: numbered by the first account (input order) of each entity."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    width = max(5, len(str(len(order))))
    names = np.char.add("E", np.char.zfill(rank.astype(str), width))
    uniq_inverse = np.unique(labels, return_inverse=True)[1]
    return pd.DataFrame({"account_id": ids, "entity_id": names[uniq_inverse]})


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

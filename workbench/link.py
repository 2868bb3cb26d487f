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
    text_threshold : MinHash similarity above which two ads count as related when
        judging hubs
    text_merge_threshold : similarity at which a pair of ads is weak evidence that can
        merge two groups (pairs between the two thresholds are kept, marked unused)
    weak_min_support : distinct pieces of weak evidence (photos, similar ad pairs) needed
        between two groups before they merge
    small_group : groups of at most this many accounts may join the one group their weak
        evidence points to without a second piece
    """

    hub_min_accounts: int = 6
    hub_max_cohesion: float = 0.4
    hub_max_share: float = 0.05
    photo_radius: int = 8
    text_threshold: float = 0.3
    text_merge_threshold: float = 0.45
    text_num_perm: int = 64
    text_bands: int = 32
    text_max_bucket: int = 500
    weak_min_support: int = 2
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
        parts.append(pd.DataFrame({"account_id": photo_groups["account_id"].to_numpy(), "kind": "image",
                                   "value": (photo_groups["rep"] if "rep" in photo_groups else photo_groups["group_id"]).astype(str).to_numpy()}))
    evidence = pd.concat(parts, ignore_index=True).drop_duplicates()
    return evidence.reset_index(drop=True)


def _cohesion(evidence: pd.DataFrame, codes: np.ndarray, ident: np.ndarray, candidate: np.ndarray,
              text_src: np.ndarray, text_dst: np.ndarray) -> pd.Series:
    """Per candidate identifier: distinct groups among its accounts, judged only by the
    *other* evidence among those same accounts (leave-one-out, induced).

    Identifiers that always appear together (a footer's phone and e-mail) are twins and
    do not vouch for each other.
    """
    cand = pd.DataFrame({"x": ident[candidate], "a": codes[candidate]}).drop_duplicates()
    df = cand.groupby("x").size()
    # Twins: candidates with (nearly) the same account set, merged into one composite.
    co = cand.merge(cand, on="a", suffixes=("", "_y"))
    co = co[co["x"] < co["x_y"]].groupby(["x", "x_y"]).size().rename("co").reset_index()
    jac = co["co"] / (df.reindex(co["x"]).to_numpy() + df.reindex(co["x_y"]).to_numpy() - co["co"])
    twins = co[jac.to_numpy() >= 0.9]
    n_ident = int(ident.max()) + 1 if len(ident) else 0
    composite = _components(n_ident, twins["x"].to_numpy(), twins["x_y"].to_numpy()) if n_ident else ident
    cand = cand.reset_index(drop=True)
    cand["node"] = np.arange(len(cand))
    # Other evidence on the candidate's accounts, shared by two of them.
    other = cand.merge(pd.DataFrame({"a": codes, "y": ident}), on="a")
    other = other[composite[other["x"].to_numpy()] != composite[other["y"].to_numpy()]]
    group = other.groupby(["x", "y"], sort=False).ngroup().to_numpy()
    src, dst, _ = _star_edges(other["node"].to_numpy(), group)
    if len(text_src):
        pairs = pd.DataFrame({"a": text_src, "b": text_dst})
        left = cand.merge(pairs, on="a")
        both = left.merge(cand.rename(columns={"a": "b", "node": "node_b"}), on=["x", "b"])
        src, dst = np.r_[src, both["node"].to_numpy()], np.r_[dst, both["node_b"].to_numpy()]
    labels = _components(len(cand), src, dst)
    return pd.Series(labels).groupby(cand["x"]).nunique() / df


def find_hubs(evidence: pd.DataFrame, accounts: pd.DataFrame, config: LinkConfig,
              text_pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Identifiers shared by too many unrelated accounts (support numbers, placeholders, stock photos).

    An identifier on at least ``hub_min_accounts`` accounts is a hub when those
    accounts do not otherwise belong together: the share of distinct groups among them
    (by the other identifiers, photos and ad texts they share) is above
    ``hub_max_cohesion``. Spread over cities and platforms is reported in the reason.
    """
    index = pd.Index(accounts["account_id"])
    codes = index.get_indexer(evidence["account_id"])
    ident = evidence.groupby(["kind", "value"], sort=False).ngroup().to_numpy()
    n_acc = pd.Series(codes).groupby(ident).nunique()
    candidate = n_acc.reindex(ident).to_numpy() >= config.hub_min_accounts
    cols = list(OUTPUT_COLUMNS["hubs"]) + ["cohesion", "n_groups"]
    if not candidate.any():
        return pd.DataFrame(columns=cols)
    t_src = t_dst = np.zeros(0, dtype=np.int64)
    if text_pairs is not None and len(text_pairs):
        t_src, t_dst = index.get_indexer(text_pairs["src"]), index.get_indexer(text_pairs["dst"])
        t_src, t_dst = np.r_[t_src, t_dst], np.r_[t_dst, t_src]
    cohesion = _cohesion(evidence, codes, ident, candidate, t_src, t_dst)
    ev = evidence[candidate].assign(x=ident[candidate], city=accounts["city"].to_numpy()[codes[candidate]],
                                    platform=accounts["platform"].to_numpy()[codes[candidate]])
    stats = ev.groupby(["x", "kind", "value"], sort=False).agg(
        n_accounts=("account_id", "nunique"), n_cities=("city", "nunique"), n_platforms=("platform", "nunique")).reset_index()
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


def _evidence_edges(evidence: pd.DataFrame, index: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = index.get_indexer(evidence["account_id"]).astype(np.int64)
    group = evidence.groupby(["kind", "value"], sort=False).ngroup().to_numpy()
    return _star_edges(codes, group)


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


def _keep_bridging_hubs(hubs: pd.DataFrame, evidence: pd.DataFrame, index: pd.Index, config: LinkConfig,
                        text_pairs: pd.DataFrame | None) -> pd.DataFrame:
    """Second look at hub candidates: a hub must join groups that stand on their own.

    Without every hub, accounts fall into groups by their other evidence. A candidate
    whose accounts touch at most one such group of two or more accounts joins nothing
    established (an operator's phone on ads that share nothing else), so it links after
    all; one that touches several (a footer number, a stock photo) stays a hub.
    """
    if hubs.empty:
        return hubs
    on_hub_rows = is_hub(evidence, hubs)
    rest = evidence[~on_hub_rows]
    src, dst, _ = _evidence_edges(rest, index)
    if text_pairs is not None and len(text_pairs):
        strong = text_pairs["similarity"].to_numpy(dtype=float) >= config.text_merge_threshold
        src = np.r_[src, index.get_indexer(text_pairs["src"][strong])]
        dst = np.r_[dst, index.get_indexer(text_pairs["dst"][strong])]
    labels = _components(len(index), src, dst)
    sizes = np.bincount(labels)
    on_hub = evidence[on_hub_rows]
    group = labels[index.get_indexer(on_hub["account_id"])]
    established = pd.DataFrame({"kind": on_hub["kind"].to_numpy(), "value": on_hub["value"].to_numpy(),
                                "group": np.where(sizes[group] >= 2, group, -1)})
    established = established[established["group"] >= 0]
    bridged = established.groupby(["kind", "value"])["group"].nunique().rename("n_established").reset_index()
    hubs = hubs.merge(bridged, on=["kind", "value"], how="left")
    hubs["n_established"] = hubs["n_established"].fillna(0).astype(int)
    too_common = hubs["reason"].str.contains("of all;", regex=False)
    return hubs[(hubs["n_established"] >= 2) | too_common].reset_index(drop=True)


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
    ids = index.to_numpy()
    evidence = identifier_evidence(identifiers, photo_groups)
    hubs = find_hubs(evidence, accounts, config, text_pairs)
    hubs = _keep_bridging_hubs(hubs, evidence, index, config, text_pairs)
    used = evidence[~is_hub(evidence, hubs)].reset_index(drop=True)
    strong = used[used["kind"] != "image"].reset_index(drop=True)
    photo = used[used["kind"] == "image"].reset_index(drop=True)

    s_src, s_dst, rows = _evidence_edges(strong, index)
    labels = _components(n, s_src, s_dst)
    strong_links = pd.DataFrame({"src": ids[s_src], "dst": ids[s_dst], "kind": strong["kind"].to_numpy()[rows],
                                 "value": strong["value"].to_numpy()[rows], "weight": 1.0, "used": True})
    kind_words = strong_links["kind"].map(KIND_WORDS).fillna(strong_links["kind"]).astype(str)
    strong_links["reason"] = "same " + kind_words + " " + strong_links["value"].astype(str)
    p_src, p_dst, p_rows = _evidence_edges(photo, index)
    weak = [pd.DataFrame({"a": p_src, "b": p_dst, "kind": "image", "value": photo["value"].to_numpy()[p_rows],
                          "weight": 0.9})]
    if text_pairs is not None and len(text_pairs):
        sim = text_pairs["similarity"].to_numpy(dtype=float).round(3)
        weak.append(pd.DataFrame({"a": index.get_indexer(text_pairs["src"]), "b": index.get_indexer(text_pairs["dst"]),
                                  "kind": "text", "value": sim.astype(str), "weight": sim}))
    weak_edges = pd.concat(weak, ignore_index=True)
    strong_enough = (weak_edges["kind"] == "image").to_numpy() | (weak_edges["weight"].to_numpy() >= config.text_merge_threshold)
    labels, accepted_strong = _merge_weak(labels, weak_edges[strong_enough], config)
    accepted = np.zeros(len(weak_edges), dtype=bool)
    accepted[np.flatnonzero(strong_enough)] = accepted_strong
    weak_links = pd.DataFrame({"src": ids[weak_edges["a"].to_numpy()], "dst": ids[weak_edges["b"].to_numpy()],
                               "kind": weak_edges["kind"].to_numpy(), "value": weak_edges["value"].to_numpy(),
                               "weight": weak_edges["weight"].to_numpy(), "used": accepted})
    value = weak_links["value"].astype(str)
    what = np.where(weak_links["kind"] == "image", "same photo " + value,
                    "ad text " + value + " similar (same template with different details)")
    weak_links["reason"] = np.where(accepted, what, what + "; not used alone: no second piece of evidence between these groups")
    entities = _name_entities(ids, labels)
    links = pd.concat([strong_links, weak_links], ignore_index=True)
    return Linkage(entities=entities, links=links, hubs=hubs, evidence=used)


def _merge_weak(labels: np.ndarray, edges: pd.DataFrame, config: LinkConfig) -> tuple[np.ndarray, np.ndarray]:
    """Merge strong groups joined by weak evidence that has support; returns (labels, edge used)."""
    if edges.empty:
        return labels, np.zeros(0, dtype=bool)
    a, b = edges["a"].to_numpy(), edges["b"].to_numpy()
    ga, gb = labels[a], labels[b]
    cross = ga != gb
    lo, hi = np.minimum(ga, gb), np.maximum(ga, gb)
    # A piece of evidence: one photo, or one pair of similar ads.
    piece = np.where(edges["kind"].to_numpy() == "image", "p" + edges["value"].astype(str).to_numpy(),
                     "t" + a.astype(str) + "-" + b.astype(str))
    pairs = pd.DataFrame({"lo": lo[cross], "hi": hi[cross], "piece": piece[cross]})
    support = pairs.groupby(["lo", "hi"])["piece"].nunique().rename("support").reset_index()
    sizes = np.bincount(labels)
    # A small group whose weak evidence all points to one other group may join it alone.
    ends = pd.concat([support.rename(columns={"lo": "g", "hi": "other"}), support.rename(columns={"hi": "g", "lo": "other"})])
    partners = ends.groupby("g")["other"].nunique()
    small_lo = (sizes[support["lo"]] <= config.small_group) & (partners.reindex(support["lo"]).to_numpy() == 1)
    small_hi = (sizes[support["hi"]] <= config.small_group) & (partners.reindex(support["hi"]).to_numpy() == 1)
    accept = (support["support"].to_numpy() >= config.weak_min_support) | small_lo | small_hi
    ok = support[accept]
    merged = labels
    if len(ok):
        comp = _components(int(labels.max()) + 1, ok["lo"].to_numpy(), ok["hi"].to_numpy())
        merged = comp[labels]
    width = np.int64(len(labels) + 1)
    used = np.isin(lo.astype(np.int64) * width + hi, ok["lo"].to_numpy(np.int64) * width + ok["hi"].to_numpy(np.int64))
    return merged, used | ~cross


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

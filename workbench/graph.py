"""NetworkX graphs of the evidence: account-identifier and entity level, metrics, GraphML.

Owns graph construction, graph metrics and the GraphML export. It reads the tables
``link`` wrote; it never decides links itself. On a GPU the same NetworkX calls can
be dispatched to nx-cugraph (``nx_backend="cugraph"``).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

MAX_EXPORT_NODES = 50_000  # GraphML beyond this is unusable in Gephi/Cytoscape anyway


def identifier_graph(
    evidence: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    hubs: pd.DataFrame | None = None,
    entities: pd.DataFrame | None = None,
) -> nx.Graph:
    """Bipartite graph: account nodes and identifier nodes (phone, email, photo, ...).

    Node ids are ``account:<id>`` and ``<kind>:<value>``; every node has ``type``;
    identifier nodes have ``hub`` (True when the hub guard stopped them linking).

    Examples
    --------
    >>> ev = pd.DataFrame({"account_id": ["a", "b"], "kind": ["phone", "phone"], "value": ["+17134820193"] * 2})
    >>> g = identifier_graph(ev)
    >>> sorted(g.degree)[-1]
    ('phone:+17134820193', 2)
    """
    graph = nx.Graph()
    pairs = evidence[["account_id", "kind", "value"]].astype(str)
    acc_nodes = "account:" + pairs["account_id"]
    id_nodes = pairs["kind"] + ":" + pairs["value"]
    accounts_seen = pairs["account_id"].drop_duplicates()
    city = entity = pd.Series("", index=accounts_seen.to_numpy())
    if accounts is not None:  # nodes of accounts with evidence only
        city = (
            accounts.drop_duplicates("account_id")
            .set_index("account_id")["city"]
            .reindex(accounts_seen)
        )
        city = city.astype(object).where(city.notna(), "").astype(str)
        if entities is not None:
            entity = entities.set_index("account_id")["entity_id"].reindex(accounts_seen)
            entity = entity.astype(object).where(entity.notna(), "").astype(str)
        graph.add_nodes_from(
            (f"account:{a}", {"type": "account", "label": a, "city": c, "entity_id": e})
            for a, c, e in zip(accounts_seen, city.to_numpy(), entity.to_numpy(), strict=True)
        )
    keys = pairs[["kind", "value"]].assign(node=id_nodes).drop_duplicates("node")
    is_hub = np.zeros(len(keys), bool)
    if hubs is not None and len(hubs):
        hub_nodes = hubs["kind"].astype(str) + ":" + hubs["value"].astype(str)
        is_hub = keys["node"].isin(hub_nodes).to_numpy()
    graph.add_nodes_from(
        (n, {"type": k, "label": v, "hub": bool(h)})
        for n, k, v, h in zip(keys["node"], keys["kind"], keys["value"], is_hub, strict=True)
    )
    graph.add_edges_from(zip(acc_nodes, id_nodes, strict=True), type="has")
    for _, data in graph.nodes(data=True):
        data.setdefault("type", "account")
    return graph


def account_graph(entities: pd.DataFrame, links: pd.DataFrame) -> nx.Graph:
    """Accounts joined by the links that were used; parallel evidence is summed into ``weight``."""
    used = links[links["used"].astype(bool)] if "used" in links.columns else links
    edges = (
        used.groupby(["src", "dst"], sort=False)
        .agg(weight=("weight", "sum"), kinds=("kind", lambda k: ";".join(sorted(set(k)))))
        .reset_index()
    )
    graph = nx.Graph()
    graph.add_nodes_from(
        (a, {"type": "account", "entity_id": e})
        for a, e in zip(entities["account_id"], entities["entity_id"], strict=True)
    )
    graph.add_edges_from(
        (s, d, {"weight": float(w), "kinds": k}) for s, d, w, k in edges.itertuples(index=False)
    )
    return graph


def entity_graph(
    entities: pd.DataFrame, links: pd.DataFrame, hub_evidence: pd.DataFrame | None = None
) -> nx.Graph:
    """Entities as nodes; edges from evidence that did not merge them (weak text links, hubs).

    The weight of an edge is the number of such links: a view of how entities touch,
    not a claim that they are one.
    """
    entity_of = entities.set_index("account_id")["entity_id"]
    sizes = entities.groupby("entity_id").size()
    graph = nx.Graph()
    graph.add_nodes_from((e, {"type": "entity", "n_accounts": int(n)}) for e, n in sizes.items())
    if len(links):
        a = entity_of.reindex(links["src"]).to_numpy()
        b = entity_of.reindex(links["dst"]).to_numpy()
        cross = pd.DataFrame({"a": a, "b": b, "kind": links["kind"].to_numpy()})
        cross = cross[cross["a"] != cross["b"]].dropna()
        if len(cross):
            a_ids, b_ids = cross["a"].to_numpy(str), cross["b"].to_numpy(str)
            lo, hi = np.where(a_ids < b_ids, a_ids, b_ids), np.where(a_ids < b_ids, b_ids, a_ids)
            agg = (
                pd.DataFrame({"a": lo, "b": hi, "kind": cross["kind"].to_numpy()})
                .groupby(["a", "b"])
                .agg(weight=("kind", "size"), kinds=("kind", lambda k: ";".join(sorted(set(k)))))
                .reset_index()
            )
            graph.add_edges_from(
                (r.a, r.b, {"weight": float(r.weight), "kinds": r.kinds})
                for r in agg.itertuples(index=False)
            )
    return graph


def analyse(
    graph: nx.Graph, seed: int = 0, betweenness_k: int = 500, nx_backend: str | None = None
) -> pd.DataFrame:
    """Per-node metrics: degree, betweenness (sampled above ``betweenness_k`` nodes),
    Louvain community, articulation point, and whether the node ends a bridge.

    Examples
    --------
    >>> metrics = analyse(nx.path_graph(4))
    >>> metrics["articulation"].tolist()
    [False, True, True, False]
    """
    kw = {"backend": nx_backend} if nx_backend else {}
    nodes = list(graph.nodes)
    if not nodes:
        return pd.DataFrame(
            columns=["node", "degree", "betweenness", "community", "articulation", "bridge"]
        )
    k = min(betweenness_k, len(nodes)) if len(nodes) > betweenness_k else None
    between = nx.betweenness_centrality(graph, k=k, seed=seed, **kw)
    communities = nx.community.louvain_communities(graph, weight="weight", seed=seed, **kw)
    community_of = {
        n: i
        for i, members in enumerate(sorted(communities, key=len, reverse=True))
        for n in members
    }
    articulation = set(nx.articulation_points(graph))
    bridge_nodes = {n for edge in nx.bridges(graph) for n in edge}
    return pd.DataFrame(
        {
            "node": nodes,
            "type": [graph.nodes[n].get("type", "") for n in nodes],
            "degree": [graph.degree(n) for n in nodes],
            "betweenness": [between.get(n, 0.0) for n in nodes],
            "community": [community_of.get(n, -1) for n in nodes],
            "articulation": [n in articulation for n in nodes],
            "bridge": [n in bridge_nodes for n in nodes],
        }
    )


def _graphml_safe(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return str(value)


def write_graphml(graph: nx.Graph, path: str | Path, max_nodes: int = MAX_EXPORT_NODES) -> Path:
    """Write GraphML that Gephi and Cytoscape open: only str/int/float/bool attributes,
    no empty values of mixed types. Graphs above ``max_nodes`` keep their largest parts."""
    from .io import write_bytes  # noqa: PLC0415

    if graph.number_of_nodes() > max_nodes:
        keep: set = set()
        for comp in sorted(nx.connected_components(graph), key=len, reverse=True):
            if len(keep) + len(comp) > max_nodes:
                break
            keep |= comp
        log.warning(
            "graph has %d nodes; GraphML keeps the %d in its largest components",
            graph.number_of_nodes(),
            len(keep),
        )
        graph = graph.subgraph(keep)
    clean = nx.Graph()
    node_keys = sorted(
        {k for _, d in graph.nodes(data=True) for k in d}
    )  # sorted: same bytes every run
    edge_keys = sorted({k for *_, d in graph.edges(data=True) for k in d})
    for node, data in graph.nodes(data=True):
        clean.add_node(str(node), **{k: _graphml_safe(data.get(k, "")) for k in node_keys})
    for a, b, data in graph.edges(data=True):
        clean.add_edge(str(a), str(b), **{k: _graphml_safe(data.get(k, "")) for k in edge_keys})
    for keys, items in ((node_keys, clean.nodes(data=True)), (edge_keys, clean.edges(data=True))):
        for key in keys:  # one type per attribute: mixed str/number columns become str
            values = [d[key] for *_, d in items]
            if len({type(v) for v in values}) > 1:
                for *_, d in items:
                    d[key] = str(d[key])
    lines = "\n".join(nx.generate_graphml(clean))
    return write_bytes(lines, Path(path))

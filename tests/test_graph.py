"""Graphs: construction, metrics, GraphML that Gephi/Cytoscape accept."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from workbench.graph import analyse, entity_graph, identifier_graph, write_graphml


def _evidence():
    return pd.DataFrame(
        {
            "account_id": ["a", "b", "b", "c", "d"],
            "kind": ["phone", "phone", "email", "email", "phone"],
            "value": ["+17134820193", "+17134820193", "x@y.com", "x@y.com", "+18005550100"],
        }
    )


def test_identifier_graph_types_and_hubs(tmp_path):
    hubs = pd.DataFrame({"kind": ["phone"], "value": ["+18005550100"]})
    g = identifier_graph(_evidence(), hubs=hubs)
    assert g.nodes["phone:+18005550100"]["hub"] is True
    assert g.nodes["account:a"]["type"] == "account"
    metrics = analyse(g)
    cut = set(metrics.loc[metrics["articulation"], "node"])
    assert {"account:b", "phone:+17134820193", "email:x@y.com"} <= cut
    path = write_graphml(g, tmp_path / "g.graphml")
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == g.number_of_nodes()
    assert "<data key=" in path.read_text()


def test_entity_graph_edges_from_cross_links():
    entities = pd.DataFrame({"account_id": ["a", "b", "c"], "entity_id": ["E1", "E1", "E2"]})
    links = pd.DataFrame(
        {
            "src": ["a", "b"],
            "dst": ["b", "c"],
            "kind": ["phone", "text"],
            "value": ["p", "0.7"],
            "weight": [1.0, 0.7],
            "used": [True, False],
        }
    )
    g = entity_graph(entities, links)
    assert g.nodes["E1"]["n_accounts"] == 2
    assert g.edges["E1", "E2"]["kinds"] == "text"

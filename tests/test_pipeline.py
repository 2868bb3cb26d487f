"""End to end: every contract file is written with its columns; quality against truth."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from workbench import evaluate
from workbench.schema import OUTPUT_COLUMNS

CONTRACT = {
    "entities.csv": ["account_id", "entity_id"],
    "links.csv": ["src", "dst", "kind", "value", "weight"],
    "identifiers.csv": ["account_id", "kind", "value", "raw"],
    "entity_summary.csv": [
        "entity_id",
        "n_accounts",
        "n_phones",
        "n_cities",
        "first_seen",
        "last_seen",
        "risk_score",
    ],
    "clusters.csv": ["account_id", "cluster", "x", "y"],
    "leads.csv": ["case_id", "account_id", "score", "reasons"],
    "warnings.csv": ["file", "row", "column", "problem"],
}


def test_every_contract_file_is_written(world_run):
    result, out = world_run
    for name, columns in CONTRACT.items():
        table = pd.read_csv(out / name, nrows=5)
        assert set(columns) <= set(table.columns), name
    assert (out / "report.html").stat().st_size > 1000
    g = nx.read_graphml(out / "graph.graphml")
    assert g.number_of_nodes() > 0
    assert {d.get("type") for _, d in g.nodes(data=True)} >= {"account", "phone"}
    for name in OUTPUT_COLUMNS:
        assert hasattr(result, name)


def test_every_account_has_an_entity(world, world_run):
    result, out = world_run
    entities = pd.read_csv(out / "entities.csv", dtype=str)
    assert sorted(entities["account_id"]) == sorted(world.accounts["account_id"])
    assert entities["entity_id"].notna().all()


def test_entity_quality_against_truth(world, world_run):
    result, _ = world_run
    scores = evaluate.entity_scores(result.entities, world.truth)
    print("entities:", evaluate.format_scores(scores))
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.85


def test_leads_have_reasons_and_scores(world, world_run):
    result, _ = world_run
    leads = result.leads
    assert len(leads)
    assert leads["score"].between(0, 1).all()
    assert (leads["reasons"].str.len() > 10).all()
    scores = evaluate.lead_scores(leads, world.truth)
    print("leads:", evaluate.format_scores(scores))
    assert scores["lead_precision"] >= 0.8
    assert scores["resurfaced_recall"] >= 0.6


def test_hub_footer_does_not_link(world, world_run):
    result, _ = world_run
    hub_phones = set(world.info.get("hub_phones", []))
    assert hub_phones, "the world has a support-number footer"
    found = set(result.hubs.loc[result.hubs["kind"] == "phone", "value"])
    assert hub_phones <= found
    used = result.links[result.links["used"].astype(bool)]
    assert not used["value"].isin(hub_phones).any()


def test_entity_summary_sorted_with_reasons(world_run):
    result, _ = world_run
    es = result.entity_summary
    assert (es["n_accounts"] >= 1).all()
    non_missing = es[~es["missing"]]
    assert non_missing["risk_score"].is_monotonic_decreasing
    assert "risk_reasons" in es.columns

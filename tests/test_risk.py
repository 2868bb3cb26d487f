"""Risk indicators: lexicons after de-obfuscation, configurable weights, the queue."""

from __future__ import annotations

import pandas as pd

from workbench import evaluate, risk


def test_terms_found_through_obfuscation():
    accounts = pd.DataFrame(
        {
            "account_id": list("abcde"),
            "text": [
                "2 g1rls available, ask about my friend",
                "y o u n g and fresh",
                "NO L.E. no cops",
                "just arrived in town",
                "quiet evening, call me",
            ],
        }
    )
    flags = risk.account_flags(accounts, risk.RiskConfig.load())
    assert flags["third_person"].tolist() == [True, False, False, False, False]
    assert flags["youth_coded"].tolist() == [False, True, False, False, False]
    assert flags["restrictive"].tolist()[2] is True
    assert flags["new_in_town"].tolist()[3] is True


def test_analyst_config_overrides_weights(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[weights]\nyouth_coded = 0.0\n", encoding="utf-8")
    config = risk.RiskConfig.load(path)
    assert config.weights["youth_coded"] == 0.0
    assert config.weights["movement"] > 0, "unmentioned weights keep their defaults"


def test_queue_ranks_operated_entities_first(world, world_run):
    result, _ = world_run
    es = result.entity_summary
    assert {"risk_score", "risk_reasons", "ind_movement", "ind_third_person"} <= set(es.columns)
    scores = evaluate.queue_scores(es, result.entities, world.truth)
    print(evaluate.format_scores(scores))
    assert scores["p@50_risk"] >= 0.95
    assert scores["case_rank_median_risk"] <= scores["case_rank_median_size"]
    queue = risk.triage_queue(es, result.leads)
    assert queue["rank"].tolist() == list(range(1, len(queue) + 1))
    first_types = queue["item_type"].head(20).tolist()
    if (result.leads["case_kind"] == "missing").any():
        assert "missing_match" in first_types
    assert not queue["reason"].str.contains("trafficker", case=False).any()


def test_queue_filters_and_movement(world_run):
    result, out = world_run
    es = result.entity_summary
    assert {"moves", "moves_per_week"} <= set(es.columns)
    assert (es["moves"] >= 0).all()
    queue = risk.triage_queue(es, result.leads)
    cities = result.accounts["city"].dropna()
    city = cities[cities.str.strip() != ""].value_counts().index[0]
    in_city = risk.filter_queue(queue, result.accounts, result.entities, es, city=city)
    assert 0 < len(in_city) < len(queue)
    assert in_city["rank"].is_monotonic_increasing
    youth = risk.filter_queue(queue, result.accounts, result.entities, es, indicator="youth_coded")
    fired = set(es.loc[es["ind_youth_coded"] > 0, "entity_id"])
    assert set(youth.loc[youth["item_type"] == "entity", "item_id"]) <= fired
    assert (out / "queue.csv").exists()

"""Linking: strong identifiers link alone, hubs do not link, weak evidence needs support."""
from __future__ import annotations

import pandas as pd

from workbench import evaluate, link


def _accounts(n, cities=None):
    return pd.DataFrame({"account_id": [f"a{i}" for i in range(n)],
                         "city": cities or [f"city{i % 7}" for i in range(n)],
                         "platform": [f"site{i % 3}" for i in range(n)]})


def _ids(rows):
    return pd.DataFrame(rows, columns=["account_id", "kind", "value"])


def test_shared_phone_links_and_support_number_does_not():
    accounts = _accounts(40)
    rows = [("a0", "phone", "+17134820193"), ("a1", "phone", "+17134820193"), ("a1", "email", "x@y.com"),
            ("a2", "email", "x@y.com")]
    # a support number on 30 unrelated ads, each pair of which also has its own phone
    rows += [(f"a{i}", "phone", "+18005550123") for i in range(10, 40)]
    rows += [(f"a{i}", "phone", f"+1713555{i:04d}") for i in range(10, 40, 2)]
    rows += [(f"a{i + 1}", "phone", f"+1713555{i:04d}") for i in range(10, 40, 2)]
    result = link.link_accounts(accounts, _ids(rows))
    ent = result.entities.set_index("account_id")["entity_id"]
    assert ent["a0"] == ent["a1"] == ent["a2"], "phone then email chain one operator"
    assert ent["a10"] == ent["a11"] and ent["a10"] != ent["a12"], "the support number links nothing"
    assert "+18005550123" in set(result.hubs["value"])
    assert result.hubs.iloc[0]["reason"].startswith("phone on 30 accounts")
    explained = link.explain_entity(ent["a0"], result.entities, result.links)
    assert set(explained["kind"]) == {"phone", "email"}


def test_weak_text_evidence_needs_support():
    accounts = _accounts(8)
    rows = [("a0", "phone", "+17134820193"), ("a1", "phone", "+17134820193"), ("a6", "phone", "+17134820193"),
            ("a2", "phone", "+12025550143"), ("a3", "phone", "+12025550143"), ("a7", "phone", "+12025550143")]
    one_pair = pd.DataFrame({"src": ["a0"], "dst": ["a2"], "similarity": [0.8]})
    result = link.link_accounts(accounts, _ids(rows), text_pairs=one_pair)
    ent = result.entities.set_index("account_id")["entity_id"]
    assert ent["a0"] != ent["a2"], "one similar ad between two groups is not enough"
    two_pairs = pd.DataFrame({"src": ["a0", "a1"], "dst": ["a2", "a3"], "similarity": [0.8, 0.7]})
    ent = link.link_accounts(accounts, _ids(rows), text_pairs=two_pairs).entities.set_index("account_id")["entity_id"]
    assert ent["a0"] == ent["a2"]
    single = pd.DataFrame({"src": ["a0"], "dst": ["a5"], "similarity": [0.8]})
    ent = link.link_accounts(accounts, _ids(rows), text_pairs=single).entities.set_index("account_id")["entity_id"]
    assert ent["a5"] == ent["a0"], "a lone ad whose template points to one group joins it (resurfacing)"


def test_no_shared_identifiers_gives_singletons():
    accounts = _accounts(3)
    result = link.link_accounts(accounts, _ids([("a0", "phone", "+17134820193")]))
    assert result.entities["entity_id"].nunique() == 3
    assert result.links.empty or not result.links["used"].any()


def test_world_quality(world, world_run):
    result, _ = world_run
    scores = evaluate.entity_scores(result.entities, world.truth)
    assert scores["precision"] >= 0.97 and scores["f1"] >= 0.95, evaluate.format_scores(scores)
    hub_phones = set(world.info["hub_phones"])
    assert hub_phones <= set(result.hubs["value"])

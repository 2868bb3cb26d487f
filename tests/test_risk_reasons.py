"""Every nonzero risk score, cluster flag and lead carries its reasons, in words.

Checked on a ``workbench.synth`` world and on the validation world (another generator),
when it is present: the invariant is about the code, not about one world's data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench import risk
from workbench.pipeline import RunConfig

VALIDATION = Path("/work/shared/validation/us-20k")


def assert_every_score_explained(result) -> None:
    es = result.entity_summary
    unexplained = es[(es["risk_score"] > 0) & (es["risk_reasons"].fillna("").str.strip() == "")]
    assert unexplained.empty, (
        f"{len(unexplained)} scores without reasons:\n{unexplained.head().to_string()}"
    )
    # Each fired indicator (ind_* > 0) speaks, and nothing unfired counts.
    fired = es.filter(like="ind_").gt(0).sum(axis=1)
    assert ((fired > 0) == (es["risk_score"] > 0)).all()
    assert (
        es["risk_reasons"].fillna("").str.count("; ") + es["risk_reasons"].fillna("").ne("")
        == fired
    ).all(), "one sentence per fired indicator"
    leads = result.leads
    assert not (leads["score"].gt(0) & leads["reasons"].fillna("").str.strip().eq("")).any()
    summary = result.cluster_summary
    if summary is not None and len(summary):
        # the growth flag says the numbers it rests on
        assert summary["growth"].str.fullmatch(r"(growing|shrinking|steady) \(.+ ads/week\)").all()
    queue = risk.triage_queue(es, leads)
    assert queue["reason"].fillna("").str.strip().ne("").all()


def test_every_score_explained_on_a_synth_world(world_run):
    result, _ = world_run
    assert (result.entity_summary["risk_score"] > 0).any()
    assert_every_score_explained(result)


def test_small_entities_score_zero_until_an_indicator_fires():
    """Two accounts, two cities, three weeks apart: below every ``fires_at``, so the score is 0
    (it was 0.029, with no reason, when sub-threshold movement, volume and bursts counted)."""
    accounts = pd.DataFrame(
        {
            "account_id": ["a", "b"],
            "text": ["quiet evening", "call me"],
            "city": ["Houston", "Dallas"],
            "title": ["", ""],
            "posted_at": pd.to_datetime(["2024-01-01", "2024-01-22"]),
        }
    )
    entities = pd.DataFrame({"account_id": ["a", "b"], "entity_id": ["E1", "E1"]})
    identifiers = pd.DataFrame({"account_id": ["a"], "kind": ["phone"], "value": ["+17135550100"]})
    es = risk.entity_indicators(accounts, entities, identifiers)
    assert es.loc[0, "risk_score"] == 0 and es.loc[0, "risk_reasons"] == ""
    many = pd.concat([accounts] * 3, ignore_index=True).assign(
        account_id=list("abcdef"), city=["Houston", "Dallas", "Austin"] * 2
    )
    es = risk.entity_indicators(
        many, pd.DataFrame({"account_id": list("abcdef"), "entity_id": "E1"}), identifiers
    )
    assert es.loc[0, "risk_score"] > 0 and "3 cities" in es.loc[0, "risk_reasons"]


@pytest.mark.slow
def test_every_score_explained_on_the_validation_world():
    if not (VALIDATION / "accounts.csv").exists():
        pytest.skip(f"no validation world at {VALIDATION}")
    accounts = pd.read_csv(VALIDATION / "accounts.csv", dtype=str, keep_default_na=False)
    accounts = accounts.sample(
        8000, random_state=0
    ).sort_index()  # a subsample: link and watch in seconds
    cases = VALIDATION / "cases.csv"
    result = workbench.run(
        accounts,
        cases if cases.exists() else None,
        backend="cpu",
        config=RunConfig(run_trends=False, progress=False),
    )
    assert (result.entity_summary["risk_score"] > 0).any()
    assert_every_score_explained(result)

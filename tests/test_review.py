"""Review log: append-only, transactional, and it changes the next run's leads."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

import workbench
from workbench.review import ReviewLog, apply_decisions, confirmed_accounts


def test_log_is_append_only(tmp_path):
    log = ReviewLog(tmp_path / "review.sqlite")
    log.record("entity", "E00001", "needs-follow-up", note="check city", analyst="ana")
    log.record("entity", "E00001", "confirmed", analyst="ben", evidence={"reasons": "same phone"})
    assert log.latest()["decision"].tolist() == ["confirmed"]
    assert len(log.history()) == 2
    db = sqlite3.connect(tmp_path / "review.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM decisions")
    with pytest.raises(ValueError):
        log.record("entity", "E1", "guilty")
    out = log.export(tmp_path / "audit.csv")
    assert len(pd.read_csv(out)) == 2


def test_failed_write_leaves_log_unchanged(tmp_path):
    log = ReviewLog(tmp_path / "review.sqlite")
    log.record("lead", "C1/A1", "dismissed")
    with pytest.raises(sqlite3.Error):  # a value SQLite cannot store: the transaction rolls back
        log.record("lead", "C1/A2", "dismissed", note=object())
    assert len(log.history()) == 1


def test_dismissed_lead_stays_gone_unless_new_evidence(tmp_path):
    leads = pd.DataFrame(
        {
            "case_id": ["C1", "C1"],
            "account_id": ["A1", "A2"],
            "score": [0.9, 0.8],
            "reasons": [
                "same phone +17134820193 as case C1",
                "same photo as case C1, 2 bits apart",
            ],
        }
    )
    log = ReviewLog(tmp_path / "review.sqlite")
    log.record("lead", "C1/A1", "dismissed", evidence=leads.loc[0, "reasons"])
    assert apply_decisions(leads, log)["account_id"].tolist() == ["A2"]
    richer = leads.copy()
    richer.loc[0, "reasons"] += "; same email x@y.com as case C1"
    assert apply_decisions(richer, log)["account_id"].tolist() == ["A1", "A2"]


def test_decisions_change_the_next_run(world, tmp_path):
    out = tmp_path / "run"
    config = workbench.RunConfig(run_trends=False)
    first = workbench.run(world.accounts, world.cases, out=out, config=config, backend="cpu")
    lead = first.leads[first.leads["case_kind"] == "subject"].iloc[0]
    log = ReviewLog(out / "review.sqlite")
    log.record(
        "lead", f"{lead['case_id']}/{lead['account_id']}", "dismissed", evidence=lead["reasons"]
    )
    second = workbench.run(world.accounts, world.cases, out=out, config=config, backend="cpu")
    keys = set(second.leads["case_id"] + "/" + second.leads["account_id"])
    assert f"{lead['case_id']}/{lead['account_id']}" not in keys
    assert len(second.leads) == len(first.leads) - 1
    assert confirmed_accounts(log).empty


def test_review_export_command(tmp_path):
    from workbench.cli import main

    log = ReviewLog(tmp_path / "review.sqlite")
    log.record("entity", "E00001", "needs-follow-up", note="=cmd|' /C calc'!A0", analyst="ana")
    assert (
        main(
            [
                "review",
                "export",
                "--log",
                str(tmp_path / "review.sqlite"),
                "--out",
                str(tmp_path / "audit.csv"),
            ]
        )
        == 0
    )
    text = (tmp_path / "audit.csv").read_text()
    assert "needs-follow-up" in text and "'=cmd" in text, (
        "formula cells are neutralised for spreadsheets"
    )
    assert (
        main(
            [
                "review",
                "export",
                "--log",
                str(tmp_path / "nope.sqlite"),
                "--out",
                str(tmp_path / "x.csv"),
            ]
        )
        == 2
    )

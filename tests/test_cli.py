"""The command line a newcomer meets: demo, synth, run, and errors as messages with exit code 2."""

from __future__ import annotations

import pandas as pd

from workbench.cli import main


def test_demo_writes_every_output(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--accounts", "600", "--backend", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "Open the report" in printed and "precision" in printed
    for name in (
        "entities.csv",
        "links.csv",
        "identifiers.csv",
        "entity_summary.csv",
        "clusters.csv",
        "leads.csv",
        "warnings.csv",
        "graph.graphml",
        "report.html",
    ):
        assert (tmp_path / name).exists(), name


def test_synth_then_run_with_a_mapping(tmp_path, capsys):
    assert main(["synth", "--out", str(tmp_path / "w"), "--accounts", "400", "--seed", "3"]) == 0
    accounts = pd.read_csv(tmp_path / "w" / "accounts.csv", dtype=str).rename(
        columns={"text": "ad_body"}
    )
    accounts.to_parquet(tmp_path / "theirs.parquet")
    code = main(
        [
            "run",
            "--accounts",
            str(tmp_path / "theirs.parquet"),
            "--cases",
            str(tmp_path / "w" / "cases.csv"),
            "--out",
            str(tmp_path / "out"),
            "--map",
            "ad_body=text",
            "--no-trends",
            "--backend",
            "cpu",
        ]
    )
    assert code == 0
    assert len(pd.read_csv(tmp_path / "out" / "entities.csv")) == 400


def test_bad_input_is_one_message_and_exit_code_2(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("id,body\n1,hello\n", encoding="utf-8")
    assert main(["run", "--accounts", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "account_id" in err and "Traceback" not in err
    assert main(
        [
            "run",
            "--accounts",
            str(tmp_path / "bad.csv"),
            "--out",
            str(tmp_path / "o"),
            "--map",
            "id=account_id",
            "--map",
            "body=text",
            "--backend",
            "gpu",
        ]
    ) in (0, 2)

"""Incremental watch: batch by batch equals one full watch, reruns add nothing, kills lose nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from workbench import extract, io, watch, watchstate
from workbench.review import ReviewLog


@pytest.fixture(scope="module")
def batches(world):
    accounts = world.accounts.sort_values(["posted_at", "account_id"]).reset_index(drop=True)
    return [
        accounts.iloc[part].reset_index(drop=True)
        for part in np.array_split(np.arange(len(accounts)), 3)
    ]


@pytest.fixture(scope="module")
def watched(world, batches, tmp_path_factory):
    """A state folder after the three batches, and a copy taken after the first two."""
    state = tmp_path_factory.mktemp("state")
    two = tmp_path_factory.mktemp("after_two") / "state"
    written = []
    for k, batch in enumerate(batches):
        if k == 2:
            shutil.copytree(state, two)
        written.append(watchstate.watch_batch(world.cases, batch, state))
    return state, two, written


def _pairs(frame: pd.DataFrame) -> set:
    return set(zip(frame["case_id"], frame["account_id"], strict=True))


def test_batches_equal_one_full_watch(world, watched):
    state, _, written = watched
    loaded = watchstate.load_state(state)
    accounts, cases = io.load_accounts(world.accounts), io.load_cases(world.cases)
    full = watch.find_leads(
        cases, accounts, extract.extract_frame(accounts), loaded.entities, loaded.hubs
    )
    current = watchstate.current_leads(state)
    assert len(full) > 50
    assert _pairs(current) == _pairs(full)
    joined = current.merge(full, on=["case_id", "account_id"], suffixes=("", "_full"))
    # An identifier judged a hub only in a later batch still counts in the leads written
    # before (links and evidence are never taken back): a few scores differ (4% here).
    differ = (joined["score"] - joined["score_full"]).abs()
    assert (differ > 1e-6).mean() <= 0.1
    # Later batches raised some earlier leads (entity evidence) and wrote them again, marked.
    assert sum(int(w["update"].sum()) for w in written) > 0
    assert set(loaded.entities["account_id"]) == set(accounts["account_id"])


def test_batches_close_to_one_big_batch(world, watched, tmp_path):
    """Hubs are found as they grow, so a small first batch can link through an identifier
    that one big batch would call a hub at once; the difference stays small."""
    state, _, _ = watched
    watchstate.watch_batch(world.cases, world.accounts, tmp_path)
    one, three = _pairs(watchstate.current_leads(tmp_path)), _pairs(watchstate.current_leads(state))
    assert len(one ^ three) <= 0.02 * len(one)


def test_rerun_writes_nothing_twice(world, batches, watched):
    state, _, _ = watched
    before = (state / "leads.csv").read_bytes()
    again = watchstate.watch_batch(world.cases, batches[2], state)
    assert again.empty
    assert (state / "leads.csv").read_bytes() == before
    leads = pd.read_csv(state / "leads.csv")
    assert not leads.duplicated(["case_id", "account_id", "batch"]).any()
    # A lead is written again only when its score rose.
    ordered = leads.sort_values("batch")
    assert (ordered.groupby(["case_id", "account_id"])["score"].diff().dropna() > 0).all()


def test_case_added_later_is_matched_against_seen_accounts(world, batches, tmp_path):
    cases = world.cases
    late = cases[cases["kind"] == "subject"]["case_id"].iloc[0]
    for k, batch in enumerate(batches):
        watchstate.watch_batch(
            cases if k == 2 else cases[cases["case_id"] != late], batch, tmp_path
        )
    loaded = watchstate.load_state(tmp_path)
    accounts, all_cases = io.load_accounts(world.accounts), io.load_cases(cases)
    full = watch.find_leads(
        all_cases, accounts, extract.extract_frame(accounts), loaded.entities, loaded.hubs
    )
    got = watchstate.current_leads(tmp_path)
    assert _pairs(full[full["case_id"] == late]) == _pairs(got[got["case_id"] == late])
    assert len(full[full["case_id"] == late]) > 0


def test_dismissed_lead_stays_away_without_new_evidence(world, batches, watched, tmp_path):
    state, _, _ = watched
    current = watchstate.current_leads(state)
    lead = current.iloc[0]
    ReviewLog(tmp_path / "review.sqlite").record(
        "lead",
        f"{lead['case_id']}/{lead['account_id']}",
        "dismissed",
        evidence=lead["reasons"],
        analyst="test",
    )
    for batch in batches:
        watchstate.watch_batch(world.cases, batch, tmp_path)
    assert (lead["case_id"], lead["account_id"]) not in _pairs(pd.read_csv(tmp_path / "leads.csv"))


KILL_POINTS = ["journal", "write:identifiers", "write:entities", "manifest", "leads_csv"]


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_batch_reruns_cleanly(world, batches, watched, tmp_path, point):
    state, two, _ = watched
    killed = tmp_path / "state"
    shutil.copytree(two, killed)
    batch_file = tmp_path / "batch3.csv"
    batches[2].to_csv(batch_file, index=False)
    cases_file = tmp_path / "cases.csv"
    world.cases.to_csv(cases_file, index=False)
    command = [
        sys.executable,
        "-m",
        "workbench.cli",
        "watch",
        "--cases",
        str(cases_file),
        "--accounts",
        str(batch_file),
        "--state",
        str(killed),
    ]
    env = {**os.environ, watchstate.KILL_ENV: point}
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 137, run.stderr
    rerun = subprocess.run(
        command,
        env={k: v for k, v in env.items() if k != watchstate.KILL_ENV},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    expected = pd.read_csv(state / "leads.csv").drop(columns="reasons")
    got = pd.read_csv(killed / "leads.csv").drop(columns="reasons")
    pd.testing.assert_frame_equal(
        got.sort_values(list(got.columns)).reset_index(drop=True),
        expected.sort_values(list(expected.columns)).reset_index(drop=True),
    )
    assert not (killed / "journal.json").exists()
    loaded = watchstate.load_state(killed)
    assert loaded.manifest["seq"] == 3
    assert len(loaded.entities) == len(world.accounts)
    named = {p.relative_to(killed).as_posix() for p in killed.rglob("*.parquet")}
    assert named == watchstate._referenced(loaded.manifest)


def test_cli_bad_input_exits_2(tmp_path, capsys):
    from workbench.cli import main

    missing = tmp_path / "nope.csv"
    assert (
        main(
            [
                "watch",
                "--cases",
                str(missing),
                "--accounts",
                str(missing),
                "--state",
                str(tmp_path / "s"),
            ]
        )
        == 2
    )
    assert "input problem" in capsys.readouterr().err

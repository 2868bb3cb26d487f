"""Hash-list exchange: the shared list reveals no identifier and matches what direct matching finds."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import exchange, extract, io, watch
from workbench.cli import main

KEY = "correct horse battery staple 42"


@pytest.fixture(scope="module")
def shared(world):
    return exchange.export_watchlist(world.cases, KEY)


def test_list_reveals_neither_key_nor_identifiers(world, shared):
    text = shared.to_csv(index=False)
    assert KEY not in text
    entries = watch.build_watchlist(io.load_cases(world.cases))
    secret = entries[entries["kind"].isin(["phone", "email", "handle", "payment"])]["value"]
    assert len(secret) > 50
    assert not any(value in text for value in secret)
    raw = pd.concat(
        [world.cases[c].dropna().str.split(";").explode() for c in ("phones", "emails")]
    )
    raw = raw.str.strip()
    assert not any(value in text for value in raw[raw.str.len() > 5])
    assert not any(case_id in text for case_id in world.cases["case_id"])
    assert shared.loc[0, "kind"] == "key_check" and shared.loc[0, "value"] == exchange.key_check(
        KEY
    )


def test_round_trip_finds_what_direct_matching_finds(world, shared):
    accounts, cases = io.load_accounts(world.accounts), io.load_cases(world.cases)
    # watch matches pHash only; leave PDQ entries out so both sides compare the same evidence.
    leads = exchange.match_watchlist(shared[shared["kind"] != "pdq"], accounts, KEY)
    refs = exchange.case_refs(cases, KEY).set_index("case_ref")["case_id"]
    got = set(zip(leads["case_ref"].map(refs), leads["account_id"], strict=True))
    direct = watch.direct_hits(cases, accounts, extract.extract_frame(accounts), text=False)
    want = set(zip(direct["case_id"], direct["account_id"], strict=True))
    assert len(want) > 100
    assert got == want
    assert leads["reasons"].str.contains(r"\(hashed\) as shared list entry R\d+").any()
    assert (
        leads["reasons"].str.contains(r"same photo as shared list entry R\d+, \d+ bits apart").any()
    )


def test_wrong_key_is_an_input_error(world, shared):
    with pytest.raises(io.InputError, match="key does not match"):
        exchange.match_watchlist(shared, world.accounts.head(10), "another key")


def test_cli_export_and_match(world, tmp_path, capsys):
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    cases, accounts = tmp_path / "cases.csv", tmp_path / "accounts.csv"
    world.cases.to_csv(cases, index=False)
    world.accounts.head(500).to_csv(accounts, index=False)
    listed = tmp_path / "list.csv"
    assert (
        main(
            [
                "watchlist",
                "export",
                "--cases",
                str(cases),
                "--key-file",
                str(key_file),
                "--out",
                str(listed),
            ]
        )
        == 0
    )
    assert KEY not in listed.read_text()
    out = tmp_path / "leads.csv"
    assert (
        main(
            [
                "watchlist",
                "match",
                "--list",
                str(listed),
                "--accounts",
                str(accounts),
                "--key",
                KEY,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert list(pd.read_csv(out).columns[:4]) == ["case_ref", "account_id", "score", "reasons"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert (
        main(
            [
                "watchlist",
                "match",
                "--list",
                str(bad),
                "--accounts",
                str(accounts),
                "--key",
                KEY,
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert (
        main(
            [
                "watchlist",
                "match",
                "--list",
                str(listed),
                "--accounts",
                str(accounts),
                "--key",
                "wrong",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "input problem" in capsys.readouterr().err

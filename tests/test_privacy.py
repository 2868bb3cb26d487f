"""Pseudonymised runs: no phone or email of the world is left in any output, and pseudonyms join."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import workbench
from workbench import cli, extract, io
from workbench.pipeline import RunConfig
from workbench.privacy import PRIVATE_KINDS, pseudonym, pseudonymise_values, redact_text
from workbench.synth import generate_world

KEY = "test key: not a secret"
PSEUDONYM = re.compile(r"\b(?:phone|email|handle|payment|wallet|url):hmac:[0-9a-f]{16}\b")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def world():
    return generate_world(300, seed=21)


@pytest.fixture(scope="module")
def private_run(world, tmp_path_factory):
    out = tmp_path_factory.mktemp("private")
    result = workbench.run(
        world.accounts,
        world.cases,
        out=out,
        backend="cpu",
        config=RunConfig(run_trends=False),
        pseudonymise_key=KEY,
    )
    return result, out


def _secrets(world) -> set[str]:
    """Every phone, email, handle, payment and wallet of the world, as written and normalised."""
    accounts = io.load_accounts(world.accounts)
    found = extract.extract_frame(accounts)
    found = found[found["kind"].isin(PRIVATE_KINDS)]
    secrets = set(found["value"]) | set(found["raw"].str.strip())
    for column in ("phone", "email"):
        secrets |= {
            p.strip()
            for cell in world.accounts[column].dropna()
            for p in str(cell).split(";")
            if p.strip()
        }
    phones = found.loc[found["kind"] == "phone", "value"]
    secrets |= set(phones.str.slice(2))  # national digits of E.164 +1 numbers
    # Handles are checked by their platform-qualified value; a bare short name ("amber")
    # may well be an ordinary word in an ad.
    return {s for s in secrets if len(s) >= 8}


def test_no_identifier_is_left_in_any_output(world, private_run):
    _, out = private_run
    secrets = _secrets(world)
    assert len(secrets) > 100
    files = [p for p in out.iterdir() if p.is_file()]
    assert {
        "identifiers.csv",
        "links.csv",
        "leads.csv",
        "report.html",
        "graph.graphml",
        "hubs.csv",
    } <= {p.name for p in files}
    for path in files:
        content = path.read_text("utf-8", errors="replace")
        lowered = content.lower()
        leaked = sorted(s for s in secrets if s in content or s.lower() in lowered)
        assert not leaked, (path.name, leaked[:5])


def test_pseudonyms_join_across_files(private_run):
    result, out = private_run
    identifiers = pd.read_csv(out / "identifiers.csv", dtype=str, keep_default_na=False)
    private = identifiers[identifiers["kind"].isin(PRIVATE_KINDS)]
    assert len(private) > 50
    assert private["value"].str.fullmatch(PSEUDONYM.pattern.replace(r"\b", "")).all()
    assert (private["raw"] == private["value"]).all()
    known = set(private["value"])
    links = pd.read_csv(out / "links.csv", dtype=str, keep_default_na=False)
    in_links = set(links.loc[links["kind"].isin(PRIVATE_KINDS), "value"])
    assert in_links and in_links <= known
    for column, frame in (
        ("reason", links),
        ("reasons", pd.read_csv(out / "leads.csv", dtype=str, keep_default_na=False)),
    ):
        mentioned = {m for text in frame[column] for m in PSEUDONYM.findall(text)}
        assert mentioned <= known, column
    hubs = pd.read_csv(out / "hubs.csv", dtype=str, keep_default_na=False)
    assert set(hubs.loc[hubs["kind"].isin(PRIVATE_KINDS), "value"]) <= known
    graph = nx.read_graphml(out / "graph.graphml")
    labels = {d["label"] for _, d in graph.nodes(data=True) if d.get("type") in PRIVATE_KINDS}
    assert labels and labels <= known
    page = (out / "report.html").read_text("utf-8")
    assert PSEUDONYM.search(page)
    # The same identifier of the same account has the same pseudonym in the Result and the file.
    assert (
        set(result.identifiers.loc[result.identifiers["kind"].isin(PRIVATE_KINDS), "value"])
        == known
    )


def test_same_key_same_pseudonym_other_key_other(world):
    assert pseudonym("email", "jade@gmail.com", KEY) == pseudonym(
        "email", "jade@gmail.com", KEY.encode()
    )
    assert pseudonym("email", "jade@gmail.com", KEY) != pseudonym(
        "email", "jade@gmail.com", KEY + "!"
    )
    assert pseudonym("email", "x@y.com", KEY) != pseudonym("phone", "x@y.com", KEY)
    values = pseudonymise_values(
        pd.Series(["phone", "image", "phone"]),
        pd.Series(["+17134820193", "00ff00ff00ff00ff", "+17134820193"]),
        KEY,
    )
    assert values[0] == values[2] and values[1] == "00ff00ff00ff00ff", (
        "photo hashes stay: they are matched, not read"
    )


def test_every_occurrence_in_text_is_redacted():
    text = "Call 713 482 0193 or text 713-482-0193 (7one3 482 0193), jade [at] gmail [dot] com, cashapp $JadeB22"
    redacted = redact_text(text, KEY)
    plain = PSEUDONYM.sub("", redacted)
    assert not re.search(r"\d", plain) and "gmail" not in plain and "JadeB22" not in plain
    assert redacted.count(pseudonym("phone", "+17134820193", KEY)) == 3


def test_command_line_flag_and_environment(world, tmp_path, monkeypatch, capsys):
    accounts = tmp_path / "accounts.csv"
    world.accounts.head(60).to_csv(accounts, index=False)
    for name, extra in (("flag", ["--pseudonymise", KEY]), ("env", [])):
        if not extra:
            monkeypatch.setenv("WORKBENCH_PSEUDONYMISE_KEY", KEY)
        code = cli.main(
            [
                "run",
                "--accounts",
                str(accounts),
                "--out",
                str(tmp_path / name),
                "--no-trends",
                *extra,
            ]
        )
        assert code == 0
        identifiers = pd.read_csv(tmp_path / name / "identifiers.csv", dtype=str)
        phones = identifiers.loc[identifiers["kind"] == "phone", "value"]
        assert len(phones) and phones.str.startswith("phone:hmac:").all()
    printed = capsys.readouterr()
    assert KEY not in printed.out + printed.err, "the key is never printed"
    flag, env = (pd.read_csv(tmp_path / n / "identifiers.csv", dtype=str) for n in ("flag", "env"))
    pd.testing.assert_frame_equal(flag, env)


def test_no_log_call_formats_identifier_values():
    """Log lines carry counts and timings, never identifier values or ad text."""
    suspicious = re.compile(
        r"log(?:ger)?\.\w+\([^)]*(?:\bvalue\b|\braw\b|\btext\b|\bphone\b|\bemail\b|reasons?\b)"
    )
    hits = []
    for path in (ROOT / "workbench").rglob("*.py"):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if re.search(
                r"\blog(?:ger)?\.(debug|info|warning|error|exception|critical)\(", line
            ) and suspicious.search(line):
                hits.append(f"{path.name}:{number}: {line.strip()}")
    assert not hits, hits

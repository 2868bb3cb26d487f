"""Tests of the synthetic world generator: determinism, columns, truth, traps, validity."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from workbench.schema import ACCOUNT_COLUMNS, CASE_COLUMNS, TRUTH_COLUMNS, names
from workbench.synth import SynthConfig, generate_world, write_world


@pytest.fixture(scope="module")
def world():
    return generate_world(5000, seed=3)


def _digest(paths):
    return {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()}


def test_same_seed_same_bytes(tmp_path):
    a = _digest(write_world(generate_world(1500, seed=11), tmp_path / "a"))
    b = _digest(write_world(generate_world(1500, seed=11), tmp_path / "b"))
    c = _digest(write_world(generate_world(1500, seed=12), tmp_path / "c"))
    assert a == b
    assert a["accounts"] != c["accounts"]


def test_same_bytes_across_processes(tmp_path):
    """No dependence on Python's per-process string hashing."""
    code = "import sys; from workbench.synth import generate_world, write_world; write_world(generate_world(800, seed=4), sys.argv[1])"
    digests = []
    for hashseed in ("1", "2"):
        out = tmp_path / hashseed
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env)
        digests.append(_digest({k: out / f"{k}.csv" for k in ("accounts", "cases", "truth")}))
    assert digests[0] == digests[1]


def test_columns(world):
    assert list(world.accounts.columns) == names(ACCOUNT_COLUMNS)
    assert list(world.cases.columns) == names(CASE_COLUMNS)
    assert list(world.truth.columns[:4]) == list(TRUTH_COLUMNS)
    assert world.accounts["account_id"].is_unique and world.cases["case_id"].is_unique
    assert (world.accounts["account_id"] == world.truth["account_id"]).all()
    hashes = world.accounts["image_hashes"].str.split(";").explode()
    hashes = hashes[hashes != ""]
    assert hashes.str.fullmatch(r"[0-9a-f]{16}").all()
    pdq = world.accounts["pdq_hashes"][world.accounts["pdq_hashes"] != ""].str.split(";").explode()
    assert 0 < len(pdq) and pdq.str.fullmatch(r"[0-9a-f]{64}").all()
    assert pd.to_datetime(world.accounts["posted_at"]).is_monotonic_increasing


def test_csv_round_trip(world, tmp_path):
    paths = write_world(world, tmp_path)
    back = pd.read_csv(paths["accounts"], dtype=str, keep_default_na=False)
    assert len(back) == len(world.accounts)
    assert back["text"].tolist() == world.accounts["text"].tolist()


def test_truth_consistency(world):
    truth, cases = world.truth, world.cases
    assert truth["operator_id"].ne("").all()
    res = truth[truth["resurfaced"]]
    assert len(res) > 0
    assert (res["role"] == "operator").all() and res["case_id"].ne("").all()
    assert set(res["signal"]) <= {"photo", "template", "handle", "email"}
    assert "template" in set(res["signal"])
    assert set(truth.loc[truth["case_id"] != "", "case_id"]) <= set(cases["case_id"])
    # one operator has one case at most, and independents have none
    per_op = truth[truth["case_id"] != ""].groupby("operator_id")["case_id"].nunique()
    assert (per_op == 1).all()
    assert truth.loc[truth["role"] == "independent", "case_id"].eq("").all()
    # a resurfaced account never shows a phone the case file lists
    case_phones = {}
    for cid, phones, _notes in cases[["case_id", "phones", "notes"]].itertuples(index=False):
        nums = set()
        for raw in phones.split(";") if phones else []:
            nums.add(_e164(raw))
        case_phones[cid] = nums
    for cid, phones in res[["case_id", "phones"]].itertuples(index=False):
        assert not (set(phones.split(";")) & case_phones[cid])
    missing = truth[truth["missing_case_id"] != ""]
    assert set(missing["missing_case_id"]) <= set(cases.loc[cases["kind"] == "missing", "case_id"])
    assert (
        (cases.loc[cases["kind"] == "missing", ["phones", "emails", "handles"]] == "").all().all()
    )


def _e164(raw: str) -> str:
    for region in ("US", "GB", "MX", "CA"):
        try:
            num = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(num):
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    raise AssertionError(f"invalid phone {raw!r}")


def test_every_phone_valid(world):
    truth_phones = world.truth["phones"].str.split(";").explode()
    truth_phones = truth_phones[truth_phones != ""]
    assert len(truth_phones) > 1000
    for p in set(truth_phones) | set(world.info["hub_phones"]):
        assert phonenumbers.is_valid_number(phonenumbers.parse(p)), p
    for raw in world.cases["phones"].str.split(";").explode():
        if raw:
            _e164(raw)
    col = world.accounts["phone"][world.accounts["phone"] != ""]
    for raw in col:
        _e164(raw)
    countries = {p[:3] for p in truth_phones}
    assert {"+1", "+44", "+52"} <= {
        c[:3] if c.startswith("+1") is False else "+1" for c in countries
    }


def test_hub_footer_spans_operators_and_cities(world):
    hub = world.info["hub_emails"][0]
    has = world.accounts["text"].str.contains(hub, regex=False)
    owners = world.truth.loc[has, "operator_id"].nunique()
    assert owners > 100
    assert world.accounts.loc[has, "city"].nunique() > 20


def test_traps_present(world):
    text = world.accounts["text"]
    assert text.str.contains("123-456-7890|555-0123|555-0199", regex=True).sum() > 10
    assert text.str.contains(r"\d{2}-\d{2}-\d{2}\b", regex=True).sum() > 50
    assert text.str.contains("\ufe0f\u20e3", regex=False).sum() > 5  # keycap digits
    assert text.str.contains("[\uff10-\uff19]", regex=True).sum() > 5  # full-width digits
    assert text.str.contains(r" at \w+ dot | ?\[at\] ?", regex=True).sum() > 5
    stock = set(world.info["stock_hashes"])
    hashes = world.accounts["image_hashes"].str.split(";").explode()
    owners = world.truth.loc[hashes.index[hashes.isin(stock)], "operator_id"].nunique()
    assert owners > 20  # a photo hub: stock photos on many unrelated accounts


def test_operator_accounts_are_chained(world):
    """Every operator's accounts form one connected piece through shared evidence."""
    acc, truth = world.accounts, world.truth
    ops = truth["role"] == "operator"
    rows, vals = [], []
    for col in ("phones", "emails", "handles", "payments"):
        s = truth.loc[ops, col].str.split(";").explode()
        s = s[s != ""]
        rows.append(s.index.to_numpy())
        vals.append((col + ":" + s).to_numpy())
    hashes = acc.loc[ops, "image_hashes"].str.split(";").explode()
    hashes = hashes[hashes != ""]
    stock = np.array([int(h, 16) for h in world.info["stock_hashes"]], dtype=np.uint64)
    values = np.array([int(h, 16) for h in hashes], dtype=np.uint64)
    uniq = np.unique(values)
    # photos within 10 bits are one photo: brute-force Hamming distances (a few thousand hashes)
    near = np.bitwise_count(uniq[:, None] ^ uniq[None, :]) <= 10
    _, photo = connected_components(coo_matrix(near), directed=False)
    is_stock = (np.bitwise_count(uniq[:, None] ^ stock[None, :]) <= 10).any(axis=1)
    label = np.where(
        is_stock[np.searchsorted(uniq, values)],
        "stock",
        "photo" + pd.Series(photo[np.searchsorted(uniq, values)]).astype(str),
    )
    rows.append(hashes.index.to_numpy())
    vals.append(label)
    templ = truth["evidence"].str.contains("template") & ops
    rows.append(np.flatnonzero(templ.to_numpy()))
    vals.append(("tpl:" + truth.loc[templ, "operator_id"]).to_numpy())
    rows, vals = np.concatenate(rows), np.concatenate(vals)
    keep = vals != "stock"  # stock photos are not evidence
    codes, uniq = pd.factorize(vals[keep])
    n = len(acc)
    g = coo_matrix(
        (np.ones(keep.sum()), (rows[keep], n + codes)), shape=(n + len(uniq), n + len(uniq))
    )
    _, label = connected_components(g, directed=False)
    per_op = (
        pd.Series(label[:n][ops.to_numpy()])
        .groupby(truth.loc[ops, "operator_id"].to_numpy())
        .nunique()
    )
    assert (per_op == 1).mean() > 0.98, per_op[per_op > 1]


def test_config_knobs():
    w = generate_world(2000, seed=5, config=SynthConfig(operator_share=0.3, n_missing=6))
    share = (w.truth["role"] == "operator").mean()
    assert 0.25 < share < 0.35
    assert (w.cases["kind"] == "missing").sum() == 6


def test_tiny_worlds():
    for n in (1, 2, 10):
        w = generate_world(n, seed=0)
        assert len(w.accounts) == n and len(w.truth) == n


@pytest.mark.slow
def test_20k_world_size_and_time():
    t = time.perf_counter()
    w = generate_world(20_000, seed=1)
    assert time.perf_counter() - t < 60
    assert len(w.accounts) == 20_000
    sizes = w.truth.loc[w.truth["role"] == "operator", "operator_id"].value_counts()
    assert sizes.max() >= 50 and sizes.min() >= 3

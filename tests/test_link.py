"""Linking: weights estimated from the data, hubs judged by it, groups merged on group evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import evaluate, extract, io, link
from workbench.link.compare import context_levels
from workbench.pipeline import account_photo_groups, text_evidence
from workbench.synth import generate_world
from workbench.textsim import pairs_within_groups


def _accounts(n, cities=None):
    return pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(n)],
            "city": cities or [f"city{i % 7}" for i in range(n)],
            "platform": [f"site{i % 3}" for i in range(n)],
        }
    )


def _ids(rows):
    return pd.DataFrame(rows, columns=["account_id", "kind", "value"])


def _strong_pairs(groups):
    """Identifier rows chaining each group of account numbers: neighbours share a phone."""
    rows = []
    for g, members in enumerate(groups):
        members = list(members)
        for k, (i, j) in enumerate(zip(members, members[1:], strict=False)):
            phone = f"+1713{g:03d}{k:04d}"
            rows += [(f"a{i}", "phone", phone), (f"a{j}", "phone", phone)]
    return rows


@pytest.fixture(scope="module")
def linked():
    """Two synth worlds (2k and 8k accounts) linked as ``run`` links them, with their truth."""
    out = {}
    for n in (2000, 8000):
        world = generate_world(n, seed=21)
        accounts = io.load_accounts(world.accounts)
        identifiers = extract.extract_frame(accounts)
        config = link.LinkConfig()
        _, members = account_photo_groups(accounts, config)
        pairs, signatures = text_evidence(accounts, config)
        linkage = link.link_accounts(
            accounts,
            identifiers,
            config,
            photo_groups=members,
            text_pairs=pairs,
            text_signatures=signatures,
        )
        out[n] = (world, accounts, linkage)
    return out


def test_quality_holds_as_the_world_grows(linked):
    scores = {
        n: evaluate.entity_scores(linkage.entities, world.truth)
        for n, (world, _, linkage) in linked.items()
    }
    for n, s in scores.items():
        assert s["precision"] >= 0.97 and s["f1"] >= 0.93, (n, evaluate.format_scores(s))
    assert scores[8000]["f1"] >= scores[2000]["f1"] - 0.02, (
        "chance pairs grow with n^2; quality must not fall"
    )


def test_weights_are_estimated_from_the_data(linked):
    """m estimated by EM is close to the share measured on the true operators' pairs."""
    world, accounts, linkage = linked[8000]
    op = (
        world.truth.set_index("account_id")["operator_id"]
        .reindex(accounts["account_id"])
        .to_numpy()
    )
    codes, sizes = pd.factorize(op)[0], None
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    i, j = pairs_within_groups(order, sizes[sizes > 0])
    city, time = context_levels(accounts, i, j)
    true_city_same = float((city == 1).sum() / max((city > 0).sum(), 1))
    m = linkage.weights.m["city"]
    assert abs(m[1] / (m[1] + m[2]) - true_city_same) < 0.1
    table = linkage.weights.table()
    assert set(table["comparison"]) >= {
        "phone",
        "email",
        "handle",
        "xhandle",
        "photo",
        "text",
        "city",
        "time",
    }
    assert np.isfinite(table["weight_bits"]).all()


def test_hubs_are_judged_by_the_data(linked):
    world, accounts, linkage = linked[8000]
    assert set(world.info["hub_phones"]) <= set(linkage.hubs["value"])
    assert {"n_accounts", "n_entities", "weight_bits", "reason"} <= set(linkage.hubs.columns)
    # an operator's own phone on many of its ads is (almost never) a hub, however many ads carry it
    truth = world.truth.set_index("account_id")["operator_id"]
    ids = extract.extract_frame(accounts)
    phones = ids[ids["kind"] == "phone"].assign(
        op=lambda f: truth.reindex(f["account_id"]).to_numpy()
    )
    per = phones.groupby("value").agg(n=("account_id", "nunique"), ops=("op", "nunique"))
    own = per[(per["ops"] == 1) & (per["n"] >= 6)].index
    # measured: 1 of 192 (an operator posting one phone in 5 cities with 5 unrelated texts)
    assert len(own) and len(set(own) & set(linkage.hubs["value"])) <= 0.02 * len(own)


def test_every_link_carries_its_waterfall(linked):
    _, _, linkage = linked[2000]
    links = linkage.links
    assert links["reason"].str.contains("match probability").all()
    parts = links.filter(like="w_").sum(axis=1)
    prior = np.log2(linkage.weights.prior / (1 - linkage.weights.prior))
    assert np.allclose(parts + prior, links["log_odds"], atol=0.1)
    assert links["weight"].between(0, 1).all()


def test_one_look_alike_pair_does_not_merge_two_groups():
    """Two operators of six accounts each, linked inside by their phones; one pair of similar
    ads between them must not merge them, many similar pairs between them do."""
    from workbench.link.resolve import cluster

    i = np.r_[np.arange(5), np.arange(6, 11), 0]
    j = np.r_[np.arange(1, 6), np.arange(7, 12), 6]
    odds = np.r_[np.full(10, 15.0), 3.0]
    labels = cluster(12, i, j, odds, merge_bits=2.0, strong_bits=6.0, small_group=2)
    assert labels[0] != labels[6]
    many_i, many_j = np.r_[i, np.arange(1, 6)], np.r_[j, np.arange(7, 12)]
    labels = cluster(
        12,
        many_i,
        many_j,
        np.r_[odds, np.full(5, 3.0)],
        merge_bits=2.0,
        strong_bits=6.0,
        small_group=2,
    )
    assert labels[0] == labels[6]


def test_same_links_as_pandas_reference_on_a_world():
    """The integer-coded evidence path gives the entities and hubs of a plain pandas reading."""
    from workbench.schema import STRONG_KINDS

    world = generate_world(1500, seed=5)
    accounts = io.load_accounts(world.accounts)
    identifiers = extract.extract_frame(accounts)
    evidence = link.identifier_evidence(identifiers)
    expected = identifiers.loc[
        identifiers["kind"].isin(STRONG_KINDS), ["account_id", "kind", "value"]
    ]
    assert evidence.equals(expected.drop_duplicates().reset_index(drop=True))
    result = link.link_accounts(accounts, identifiers)
    assert result.entities["entity_id"].str.match(r"^E\d{5}$").all()
    first = result.entities.drop_duplicates("entity_id")["entity_id"]
    assert first.tolist() == sorted(first), "entities are numbered by their first account"


def test_pdq_groups_add_only_photos_phash_missed():
    import dataclasses

    from workbench.pipeline import account_photo_groups

    pdq_a, pdq_c = "f" * 64, "0f" * 32
    near = lambda h: h[:-1] + ("e" if h[-1] == "f" else "1")  # noqa: E731 - one bit away
    accounts = pd.DataFrame(
        {
            "account_id": ["A", "B", "C", "D"],
            "city": "X",
            "posted_at": pd.Timestamp("2024-01-01"),
            # A and B: pHashes far apart (a crop, say) but PDQ near; C and D: both near
            "image_hashes": [
                "00000000000000ff",
                "ffffffff00000000",
                "0123456789abcdef",
                "0123456789abcdee",
            ],
            "pdq_hashes": [pdq_a, near(pdq_a), pdq_c, near(pdq_c)],
        }
    )
    config = dataclasses.replace(link.LinkConfig(), use_pdq=True)
    groups, members = account_photo_groups(accounts, config)
    by_rep = members.groupby("rep")["account_id"].apply(sorted)
    assert sorted((rep.startswith("pdq:"), accs) for rep, accs in by_rep.items()) == [
        (False, ["C", "D"]),
        (True, ["A", "B"]),
    ]
    assert groups["group_id"].is_unique and len(groups) == 2
    plain, _ = account_photo_groups(accounts, link.LinkConfig())  # off by default
    assert len(plain) == 1

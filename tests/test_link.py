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


def _strong_pairs(groups):
    """Identifier rows chaining each group of account numbers: neighbours share a phone."""
    rows = []
    for g, members in enumerate(groups):
        members = list(members)
        for k, (i, j) in enumerate(zip(members, members[1:], strict=False)):
            phone = f"+1713{g:03d}{k:04d}"
            rows += [(f"a{i}", "phone", phone), (f"a{j}", "phone", phone)]
    return rows


def test_lone_ad_joins_the_one_group_its_template_points_to():
    accounts = _accounts(10)
    rows = _ids(_strong_pairs([[0, 1, 2], [3, 4, 5]]))
    # a8 shares no identifier but its ad text is similar (0.42) to two ads of group 0
    pairs = pd.DataFrame({"src": ["a8", "a8"], "dst": ["a0", "a1"], "similarity": [0.42, 0.41]})
    result = link.link_accounts(accounts, rows, text_pairs=pairs)
    ent = result.entities.set_index("account_id")["entity_id"]
    assert ent["a8"] == ent["a0"]
    assert result.links.loc[result.links["kind"] == "text", "used"].all()
    # pointing at two groups, it stays alone; below the threshold it stays alone
    two = pd.DataFrame({"src": ["a8", "a8"], "dst": ["a0", "a3"], "similarity": [0.42, 0.42]})
    ent = link.link_accounts(accounts, rows, text_pairs=two).entities.set_index("account_id")["entity_id"]
    assert ent["a8"] not in (ent["a0"], ent["a3"])
    low = pairs.assign(similarity=[0.35, 0.35])
    ent = link.link_accounts(accounts, rows, text_pairs=low).entities.set_index("account_id")["entity_id"]
    assert ent["a8"] != ent["a0"]


def test_text_alone_between_big_groups_needs_density():
    accounts = _accounts(30)
    rows = _ids(_strong_pairs([range(0, 12), range(12, 24)]))
    # two similar pairs out of 144 possible: a look-alike template, not one operator
    pairs = pd.DataFrame({"src": ["a0", "a1"], "dst": ["a12", "a13"], "similarity": [0.5, 0.5]})
    ent = link.link_accounts(accounts, rows, text_pairs=pairs).entities.set_index("account_id")["entity_id"]
    assert ent["a0"] != ent["a12"]
    # the same two pairs merge small groups, and a shared photo counts as well
    ent = link.link_accounts(accounts, rows, link.LinkConfig(weak_min_density=0.0),
                             text_pairs=pairs).entities.set_index("account_id")["entity_id"]
    assert ent["a0"] == ent["a12"]
    photo = pd.DataFrame({"account_id": ["a2", "a14"], "group_id": ["g1", "g1"], "rep": ["ffff0000ffff0000"] * 2})
    ent = link.link_accounts(accounts, rows, text_pairs=pairs, photo_groups=photo).entities.set_index("account_id")["entity_id"]
    assert ent["a0"] == ent["a12"]


def test_site_footer_does_not_vouch_for_a_false_identifier():
    """'cash app --- Posted on <site>' read as cashtag $posted on ads of unrelated operators,
    all of which carry the site's footer number: the footer must not make them look related."""
    n = 2000
    accounts = _accounts(n)
    rows = [(f"a{i}", "phone", "+18885550100") for i in range(0, n, 5)]  # footer on 400 ads (20%)
    rows += _strong_pairs([[i, i + 1] for i in range(0, 80, 10)])  # 8 operators of 2 ads
    rows += [(f"a{i}", "payment", "cashapp:$posted") for i in range(0, 80, 10)]  # one ad of each
    result = link.link_accounts(accounts, _ids(rows))
    assert "cashapp:$posted" in set(result.hubs["value"])
    ent = result.entities.set_index("account_id")["entity_id"]
    assert ent["a0"] == ent["a1"] and ent["a0"] != ent["a10"]


def test_same_links_as_pandas_reference_on_a_world():
    """The integer-coded evidence path gives the entities and hubs of a plain pandas reading."""
    from workbench import extract, io
    from workbench.synth import generate_world

    world = generate_world(1500, seed=5)
    accounts = io.load_accounts(world.accounts)
    identifiers = extract.extract_frame(accounts)
    evidence = link.identifier_evidence(identifiers)
    expected = identifiers.loc[identifiers["kind"].isin(link.STRONG_KINDS), ["account_id", "kind", "value"]]
    assert evidence.equals(expected.drop_duplicates().reset_index(drop=True))
    hubs = link.find_hubs(evidence, accounts, link.LinkConfig())
    result = link.link_accounts(accounts, identifiers)
    assert set(result.hubs["value"]) <= set(hubs["value"])
    assert result.entities["entity_id"].str.match(r"^E\d{5}$").all()
    first = result.entities.drop_duplicates("entity_id")["entity_id"]
    assert first.tolist() == sorted(first), "entities are numbered by their first account"


def test_pdq_groups_add_only_photos_phash_missed():
    import dataclasses

    from workbench.pipeline import account_photo_groups

    pdq_a, pdq_c = "f" * 64, "0f" * 32
    near = lambda h: h[:-1] + ("e" if h[-1] == "f" else "1")  # noqa: E731 - one bit away
    accounts = pd.DataFrame({
        "account_id": ["A", "B", "C", "D"], "city": "X", "posted_at": pd.Timestamp("2024-01-01"),
        # A and B: pHashes far apart (a crop, say) but PDQ near; C and D: both near
        "image_hashes": ["00000000000000ff", "ffffffff00000000", "0123456789abcdef", "0123456789abcdee"],
        "pdq_hashes": [pdq_a, near(pdq_a), pdq_c, near(pdq_c)]})
    config = dataclasses.replace(link.LinkConfig(), use_pdq=True)
    groups, members = account_photo_groups(accounts, config)
    by_rep = members.groupby("rep")["account_id"].apply(sorted)
    assert sorted((rep.startswith("pdq:"), accs) for rep, accs in by_rep.items()) == [(False, ["C", "D"]), (True, ["A", "B"])]
    assert groups["group_id"].is_unique and len(groups) == 2
    plain, _ = account_photo_groups(accounts, link.LinkConfig())  # off by default
    assert len(plain) == 1

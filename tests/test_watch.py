"""Watch: leads from identifiers, photos (pHash and PDQ), templates and entities, with reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import evaluate, extract, io, watch


def _flip(hex_hash: str, n: int) -> str:
    bits = int(hex_hash, 16)
    for i in range(n):
        bits ^= 1 << (i * 7 % (len(hex_hash) * 4))
    return f"{bits:0{len(hex_hash)}x}"


def test_leads_by_signal_with_reasons():
    rng = np.random.default_rng(0)
    phash = f"{int(rng.integers(0, 2**63)):016x}"
    pdq = "".join(f"{int(v):016x}" for v in rng.integers(0, 2**63, 4))
    child = f"{int(rng.integers(0, 2**63)):016x}"
    template = (
        "Hey gentlemen, sweet Jade here visiting for a few days only, upscale and discreet, "
        "incall near the airport, no rush, real pics, text me to book your time"
    )
    accounts = io.load_accounts(
        pd.DataFrame(
            {
                "account_id": ["a1", "a2", "a3", "a4", "a5", "a6"],
                "text": [
                    "call seven one three 482 0one93",
                    "new girl in town",
                    template.replace("Jade", "Jada"),
                    "just a regular ad",
                    "hi",
                    "sweet ad, same phone as a2: 832-555-0142",
                ],
                "phone": [None, "8325550142", None, None, None, None],
                "image_hashes": [None, _flip(phash, 3), None, None, _flip(child, 2), None],
                "pdq_hashes": [None, None, None, _flip(pdq, 20), None, None],
            }
        )
    )
    cases = io.load_cases(
        pd.DataFrame(
            {
                "case_id": ["C1", "M1"],
                "kind": ["subject", "missing"],
                "phones": ["(713) 482-0193", None],
                "image_hashes": [phash, child],
                "pdq_hashes": [pdq, None],
                "notes": ['Sample ad: "' + template + '"', None],
            }
        )
    )
    identifiers = extract.extract_frame(accounts)
    entities = pd.DataFrame(
        {"account_id": accounts["account_id"], "entity_id": ["E1", "E2", "E3", "E4", "E5", "E2"]}
    )
    leads = watch.find_leads(
        cases, accounts, identifiers, entities, config=watch.WatchConfig(min_lead_score=0.3)
    )
    by = leads.set_index("account_id")
    assert leads.iloc[0]["case_kind"] == "missing", "missing-child matches come first"
    assert "missing-child case M1, 2 bits apart" in by.loc["a5", "reasons"]
    assert "same phone +17134820193 as case C1" in by.loc["a1", "reasons"]
    assert "same photo as case C1, 3 bits apart" in by.loc["a2", "reasons"]
    assert "of 256 (PDQ) apart" in by.loc["a4", "reasons"]
    assert "similar to the sample ad" in by.loc["a3", "reasons"]
    assert "same entity as account a2" in by.loc["a6", "reasons"]
    assert leads["score"].between(0, 1).all()


def test_world_lead_quality(world, world_run):
    result, _ = world_run
    scores = evaluate.lead_scores(result.leads, world.truth)
    assert (
        scores["lead_precision"] >= 0.9
        and scores["resurfaced_recall"] >= 0.9
        and scores["map"] >= 0.9
    ), scores


def test_cases_with_no_hit_give_empty_leads_not_an_error():
    """A case whose phone, photos and notes match no ad: an empty lead table with its columns
    (pandas 3 string columns once broke the reason text on empty merges)."""
    import pandas as pd

    from workbench import extract, io, link, watch

    cases = io.load_cases(
        pd.DataFrame(
            {
                "case_id": ["C1", "C2"],
                "phones": ["713 482 0193", ""],
                "notes": [
                    "",
                    "Sweet new girl in town, call now, available all night, upscale only",
                ],
            }
        )
    )
    accounts = io.load_accounts(
        pd.DataFrame(
            {
                "account_id": ["a1", "a2"],
                "text": ["call 212 555 0100 now", "quiet room for rent near the park"],
            }
        )
    )
    identifiers = extract.extract_frame(accounts)
    linkage = link.link_accounts(accounts, identifiers)
    leads = watch.find_leads(cases, accounts, identifiers, linkage.entities, linkage.hubs)
    assert leads.empty and {"case_id", "account_id", "score", "reasons"} <= set(leads.columns)
    assert watch.direct_hits(cases, accounts, identifiers, linkage.hubs).empty

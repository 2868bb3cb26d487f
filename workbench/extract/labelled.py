"""Scoring the extractor on a labelled set of ad texts (JSON Lines, one case a line).

Owns the case format and the counting; the cases themselves live with the tests
(``tests/extract_cases/cases.jsonl``) and the benchmark prints the tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .core import extract_identifiers

KINDS = {"phone": "phones", "email": "emails", "handle": "handles"}


def load_cases(path: str | Path) -> pd.DataFrame:
    """The cases of a JSON Lines file: id, cls, lang, region, text, phones, emails, handles.

    ``phones``, ``emails`` and ``handles`` are lists of normalised values: everything of
    that kind the text holds (an empty list says it holds none).
    """
    with open(path, encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return pd.DataFrame(rows)


def score_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per (case, kind): tp, fp, fn and what was missed or wrongly found.

    Examples
    --------
    >>> cases = pd.DataFrame([{"id": "a", "cls": "plain", "lang": "en", "region": "US",
    ...     "text": "call 713 482 0193", "phones": ["+17134820193"], "emails": [], "handles": []}])
    >>> score_cases(cases)[["kind", "tp", "fp", "fn"]].values.tolist()
    [['phone', 1, 0, 0], ['email', 0, 0, 0], ['handle', 0, 0, 0]]
    """
    rows = []
    for case in cases.itertuples(index=False):  # a labelled set: a few hundred texts
        found = extract_identifiers(case.text, region=case.region)
        for kind, column in KINDS.items():
            want = set(getattr(case, column))
            got = {i.value for i in found if i.kind == kind}
            rows.append(
                {
                    "id": case.id,
                    "cls": case.cls,
                    "lang": case.lang,
                    "region": case.region,
                    "kind": kind,
                    "tp": len(want & got),
                    "fp": len(got - want),
                    "fn": len(want - got),
                    "missed": sorted(want - got),
                    "wrong": sorted(got - want),
                }
            )
    return pd.DataFrame(rows)


def summarise(scored: pd.DataFrame, by: str | list[str] = "kind") -> pd.DataFrame:
    """Precision and recall (and the counts) per group of ``scored`` rows.

    Groups with nothing expected and nothing found are left out.
    """
    sums = scored.groupby(by)[["tp", "fp", "fn"]].sum()
    sums = sums[(sums["tp"] + sums["fp"] + sums["fn"]) > 0]
    found, want = sums["tp"] + sums["fp"], sums["tp"] + sums["fn"]
    sums["precision"] = (sums["tp"] / found.where(found > 0)).fillna(1.0).round(3)
    sums["recall"] = (sums["tp"] / want.where(want > 0)).fillna(1.0).round(3)
    return sums

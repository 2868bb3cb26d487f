"""The known-case table of a synthetic world: subjects (operators), decoys and missing children.

A subject case lists what investigators knew before the operator switched
phones: older phones, emails, handles, photo hashes and a sample ad in notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.synth import text as T
from workbench.synth import vocab as V
from workbench.synth.contacts import HANDLE_PLATFORMS
from workbench.synth.phones import render_phone
from workbench.synth.photos import flip_bits, pdq_hex, random_hashes, to_hex

_PHONE_FORMS = ("intl", "dash", "paren", "compact", "dot")
_HANDLE_FORMS = ("{p}:{u}", "@{u}", "{P} {u}", "{p}:{u}")


def assign_case_ids(
    rng: np.random.Generator, case_op: np.ndarray, n_decoy: int
) -> tuple[np.ndarray, list[str]]:
    """Case ids for case operators (shuffled) and for the decoy cases.

    >>> ids, decoys = assign_case_ids(np.random.default_rng(0), np.array([True, False]), 1)
    >>> sorted([ids[0]] + decoys), ids[1]
    (['C0001', 'C0002'], '')
    """
    n_case = int(case_op.sum())
    perm = rng.permutation(n_case + n_decoy) + 1
    labels = np.array([f"C{i:04d}" for i in perm.tolist()], dtype=object)
    op_case = np.full(len(case_op), "", dtype=object)
    op_case[np.flatnonzero(case_op)] = labels[:n_case]
    return op_case, labels[n_case:].tolist()


def _handles(rng: np.random.Generator, users: list[str], plats: list[str]) -> str:
    forms = rng.integers(0, len(_HANDLE_FORMS), len(users)).tolist()
    return ";".join(
        _HANDLE_FORMS[f].format(p=p, P=p.upper()[:2] if p == "instagram" else p, u=u)
        for u, p, f in zip(users, plats, forms, strict=True)
    )


def build_cases(
    d,
    seed: int,
    op_case: np.ndarray,
    decoy_ids: list[str],
    texts_by_row: list[str],
    hashes: np.ndarray,
) -> pd.DataFrame:
    """One row per case: subjects of case operators, decoy subjects, missing children."""
    rng = np.random.default_rng([seed, 2])
    rows = []
    nat, reg = d.phone_nat, d.phone_region
    for o in np.flatnonzero(d.case_op).tolist():  # bounded: a small share of operators
        mine = np.flatnonzero(d.row_op == o)
        before = mine[~d.resurfaced[mine]]
        shared = np.arange(d.ops.shared_start[o], d.ops.shared_start[o] + d.ops.shared_len[o])
        ph = np.unique(np.concatenate([d.row_phone[before], shared]))
        ph = ph[ph >= 0]
        forms = rng.integers(0, len(_PHONE_FORMS), len(ph)).tolist()
        phone_txt = [
            render_phone(nat[p], reg[p], _PHONE_FORMS[f], int(rng.integers(1 << 30)))
            for p, f in zip(ph.tolist(), forms, strict=True)
        ]
        note_phone = ""
        if len(phone_txt) > 1 and rng.random() < 0.3:
            note_phone = phone_txt.pop()
        pers = np.arange(d.ops.pers_start[o], d.ops.pers_start[o] + d.ops.pers_len[o])
        alias = list(dict.fromkeys(V.NAMES[i] for i in d.pers_name[pers].tolist()))
        users = [d.pers_handle[p] for p in pers.tolist() if d.pers_handle[p]]
        plats = [HANDLE_PLATFORMS[d.pers_handle_plat[p]] for p in pers.tolist() if d.pers_handle[p]]
        photo_ids = np.concatenate(
            [
                np.arange(d.pers_photo_start[p], d.pers_photo_start[p] + d.pers_nphoto[p])
                for p in pers.tolist()
            ]
        )[:40]
        noisy = flip_bits(rng, hashes[photo_ids], rng.integers(0, 4, len(photo_ids)))
        pdq = ";".join(pdq_hex(rng, photo_ids, seed)) if rng.random() < 0.5 else ""
        sample_rows = before[np.argsort(d.t[before])] if len(before) else mine
        sample = texts_by_row[int(sample_rows[0])].replace("\n", " ")
        seen, counts = np.unique(d.city[before if len(before) else mine], return_counts=True)
        cities = [V.CITIES[c][0] for c in seen[np.argsort(-counts, kind="stable")].tolist()]
        who = "one woman" if len(alias) == 1 else f"{len(alias)} women"
        notes = f"Subject believed to run {who} across {', '.join(cities[:6])}. "
        if note_phone:
            notes += f"Also used {note_phone}. "
        notes += f'Sample ad: "{sample[:600]}"'
        rows.append(
            (
                op_case[o],
                "subject",
                ";".join(alias[:5]),
                ";".join(phone_txt),
                d.op_email[o],
                _handles(rng, users, plats),
                ";".join(to_hex(noisy)),
                pdq,
                notes,
            )
        )
    pool = T.sentence_pool(rng, 200)
    for k, cid in enumerate(decoy_ids):  # bounded: decoys are a share of cases
        ph = np.arange(d.decoy_phone_start[k], d.decoy_phone_start[k] + d.decoy_phone_len[k])
        phone_txt = [
            render_phone(nat[p], reg[p], _PHONE_FORMS[int(rng.integers(5))], 1) for p in ph.tolist()
        ]
        nm = V.NAMES[int(rng.integers(len(V.NAMES)))]
        tpl = "\n".join(T.make_template(rng, pool))
        sample = tpl.format(
            name=nm,
            NAME=nm.upper(),
            age=int(rng.integers(18, 25)),
            city=V.CITIES[int(rng.integers(len(V.CITIES)))][0],
            price=T.price_text((80, 150, 250), int(rng.integers(12))),
            contact=phone_txt[0],
            emoji="💋",
        ).replace("\n", " ")
        user = f"{nm.lower()}_{int(rng.integers(1000, 9999))}x"
        rows.append(
            (
                cid,
                "subject",
                nm,
                ";".join(phone_txt),
                f"{user}@{V.EMAIL_DOMAINS[int(rng.integers(len(V.EMAIL_DOMAINS)))]}"
                if rng.random() < 0.4
                else "",
                f"instagram:{user}" if rng.random() < 0.5 else "",
                ";".join(to_hex(random_hashes(rng, int(rng.integers(1, 4))))),
                "",
                f'Tip received, unverified. Sample ad: "{sample[:600]}"',
            )
        )
    start = np.datetime64("2023-06-01")
    for c in range(d.n_missing):  # bounded: a few missing-child cases
        ids = np.arange(d.missing_start[c], d.missing_start[c] + d.missing_len[c])
        noisy = flip_bits(rng, hashes[ids], rng.integers(0, 3, len(ids)))
        when = str(start + np.timedelta64(int(rng.integers(0, 300)), "D"))
        city = V.CITIES[int(rng.integers(len(V.CITIES)))][0]
        pdq = ";".join(pdq_hex(rng, ids, seed)) if rng.random() < 0.5 else ""
        rows.append(
            (
                f"M{c:04d}",
                "missing",
                V.NAMES[int(rng.integers(len(V.NAMES)))],
                "",
                "",
                "",
                ";".join(to_hex(noisy)),
                pdq,
                f"Missing since {when}, last seen near {city}, age {int(rng.integers(13, 18))}. Photos from family.",
            )
        )
    cols = [
        "case_id",
        "kind",
        "alias",
        "phones",
        "emails",
        "handles",
        "image_hashes",
        "pdq_hashes",
        "notes",
    ]
    return (
        pd.DataFrame(rows, columns=cols)
        .sort_values("case_id", kind="stable")
        .reset_index(drop=True)
    )

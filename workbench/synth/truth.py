"""The ground truth of a synthetic world, one row per account.

Says who really posted each account and which evidence ties it to the owner's
other accounts; it never looks at the rendered text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.synth.phones import e164


def _explode(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split ';'-joined cells into (values, row) pairs."""
    s = pd.Series(values, dtype=object).str.split(";").explode()
    return s.to_numpy(dtype=object), s.index.to_numpy()


def truth_table(d, vis: dict[str, np.ndarray], op_case: np.ndarray, hp: list[str]) -> pd.DataFrame:
    """Per account (in draw order): owner, case, resurfacing, role, signal, missing child,
    the evidence it carries towards its owner's other accounts, and its own identifiers
    normalised as the contract says (phones E.164, `platform:handle`, `cashapp:$tag`)."""
    n, is_op = d.n, d.is_op
    op = np.where(is_op, d.row_op, 0)
    owner = d.row_owner
    operator_id = np.where(
        is_op,
        np.char.add("op", np.char.zfill(op.astype(str), 5)).astype(object),
        np.char.add("ind", np.char.zfill(np.maximum(d.row_ind, 0).astype(str), 6)).astype(object),
    )
    shown_phone = vis["show_text"] | vis["show_col"]
    rp = vis["row_phone"]
    phones = np.array(
        [
            (e164(d.phone_nat[p], d.phone_region[p]) if s else "")
            + (";" + e164(d.phone_nat[q], d.phone_region[q]) if q >= 0 else "")
            for p, s, q in zip(
                rp.tolist(), shown_phone.tolist(), vis["second_phone"].tolist(), strict=True
            )
        ],
        dtype=object,
    )
    emails = np.where(vis["show_email"] | vis["email_col"], vis["email"], "")
    handles = np.array(
        [
            f"{p}:{h}" if s else ""
            for p, h, s in zip(
                hp,
                vis["handle"].tolist(),
                (vis["show_handle"] | vis["handle_col"]).tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )
    payments = np.where(
        vis["show_cash"],
        np.char.add("cashapp:$", np.char.lower(vis["cash"].astype(str))).astype(object),
        "",
    )

    def shared(values: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Rows whose value is also carried by another row of the same owner."""
        rows = np.arange(n) if rows is None else rows
        frame = pd.DataFrame({"row": rows, "owner": owner[rows], "v": values}).drop_duplicates()
        frame = frame[frame["v"] != ""]
        k = frame.groupby(["owner", "v"])["row"].transform("size")
        out = np.zeros(n, bool)
        out[frame["row"].to_numpy()[k.to_numpy() >= 2]] = True
        return out

    own_photo = (
        (d.photo_flips < 11)
        & ~np.isin(d.photo_id, d.stock_ids)
        & (d.photo_id < (d.missing_start[0] if d.n_missing else d.n_photos))
    )
    ev = {
        "phone": shared(*_explode(phones)),
        "email": shared(emails),
        "handle": shared(handles),
        "payment": shared(payments),
        "photo": shared(d.photo_id[own_photo].astype(str).astype(object), d.photo_row[own_photo]),
        "template": is_op & ~vis["generic"],
    }
    evidence = [
        ";".join(k for k, v in zip(ev, flags, strict=True) if v)
        for flags in zip(*(x.tolist() for x in ev.values()), strict=True)
    ]
    missing_id = np.where(
        d.row_missing >= 0,
        np.char.add("M", np.char.zfill(np.maximum(d.row_missing, 0).astype(str), 4)).astype(object),
        "",
    )
    return pd.DataFrame(
        {
            "operator_id": operator_id,
            "case_id": np.where(is_op, op_case[op] if d.n_ops else "", ""),
            "resurfaced": d.resurfaced,
            "role": np.where(is_op, "operator", "independent"),
            "signal": d.signal,
            "missing_case_id": missing_id,
            "evidence": evidence,
            "phones": phones,
            "emails": emails,
            "handles": handles,
            "payments": payments,
        }
    )

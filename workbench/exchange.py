"""Hash-list exchange: share a watchlist with a partner without showing its identifiers.

Owns the shared list's format: identifiers become ``HMAC-SHA256(key, "kind:value")``
(hex), photos stay perceptual hashes (so re-uploads still match), cases become opaque
references. The key is agreed out of band and never written; a ``key_check`` row
(the HMAC of a fixed text) lets a partner see that both sides hold the same key.
Scoring words come from ``watch``; matching photos uses the ``photos`` index.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from . import extract, io, photos, watch
from .schema import STRONG_KINDS

log = logging.getLogger(__name__)

KEY_CHECK_TEXT = "workbench shared watchlist key check v1"
LIST_COLUMNS = ["entry_id", "case_ref", "case_kind", "kind", "value"]
PHOTO_KINDS = {"image": 64, "pdq": 256}
LEAD_COLUMNS = ["case_ref", "account_id", "score", "reasons", "signals", "case_kind"]


def _key_bytes(key: bytes | str) -> bytes:
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not key:
        raise io.InputError(
            "--key", "the key is empty", "Agree a long random secret with your partner."
        )
    return key


def read_key(key: str | None = None, key_file: str | Path | None = None) -> bytes:
    """The shared secret from the command line or from a file (surrounding whitespace dropped)."""
    if key_file is not None:
        path = Path(key_file)
        if not path.is_file():
            raise io.InputError(
                str(path), "the key file does not exist", "Check the path of --key-file."
            )
        return _key_bytes(path.read_bytes().strip())
    return _key_bytes(key or "")


def hash_values(kinds: pd.Series, values: pd.Series, key: bytes | str) -> np.ndarray:
    """``HMAC-SHA256(key, "kind:value")`` as hex, once per distinct identifier.

    Examples
    --------
    >>> digest = hash_values(pd.Series(["phone"]), pd.Series(["+17134820193"]), "k")[0]
    >>> digest == hmac.new(b"k", b"phone:+17134820193", hashlib.sha256).hexdigest()
    True
    """
    key = _key_bytes(key)
    text = (
        kinds.astype(str).to_numpy(dtype=object) + ":" + values.astype(str).to_numpy(dtype=object)
    )
    codes, uniques = pd.factorize(text)
    # hmac is per message: bounded by the number of distinct identifiers, not rows.
    digests = np.array(
        [hmac.new(key, u.encode("utf-8"), hashlib.sha256).hexdigest() for u in uniques],
        dtype=object,
    )
    return digests[codes] if len(codes) else np.zeros(0, dtype=object)


def key_check(key: bytes | str) -> str:
    """The HMAC of a fixed text: equal on both sides exactly when the keys are equal."""
    return hmac.new(_key_bytes(key), KEY_CHECK_TEXT.encode(), hashlib.sha256).hexdigest()


def case_refs(cases: pd.DataFrame, key: bytes | str) -> pd.DataFrame:
    """(case_id, case_ref): opaque references ``K0001``... numbered in the order of a keyed
    hash of the case ids, so the owner can map a partner's answer back (same cases, same
    key) while the reference alone says nothing about the case id."""
    ids = cases["case_id"].astype(str).reset_index(drop=True)
    order = np.argsort(hash_values(pd.Series("case", index=ids.index), ids, key), kind="stable")
    refs = np.empty(len(ids), dtype=object)
    refs[order] = [f"K{i + 1:04d}" for i in range(len(ids))]
    return pd.DataFrame({"case_id": ids, "case_ref": refs})


def export_watchlist(
    cases, key: bytes | str, region: str = "US", reveal_case_ids: bool = False
) -> pd.DataFrame:
    """The cases' watchlist as a list to share: identifiers hashed, photos as perceptual hashes.

    Parameters
    ----------
    cases : path or DataFrame of cases
    key : the secret shared with the partner (never written)
    region : default phone region for the cases' phones
    reveal_case_ids : put the case ids in ``case_ref`` instead of opaque references

    Returns
    -------
    DataFrame with columns entry_id, case_ref, case_kind, kind, value; the first row
    (``kind="key_check"``) carries :func:`key_check`.

    Examples
    --------
    >>> cases = pd.DataFrame({"case_id": ["C1"], "phones": ["713 482 0193"], "image_hashes": ["00000000000000ff"]})
    >>> shared = export_watchlist(cases, "secret")
    >>> shared[["entry_id", "case_ref", "kind"]].values.tolist()
    [['R0', '', 'key_check'], ['R1', 'K0001', 'image'], ['R2', 'K0001', 'phone']]
    >>> "7134820193" in shared.to_csv()
    False
    """
    cases = io.load_cases(cases)
    entries = watch.build_watchlist(cases, region)
    entries = entries[entries["kind"].isin(STRONG_KINDS + tuple(PHOTO_KINDS))].reset_index(
        drop=True
    )
    hashed = hash_values(entries["kind"], entries["value"], key)
    is_photo = entries["kind"].isin(list(PHOTO_KINDS)).to_numpy()
    value = np.where(is_photo, entries["value"].astype(str).to_numpy(dtype=object), hashed)
    refs = case_refs(cases, key).set_index("case_id")["case_ref"]
    ref = entries["case_id"].astype(str) if reveal_case_ids else entries["case_id"].map(refs)
    shared = pd.DataFrame(
        {
            "case_ref": ref.to_numpy(),
            "case_kind": entries["case_kind"].to_numpy(),
            "kind": entries["kind"].to_numpy(),
            "value": value,
        }
    )
    shared = (
        shared.drop_duplicates().sort_values(["case_ref", "kind", "value"]).reset_index(drop=True)
    )
    shared.insert(0, "entry_id", [f"R{i + 1}" for i in range(len(shared))])
    header = pd.DataFrame(
        [
            {
                "entry_id": "R0",
                "case_ref": "",
                "case_kind": "",
                "kind": "key_check",
                "value": key_check(key),
            }
        ]
    )
    return pd.concat([header, shared], ignore_index=True)[LIST_COLUMNS]


def _checked_list(shared: pd.DataFrame, key: bytes | str, name: str) -> pd.DataFrame:
    missing = [c for c in ("entry_id", "kind", "value") if c not in shared.columns]
    if missing:
        raise io.InputError(
            name,
            f"the column(s) {', '.join(missing)} are missing",
            "Give a list written by `workbench watchlist export`.",
            row=1,
            column=missing[0],
        )
    shared = shared.astype({"entry_id": str, "kind": str, "value": str}).copy()
    for col in ("case_ref", "case_kind"):
        shared[col] = shared[col].fillna("").astype(str) if col in shared.columns else ""
    check = shared.loc[shared["kind"] == "key_check", "value"]
    if len(check) and not hmac.compare_digest(str(check.iloc[0]), key_check(key)):
        raise io.InputError(
            name,
            "the key does not match the key the list was made with",
            "Ask the partner to confirm the key (compare the key_check row).",
            column="value",
        )
    if check.empty:
        log.warning(
            "the shared list has no key_check row: a wrong key would silently match nothing"
        )
    return shared[shared["kind"] != "key_check"].reset_index(drop=True)


def _photo_matches(
    shared: pd.DataFrame, accounts: pd.DataFrame, kind: str, radius: int
) -> pd.DataFrame:
    column = "image_hashes" if kind == "image" else "pdq_hashes"
    entries = shared[shared["kind"] == kind]
    mine = io.explode_multi(accounts, column) if column in accounts.columns else pd.DataFrame()
    if entries.empty or mine.empty:
        return pd.DataFrame(
            columns=["case_id", "account_id", "score", "signal", "reason", "case_kind"]
        )
    bits = PHOTO_KINDS[kind]
    words, valid = photos.parse_hex(entries["value"].str.lower(), bits=bits)
    if not valid.all():
        raise io.InputError(
            "shared list",
            f"entry {entries['entry_id'].iloc[int(np.flatnonzero(~valid)[0])]} "
            f"is not a {bits // 4}-digit hex hash",
            "Export the list again.",
            column="value",
        )
    index = photos.HammingIndex(photos.hex_to_uint64(mine[column], bits=bits), radius=radius)
    found = index.query(words, radius=radius)
    q, i, d = (found[c].to_numpy() for c in ("query_idx", "index_idx", "distance"))
    hits = pd.DataFrame(
        {
            "case_id": entries["case_ref"].to_numpy()[q],
            "case_kind": entries["case_kind"].to_numpy()[q],
            "entry_id": entries["entry_id"].to_numpy()[q],
            "account_id": mine["account_id"].to_numpy()[i],
            "distance": d,
        }
    )
    hits = hits.sort_values(["case_id", "account_id", "distance"]).drop_duplicates(
        ["case_id", "account_id", "entry_id"]
    )
    hits["score"] = 0.97 - 0.025 * hits["distance"] * 64 / bits
    what = (
        "same photo as shared list entry "
        if kind == "image"
        else "same photo (PDQ) as shared list entry "
    )
    hits["reason"] = what + hits["entry_id"] + ", " + hits["distance"].astype(str) + " bits apart"
    hits["signal"] = "photo"
    return hits[["case_id", "account_id", "score", "signal", "reason", "case_kind"]]


def match_watchlist(
    shared_list,
    accounts,
    key: bytes | str,
    region: str = "US",
    photo_radius: int = 8,
    pdq_radius: int = photos.PDQ_RADIUS,
) -> pd.DataFrame:
    """Leads from a partner's shared list: accounts holding a listed identifier or photo.

    Parameters
    ----------
    shared_list : DataFrame (or path) written by :func:`export_watchlist`
    accounts : path or DataFrame of accounts
    key : the shared secret; checked against the list's ``key_check`` row
    photo_radius, pdq_radius : Hamming radius for "same photo" (pHash, PDQ)

    Returns
    -------
    DataFrame with case_ref, account_id, score, reasons, signals, case_kind; best first.

    Examples
    --------
    >>> cases = pd.DataFrame({"case_id": ["C1"], "phones": ["713 482 0193"]})
    >>> accounts = pd.DataFrame({"account_id": ["a1", "a2"], "text": ["call (713) 482-0193", "hello"]})
    >>> match_watchlist(export_watchlist(cases, "secret"), accounts, "secret")[["case_ref", "account_id", "reasons"]].values.tolist()
    [['K0001', 'a1', 'same phone (hashed) as shared list entry R1']]
    """
    name = "shared list"
    if not isinstance(shared_list, pd.DataFrame):
        name, shared_list = str(shared_list), io.read_table(shared_list)
    shared = _checked_list(shared_list, key, name)
    accounts = io.load_accounts(accounts)
    identifiers = extract.extract_frame(accounts, region=region)
    strong = identifiers[identifiers["kind"].isin(STRONG_KINDS)][
        ["account_id", "kind", "value"]
    ].drop_duplicates()
    strong = strong.assign(value=hash_values(strong["kind"], strong["value"], key))
    entries = shared[shared["kind"].isin(STRONG_KINDS)]
    ids = entries.merge(strong, on=["kind", "value"])
    ids = pd.DataFrame(
        {
            "case_id": ids["case_ref"],
            "account_id": ids["account_id"],
            "score": ids["kind"].map(watch.IDENTIFIER_SCORE).fillna(0.5),
            "signal": "identifier",
            "reason": "same "
            + ids["kind"].map(watch.KIND_WORDS)
            + " (hashed) as shared list entry "
            + ids["entry_id"],
            "case_kind": ids["case_kind"],
        }
    )
    hits = [
        ids,
        _photo_matches(shared, accounts, "image", photo_radius),
        _photo_matches(shared, accounts, "pdq", pdq_radius),
    ]
    hits = (
        pd.concat([h for h in hits if len(h)], ignore_index=True)
        if any(len(h) for h in hits)
        else ids
    )
    if hits.empty:
        return pd.DataFrame(columns=LEAD_COLUMNS)
    leads = watch.combine(hits).rename(columns={"case_id": "case_ref"})
    kinds = hits.drop_duplicates("case_id").set_index("case_id")["case_kind"]
    leads["case_kind"] = leads["case_ref"].map(kinds)
    leads = leads.sort_values(["case_ref", "score", "account_id"], ascending=[True, False, True])
    return leads[LEAD_COLUMNS].reset_index(drop=True)

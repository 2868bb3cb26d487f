"""The identifiers table of a whole accounts table.

Owns the table-level work: which columns are read, skipping texts that cannot hold
an identifier, running each distinct cell once (ads repeat a lot), joining back to
accounts and de-duplicating per (account_id, kind, value).
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..schema import IDENTIFIER_COLUMNS
from .core import extract_identifiers, field_identifiers
from .identifier import Identifier
from .normalise import _WORD_ALT, EXTRA_DIGITS

logger = logging.getLogger(__name__)

TEXT_SOURCES = ("text", "title")
FIELD_SOURCES = ("phone", "email", "handle", "image_hashes", "pdq_hashes")
# A text without any of these cannot hold an identifier: no digit or number word
# (phones, wallets), no '@' / "at" (emails, handles), no '$name' (cashtags), no
# dot-domain or platform word (URLs, handles). Checked vectorised, before Python.
TEXT_PREFILTER = (
    rf"[\d{EXTRA_DIGITS}@＠]|\$[A-Za-z]|(?i:\bat\b|arroba|http|www\.|\.[a-z]{{2}}"
    rf"|{_WORD_ALT}|insta|ig\b|snap|sc\b|tele|tg\b|what|wa\b|kik|twitter|x\b|only|of\b|tik"
    r"|tt\b|fansly|cash|venmo|paypal|👻|📸|📷)"
)


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in IDENTIFIER_COLUMNS})
    return frame.astype({"start": "int64", "end": "int64"})


def _cells(values: pd.Series, finder: Callable[[str], list[Identifier]], source: str,
           account_ids: np.ndarray) -> pd.DataFrame | None:
    """Run ``finder`` once per distinct cell and join the results back to accounts."""
    codes, uniques = pd.factorize(values, sort=False)
    rows: list[tuple] = []
    # One Python call per *distinct* cell: the finders are string code, and ads
    # repeat, so this loop is bounded by the number of distinct texts.
    for code, cell in enumerate(uniques):
        for ident in finder(cell):
            rows.append((code, ident.kind, ident.value, ident.raw, ident.start, ident.end, ident.rule))
    if not rows:
        return None
    found = pd.DataFrame(rows, columns=["code", "kind", "value", "raw", "start", "end", "rule"])
    owners = pd.DataFrame({"account_id": account_ids, "code": codes})
    joined = owners.merge(found, on="code", how="inner", sort=False)
    joined["source"] = source
    return joined[list(IDENTIFIER_COLUMNS)]


def _present(accounts: pd.DataFrame, column: str) -> tuple[pd.Series, np.ndarray]:
    """Non-empty cells of ``column`` and their account ids (positional, index-agnostic)."""
    values = accounts[column]
    ok = values.notna().to_numpy()
    cells = values[ok].astype(str)
    ids = accounts["account_id"].to_numpy()[ok]
    keep = (cells.str.len() > 0).to_numpy()
    return cells[keep], ids[keep]


def extract_frame(accounts: pd.DataFrame, region: str = "US") -> pd.DataFrame:
    """The identifiers table: one row per (account_id, kind, value).

    Reads ``text`` and ``title`` (free text) and the structured ``phone``, ``email``,
    ``handle``, ``image_hashes`` and ``pdq_hashes`` columns (';'-separated); missing
    columns and empty cells are skipped, malformed hashes are dropped (``io`` warns).

    Parameters
    ----------
    accounts : pandas.DataFrame
        The accounts table; needs ``account_id``.
    region : str
        ISO region assumed for phone numbers without a country code.

    Returns
    -------
    pandas.DataFrame
        Columns ``workbench.schema.IDENTIFIER_COLUMNS``: account_id, kind, value,
        raw, source (the column), start, end (offsets in that cell), rule. The first
        source in the order text, title, phone, email, handle, image_hashes,
        pdq_hashes wins a duplicate.

    Examples
    --------
    >>> accounts = pd.DataFrame({"account_id": ["a1", "a2"],
    ...     "text": ["call 713 482 0193", "sc: jadexo"], "phone": ["(713) 482-0193", None]})
    >>> extract_frame(accounts)[["account_id", "kind", "value", "source"]]
      account_id    kind            value source
    0         a1   phone     +17134820193   text
    1         a2  handle  snapchat:jadexo   text
    """
    if "account_id" not in accounts.columns:
        raise ValueError("accounts needs an 'account_id' column")
    parts = []
    for column in TEXT_SOURCES:
        if column not in accounts.columns:
            continue
        values, ids = _present(accounts, column)
        # Object dtype keeps Python's regex semantics (Unicode \d); Arrow's RE2 is ASCII-only.
        hit = values.astype(object).str.contains(TEXT_PREFILTER, regex=True).to_numpy(dtype=bool)
        values, ids = values[hit], ids[hit]
        logger.debug("%s: %d cells pass the prefilter", column, len(values))
        part = _cells(values, lambda t: extract_identifiers(t, region), column, ids)
        if part is not None:
            parts.append(part)
    for column in FIELD_SOURCES:
        if column not in accounts.columns:
            continue
        values, ids = _present(accounts, column)
        part = _cells(values, lambda c, col=column: field_identifiers(c, col, region), column, ids)
        if part is not None:
            parts.append(part)
    if not parts:
        return _empty()
    table = pd.concat(parts, ignore_index=True)
    table = table.drop_duplicates(["account_id", "kind", "value"], keep="first")
    return table.reset_index(drop=True).astype({"start": "int64", "end": "int64"})

"""The identifiers table of a whole accounts table.

Owns the table-level work: which columns are read, skipping texts that cannot hold
an identifier, running each distinct cell once (ads repeat a lot), joining back to
accounts and de-duplicating per (account_id, kind, value).
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from ..schema import IDENTIFIER_COLUMNS
from .asciire import ascii_twin
from .core import extract_some, field_identifiers
from .handles import ALIASES
from .hints import finders_needed
from .normalise import _WORD_ALT, EXTRA_DIGITS
from .parallel import map_cells
from .regions import infer_regions
from .respell import SPELLED

logger = logging.getLogger(__name__)

TEXT_SOURCES = ("text", "title")
# Columns the identifiers table has beyond the contract's: the account's region, and why.
REGION_COLUMNS = ("region", "region_source")
FIELD_SOURCES = ("phone", "email", "handle", "image_hashes", "pdq_hashes")
# A text without any of these cannot hold an identifier: no digit or number word
# (phones, wallets), no '@' / "at" (emails, handles), no '$name' (cashtags), no
# dot-domain or platform word (URLs, handles). Checked once per distinct text.
# The platform words are those of `handles.ALIASES` (the one list), each word-bounded.
_PLATFORM_WORDS = "|".join(
    re.escape(k) + (r"\b" if k[-1:].isalnum() else "")
    for k in sorted(ALIASES, key=len, reverse=True)
)
TEXT_PREFILTER = (
    rf"[\d{EXTRA_DIGITS}@＠]|\$[A-Za-z]|(?i:\bat\b|arroba|arobase|http|www\.|\.[a-z]{{2}}"
    rf"|{_WORD_ALT}|{_PLATFORM_WORDS}|{'|'.join(SPELLED)})"
)
_PREFILTER = re.compile(TEXT_PREFILTER)
# Most texts that hold anything hold a digit or an '@': that test alone is a fast
# character-set scan, so it runs first.
_QUICK = re.compile(rf"[\d{EXTRA_DIGITS}@＠]")
_QUICK_ASCII = ascii_twin(_QUICK)


def may_hold_identifier(text: str) -> bool:
    """The prefilter: False when ``text`` cannot hold an identifier.

    Examples
    --------
    >>> may_hold_identifier("call 713 482 0193"), may_hold_identifier("sweet and discreet")
    (True, False)
    """
    quick = _QUICK_ASCII if text.isascii() else _QUICK
    return quick.search(text) is not None or _PREFILTER.search(text) is not None


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in IDENTIFIER_COLUMNS})
    return frame.astype({"start": "int64", "end": "int64"})


# A finder of cells: (distinct cells, the column, each row's cell) -> identifiers per cell.
def _text_rows(
    cells: list[str], needed: list[int], offset: int, region: str, source: str
) -> list[tuple]:
    """(position + offset, *Identifier) of each identifier in each free-text cell."""
    rows: list[tuple] = []
    for code, (cell, finders) in enumerate(zip(cells, needed, strict=True), offset):
        if may_hold_identifier(cell):
            rows += [(code, *ident) for ident in extract_some(cell, region, finders)]
    return rows


def _field_rows(
    cells: list[str], needed: list[int], offset: int, region: str, source: str
) -> list[tuple]:
    """(position + offset, *Identifier) of each identifier in each structured cell."""
    rows: list[tuple] = []
    for code, cell in enumerate(cells, offset):
        rows += [(code, *ident) for ident in field_identifiers(cell, source, region)]
    return rows


def _cells(
    values: pd.Series, source: str, account_ids: np.ndarray, region: str, workers: int | None
) -> pd.DataFrame | None:
    """Run the finders of ``source`` on the distinct cells, joined back to accounts."""
    # A dict of Python strings: faster than Arrow's dictionary encoding here, and
    # exact where pandas' object hashing is not (it cuts strings at a NUL).
    index: dict[str, int] = {}
    codes = np.fromiter(
        (index.setdefault(v, len(index)) for v in values.tolist()), dtype=np.intp, count=len(values)
    )
    cells = list(index)
    if source in TEXT_SOURCES:
        # Which finders a text may need is decided for the whole column at once (by
        # Arrow, on the column as it is), then read per distinct text.
        needed = np.zeros(len(cells), dtype=np.uint8)
        needed[codes] = finders_needed(values)
        task, needed = _text_rows, needed.tolist()
    else:
        task, needed = _field_rows, [0] * len(cells)
    # One Python call per *distinct* cell (ads repeat), over several processes when many.
    rows = map_cells(task, cells, needed, (region, source), workers)
    if not rows:
        return None
    # One column at a time (zip(*rows) is slower on long lists).
    found_code, kind, value, raw, start, end, rule = ([r[k] for r in rows] for k in range(7))
    owner, row = _owners(codes, np.asarray(found_code, dtype=np.intp))
    columns = {"kind": kind, "value": value, "raw": raw, "start": start, "end": end, "rule": rule}
    if len(row) != len(rows) or (row != np.arange(len(rows))).any():  # else each row once, in order
        columns = {
            name: np.asarray(col, dtype=np.int64 if name in ("start", "end") else object)[row]
            for name, col in columns.items()
        }
    table = pd.DataFrame({"account_id": account_ids[owner], **columns, "source": source})
    return table[list(IDENTIFIER_COLUMNS)]


def _owners(codes: np.ndarray, found_code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(account position, found row) pairs joining found rows to every account with their
    cell, in account order, then row order."""
    counts = np.bincount(codes, minlength=int(found_code.max()) + 1)
    by_code = np.argsort(codes, kind="stable")
    first = np.cumsum(counts) - counts  # where each code's accounts start in by_code
    per_row = counts[found_code]
    row = np.repeat(np.arange(len(found_code)), per_row)
    nth = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    owner = by_code[first[found_code][row] + nth]
    order = np.lexsort((row, owner))
    return owner[order], row[order]


def _distinct(ids: pd.Series) -> bool:
    """No two accounts share an id (a Python set: faster than Arrow here)."""
    return not ids.isna().any() and len(set(ids.tolist())) == len(ids)


def _present(accounts: pd.DataFrame, column: str) -> tuple[pd.Series, np.ndarray]:
    """Non-empty cells of ``column`` and their account ids (positional, index-agnostic)."""
    values = accounts[column]
    ok = values.notna().to_numpy()
    cells = values[ok].astype(str)
    ids = accounts["account_id"].to_numpy()[ok]
    keep = (cells.str.len() > 0).to_numpy()
    return cells[keep], ids[keep]


def extract_frame(
    accounts: pd.DataFrame,
    region: str = "US",
    workers: int | None = None,
    with_regions: bool = False,
) -> pd.DataFrame:
    """The identifiers table: one row per (account_id, kind, value).

    Reads ``text`` and ``title`` (free text) and the structured ``phone``, ``email``,
    ``handle``, ``image_hashes`` and ``pdq_hashes`` columns (';'-separated); missing
    columns and empty cells are skipped, malformed hashes are dropped (``io`` warns).

    Parameters
    ----------
    accounts : pandas.DataFrame
        The accounts table; needs ``account_id``.
    region : str
        ISO region of the run: phone numbers without a country code are read in each
        account's own region (`regions.infer_regions`: its country, city, coordinates,
        currency, language, platform), then in this one.
    workers : int, optional
        Processes for columns with many distinct texts (``extract.parallel``); default
        the available cores (at most 8); 1 keeps everything in this process. The result
        does not depend on it.
    with_regions : bool
        Add the columns ``REGION_COLUMNS`` (region, region_source): the region each
        account's numbers were read in and how it was decided ("country column",
        "city", "coordinates", "currency", "language", "city in text", "platform
        domain", "default"). Off by default, so that callers expecting exactly the
        contract's columns (the Dask engine's metadata) keep them.

    Returns
    -------
    pandas.DataFrame
        Columns ``workbench.schema.IDENTIFIER_COLUMNS``: account_id, kind, value,
        raw, source (the column), start, end (offsets in that cell), rule (and the
        region columns when asked). The first
        source in the order text, title, phone, email, handle, image_hashes,
        pdq_hashes wins a duplicate.

    Examples
    --------
    >>> accounts = pd.DataFrame({"account_id": ["a1", "a2"],
    ...     "text": ["call 713 482 0193", "sc: jadexo"], "phone": ["(713) 482-0193", None]})
    >>> extract_frame(accounts, with_regions=True)[["account_id", "kind", "value", "source", "region"]]
      account_id    kind            value source region
    0         a1   phone     +17134820193   text     US
    1         a2  handle  snapchat:jadexo   text     US
    """
    if "account_id" not in accounts.columns:
        raise ValueError("accounts needs an 'account_id' column")
    regions = infer_regions(accounts, region)
    # Numbers are read in the account's region, then the run's (a Houston number in a
    # London ad); one pass over each group of accounts that share a region.
    reading = _reading(regions, region)
    groups = pd.unique(reading)
    if len(groups) == 1:
        table = _extract(accounts, str(groups[0]), workers)
    else:
        parts = [
            _extract(accounts.iloc[np.flatnonzero(reading == g)], str(g), workers) for g in groups
        ]
        table = (
            pd.concat([p for p in parts if len(p)], ignore_index=True)
            if any(len(p) for p in parts)
            else parts[0]
        )
        if len(table):  # back in the one-region order: source, then account, then within the cell
            position = pd.Series(np.arange(len(accounts)), index=accounts["account_id"].to_numpy())
            position = position[~position.index.duplicated()]
            rank = {s: k for k, s in enumerate((*TEXT_SOURCES, *FIELD_SOURCES))}
            order = np.lexsort(
                (
                    position.reindex(table["account_id"]).to_numpy(),
                    table["source"].map(rank).to_numpy(),
                )
            )
            table = table.iloc[order].reset_index(drop=True)
    if not with_regions:
        return table
    first = ~pd.Index(accounts["account_id"]).duplicated()
    by_id = regions[first].set_index(accounts["account_id"].to_numpy()[first])
    table["region"] = by_id["region"].reindex(table["account_id"]).to_numpy(dtype=object)
    table["region_source"] = (
        by_id["region_source"].reindex(table["account_id"]).to_numpy(dtype=object)
    )
    return table


def _reading(regions: pd.DataFrame, region: str) -> np.ndarray:
    """Per account, the regions its numbers are read in: its own, then the run's, then
    the others its evidence makes plausible ("GB/US/CA"; `validity.to_e164`)."""
    own = regions["region"].to_numpy().astype(str)
    also = regions["region_also"].to_numpy().astype(str)
    reading = np.where(own == region, region, np.char.add(np.char.add(own, "/"), region)).astype(
        object
    )
    for k in np.flatnonzero(also != ""):  # a loop over the accounts with such evidence only
        order = dict.fromkeys([*reading[k].split("/"), *also[k].split(";")])
        reading[k] = "/".join(order)
    return reading


def _extract(accounts: pd.DataFrame, region: str, workers: int | None) -> pd.DataFrame:
    """`extract_frame` of accounts that share one region (no region columns)."""
    parts = []
    for column in (*TEXT_SOURCES, *FIELD_SOURCES):
        if column not in accounts.columns:
            continue
        values, ids = _present(accounts, column)
        part = _cells(values, column, ids, region, workers)
        if part is not None:
            parts.append(part)
    if not parts:
        return _empty()
    table = pd.concat(parts, ignore_index=True)
    # One text column of distinct accounts holds no duplicate: a text gives a (kind, value) once.
    if (
        len(parts) > 1
        or parts[0]["source"].iloc[0] not in TEXT_SOURCES
        or not _distinct(accounts["account_id"])
    ):
        table = table.drop_duplicates(["account_id", "kind", "value"], keep="first")
    return table.reset_index(drop=True).astype({"start": "int64", "end": "int64"})

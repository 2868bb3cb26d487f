"""Read, map and validate the analyst's tables; write outputs atomically.

Owns file formats, column mapping and input validation. Fatal problems raise
:class:`InputError` (file, row, column, advice); recoverable ones are kept as rows of
the warnings table so nothing is dropped silently. Clean files take vectorised paths;
the per-line paths run only on broken files.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io as _stdio
import json
import logging
import os
import re
import sys
import tempfile
import unicodedata
import warnings as _warnings
import zlib
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import ACCOUNT_COLUMNS, CASE_COLUMNS, OUTPUT_COLUMNS, Column

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 200_000  # longer cells are cut (with a warning): no ad is this long
MAX_ID_CHARS = 256  # ids are keys in every output; a longer one is a broken export
HEX16 = r"[0-9a-fA-F]{16}"
HEX64 = r"[0-9a-fA-F]{64}"
WARNING_CAP = 1000  # rows per (file, column, problem) before the rest are counted in one row
DATE_RANGE = (pd.Timestamp("1990-01-01"), pd.Timestamp("2100-01-01"))  # online ads: nothing outside
COORDINATE_LIMITS = {"lat": 90.0, "lon": 180.0}
TEXT_SUFFIXES = {".csv": None, ".txt": None, ".tsv": "\t", ".tab": "\t"}  # None: sniff the separator
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")


class InputError(ValueError):
    """A problem in the analyst's input that stops the run, said in the analyst's words."""

    def __init__(self, file: str, problem: str, advice: str = "", row: int | None = None,
                 column: str | None = None):
        self.file, self.problem, self.advice, self.row, self.column = file, problem, advice, row, column
        where = [f"file {file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        msg = f"{', '.join(where)}: {problem}"
        super().__init__(msg + (f". {advice}" if advice else ""))


@dataclass
class WarningLog:
    """Recoverable input problems, collected as rows of ``warnings.csv``."""

    rows: list[dict] = field(default_factory=list)

    def add(self, file: str, row, column: str, problem: str) -> None:
        self.rows.append({"file": file, "row": row, "column": column, "problem": problem})

    def add_many(self, file: str, rows: Iterable[int], column: str, problem: str) -> None:
        rows = list(rows)
        for r in rows[:WARNING_CAP]:
            self.add(file, int(r), column, problem)
        if len(rows) > WARNING_CAP:
            self.add(file, "", column, f"{problem} (and {len(rows) - WARNING_CAP} more rows)")

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(OUTPUT_COLUMNS["warnings"]))


def parse_mapping(pairs: Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """Turn ``["their=ours", ...]`` (command line) or a dict into a column mapping.

    Examples
    --------
    >>> parse_mapping(["ad_body=text", "tel=phone"])
    {'ad_body': 'text', 'tel': 'phone'}
    """
    if pairs is None:
        return {}
    if isinstance(pairs, Mapping):
        return {str(k): str(v) for k, v in pairs.items()}
    mapping = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError("--map", f"{pair!r} is not THEIR=OURS", "Write it like --map ad_body=text")
        theirs, ours = pair.split("=", 1)
        mapping[theirs.strip()] = ours.strip()
    return mapping


def _short(value, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- reading files
_UNDECODED = re.compile("[\udc80-\udcff]+")  # bytes that were not UTF-8, kept by surrogateescape


def _legacy(run: str) -> str:
    """Undecodable bytes read as Windows-1252, the five it lacks as Latin-1."""
    out = []
    for byte in run.encode("utf-8", "surrogateescape"):  # bounded: the bad bytes only
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(bytes([byte]).decode("latin-1"))
    return "".join(out)


def _decode(raw: bytes, name: str, warnings: WarningLog) -> str:
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(raw) % 4 == 0:
        encoding = "utf-32"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8-sig":
            raise InputError(name, f"is marked as {encoding.upper()} but is not valid {encoding.upper()}",
                             "Save it again as CSV UTF-8.") from None
        # Mixed or legacy encodings: valid UTF-8 stays, each run of other bytes is read as
        # Windows-1252 (Latin-1 where that has no character), and the lines are named.
        text = raw.decode("utf-8-sig", errors="surrogateescape")
        runs = list(_UNDECODED.finditer(text))
        lines, line, at = [], 1, 0
        for match in runs:  # bounded by the number of bad byte runs
            line += text.count("\n", at, match.start())
            at = match.start()
            if not lines or lines[-1] != line:
                lines.append(line)
        text = _UNDECODED.sub(lambda m: _legacy(m.group(0)), text)
        warnings.add_many(name, lines, "", "not UTF-8; read as Windows-1252/Latin-1 (line number)")
    if "\x00" in text:
        warnings.add(name, "", "", f"{text.count(chr(0))} NUL bytes removed")
        text = text.replace("\x00", "")
    return text


def _separator(text: str) -> str:
    """The header line's separator: ',' unless the header has none and has tabs, ';' or '|'."""
    head = text[:65536]
    header = head[: head.find("\n")] if "\n" in head else head
    if "," in header:
        return ","
    counts = {sep: header.count(sep) for sep in ("\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _dedupe(names: list[str]) -> list[str]:
    """Repeated header names get .1, .2, ... as pandas' reader does."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out


@contextmanager
def _csv_field_limit(size: int):
    """The csv module refuses fields over 128 KiB unless told; restore the limit after."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, min(size + 1, sys.maxsize)))
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _first_rows_agree(text: str, sep: str) -> bool:
    """Whether the first record has no more fields than the header (reads two records only).

    pandas would take extra leading fields of the first record as an index, and its
    tokenizer is slow on a very wide first record, so such files go the ragged way.
    """
    def lines():  # lazily: copying a large file into a StringIO would cost seconds
        start = 0
        while start < len(text):
            end = text.find("\n", start)
            end = len(text) if end < 0 else end + 1
            yield text[start:end]
            start = end

    with _csv_field_limit(len(text)):
        reader = csv.reader(lines(), delimiter=sep)
        try:
            header = next(reader, [])
            first = next((r for r in reader if r), [])
        except csv.Error:
            return False
    return len(first) <= len(header)


def _read_csv(text: str, name: str, warnings: WarningLog, sep: str | None) -> pd.DataFrame:
    if not text or text.isspace():
        raise InputError(name, "the file is empty", "Export it again with a header row.")
    sep = sep or _separator(text)
    if not _first_rows_agree(text, sep):
        return _read_ragged(text, sep, name, warnings)
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error", pd.errors.ParserWarning)  # "loss of data": go the ragged way
            return pd.read_csv(_stdio.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                               index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        reason = str(exc)
    unclosed = re.search(r"EOF inside string starting at row (\d+)", reason)
    if unclosed:
        raise InputError(name, 'a quote (") opens a cell that is never closed',
                         'Close or remove that quote; cells holding commas or line breaks must be wrapped in "..."',
                         row=int(unclosed.group(1)) + 1)
    return _read_ragged(text, sep, name, warnings)


def _read_ragged(text: str, sep: str, name: str, warnings: WarningLog) -> pd.DataFrame:
    """Rare path (a ragged file): keep every row, drop the fields beyond the header, say where.

    One pass of the csv module finds the rows (row numbers for the warning); pandas then
    reads the header's columns only. pandas' python engine would be quadratic on very
    wide rows; Python lists of a million rows would cost minutes.
    """
    try:
        with _csv_field_limit(len(text)):
            reader = csv.reader(_stdio.StringIO(text, newline=None), delimiter=sep)
            header = next(reader, [])
            width = len(header)
            # Bounded: this runs only on files the fast reader refused; it keeps row numbers only.
            ragged = [i for i, r in enumerate((r for r in reader if r), start=2)
                      if len(r) > width and any(f.strip() for f in r[width:])]
    except csv.Error as exc:
        raise InputError(name, f"is not a readable CSV ({exc})", "Export it again as CSV UTF-8.") from None
    try:
        with _warnings.catch_warnings():  # the loss it warns of is the extra fields, reported below
            _warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(_stdio.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                                index_col=False, usecols=range(width))
    except (pd.errors.ParserError, ValueError):
        frame = _read_with_csv_module(text, sep, width)
    warnings.add_many(name, ragged, "", "more fields than the header; the extra fields were ignored")
    return frame


def _read_with_csv_module(text: str, sep: str, width: int) -> pd.DataFrame:
    """Last resort for what pandas' reader refuses even column-limited (bounded: broken files)."""
    with _csv_field_limit(len(text)):
        rows = [r for r in csv.reader(_stdio.StringIO(text, newline=None), delimiter=sep) if r]
    header, body = rows[0], rows[1:]
    body = [r[:width] + [""] * (width - len(r)) for r in body]
    frame = pd.DataFrame(body, columns=_dedupe(header), dtype=object)
    return frame.where(frame != "", None)


SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _read_jsonl(text: str, name: str, warnings: WarningLog) -> pd.DataFrame:
    if not text or text.isspace():
        raise InputError(name, "the file is empty", "Export it again.")
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            values = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(name, f"not valid JSON ({exc.msg})", "The file may be truncated; export it again.",
                             row=exc.lineno) from None
        lines = list(enumerate(values, start=1))
    else:
        lines = []
        # Only '\n' ends a line: str.splitlines would also split on U+2028, U+0085, ... inside strings.
        for i, line in enumerate(text.split("\n"), start=1):  # json lines parse per line by nature
            line = line.removesuffix("\r")
            if not line.strip():
                continue
            try:
                lines.append((i, json.loads(line)))
            except json.JSONDecodeError:
                lines.append((i, line))
    records = [value if isinstance(value, dict) else {"unparsed_line": value if isinstance(value, str) else
                                                      json.dumps(value)} for _, value in lines]
    bad = [i for i, value in lines if not isinstance(value, dict)]
    if bad and len(bad) == len(lines):
        raise InputError(name, "no line is a JSON object", "Each line must be one JSON object.", row=bad[0])
    warnings.add_many(name, bad, "", "not a complete JSON object; kept with an empty id, its text in unparsed_line")
    if SURROGATE_ESCAPE.search(text):  # unpaired surrogates cannot be stored or written as UTF-8
        fixed = [_without_surrogates(r) for r in records]
        changed = sum(a != b for a, b in zip(records, fixed, strict=True))
        if changed:
            warnings.add(name, "", "", f"{changed} records held unpaired UTF-16 surrogates; replaced by '?'")
        records = fixed
    frame = pd.DataFrame.from_records(records)
    frame.attrs["first_row"] = 1
    return frame


def _without_surrogates(value):
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


def _file_type(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".gzip"):
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def read_table(source, warnings: WarningLog | None = None) -> pd.DataFrame:
    """Read a CSV, Parquet or JSON Lines file (optionally gzip'd), chosen by extension.

    CSV and JSON cells come back as strings; Parquet keeps its types (``validate``
    turns them into the contract's).
    """
    warnings = warnings if warnings is not None else WarningLog()
    path = Path(source)
    name = str(path)
    if not path.exists():
        raise InputError(name, "the file does not exist", "Check the path.")
    if path.is_dir():
        raise InputError(name, "this is a folder, not a file", "Give the path of a .csv, .parquet or .jsonl file.")
    kind = _file_type(path)
    if kind in SPREADSHEET_SUFFIXES:
        raise InputError(name, f"is a spreadsheet ({kind}), which the workbench does not read",
                         "Save the sheet as CSV UTF-8 (File > Save As) and give that file.")
    if kind not in TEXT_SUFFIXES and kind not in PARQUET_SUFFIXES and kind not in JSON_SUFFIXES:
        raise InputError(name, f"unknown file type {kind or '(no extension)'!r}", "Use .csv, .parquet or .jsonl.")
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error) as exc:
                raise InputError(name, f"is a damaged gzip file ({exc})", "Compress it again, or give it uncompressed.") from None
        if raw[:4] == b"PK\x03\x04":
            raise InputError(name, "is a zip archive or an Excel workbook, not a text table",
                             "Unzip it, or save the sheet as CSV UTF-8.")
        if kind in PARQUET_SUFFIXES:
            frame = pd.read_parquet(_stdio.BytesIO(raw))
            frame.attrs["first_row"] = 1
            return frame
        if raw[:4] == b"PAR1":
            raise InputError(name, "is a Parquet file with another extension", "Rename it to .parquet.")
        text = _decode(raw, name, warnings)
        if kind in JSON_SUFFIXES:
            return _read_jsonl(text, name, warnings)
        return _read_csv(text, name, warnings, TEXT_SUFFIXES[kind])
    except InputError:
        raise
    except (OSError, ValueError, EOFError, pd.errors.ParserError, csv.Error) as exc:
        raise InputError(name, f"could not be read ({type(exc).__name__}: {str(exc)[:200]})",
                         "Check that the file is complete and in the format its extension says.") from None
    except Exception as exc:  # pyarrow raises its own types for truncated files
        if type(exc).__module__.startswith("pyarrow"):
            raise InputError(name, f"could not be read as Parquet ({str(exc)[:200]})",
                             "The file may be truncated; export it again.") from None
        raise


# ---------------------------------------------------------------- validation
def _cell_text(value) -> str | None:
    """One non-text cell (Parquet list, struct, bytes; a JSON number) as text."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, list | tuple | np.ndarray):
        parts = [_cell_text(v) for v in value]
        return ";".join(p for p in parts if p) or None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))
    return str(value)


def _as_string(series: pd.Series) -> pd.Series:
    """Any column as pandas strings (NA for missing); lists become ';'-lists."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        return series.astype("string")
    if dtype.kind in "iub":
        return series.astype("string")
    if dtype.kind == "f":  # integral floats (ids through a spreadsheet or Parquet) as integers
        finite = series[np.isfinite(series)]
        if len(finite) and (finite == np.round(finite)).all() and (finite.abs() < 2**53).all():
            return series.where(np.isfinite(series)).astype("Int64").astype("string")
        return series.where(np.isfinite(series)).astype("string")
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return series.astype("string")
    # Bounded: mixed-type columns come only from Parquet or JSON with wrong types.
    return pd.Series([_cell_text(v) for v in series.astype(object)], index=series.index, dtype="string")


def _clean_multi(series: pd.Series) -> pd.Series:
    """Normalise ';'-lists: trim each value, drop empties, keep one ';' between values."""
    s = series.fillna("")
    s = s.str.replace(r"\s*;\s*", ";", regex=True).str.replace(r";{2,}", ";", regex=True).str.strip(" ;")
    return s.where(s != "", pd.NA)


def _check_hashes(frame, column, pattern, width, name, warnings, first_row):
    values = frame[column].fillna("")
    ok = values.str.fullmatch(rf"(?:(?:{pattern})(?:;{pattern})*)?").to_numpy(dtype=bool)
    cleaned = values.str.lower()
    if not ok.all():  # only the cells with a bad value are taken apart
        bad = ~ok
        warnings.add_many(name, np.flatnonzero(bad) + first_row, column,
                          f"malformed hash (want {width} hex digits); the bad value was ignored")
        parts = cleaned[bad].str.split(";").explode()
        parts = parts[parts.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)]
        kept = parts.groupby(level=0).agg(";".join) if len(parts) else pd.Series(dtype="string")
        cleaned[bad] = kept.reindex(values.index[bad]).fillna("").astype("string")
    frame[column] = cleaned.where(cleaned != "", pd.NA)


def _numbers(raw: pd.Series, column: str, name: str, warnings: WarningLog, first_row: int) -> pd.Series:
    if raw.dtype.kind in "fiub":
        num = raw.astype("float64")
    else:
        text = _as_string(raw)
        num = pd.to_numeric(text.astype(object).where(text.notna(), None), errors="coerce").astype("float64")
        bad = num.isna() & text.notna() & (text.str.strip() != "")
        warnings.add_many(name, np.flatnonzero(bad.to_numpy()) + first_row, column, "not a number; left empty")
    limit = COORDINATE_LIMITS.get(column)
    if limit is not None:
        wild = num.notna() & ~num.abs().le(limit)
        if wild.any():
            warnings.add_many(name, np.flatnonzero(wild.to_numpy()) + first_row, column,
                              f"outside -{limit:g}..{limit:g} or infinite; left empty")
            num = num.where(~wild)
    return num


def _dates(raw: pd.Series, column: str, name: str, warnings: WarningLog, first_row: int) -> pd.Series:
    if raw.dtype.kind == "M":
        parsed = raw.dt.tz_convert("UTC") if raw.dt.tz is not None else raw.dt.tz_localize("UTC")
        text = pd.Series(pd.NA, index=raw.index, dtype="string")
    else:
        text = _as_string(raw)
        parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        retry = parsed.isna() & text.notna()
        if retry.any():
            parsed[retry] = pd.to_datetime(text[retry], errors="coerce", utc=True, format="mixed")
        bad = parsed.isna() & text.notna() & (text.str.strip() != "")
        warnings.add_many(name, np.flatnonzero(bad.to_numpy()) + first_row, column,
                          "not a date (want ISO 8601); left empty")
    parsed = parsed.dt.tz_localize(None)
    wild = parsed.notna() & ((parsed < DATE_RANGE[0]) | (parsed >= DATE_RANGE[1]))
    if wild.any():
        warnings.add_many(name, np.flatnonzero(wild.to_numpy()) + first_row, column,
                          f"before {DATE_RANGE[0].year} or after {DATE_RANGE[1].year - 1}; left empty")
        parsed = parsed.where(~wild)
    return parsed


def _cut(frame: pd.DataFrame, column: str, limit: int, name: str, warnings: WarningLog, first_row: int) -> None:
    long = frame[column].str.len() > limit
    if long.any():
        warnings.add_many(name, np.flatnonzero(long.to_numpy()) + first_row, column,
                          f"longer than {limit} characters; cut")
        frame.loc[long, column] = frame.loc[long, column].str.slice(0, limit)


def _keys(frame: pd.DataFrame, key: str, name: str, warnings: WarningLog, first_row: int) -> pd.Series:
    """The key column made usable: ids trimmed, empty ones named by row, duplicates renamed."""
    ids = frame[key].str.strip()
    empty = ids.isna() | (ids == "")
    if empty.all() and len(frame):
        raise InputError(name, f"every {key} is empty", f"Fill the {key} column or map another column onto it.", column=key)
    if empty.any():
        rows = np.flatnonzero(empty.to_numpy())
        warnings.add_many(name, rows + first_row, key, f"empty {key}; given the id row-<row number>")
        ids[empty] = ["row-" + str(r + first_row) for r in rows]
    dup = ids.duplicated(keep="first")
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        counts = ids.groupby(ids).cumcount() + 1
        warnings.add_many(name, rows + first_row, key, f"duplicate {key}; kept and renamed <id>~<n>")
        ids[dup] = ids[dup] + "~" + counts[dup].astype(str)
        clash = ids.duplicated(keep="first")  # a renamed id may equal one already in the file
        if clash.any():
            ids[clash] = ids[clash] + "~row" + pd.Series(np.flatnonzero(clash.to_numpy()) + first_row,
                                                         index=ids.index[clash]).astype(str)
    return ids


def validate(frame: pd.DataFrame, columns: tuple[Column, ...], name: str,
             mapping: Mapping[str, str] | None = None, warnings: WarningLog | None = None) -> pd.DataFrame:
    """Map column names, check the contract, and normalise types. Returns a new frame.

    Rows are numbered as in a spreadsheet: the header is row 1, the first record row 2
    (JSON Lines and Parquet: the first record is row 1).
    """
    warnings = warnings if warnings is not None else WarningLog()
    first_row = int(frame.attrs.get("first_row", 2))
    frame = frame.rename(columns={str(k): v for k, v in (mapping or {}).items()})
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise InputError(name, f"column {_short(dup)!r} appears twice (after mapping)", "Rename or drop one of them.",
                         row=1, column=_short(dup))
    for col in columns:
        if col.required and col.name not in frame.columns:
            shown = ", ".join(_short(c) for c in frame.columns[:20]) + (", ..." if frame.shape[1] > 20 else "")
            raise InputError(name, f"the required column {col.name!r} is missing (columns are: {shown})",
                             f"Rename your column with --map THEIRS={col.name}.", row=1, column=col.name)
    frame = frame.reset_index(drop=True).copy()
    for col in columns:
        if col.name not in frame.columns:
            if col.dtype == "float":
                frame[col.name] = np.nan
            elif col.dtype == "datetime":
                frame[col.name] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
            else:
                frame[col.name] = pd.Series(pd.NA, index=frame.index, dtype="string")
            continue
        if col.dtype == "float":
            frame[col.name] = _numbers(frame[col.name], col.name, name, warnings, first_row)
        elif col.dtype == "datetime":
            frame[col.name] = _dates(frame[col.name], col.name, name, warnings, first_row)
        else:
            frame[col.name] = _as_string(frame[col.name])
            _cut(frame, col.name, MAX_ID_CHARS if col.unique else MAX_TEXT_CHARS, name, warnings, first_row)
            if col.multi:
                frame[col.name] = _clean_multi(frame[col.name])
    key = columns[0].name
    frame[key] = _keys(frame, key, name, warnings, first_row)
    if "text" in frame.columns:
        frame["text"] = frame["text"].fillna("")
    if "image_hashes" in frame.columns:
        _check_hashes(frame, "image_hashes", HEX16, 16, name, warnings, first_row)
    if "pdq_hashes" in frame.columns:
        _check_hashes(frame, "pdq_hashes", HEX64, 64, name, warnings, first_row)
    known = [c.name for c in columns]
    return frame[known + [c for c in frame.columns if c not in known]]


def load(source, columns: tuple[Column, ...], mapping=None, warnings: WarningLog | None = None,
         name: str | None = None, allow_empty: bool = False) -> pd.DataFrame:
    """Read (a path) or take (a DataFrame) a table and :func:`validate` it."""
    warnings = warnings if warnings is not None else WarningLog()
    if isinstance(source, pd.DataFrame):
        frame, name = source, name or "<dataframe>"
    elif hasattr(source, "to_pandas"):  # a cuDF frame: validation is a pandas-side border
        frame, name = source.to_pandas(), name or "<dataframe>"
    else:
        frame, name = read_table(source, warnings), name or str(source)
        if frame.shape[1] == 0:
            raise InputError(name, "no columns were found", "The first line must be a header row.", row=1)
    if len(frame) == 0:
        if not allow_empty:
            raise InputError(name, "the table has a header but no data rows", "Export it again with its rows.")
        warnings.add(name, "", "", "the table has no data rows")
    return validate(frame, columns, name, mapping, warnings)


def load_accounts(source, mapping=None, warnings: WarningLog | None = None) -> pd.DataFrame:
    """Load and validate an accounts table from a path or a DataFrame.

    Examples
    --------
    >>> frame = load_accounts(pd.DataFrame({"id": ["a1"], "body": ["call 713 482 0193"]}),
    ...                       mapping={"id": "account_id", "body": "text"})
    >>> list(frame.columns[:2]), frame.loc[0, "account_id"]
    (['account_id', 'text'], 'a1')
    """
    return load(source, ACCOUNT_COLUMNS, mapping, warnings)


def load_cases(source, mapping=None, warnings: WarningLog | None = None) -> pd.DataFrame:
    """Load and validate a cases table; ``kind`` defaults to ``subject``. No rows is allowed."""
    cases = load(source, CASE_COLUMNS, mapping, warnings, allow_empty=True)
    kind = cases["kind"].fillna("subject").str.strip().str.lower()
    cases["kind"] = kind.where(kind.isin(["subject", "missing"]), "subject")
    return cases


# ---------------------------------------------------------------- writing
FORMULA_START = r"^[=+\-@\t\r]"
SAFE_NUMBER = r"[+-]?\d[\d.]*"
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix spreadsheet-formula cells with ``'`` so Excel shows them as text.

    E.164 phones and plain numbers (``+17134820193``, ``-3.5``) are left as they are.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"v": ["=HYPERLINK(1)", "+17134820193", "ok"]}))["v"].tolist()
    ["'=HYPERLINK(1)", '+17134820193', 'ok']
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            text = s.astype("string")
            risky = text.str.contains(FORMULA_START, regex=True, na=False) & ~text.str.fullmatch(SAFE_NUMBER, na=False)
            if risky.any():
                out[col] = text.where(~risky, "'" + text)
    return out


def safe_filename(identifier, max_length: int = 80) -> str:
    """A file name made from an id: no path separators, no ``..``, bounded, deterministic.

    Ids that are already safe are kept as they are; any other id is cleaned and given a
    short hash of the original, so two different ids never share a file name.

    Examples
    --------
    >>> safe_filename("E00030")
    'E00030'
    >>> safe_filename("../../etc/passwd")
    'etc_passwd-3754d6cb'
    """
    original = str(identifier)
    text = unicodedata.normalize("NFKC", original)
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text)
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip("._-")
    max_length = max(max_length, 16)
    reserved = cleaned.split(".")[0].lower() in _WINDOWS_RESERVED  # CON, NUL.txt, ... on Windows
    if cleaned and cleaned == original and len(cleaned) <= max_length and not reserved:
        return cleaned
    digest = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    stem = ("_" if reserved else "") + cleaned[: max_length - 10].rstrip("._-")
    return f"{stem}-{digest}" if stem else digest


def _one_line_ending(frame: pd.DataFrame) -> pd.DataFrame:
    """Line breaks inside cells as '\n' only: the writer quotes those, but not a bare '\r',
    which spreadsheets and readers take as the end of a row (splitting it, formulas and all)."""
    out = frame
    for col in frame.columns:
        s = frame[col]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            text = s.astype("string")
            if text.str.contains("\r", regex=False, na=False).any():
                out = out.copy() if out is frame else out
                out[col] = text.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a CSV atomically (temporary file + rename): readers never see half a file.

    Formula cells are neutralised (:func:`neutralise_formulas`) and line breaks inside
    cells are written as quoted ``\n``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="") as handle:
            neutralise_formulas(_one_line_ending(frame)).to_csv(handle, index=False, lineterminator="\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes(data: bytes | str, path: Path) -> Path:
    """Write any file atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8", "replace") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def explode_multi(frame: pd.DataFrame, column: str, key: str = "account_id") -> pd.DataFrame:
    """Long form of a ';'-list column: one row per (key, value)."""
    values = frame[column].dropna().str.split(";").explode()
    values = values[values.str.len() > 0]
    return pd.DataFrame({key: frame.loc[values.index, key].to_numpy(), column: values.to_numpy()})

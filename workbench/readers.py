"""Reading the analyst's files: CSV (any common separator and encoding), Parquet, JSON Lines.

Owns file formats and decoding; validation of the columns is ``io``'s. Clean files take
vectorised paths; the per-line paths run only on broken files.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io as _stdio
import json
import logging
import re
import sys
import warnings as _warnings
import zlib
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .errors import InputError, WarningLog

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 200_000  # longer cells are cut (with a warning): no ad is this long
MAX_ID_CHARS = 256  # ids are keys in every output; a longer one is a broken export
HEX16 = r"[0-9a-fA-F]{16}"
HEX64 = r"[0-9a-fA-F]{64}"
DATE_RANGE = (pd.Timestamp("1990-01-01"), pd.Timestamp("2100-01-01"))  # online ads: nothing outside
COORDINATE_LIMITS = {"lat": 90.0, "lon": 180.0}
TEXT_SUFFIXES = {
    ".csv": None,
    ".txt": None,
    ".tsv": "\t",
    ".tab": "\t",
}  # None: sniff the separator
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")


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
            raise InputError(
                name,
                f"is marked as {encoding.upper()} but is not valid {encoding.upper()}",
                "Save it again as CSV UTF-8.",
            ) from None
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
            _warnings.simplefilter(
                "error", pd.errors.ParserWarning
            )  # "loss of data": go the ragged way
            return pd.read_csv(
                _stdio.StringIO(text),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        reason = str(exc)
    unclosed = re.search(r"EOF inside string starting at row (\d+)", reason)
    if unclosed:
        raise InputError(
            name,
            'a quote (") opens a cell that is never closed',
            'Close or remove that quote; cells holding commas or line breaks must be wrapped in "..."',
            row=int(unclosed.group(1)) + 1,
        )
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
            ragged = [
                i
                for i, r in enumerate((r for r in reader if r), start=2)
                if len(r) > width and any(f.strip() for f in r[width:])
            ]
    except csv.Error as exc:
        raise InputError(
            name, f"is not a readable CSV ({exc})", "Export it again as CSV UTF-8."
        ) from None
    try:
        with _warnings.catch_warnings():  # the loss it warns of is the extra fields, reported below
            _warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                _stdio.StringIO(text),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                index_col=False,
                usecols=range(width),
            )
    except (pd.errors.ParserError, ValueError):
        frame = _read_with_csv_module(text, sep, width)
    warnings.add_many(
        name, ragged, "", "more fields than the header; the extra fields were ignored"
    )
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
            raise InputError(
                name,
                f"not valid JSON ({exc.msg})",
                "The file may be truncated; export it again.",
                row=exc.lineno,
            ) from None
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
    records = [
        value
        if isinstance(value, dict)
        else {"unparsed_line": value if isinstance(value, str) else json.dumps(value)}
        for _, value in lines
    ]
    bad = [i for i, value in lines if not isinstance(value, dict)]
    if bad and len(bad) == len(lines):
        raise InputError(
            name, "no line is a JSON object", "Each line must be one JSON object.", row=bad[0]
        )
    warnings.add_many(
        name,
        bad,
        "",
        "not a complete JSON object; kept with an empty id, its text in unparsed_line",
    )
    if SURROGATE_ESCAPE.search(text):  # unpaired surrogates cannot be stored or written as UTF-8
        fixed = [_without_surrogates(r) for r in records]
        changed = sum(a != b for a, b in zip(records, fixed, strict=True))
        if changed:
            warnings.add(
                name, "", "", f"{changed} records held unpaired UTF-16 surrogates; replaced by '?'"
            )
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
        raise InputError(
            name,
            "this is a folder, not a file",
            "Give the path of a .csv, .parquet or .jsonl file.",
        )
    kind = _file_type(path)
    if kind in SPREADSHEET_SUFFIXES:
        raise InputError(
            name,
            f"is a spreadsheet ({kind}), which the workbench does not read",
            "Save the sheet as CSV UTF-8 (File > Save As) and give that file.",
        )
    if kind not in TEXT_SUFFIXES and kind not in PARQUET_SUFFIXES and kind not in JSON_SUFFIXES:
        raise InputError(
            name, f"unknown file type {kind or '(no extension)'!r}", "Use .csv, .parquet or .jsonl."
        )
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error) as exc:
                raise InputError(
                    name,
                    f"is a damaged gzip file ({exc})",
                    "Compress it again, or give it uncompressed.",
                ) from None
        if raw[:4] == b"PK\x03\x04":
            raise InputError(
                name,
                "is a zip archive or an Excel workbook, not a text table",
                "Unzip it, or save the sheet as CSV UTF-8.",
            )
        if kind in PARQUET_SUFFIXES:
            frame = pd.read_parquet(_stdio.BytesIO(raw))
            frame.attrs["first_row"] = 1
            return frame
        if raw[:4] == b"PAR1":
            raise InputError(
                name, "is a Parquet file with another extension", "Rename it to .parquet."
            )
        text = _decode(raw, name, warnings)
        if kind in JSON_SUFFIXES:
            return _read_jsonl(text, name, warnings)
        return _read_csv(text, name, warnings, TEXT_SUFFIXES[kind])
    except InputError:
        raise
    except (OSError, ValueError, EOFError, pd.errors.ParserError, csv.Error) as exc:
        raise InputError(
            name,
            f"could not be read ({type(exc).__name__}: {str(exc)[:200]})",
            "Check that the file is complete and in the format its extension says.",
        ) from None
    except Exception as exc:  # pyarrow raises its own types for truncated files
        if type(exc).__module__.startswith("pyarrow"):
            raise InputError(
                name,
                f"could not be read as Parquet ({str(exc)[:200]})",
                "The file may be truncated; export it again.",
            ) from None
        raise


# ---------------------------------------------------------------- validation

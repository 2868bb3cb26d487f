"""Read, map and validate the analyst's tables; write outputs atomically.

Owns file formats, column mapping and input validation. Fatal problems raise
:class:`InputError` (file, row, column, advice); recoverable ones are kept as rows of
the warnings table so nothing is dropped silently.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import ACCOUNT_COLUMNS, CASE_COLUMNS, Column, OUTPUT_COLUMNS

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 200_000  # longer cells are cut (with a warning): no ad is this long
HEX16 = r"[0-9a-fA-F]{16}"
HEX64 = r"[0-9a-fA-F]{64}"
WARNING_CAP = 1000  # rows per (file, column, problem) before the rest are counted in one row


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


# ---------------------------------------------------------------- reading files
def _decode(raw: bytes, name: str, warnings: WarningLog) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Mixed or legacy encodings: decode line by line, falling back to cp1252/latin-1.
        lines = raw.split(b"\n")
        out = []
        bad = []
        for i, line in enumerate(lines):  # bounded by file size; only on the rare bad file
            try:
                out.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                bad.append(i + 1)
                try:
                    out.append(line.decode("cp1252"))
                except UnicodeDecodeError:
                    out.append(line.decode("latin-1"))
        warnings.add_many(name, bad, "", "not UTF-8; read as Windows-1252/Latin-1 (line number)")
        text = "\n".join(out)
    if "\x00" in text:
        warnings.add(name, "", "", f"{text.count(chr(0))} NUL bytes removed")
        text = text.replace("\x00", "")
    return text


def _read_csv(path: Path, warnings: WarningLog) -> pd.DataFrame:
    import io as _io

    text = _decode(path.read_bytes(), str(path), warnings)
    if not text.strip():
        raise InputError(str(path), "the file is empty", "Export it again with a header row.")
    try:
        return pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.ParserError:
        pass
    import csv  # noqa: PLC0415
    import warnings as _warnings  # noqa: PLC0415

    # Rare path (a ragged file): find the rows with extra fields so the analyst can fix them.
    reader = csv.reader(_io.StringIO(text))
    width = len(next(reader))
    ragged = [i for i, fields in enumerate(reader, start=2) if len(fields) > width]
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        frame = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                            engine="python", index_col=False, on_bad_lines=lambda fields: fields[:width])
    warnings.add_many(str(path), ragged, "", "more fields than the header; the extra fields were ignored")
    return frame


def read_table(source, warnings: WarningLog | None = None) -> pd.DataFrame:
    """Read a CSV, Parquet or JSON Lines file, chosen by extension, as strings."""
    warnings = warnings if warnings is not None else WarningLog()
    path = Path(source)
    name = str(path)
    if not path.exists():
        raise InputError(name, "the file does not exist", "Check the path.")
    if path.is_dir():
        raise InputError(name, "this is a folder, not a file", "Give the path of a .csv, .parquet or .jsonl file.")
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix.lower() == ".gz" else path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(path, warnings)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".jsonl", ".ndjson", ".json"):
            text = _decode(path.read_bytes(), name, warnings)
            if not text.strip():
                raise InputError(name, "the file is empty", "Export it again.")
            return _read_jsonl(text, name, warnings)
    except InputError:
        raise
    except (OSError, ValueError, pd.errors.ParserError, json.JSONDecodeError) as exc:
        raise InputError(name, f"could not be read ({type(exc).__name__}: {str(exc)[:200]})",
                         "Check that the file is complete and in the format its extension says.") from None
    except Exception as exc:  # pyarrow raises its own types for truncated files
        if type(exc).__module__.startswith("pyarrow"):
            raise InputError(name, f"could not be read as Parquet ({str(exc)[:200]})",
                             "The file may be truncated; export it again.") from None
        raise
    raise InputError(name, f"unknown file type {path.suffix!r}", "Use .csv, .parquet or .jsonl.")


def _read_jsonl(text: str, name: str, warnings: WarningLog) -> pd.DataFrame:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            return pd.DataFrame(json.loads(stripped))
        except json.JSONDecodeError as exc:
            raise InputError(name, f"not valid JSON ({exc.msg})", "Export it again.", row=exc.lineno) from None
    records, bad = [], []
    for i, line in enumerate(text.splitlines(), start=1):  # json lines parse per line by nature
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            bad.append(i)
            continue
        if isinstance(value, dict):
            records.append(value)
        else:
            bad.append(i)
    if bad and not records:
        raise InputError(name, "no line is a JSON object", "Each line must be one JSON object.", row=bad[0])
    warnings.add_many(name, bad, "", "line is not a complete JSON object; skipped")
    return pd.DataFrame.from_records(records)


# ---------------------------------------------------------------- validation
def _as_string(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.StringDtype) or pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return series.astype("string")
    out = series.astype("object").where(series.notna(), None)
    out = out.map(lambda v: v if v is None or isinstance(v, str) else
                  (";".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else str(v)))
    return out.astype("string")


def _clean_multi(series: pd.Series) -> pd.Series:
    """Normalise ';'-lists: trim each value, drop empties, keep one ';' between values."""
    s = series.fillna("")
    s = s.str.replace(r"\s*;\s*", ";", regex=True).str.replace(r";{2,}", ";", regex=True).str.strip(" ;")
    return s.where(s != "", pd.NA)


def _check_hashes(frame, column, pattern, width, name, warnings, first_row):
    values = frame[column].fillna("")
    parts = values.str.split(";").explode()
    parts = parts[parts != ""]
    ok = parts.str.fullmatch(pattern)
    if ok.all():
        frame[column] = values.str.lower().where(values != "", pd.NA)
        return
    bad_rows = np.unique(parts.index[~ok.to_numpy()])
    warnings.add_many(name, [frame.index.get_loc(r) + first_row for r in bad_rows], column,
                      f"malformed hash (want {width} hex digits); the bad value was ignored")
    good = parts[ok.to_numpy()].str.lower()
    joined = good.groupby(level=0).agg(";".join)
    frame[column] = joined.reindex(frame.index).astype("string")


def validate(frame: pd.DataFrame, columns: tuple[Column, ...], name: str,
             mapping: Mapping[str, str] | None = None, warnings: WarningLog | None = None) -> pd.DataFrame:
    """Map column names, check the contract, and normalise types. Returns a new frame.

    Rows are numbered as in a spreadsheet: the header is row 1, the first record row 2.
    """
    warnings = warnings if warnings is not None else WarningLog()
    first_row = 2
    frame = frame.rename(columns={str(k): v for k, v in (mapping or {}).items()})
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise InputError(name, f"column {dup!r} appears twice (after mapping)", "Rename or drop one of them.", row=1, column=dup)
    for col in columns:
        if col.required and col.name not in frame.columns:
            raise InputError(name, f"the required column {col.name!r} is missing (columns are: {', '.join(map(str, frame.columns[:20]))})",
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
            num = pd.to_numeric(frame[col.name], errors="coerce")
            bad = num.isna() & frame[col.name].notna() & (frame[col.name].astype(str).str.strip() != "")
            warnings.add_many(name, np.flatnonzero(bad) + first_row, col.name, "not a number; left empty")
            frame[col.name] = num
        elif col.dtype == "datetime":
            raw = _as_string(frame[col.name])
            parsed = pd.to_datetime(raw, errors="coerce", utc=True, format="ISO8601")
            retry = parsed.isna() & raw.notna()
            if retry.any():
                parsed[retry] = pd.to_datetime(raw[retry], errors="coerce", utc=True, format="mixed")
            bad = parsed.isna() & raw.notna() & (raw.str.strip() != "")
            warnings.add_many(name, np.flatnonzero(bad) + first_row, col.name, "not a date (want ISO 8601); left empty")
            frame[col.name] = parsed.dt.tz_localize(None)
        else:
            frame[col.name] = _as_string(frame[col.name])
            if col.multi:
                frame[col.name] = _clean_multi(frame[col.name])
    for col in columns:
        if col.dtype == "string" and not col.multi:
            long = frame[col.name].str.len() > MAX_TEXT_CHARS
            if long.any():
                warnings.add_many(name, np.flatnonzero(long) + first_row, col.name,
                                  f"longer than {MAX_TEXT_CHARS} characters; cut")
                frame.loc[long, col.name] = frame.loc[long, col.name].str.slice(0, MAX_TEXT_CHARS)
    key = columns[0].name
    ids = frame[key].str.strip()
    empty = ids.isna() | (ids == "")
    if empty.all() and len(frame):
        raise InputError(name, f"every {key} is empty", f"Fill the {key} column or map another column onto it.", column=key)
    if empty.any():
        rows = np.flatnonzero(empty)
        warnings.add_many(name, rows + first_row, key, f"empty {key}; given the id row-<row number>")
        ids[empty] = ["row-" + str(r + first_row) for r in rows]
    dup = ids.duplicated(keep="first")
    if dup.any():
        rows = np.flatnonzero(dup)
        counts = ids.groupby(ids).cumcount() + 1
        warnings.add_many(name, rows + first_row, key, f"duplicate {key}; kept and renamed <id>~<n>")
        ids[dup] = ids[dup] + "~" + counts[dup].astype(str)
    frame[key] = ids
    if "text" in frame.columns:
        frame["text"] = frame["text"].fillna("")
    if "image_hashes" in frame.columns:
        _check_hashes(frame, "image_hashes", HEX16, 16, name, warnings, first_row)
    if "pdq_hashes" in frame.columns:
        _check_hashes(frame, "pdq_hashes", HEX64, 64, name, warnings, first_row)
    known = [c.name for c in columns]
    return frame[known + [c for c in frame.columns if c not in known]]


def load(source, columns: tuple[Column, ...], mapping=None, warnings: WarningLog | None = None,
         name: str | None = None) -> pd.DataFrame:
    warnings = warnings if warnings is not None else WarningLog()
    if isinstance(source, pd.DataFrame):
        return validate(source, columns, name or "<dataframe>", mapping, warnings)
    if hasattr(source, "to_pandas"):  # a cuDF frame: validation is a pandas-side border
        return validate(source.to_pandas(), columns, name or "<dataframe>", mapping, warnings)
    frame = read_table(source, warnings)
    if frame.shape[1] == 0:
        raise InputError(str(source), "no columns were found", "The first line must be a header row.", row=1)
    return validate(frame, columns, name or str(source), mapping, warnings)


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
    """Load and validate a cases table; ``kind`` defaults to ``subject``."""
    cases = load(source, CASE_COLUMNS, mapping, warnings)
    kind = cases["kind"].fillna("subject").str.strip().str.lower()
    cases["kind"] = kind.where(kind.isin(["subject", "missing"]), "subject")
    return cases


# ---------------------------------------------------------------- writing
FORMULA_START = r"^[=+\-@\t\r]"
SAFE_NUMBER = r"[+-]?\d[\d.]*"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix spreadsheet-formula cells with ``'`` so Excel shows them as text.

    E.164 phones and plain numbers (``+17134820193``, ``-3.5``) are left as they are.
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


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a CSV atomically (temporary file + rename): readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            neutralise_formulas(frame).to_csv(handle, index=False, lineterminator="\n")
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
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
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

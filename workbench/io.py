"""Load the analyst's tables: read (``readers``), map column names and validate; write via ``writers``.

Owns file formats, column mapping and input validation. Fatal problems raise
:class:`InputError` (file, row, column, advice); recoverable ones are kept as rows of
the warnings table so nothing is dropped silently. Clean files take vectorised paths;
the per-line paths run only on broken files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .errors import WARNING_CAP, InputError, WarningLog  # noqa: F401 - re-exported
from .readers import (  # noqa: F401 - re-exported
    COORDINATE_LIMITS,
    DATE_RANGE,
    HEX16,
    HEX64,
    MAX_ID_CHARS,
    MAX_TEXT_CHARS,
    _short,
    read_table,
)
from .schema import ACCOUNT_COLUMNS, CASE_COLUMNS, Column
from .writers import (  # noqa: F401
    FORMULA_START,
    SAFE_NUMBER,
    neutralise_formulas,
    safe_filename,
    write_bytes,
    write_csv,
)

log = logging.getLogger(__name__)


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
            raise InputError(
                "--map", f"{pair!r} is not THEIR=OURS", "Write it like --map ad_body=text"
            )
        theirs, ours = pair.split("=", 1)
        mapping[theirs.strip()] = ours.strip()
    return mapping


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
        return json.dumps(
            value,
            ensure_ascii=False,
            default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v),
        )
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
    return pd.Series(
        [_cell_text(v) for v in series.astype(object)], index=series.index, dtype="string"
    )


def _clean_multi(series: pd.Series) -> pd.Series:
    """Normalise ';'-lists: trim each value, drop empties, keep one ';' between values."""
    s = series.fillna("")
    s = (
        s.str.replace(r"\s*;\s*", ";", regex=True)
        .str.replace(r";{2,}", ";", regex=True)
        .str.strip(" ;")
    )
    return s.where(s != "", pd.NA)


def _check_hashes(frame, column, pattern, width, name, warnings, first_row):
    values = frame[column].fillna("")
    ok = values.str.fullmatch(rf"(?:(?:{pattern})(?:;{pattern})*)?").to_numpy(dtype=bool)
    cleaned = values.str.lower()
    if not ok.all():  # only the cells with a bad value are taken apart
        bad = ~ok
        warnings.add_many(
            name,
            np.flatnonzero(bad) + first_row,
            column,
            f"malformed hash (want {width} hex digits); the bad value was ignored",
        )
        parts = cleaned[bad].str.split(";").explode()
        parts = parts[parts.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)]
        kept = parts.groupby(level=0).agg(";".join) if len(parts) else pd.Series(dtype="string")
        cleaned[bad] = kept.reindex(values.index[bad]).fillna("").astype("string")
    frame[column] = cleaned.where(cleaned != "", pd.NA)


def _numbers(
    raw: pd.Series, column: str, name: str, warnings: WarningLog, first_row: int
) -> pd.Series:
    if raw.dtype.kind in "fiub":
        num = raw.astype("float64")
    else:
        text = _as_string(raw)
        num = pd.to_numeric(text.astype(object).where(text.notna(), None), errors="coerce").astype(
            "float64"
        )
        bad = num.isna() & text.notna() & (text.str.strip() != "")
        warnings.add_many(
            name, np.flatnonzero(bad.to_numpy()) + first_row, column, "not a number; left empty"
        )
    limit = COORDINATE_LIMITS.get(column)
    if limit is not None:
        wild = num.notna() & ~num.abs().le(limit)
        if wild.any():
            warnings.add_many(
                name,
                np.flatnonzero(wild.to_numpy()) + first_row,
                column,
                f"outside -{limit:g}..{limit:g} or infinite; left empty",
            )
            num = num.where(~wild)
    return num


def _dates(
    raw: pd.Series, column: str, name: str, warnings: WarningLog, first_row: int
) -> pd.Series:
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
        warnings.add_many(
            name,
            np.flatnonzero(bad.to_numpy()) + first_row,
            column,
            "not a date (want ISO 8601); left empty",
        )
    parsed = parsed.dt.tz_localize(None)
    wild = parsed.notna() & ((parsed < DATE_RANGE[0]) | (parsed >= DATE_RANGE[1]))
    if wild.any():
        warnings.add_many(
            name,
            np.flatnonzero(wild.to_numpy()) + first_row,
            column,
            f"before {DATE_RANGE[0].year} or after {DATE_RANGE[1].year - 1}; left empty",
        )
        parsed = parsed.where(~wild)
    return parsed


def _cut(
    frame: pd.DataFrame, column: str, limit: int, name: str, warnings: WarningLog, first_row: int
) -> None:
    long = frame[column].str.len() > limit
    if long.any():
        warnings.add_many(
            name,
            np.flatnonzero(long.to_numpy()) + first_row,
            column,
            f"longer than {limit} characters; cut",
        )
        frame.loc[long, column] = frame.loc[long, column].str.slice(0, limit)


def _keys(
    frame: pd.DataFrame, key: str, name: str, warnings: WarningLog, first_row: int
) -> pd.Series:
    """The key column made usable: ids trimmed, empty ones named by row, duplicates renamed."""
    ids = frame[key].str.strip()
    empty = ids.isna() | (ids == "")
    if empty.all() and len(frame):
        raise InputError(
            name,
            f"every {key} is empty",
            f"Fill the {key} column or map another column onto it.",
            column=key,
        )
    if empty.any():
        rows = np.flatnonzero(empty.to_numpy())
        warnings.add_many(
            name, rows + first_row, key, f"empty {key}; given the id row-<row number>"
        )
        ids[empty] = ["row-" + str(r + first_row) for r in rows]
    dup = ids.duplicated(keep="first")
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        counts = ids.groupby(ids).cumcount() + 1
        warnings.add_many(
            name, rows + first_row, key, f"duplicate {key}; kept and renamed <id>~<n>"
        )
        ids[dup] = ids[dup] + "~" + counts[dup].astype(str)
        clash = ids.duplicated(keep="first")  # a renamed id may equal one already in the file
        if clash.any():
            ids[clash] = (
                ids[clash]
                + "~row"
                + pd.Series(
                    np.flatnonzero(clash.to_numpy()) + first_row, index=ids.index[clash]
                ).astype(str)
            )
    return ids


def validate(
    frame: pd.DataFrame,
    columns: tuple[Column, ...],
    name: str,
    mapping: Mapping[str, str] | None = None,
    warnings: WarningLog | None = None,
) -> pd.DataFrame:
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
        raise InputError(
            name,
            f"column {_short(dup)!r} appears twice (after mapping)",
            "Rename or drop one of them.",
            row=1,
            column=_short(dup),
        )
    for col in columns:
        if col.required and col.name not in frame.columns:
            shown = ", ".join(_short(c) for c in frame.columns[:20]) + (
                ", ..." if frame.shape[1] > 20 else ""
            )
            raise InputError(
                name,
                f"the required column {col.name!r} is missing (columns are: {shown})",
                f"Rename your column with --map THEIRS={col.name}.",
                row=1,
                column=col.name,
            )
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
            _cut(
                frame,
                col.name,
                MAX_ID_CHARS if col.unique else MAX_TEXT_CHARS,
                name,
                warnings,
                first_row,
            )
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


def load(
    source,
    columns: tuple[Column, ...],
    mapping=None,
    warnings: WarningLog | None = None,
    name: str | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Read (a path) or take (a DataFrame) a table and :func:`validate` it."""
    warnings = warnings if warnings is not None else WarningLog()
    if isinstance(source, pd.DataFrame):
        frame, name = source, name or "<dataframe>"
    elif hasattr(source, "to_pandas"):  # a cuDF frame: validation is a pandas-side border
        frame, name = source.to_pandas(), name or "<dataframe>"
    else:
        frame, name = read_table(source, warnings), name or str(source)
        if frame.shape[1] == 0:
            raise InputError(
                name, "no columns were found", "The first line must be a header row.", row=1
            )
    if len(frame) == 0:
        if not allow_empty:
            raise InputError(
                name, "the table has a header but no data rows", "Export it again with its rows."
            )
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
def explode_multi(frame: pd.DataFrame, column: str, key: str = "account_id") -> pd.DataFrame:
    """Long form of a ';'-list column: one row per (key, value)."""
    values = frame[column].dropna().str.split(";").explode()
    values = values[values.str.len() > 0]
    return pd.DataFrame({key: frame.loc[values.index, key].to_numpy(), column: values.to_numpy()})

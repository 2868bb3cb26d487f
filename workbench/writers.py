"""Writing outputs: atomic files (temporary file + rename), CSV cells made safe for spreadsheets,
file names made safe from ids.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

FORMULA_START = r"^[=+\-@\t\r]"
SAFE_NUMBER = r"[+-]?\d[\d.]*"
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


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
            risky = text.str.contains(FORMULA_START, regex=True, na=False) & ~text.str.fullmatch(
                SAFE_NUMBER, na=False
            )
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
                out[col] = text.str.replace("\r\n", "\n", regex=False).str.replace(
                    "\r", "\n", regex=False
                )
    return out


@contextmanager
def atomic_file(path: Path, mode: str = "wb", **open_args):
    """Open a temporary file beside ``path``; on success flush, fsync and rename it over
    ``path``, on any error remove it. Readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name, dir=path.parent)
    try:
        with os.fdopen(fd, mode, **open_args) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a CSV atomically (temporary file + rename): readers never see half a file.

    Formula cells are neutralised (:func:`neutralise_formulas`) and line breaks inside
    cells are written as quoted ``\n``.
    """
    from .csvtext import csv_text  # noqa: PLC0415

    safe = neutralise_formulas(_one_line_ending(frame))
    chunks = csv_text(safe)  # the same bytes as pandas, formatted in Arrow; None: pandas writes it
    if chunks is None:
        with atomic_file(path, "w", encoding="utf-8", errors="replace", newline="") as handle:
            safe.to_csv(handle, index=False, lineterminator="\n")
        return Path(path)
    with atomic_file(path, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    return Path(path)


def write_bytes(data: bytes | str, path: Path) -> Path:
    """Write any file atomically."""
    with atomic_file(path, "wb") as handle:
        handle.write(data.encode("utf-8", "replace") if isinstance(data, str) else data)
    return Path(path)

"""Property tests: any table the loaders are given loads or raises InputError, nothing else.

Also a bounded fuzz of the extractor and a ReDoS check: time per input must grow
linearly, so ten times the repetitions of a crafted pattern may take at most ~20 times
as long. Together these run in well under 30 seconds.
"""

from __future__ import annotations

import csv
import io
import json
import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.extract import extract_identifiers
from workbench.io import InputError, WarningLog, load_accounts, load_cases

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Cells: any text (st.text never yields lone surrogates) with the characters that break
# readers made likely: separators, quotes, line breaks of every kind, NUL, BOM.
TRICKY = ",;\t|\"'\n\r\x00\x85\u2028\u2029\x1c\ufeff=+-@ "
cell = st.one_of(st.text(max_size=30), st.text(alphabet=TRICKY + "ab7", max_size=12), st.just(""))
column = st.one_of(
    st.sampled_from(
        [
            "account_id",
            "text",
            "title",
            "city",
            "posted_at",
            "lat",
            "phone",
            "image_hashes",
            "case_id",
            "notes",
            "kind",
        ]
    ),
    st.text(max_size=10),
)


@st.composite
def tables(draw):
    """A header (usually holding the required columns) and rows of arbitrary cells."""
    names = draw(st.lists(column, min_size=1, max_size=6))
    if draw(st.booleans()):
        names = ["account_id", "text", *names]
    rows = draw(st.lists(st.lists(cell, min_size=len(names), max_size=len(names)), max_size=8))
    return names, rows


def _load(path, loader=load_accounts):
    warnings = WarningLog()
    try:
        return loader(path, warnings=warnings), warnings
    except InputError as exc:
        assert str(path) in str(exc) or exc.file == str(path)
        return None, warnings


def _readable(names, rows) -> bool:
    """Whether the table is well-formed enough that every row must survive."""
    return (
        "account_id" in names
        and "text" in names
        and len(set(n.strip().lstrip("\ufeff") for n in names)) == len(names)
        and all(n.strip() == n or n.strip() not in ("account_id", "text") for n in names)
    )


@FUZZ
@given(tables())
def test_any_csv_loads_or_raises_input_error(tmp_path_factory, table):
    names, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "fuzz.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    frame, _ = _load(path)
    if frame is not None:
        assert frame["account_id"].is_unique and frame["account_id"].notna().all()
        if _readable(names, rows) and rows and all(any(c.strip() for c in r) for r in rows):
            assert len(frame) == len(rows)


@FUZZ
@given(tables(), st.booleans())
def test_any_jsonl_loads_or_raises_input_error(tmp_path_factory, table, ascii_only):
    names, rows = table
    lines = [json.dumps(dict(zip(names, r, strict=True)), ensure_ascii=ascii_only) for r in rows]
    path = tmp_path_factory.mktemp("jsonl") / "fuzz.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame, _ = _load(path)
    if frame is not None:
        assert frame["account_id"].is_unique
        assert len(frame) == len(rows), "one row per JSON line, whatever the text holds"


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(st.lists(st.dictionaries(column, json_value, max_size=5), max_size=6))
def test_any_json_values_load_or_raise_input_error(tmp_path_factory, records):
    path = tmp_path_factory.mktemp("jsonv") / "fuzz.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    for loader in (load_accounts, load_cases):
        frame, _ = _load(path, loader)
        if frame is not None:
            assert len(frame) == len(records)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["csv", "jsonl", "parquet", "tsv", "csv.gz"]))
def test_any_bytes_load_or_raise_input_error(tmp_path_factory, data, ext):
    path = tmp_path_factory.mktemp("bytes") / f"fuzz.{ext}"
    path.write_bytes(b"account_id,text\n" + data if ext == "csv" and data[:1] == b"a" else data)
    _load(path)


@FUZZ
@given(tables())
def test_any_dataframe_validates_or_raises_input_error(table):
    names, rows = table
    frame = pd.DataFrame(rows, columns=names) if rows else pd.DataFrame(columns=names)
    try:
        load_accounts(frame)
    except InputError:
        pass


# ---------------------------------------------------------------- the extractor
AD_ALPHABET = st.sampled_from(
    list("0123456789 ()-.+@_$:/#*|~")
    + [
        "at",
        "dot",
        "com",
        "gmail",
        "one",
        "seven",
        "O",
        "l",
        "💋",
        "👻",
        "IG",
        "snap",
        "cashapp",
        "www.",
        "http://",
        "\u200b",
        "\ufe0f\u20e3",
        "7",
    ]
)
ad_text = st.lists(AD_ALPHABET, max_size=40).map("".join)


@settings(
    max_examples=2000, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.one_of(ad_text, st.text(max_size=80)))
def test_extractor_fuzz_never_raises(text):
    found = extract_identifiers(text)
    for ident in found:
        assert ident.kind and ident.value
        assert 0 <= ident.start <= ident.end <= len(text)


# (prefix, unit repeated, suffix): shapes that make backtracking regexes quadratic or worse.
CRAFTED = [
    ("", "7 ", ""),
    ("", "a@", ""),
    ("", "at dot ", ""),
    ("jade", " dot jade", " at gmail"),
    ("", "1O", ""),
    ("", "💋7", ""),
    ("", "$a ", ""),
    ("", "@ab ", ""),
    ("", "IG/", ""),
    ("", "a.", ""),
    ("", "one ", "!"),
    ("", "7\ufe0f\u20e3", ""),
    ("", "(713) ", ""),
    ("", "713.", ""),
    ("", "snap: ", ""),
    ("", "a at b dot ", ""),
    ("", "[at]", ""),
    ("", "a", "@"),
    ("", "1", "@x"),
    ("http://", "a.", ""),
    ("", "0x1", "g"),
    ("bc1", "q", "!"),
]


def _seconds(text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        extract_identifiers(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("prefix, unit, suffix", CRAFTED, ids=[repr(u) for _, u, _ in CRAFTED])
def test_crafted_input_time_is_linear(prefix, unit, suffix):
    small = _seconds(prefix + unit * 10_000 + suffix, 2)
    large = _seconds(prefix + unit * 100_000 + suffix, 2)
    # Linear is 10x; 20x leaves room for shared cores and cache effects. Below a quarter
    # second the large run is fast in absolute terms (a quadratic regex takes seconds here).
    assert large < 0.25 or large / max(small, 1e-3) < 20, (small, large)

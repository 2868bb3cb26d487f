"""Bad input, through the loader and the real command line.

Every hostile file must end in one of two ways: a clean run (exit 0) whose
``entities.csv`` has one row per input data row and whose ``warnings.csv`` counts the
problem, or exit code 2 with one message naming the file (and row or column where it
applies). Never a traceback, never a silently dropped row.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench import cli
from workbench.io import InputError, WarningLog, load_accounts, load_cases

ROOT = Path(__file__).resolve().parents[1]
GOOD = (
    "account_id,text,city,posted_at,phone\n"
    "a1,call me 713 482 0193,Houston,2024-05-01T10:00:00,\n"
    'a2,"new in town, text 713-482-0193",Dallas,2024-05-02,7134820193\n'
    "a3,jade at gmail dot com,Austin,,\n"
)


@dataclass(frozen=True)
class Case:
    """One hostile input: how to write it and what must come of it."""

    name: str
    filename: str
    content: bytes | Callable[[Path], None]
    outcome: str  # "ok" (exit 0) or "error" (exit 2)
    rows: int = 0  # data rows the run must keep, when ok
    warns: bool = False  # the problem must be counted in warnings.csv
    where: tuple[str, ...] = ()  # words the error message must contain besides the file name
    ids: tuple[str, ...] = ()  # the account ids the loader must give, in order, when known

    def write(self, folder: Path) -> Path:
        path = folder / self.filename
        if callable(self.content):
            self.content(path)
        else:
            path.write_bytes(self.content)
        return path


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _parquet(table: pa.Table) -> Callable[[Path], None]:
    return lambda path: pq.write_table(table, path)


def _truncated_parquet(path: Path) -> None:
    frame = pd.DataFrame(
        {"account_id": [f"a{i}" for i in range(200)], "text": ["call 713 482 0193"] * 200}
    )
    frame.to_parquet(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.csv").write_bytes(GOOD.encode())


def _jsonl(*records) -> bytes:
    return (
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode("utf-8")
        + b"\n"
    )


def _xlsx(path: Path) -> None:
    import zipfile  # an .xlsx is a zip of XML parts; a minimal one is enough to be refused

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")


TEN_MB = "x" * 10_000_000
MILLION = "y" * 1_000_000
MIXED_TYPES = pa.table(
    {
        "account_id": pa.array([1, 2, 3, 4], pa.int64()),
        "text": pa.array([[1, 2], [3], None, [4, 5, 6]], pa.list_(pa.int64())),
        "title": pa.array(
            [{"a": 1, "b": "x"}, None, {"a": 2, "b": "y"}, {"a": 3, "b": None}],
            pa.struct([("a", pa.int64()), ("b", pa.string())]),
        ),
        "city": pa.array([True, False, None, True], pa.bool_()),
        "platform": pa.array([1.5, None, 3.0, float("nan")], pa.float64()),
        "posted_at": pa.array([1_714_550_400, 0, None, -1], pa.int64()),
        "lat": pa.array(["29.7", "north", None, "1e400"], pa.string()),
        "lon": pa.array([[1.0], None, [2.0, 3.0], []], pa.list_(pa.float64())),
        "phone": pa.array([["7134820193", "8005551234"], None, [], ["x"]], pa.list_(pa.string())),
        "image_hashes": pa.array([b"\x00\xff", None, b"00ff00ff00ff00ff", b""], pa.binary()),
        "handle": pa.array(
            [{"k": [1, 2]}, None, {"k": []}, {"k": None}], pa.struct([("k", pa.list_(pa.int64()))])
        ),
    }
)
ALL_NULL = pa.table(
    {"account_id": pa.array([None, None], pa.string()), "text": pa.array(["a", "b"])}
)
EMPTY_PARQUET = pa.table(
    {"account_id": pa.array([], pa.string()), "text": pa.array([], pa.string())}
)

CASES: list[Case] = [
    Case("empty file", "empty.csv", b"", "error", where=("empty",)),
    Case("blank lines only", "blank.csv", b"\n\n   \n\r\n", "error", where=("empty",)),
    Case("header only", "header.csv", b"account_id,text\n", "error", where=("no data rows",)),
    Case(
        "header only, parquet",
        "header.parquet",
        _parquet(EMPTY_PARQUET),
        "error",
        where=("no data rows",),
    ),
    Case(
        "missing required column",
        "missing.csv",
        _csv("account_id,body", "a1,hi"),
        "error",
        where=("text", "--map"),
    ),
    Case(
        "only unknown columns",
        "unknown.csv",
        _csv("foo,bar", "1,2", "3,4"),
        "error",
        where=("account_id",),
    ),
    Case(
        "duplicate ids",
        "dup.csv",
        _csv("account_id,text", "a1,x", "a1,y", "a1,z", "a2,w"),
        "ok",
        4,
        True,
    ),
    Case("empty ids", "emptyid.csv", _csv("account_id,text", ",x", "  ,y", "a3,z"), "ok", 3, True),
    Case(
        "every id empty",
        "allempty.csv",
        _csv("account_id,text", ",x", ",y"),
        "error",
        where=("account_id",),
    ),
    Case(
        "all-null ids, parquet",
        "nullid.parquet",
        _parquet(ALL_NULL),
        "error",
        where=("account_id",),
    ),
    Case(
        "byte order mark",
        "bom.csv",
        b"\xef\xbb\xbf" + GOOD.encode(),
        "ok",
        3,
        ids=("a1", "a2", "a3"),
    ),
    Case("UTF-16 with BOM", "utf16.csv", GOOD.encode("utf-16"), "ok", 3),
    Case(
        "latin-1",
        "latin1.csv",
        "account_id,text\na1,café crème\na2,niño\n".encode("latin-1"),
        "ok",
        2,
        True,
    ),
    Case(
        "mixed encodings",
        "mixed.csv",
        b"account_id,text\na1,caf\xc3\xa9\na2,caf\xe9\na3,\xe2\x82\xac 100\n",
        "ok",
        3,
        True,
    ),
    Case(
        "invalid UTF-8",
        "badutf8.csv",
        b"account_id,text\na1,ok\na2,\x81\x8d\x8f\x90\x9d broken \xff\xfe\n",
        "ok",
        2,
        True,
    ),
    Case(
        "NUL bytes",
        "nul.csv",
        b"account_id,text\na1,713\x00482\x000193\na2\x00,x\x00\n",
        "ok",
        2,
        True,
    ),
    Case(
        "ragged rows",
        "ragged.csv",
        _csv(
            "account_id,text,city",
            "a1,x,Houston,extra,more",
            "a2,y",
            "a3,z,Dallas",
            "a4,w,Austin,,,,",
        ),
        "ok",
        4,
        True,
        ids=("a1", "a2", "a3", "a4"),
    ),
    Case(
        "quotes and newlines in cells",
        "quoted.csv",
        _csv(
            "account_id,text",
            'a1,"line one',
            'line two, with comma"',
            'a2,"she said ""hi"""',
            'a3,"a\r\nb"',
            'a4,unquoted "quote" inside',
        ),
        "ok",
        4,
        ids=("a1", "a2", "a3", "a4"),
    ),
    Case(
        "unclosed quote",
        "unclosed.csv",
        _csv("account_id,text", "a1,fine", 'a2,"never closed', "a3,more"),
        "error",
        where=("row 3", "quote"),
    ),
    Case(
        "10 MB cell",
        "big.csv",
        f"account_id,text\na1,{TEN_MB}\na2,short 713 482 0193\n".encode(),
        "ok",
        2,
        True,
    ),
    Case(
        "1M-character line of fields",
        "wide.csv",
        ("account_id,text\na1,hi" + ",z" * 500_000 + "\na2,x\n").encode(),
        "ok",
        2,
        True,
        ids=("a1", "a2"),
    ),
    Case(
        "1M-character title",
        "longtitle.csv",
        f"account_id,text,title\na1,hi,{MILLION}\n".encode(),
        "ok",
        1,
        True,
    ),
    Case(
        "1M-character header",
        "longheader.csv",
        (MILLION + "\na1\n").encode(),
        "error",
        where=("account_id",),
    ),
    Case(
        "mixed and impossible dates",
        "dates.csv",
        _csv(
            "account_id,text,posted_at",
            "a1,x,2024-02-30",
            "a2,x,2024-05-01",
            "a3,x,05/01/2024",
            "a4,x,1 May 2024",
            "a5,x,2024-13-45",
            "a6,x,0000-00-00",
            "a7,x,1500-01-01",
            "a8,x,99999-01-01",
            "a9,x,yesterday",
            "a10,x,2024-05-01T10:00:00+02:00",
            "a11,x,1714550400",
        ),
        "ok",
        11,
        True,
    ),
    Case(
        "bad coordinates",
        "coords.csv",
        _csv(
            "account_id,text,lat,lon",
            "a1,x,91,0",
            "a2,x,inf,nan",
            "a3,x,1e400,-181",
            "a4,x,north,",
            "a5,x,29.76,-95.36",
        ),
        "ok",
        5,
        True,
    ),
    Case(
        "malformed hashes",
        "hashes.csv",
        _csv(
            "account_id,text,image_hashes,pdq_hashes",
            "a1,x,00ff00ff00ff00ff;zzzz;0x12,abc",
            "a2,x,00FF00FF00FF00FF00,",
            "a3,x,;;;,;",
            "a4,x," + "f" * 64 + "," + "0" * 64,
        ),
        "ok",
        4,
        True,
    ),
    Case(
        "numbers in id column",
        "numid.csv",
        _csv("account_id,text", "1,x", "1.0,y", "1e5,z", "-0,w", "00001,v"),
        "ok",
        5,
    ),
    Case(
        "numbers in id column, jsonl",
        "numid.jsonl",
        _jsonl(
            {"account_id": 1, "text": "x"},
            {"account_id": "1", "text": "y"},
            {"account_id": 2.0, "text": 3},
            {"account_id": True, "text": None},
            {"account_id": [1, 2], "text": {"a": 1}},
        ),
        "ok",
        5,
        True,
    ),
    Case("wrong types in parquet", "types.parquet", _parquet(MIXED_TYPES), "ok", 4, True),
    Case("truncated parquet", "trunc.parquet", _truncated_parquet, "error", where=("Parquet",)),
    Case("garbage named parquet", "garbage.parquet", b"PAR1 this is not really parquet", "error"),
    Case(
        "truncated json lines",
        "trunc.jsonl",
        _jsonl(
            {"account_id": "a1", "text": "x"},
            {"account_id": "a2", "text": "y"},
            '{"account_id": "a3", "te',
        ),
        "ok",
        3,
        True,
    ),
    Case("json lines, no object", "noobj.jsonl", b"1\n2\n[3]\n", "error", where=("JSON",)),
    Case(
        "json lines, lone surrogate",
        "surrogate.jsonl",
        b'{"account_id": "a1", "text": "bad \\ud800 here"}\n',
        "ok",
        1,
        True,
    ),
    Case(
        "truncated json array",
        "trunc.json",
        b'[{"account_id": "a1", "text": "x"}, {"account_id": "a2", "te',
        "error",
        where=("JSON",),
    ),
    Case("a folder", "folder.csv", _folder, "error", where=("folder",)),
    Case("excel workbook", "book.xlsx", _xlsx, "error", where=("CSV",)),
    Case("excel workbook named csv", "book2.csv", _xlsx, "error", where=("Excel",)),
    Case("unknown extension", "data.foo", GOOD.encode(), "error", where=(".foo",)),
    Case("no extension", "data", GOOD.encode(), "error"),
    Case("gzip'd csv", "acc.csv.gz", gzip.compress(GOOD.encode()), "ok", 3),
    Case("gzip'd csv named csv", "gz.csv", gzip.compress(GOOD.encode()), "ok", 3),
    Case("corrupt gzip", "bad.csv.gz", gzip.compress(GOOD.encode())[:30], "error", where=("gzip",)),
    Case(
        "semicolon separated",
        "semi.csv",
        _csv("account_id;text;city", "a1;x;Houston", "a2;y;Dallas"),
        "ok",
        2,
        ids=("a1", "a2"),
    ),
    Case(
        "extra fields in the first row",
        "first.csv",
        _csv("account_id,text", "a1,x,9", "a2,y"),
        "ok",
        2,
        True,
        ids=("a1", "a2"),
    ),
    Case(
        "1M-character id",
        "longid.csv",
        f"account_id,text\n{MILLION},x\n{MILLION}z,y\n".encode(),
        "ok",
        2,
        True,
    ),
    Case(
        "tab separated", "tabs.tsv", _csv("account_id\ttext", "a1\tx, with comma", "a2\ty"), "ok", 2
    ),
    Case("old Mac line ends", "cr.csv", b"account_id,text\ra1,x\ra2,y\r", "ok", 2),
    Case("duplicate header names", "duphead.csv", _csv("account_id,text,text", "a1,x,y"), "ok", 1),
    Case("text column all empty", "notext.csv", _csv("account_id,text", "a1,", "a2,"), "ok", 2),
    Case("single column", "onecol.csv", _csv("account_id", "a1"), "error", where=("text",)),
    Case("binary noise", "noise.csv", bytes(range(256)) * 40, "error"),
]
CASE_IDS = [c.name for c in CASES]


# ---------------------------------------------------------------- through the loader
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_loader(case: Case, tmp_path):
    path = case.write(tmp_path)
    warnings = WarningLog()
    if case.outcome == "error":
        with pytest.raises(InputError) as err:
            load_accounts(path, warnings=warnings)
        message = str(err.value)
        assert path.name in message and err.value.file == str(path)
        for word in case.where:
            assert word.lower() in message.lower(), (word, message)
        assert len(message) < 1000, "one readable message, however big the file"
        return
    frame = load_accounts(path, warnings=warnings)
    assert len(frame) == case.rows, "no row is dropped or invented"
    assert frame["account_id"].is_unique and frame["account_id"].notna().all()
    assert (frame["account_id"].str.len() > 0).all()
    assert frame["text"].notna().all()
    assert frame["posted_at"].dtype.kind == "M" and frame["lat"].dtype.kind == "f"
    if case.ids:
        assert frame["account_id"].tolist() == list(case.ids)
    if case.warns:
        assert len(warnings.rows) > 0, "the problem is counted in warnings"
        assert all(str(path) == w["file"] for w in warnings.rows)


def test_cases_file_header_only_is_no_cases(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,phones\n")
    warnings = WarningLog()
    cases = load_cases(path, warnings=warnings)
    assert len(cases) == 0 and "case_id" in cases.columns
    assert len(warnings.rows) == 1


# ---------------------------------------------------------------- through the command line
def _check_cli(case: Case, path: Path, out: Path, code: int, stderr: str) -> None:
    assert "Traceback" not in stderr, stderr[-3000:]
    expected = 0 if case.outcome == "ok" else 2
    assert code == expected, stderr[-2000:]
    if code == 2:
        messages = [line for line in stderr.splitlines() if line.startswith("workbench:")]
        assert len(messages) == 1, stderr
        assert path.name in messages[0]
        return
    entities = pd.read_csv(out / "entities.csv", dtype=str, keep_default_na=False)
    assert len(entities) == case.rows, "entities.csv has one row per input data row"
    warnings = pd.read_csv(out / "warnings.csv", dtype=str)
    if case.warns:
        assert len(warnings) > 0


def _argv(path: Path, out: Path) -> list[str]:
    return ["run", "--accounts", str(path), "--out", str(out), "--no-trends"]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_cli_in_process(case: Case, tmp_path, capsys):
    """The CLI's main(): any exception escaping it would be a traceback for the analyst."""
    path = case.write(tmp_path)
    out = tmp_path / "out"
    code = cli.main(_argv(path, out))
    _check_cli(case, path, out, code, capsys.readouterr().err)


def _subprocess(case: Case, folder: Path) -> tuple[Case, Path, Path, int, str]:
    folder.mkdir()
    path = case.write(folder)
    out = folder / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "workbench.cli", *_argv(path, out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    return case, path, out, proc.returncode, proc.stderr


QUICK = ("header only", "ragged rows", "truncated parquet", "invalid UTF-8")


def test_cli_subprocess_representatives(tmp_path):
    """The real command line (``python -m workbench.cli``) on a few representative files."""
    chosen = [c for c in CASES if c.name in QUICK]
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda ic: _subprocess(ic[1], tmp_path / f"c{ic[0]}"), enumerate(chosen))
        )
    for result in results:
        _check_cli(*result)


@pytest.mark.slow
def test_cli_subprocess_every_case(tmp_path):
    """Every hostile file through the real command line (about a minute on two cores)."""
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda ic: _subprocess(ic[1], tmp_path / f"c{ic[0]}"), enumerate(CASES))
        )
    for result in results:
        _check_cli(*result)


def test_python_dash_m_workbench(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert proc.returncode == 0 and "run" in proc.stdout

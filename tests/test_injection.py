"""Hostile content in the data: HTML and script stay text, formulas stay inert, ids make safe file names.

Ad text, titles, cities and ids of a small synthetic world are laced with HTML, script,
event handlers, ``javascript:`` URLs, SVG with script and spreadsheet formulas; the
whole pipeline runs and every output is checked.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench
from workbench.io import SAFE_NUMBER, safe_filename
from workbench.synth import generate_world

# Every payload carries the marker XSS so that anything coming from the data can be recognised.
HTML_PAYLOADS = [
    "<script>alert('XSS1')</script>",
    "<img src=x onerror=alert('XSS2')>",
    "<a href=\"javascript:alert('XSS3')\">click</a>",
    "<svg onload=alert('XSS4')><script>alert('XSS5')</script></svg>",
    "</script><script>alert('XSS6')</script>",
    "\"><iframe src=javascript:alert('XSS7')>",
    "<style>*{x:expression(alert('XSS8'))}</style><b onmouseover=alert('XSS9')>",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example/XSS","open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|XSS",
    "@SUM(1+1)*XSS",
    "=1+1",
    "\t=XSS",
    "\r=XSS",
]
# Cells a spreadsheet cannot run: the documented exception (digits and dots, e.g. E.164 phones) and floats.
NUMBER = re.compile(rf"{SAFE_NUMBER}|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    world = generate_world(250, seed=5)
    accounts = world.accounts.copy()
    n = len(accounts)
    payloads = HTML_PAYLOADS + FORMULAS
    accounts["text"] = [
        f"{t} {payloads[i % len(payloads)]}" for i, t in enumerate(accounts["text"])
    ]
    accounts["title"] = [payloads[(i + 3) % len(payloads)] for i in range(n)]
    # Keep distinct cities distinct so that linking and risk see the same world.
    cities = {
        c: f"{c} {payloads[k % len(payloads)]}"
        for k, c in enumerate(sorted(accounts["city"].dropna().unique()))
    }
    accounts["city"] = accounts["city"].map(cities)
    prefixes = HTML_PAYLOADS + ["=", "+", "-", "@", "=cmd|' /C calc'!A0 "]
    renamed = {a: f"{prefixes[i % len(prefixes)]}{a}" for i, a in enumerate(accounts["account_id"])}
    accounts["account_id"] = accounts["account_id"].map(renamed)
    out = tmp_path_factory.mktemp("hostile_out")
    result = workbench.run(
        accounts,
        world.cases,
        out=out,
        backend="cpu",
        config=workbench.pipeline.RunConfig(run_trends=False),
    )
    return result, out


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def test_report_shows_hostile_data_only_as_text(hostile_run):
    result, out = hostile_run
    page = (out / "report.html").read_text("utf-8")
    parsed = _Collector()
    parsed.feed(page)
    names = {tag for tag, _ in parsed.tags}
    assert not names & {
        "img",
        "iframe",
        "a",
        "object",
        "embed",
        "foreignobject",
        "math",
        "form",
        "base",
    }
    for tag, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert "XSS" not in (value or ""), (tag, name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)
    for (
        script
    ) in parsed.scripts:  # the report's own scripts (plotly): data inside them never closes them
        assert "<script" not in script.lower() and "</script" not in script.lower()
        assert "alert('XSS" not in script
    assert "<script>alert(" not in page and "<img src=x" not in page and "<svg onload" not in page
    # The payloads did reach the report, shown as text.
    assert "&lt;script&gt;alert(" in page or "&lt;script&gt;alert(&#39;XSS" in page
    assert "XSS" in page


def _cells(path: Path):
    """Every cell of a CSV output; a row split by a stray line break fails here."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        width = len(next(rows))
        for row in rows:
            assert len(row) == width, (path.name, row[:3])
            yield from row


def test_csv_outputs_neutralise_formula_cells(hostile_run):
    result, out = hostile_run
    checked = 0
    for path in sorted(out.glob("*.csv")):
        for value in _cells(path):
            checked += 1
            if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert NUMBER.fullmatch(value), (path.name, value)
    assert checked > 1000
    entities = (out / "entities.csv").read_text("utf-8")
    for prefix in ("'=cmd|' /C calc'!A0 A0", "'=A0", "'+A0", "'-A0", "'@A0"):
        assert prefix in entities, prefix


def test_graphml_is_well_formed_with_hostile_ids(hostile_run):
    import networkx as nx

    _, out = hostile_run
    graph = nx.read_graphml(out / "graph.graphml")
    assert graph.number_of_nodes() > 0


# ---------------------------------------------------------------- file names from ids
@pytest.mark.parametrize(
    "identifier",
    [
        "../../etc/passwd",
        "..",
        ".",
        "",
        "a/b\\c",
        "C:\\x",
        "CON",
        "nul.txt",
        "x" * 500,
        "<script>",
        "é/../ü",
        "\x00abc",
        " lead ",
        "A0000001",
        "E00030",
    ],
)
def test_safe_filename_examples(identifier):
    name = safe_filename(identifier)
    assert name and re.fullmatch(r"[A-Za-z0-9._-]+", name)
    assert ".." not in name and not name.startswith(".") and "/" not in name and "\\" not in name
    assert len(name) <= 80
    assert name.split(".")[0].lower() not in {"con", "prn", "aux", "nul"}
    assert safe_filename(identifier) == name, "deterministic"


def test_safe_filename_keeps_safe_ids():
    assert safe_filename("A0000001") == "A0000001" and safe_filename("case_12.b-3") == "case_12.b-3"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=200), st.text(max_size=200))
def test_safe_filename_properties(a, b):
    name = safe_filename(a)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name) and ".." not in name and not name.startswith(".")
    assert len(name) <= 80 and Path(name).name == name
    if a != b:
        assert safe_filename(b) != name, "different ids never share a file"

"""The same input and seed give byte-identical outputs on the CPU.

Every CSV and the GraphML are compared byte for byte; report.html after taking out
its generation time and plotly's random element ids (neither comes from the data).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.synth import generate_world, write_world

ROOT = Path(__file__).resolve().parents[1]
VOLATILE = [
    re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d"),
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
]  # plotly div ids


def _runs(tmp_path: Path, trends: bool, n: int = 300) -> tuple[Path, Path]:
    """Two runs in two processes whose string hashing differs (PYTHONHASHSEED), as two
    analysts' machines would: set and dict order must not leak into the outputs."""
    world = generate_world(n, seed=13)
    paths = write_world(world, tmp_path / "world")
    outs = []
    for name, hash_seed in (("a", "1"), ("b", "2")):
        out = tmp_path / name
        argv = [
            sys.executable,
            "-m",
            "workbench",
            "run",
            "--accounts",
            str(paths["accounts"]),
            "--cases",
            str(paths["cases"]),
            "--out",
            str(out),
            "--backend",
            "cpu",
            "--seed",
            "3",
        ] + ([] if trends else ["--no-trends"])
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append(out)
    return outs[0], outs[1]


def _compare(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir() if p.is_file())
    assert names == sorted(p.name for p in b.iterdir() if p.is_file())
    assert {"entities.csv", "links.csv", "identifiers.csv", "leads.csv", "graph.graphml"} <= set(
        names
    )
    differ = [
        n for n in names if n != "report.html" and (a / n).read_bytes() != (b / n).read_bytes()
    ]
    assert not differ, f"outputs differ between identical runs: {differ}"
    pages = []
    for folder in (a, b):
        page = (folder / "report.html").read_text("utf-8")
        for pattern in VOLATILE:
            page = pattern.sub("", page)
        pages.append(page)
    assert pages[0] == pages[1], "report.html differs beyond its timestamp and plotly ids"


def test_same_input_same_seed_same_bytes(tmp_path):
    _compare(*_runs(tmp_path, trends=False))


@pytest.mark.slow
def test_same_bytes_with_trends(tmp_path):
    """UMAP and HDBSCAN included (slow: UMAP compiles its kernels on first use)."""
    _compare(*_runs(tmp_path, trends=True, n=400))

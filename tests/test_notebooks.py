"""Notebooks: committed without outputs, each with a tagged parameters cell; papermill runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.notebooks import NOTEBOOK_DIR, available, run_notebook

BOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def test_the_templated_notebooks_are_there():
    assert {
        "00_quickstart",
        "01_load_and_check",
        "02_resurfacing_watch",
        "03_trends",
        "04_network",
        "05_triage",
        "06_photos",
        "07_gpu_scale",
    } <= set(available())


@pytest.mark.parametrize("path", BOOKS, ids=[p.stem for p in BOOKS])
def test_committed_without_outputs_and_with_parameters(path: Path):
    book = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in book["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") for c in code), f"{path.name} has outputs: strip them"
    assert not any(c.get("execution_count") for c in code)
    assert "parameters" in code[0].get("metadata", {}).get("tags", []), (
        "the first code cell is the parameters cell"
    )
    assert book["cells"][0]["cell_type"] == "markdown", "a notebook starts with what it is for"
    assert not any("def " in "".join(c["source"]) for c in code), (
        "no functions in notebooks: they live in the package"
    )


@pytest.mark.notebooks
def test_workbench_notebook_runs_with_parameters(tmp_path):
    sample = NOTEBOOK_DIR.parent / "data" / "sample" / "accounts.csv"
    executed = run_notebook("01_load_and_check", [f"accounts={sample}"], tmp_path)
    book = json.loads(executed.read_text(encoding="utf-8"))
    assert any(c.get("outputs") for c in book["cells"] if c["cell_type"] == "code")

"""workbench bench: one row per size with every stage timed and the peak memory."""

from __future__ import annotations

import pandas as pd

from workbench.cli import main


def test_bench_writes_table_and_chart(tmp_path):
    assert (
        main(
            [
                "bench",
                "--sizes",
                "300,600",
                "--out",
                str(tmp_path),
                "--no-trends",
                "--backend",
                "cpu",
            ]
        )
        == 0
    )
    table = pd.read_csv(tmp_path / "bench.csv")
    assert table["n"].tolist() == [300, 600]
    assert {"load", "extract", "link", "watch", "risk", "graph", "total", "peak_gib"} <= set(
        table.columns
    )
    assert (table["total"] > 0).all()
    page = (tmp_path / "bench.html").read_text()
    assert '<script src="http' not in page and "<script src='http" not in page, (
        "plotly.js is inlined"
    )
    grow = pd.read_csv(tmp_path / "growth.csv")
    assert grow[["from_n", "to_n"]].values.tolist() == [[300, 600]] and "link" in grow
    assert main(["bench", "--sizes", "ten", "--out", str(tmp_path)]) == 2

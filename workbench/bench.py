"""``workbench bench``: time every stage of a run on synthetic worlds of several sizes.

Owns the benchmark loop only: each size runs in its own process (so peak memory is that
size's), the stage times are the pipeline's own ``Result.timings``. Writes ``bench.csv``
and ``bench.html`` (an offline plotly chart of time against size per stage).
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import resource
import time
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)


def _one_size(n: int, seed: int, backend: str, trends: bool, queue) -> None:
    from . import pipeline  # noqa: PLC0415
    from .synth import generate_world  # noqa: PLC0415

    started = time.perf_counter()
    world = generate_world(n, seed=seed)
    synth_s = time.perf_counter() - started
    result = pipeline.run(world.accounts, world.cases, backend=backend,
                          config=pipeline.RunConfig(run_trends=trends, seed=seed))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    queue.put({"n": n, "backend": result.backend, "synth": synth_s, **result.timings,
               "total": sum(result.timings.values()), "peak_gib": round(peak, 3)})


def run_bench(sizes: list[int], out: Path, backend: str = "auto", trends: bool = True, seed: int = 1) -> pd.DataFrame:
    """Run each size in a fresh process; returns and writes the table (seconds per stage, peak GiB)."""
    context = mp.get_context("spawn")
    rows = []
    for n in sizes:  # one process per size: sizes are few
        queue = context.Queue()
        proc = context.Process(target=_one_size, args=(n, seed, backend, trends, queue))
        proc.start()
        proc.join()
        if proc.exitcode != 0:
            rows.append({"n": n, "error": f"exit code {proc.exitcode} (out of memory or time?)"})
            continue
        rows.append(queue.get())
        log.info("bench %d accounts: %.1fs", n, rows[-1]["total"])
    table = pd.DataFrame(rows)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from .writers import write_bytes, write_csv  # noqa: PLC0415

    write_csv(table.round(3), out / "bench.csv")
    write_bytes(_chart(table), out / "bench.html")
    return table


def _chart(table: pd.DataFrame) -> str:
    import plotly.graph_objects as go  # noqa: PLC0415

    fig = go.Figure()
    stages = [c for c in ("load", "extract", "link", "watch", "trends", "risk", "graph", "total") if c in table]
    for stage in stages:
        fig.add_trace(go.Scatter(x=table["n"], y=table[stage], mode="lines+markers", name=stage))
    fig.update_layout(title="Seconds per stage against accounts (log-log)", xaxis_type="log", yaxis_type="log",
                      xaxis_title="accounts", yaxis_title="seconds", template="plotly_white")
    return fig.to_html(full_html=True, include_plotlyjs=True, div_id="bench")

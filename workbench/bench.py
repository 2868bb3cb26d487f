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

STAGES = ("load", "extract", "link", "watch", "trends", "risk", "graph", "write", "total")


def growth(table: pd.DataFrame) -> pd.DataFrame:
    """How each stage grows with size: the exponent ``b`` of ``time ~ n**b`` between
    consecutive sizes (1 is linear; n log n shows as slightly above 1), and the same for
    peak memory.

    Examples
    --------
    >>> t = pd.DataFrame({"n": [1000, 10000], "link": [1.0, 12.0], "peak_gib": [0.5, 1.0]})
    >>> growth(t).round(2).to_dict("records")
    [{'from_n': 1000, 'to_n': 10000, 'link': 1.08, 'peak_gib': 0.3}]
    """
    import numpy as np  # noqa: PLC0415

    ok = table[table.get("error", pd.Series(index=table.index, dtype=object)).isna()].sort_values(
        "n"
    )
    columns = [c for c in (*STAGES, "peak_gib") if c in ok]
    rows = []
    for (_, a), (_, b) in zip(
        ok.iterrows(), ok.iloc[1:].iterrows(), strict=False
    ):  # a handful of sizes
        ratio = np.log(b["n"] / a["n"])
        row = {"from_n": int(a["n"]), "to_n": int(b["n"])}
        for c in columns:
            row[c] = float(np.log(max(b[c], 1e-3) / max(a[c], 1e-3)) / ratio)
        rows.append(row)
    return pd.DataFrame(rows, columns=["from_n", "to_n", *columns])


def _make_world(n: int, seed: int, folder: str, queue) -> None:
    from .synth import generate_world  # noqa: PLC0415

    started = time.perf_counter()
    world = generate_world(n, seed=seed)
    world.accounts.to_parquet(Path(folder) / "accounts.parquet", index=False)
    world.cases.to_parquet(Path(folder) / "cases.parquet", index=False)
    queue.put(time.perf_counter() - started)


def _one_size(n: int, folder: str, seed: int, backend: str, trends: bool, queue) -> None:
    from . import pipeline  # noqa: PLC0415

    result = pipeline.run(
        Path(folder) / "accounts.parquet",
        Path(folder) / "cases.parquet",
        out=Path(folder) / "out",
        backend=backend,
        config=pipeline.RunConfig(run_trends=trends, seed=seed),
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    queue.put(
        {
            "n": n,
            "backend": result.backend,
            **result.timings,
            "total": sum(result.timings.values()),
            "peak_gib": round(peak, 3),
        }
    )


def _in_process(target, *args):
    """Run ``target(*args, queue)`` in a fresh process; its result, or an error row."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    proc = context.Process(target=target, args=(*args, queue))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        return None, f"exit code {proc.exitcode} (out of memory or time?)"
    return queue.get(), None


def run_bench(
    sizes: list[int], out: Path, backend: str = "auto", trends: bool = True, seed: int = 1
) -> pd.DataFrame:
    """Time each size: the world is generated and written to Parquet in one fresh process,
    then the whole run (load from Parquet to writing every output) in another, so the
    peak memory is the run's own. Returns and writes the table (seconds per stage, peak GiB)."""
    import tempfile  # noqa: PLC0415

    from .progress import iterate  # noqa: PLC0415

    rows = []
    for n in iterate(sizes, desc="workbench bench", delay=0):  # one process per size: sizes are few
        with tempfile.TemporaryDirectory(prefix=f"bench{n}-") as folder:
            synth_s, error = _in_process(_make_world, n, seed, folder)
            row, error = (
                (None, error) if error else _in_process(_one_size, n, folder, seed, backend, trends)
            )
        if error:
            rows.append({"n": n, "error": error})
            continue
        rows.append({**row, "synth": round(synth_s, 3)})
        log.info("bench %d accounts: %.1fs", n, rows[-1]["total"])
    table = pd.DataFrame(rows)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from .writers import write_bytes, write_csv  # noqa: PLC0415

    write_csv(table.round(3), out / "bench.csv")
    if len(table) > 1:
        write_csv(growth(table).round(2), out / "growth.csv")
    write_bytes(_chart(table), out / "bench.html")
    return table


def _chart(table: pd.DataFrame) -> str:
    import plotly.graph_objects as go  # noqa: PLC0415

    fig = go.Figure()
    stages = [c for c in STAGES if c in table]
    for stage in stages:
        fig.add_trace(go.Scatter(x=table["n"], y=table[stage], mode="lines+markers", name=stage))
    fig.update_layout(
        title="Seconds per stage against accounts (log-log)",
        xaxis_type="log",
        yaxis_type="log",
        xaxis_title="accounts",
        yaxis_title="seconds",
        template="plotly_white",
    )
    return fig.to_html(full_html=True, include_plotlyjs=True, div_id="bench")

"""The trends step's time in fresh processes, as a run pays it (compilation and start included).

    .venv/bin/python benchmarks/bench_trends_fresh.py --sizes 5000,20000,100000

Each size runs in a new Python process (``--child``) that generates a synth world,
loads it, then times ``trends.cluster_accounts`` as ``pipeline.run`` calls it: features,
neighbours, UMAP (its numba kernels loaded from numba's on-disk cache; the very first run
on a machine compiles and stores them, ``backend.cache_umap_kernels``), HDBSCAN.
``import_s`` is importing the workbench; ``warnings`` counts the library warnings that
reached the run's warnings (0 expected). The table is printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import pandas as pd


def child(n: int, seed: int) -> dict:
    """One measurement in this (fresh) process."""
    t0 = time.perf_counter()
    from workbench import io, trends  # noqa: PLC0415
    from workbench.synth import generate_world  # noqa: PLC0415

    t_import = time.perf_counter() - t0
    world = generate_world(n, seed=seed)
    accounts = io.load_accounts(world.accounts)
    warnings: list[str] = []
    t0 = time.perf_counter()
    clusters = trends.cluster_accounts(accounts, warn=warnings.append)
    t_trends = time.perf_counter() - t0
    return {"n": n, "import_s": round(t_import, 2), "trends_s": round(t_trends, 2),
            "clusters": int(clusters["cluster"].max() + 1), "noise": round(float((clusters["cluster"] < 0).mean()), 3),
            "warnings": len(warnings)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5000,20000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.seed)), flush=True)
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", str(n), "--seed", str(args.seed)],
                              capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["process_s"] = round(time.perf_counter() - t0, 2)
        rows.append(row)
        print(row, flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()

"""The trends step's time in fresh processes, as a run pays it (compilation and start included).

    .venv/bin/python benchmarks/bench_trends_fresh.py --sizes 5000,20000,100000 [--cold 5000]

Each size runs in a new Python process (``--child``) that generates a synth world, loads
it, then times the trends step as ``pipeline.run`` does: ``trends.cluster_accounts``
(features, neighbours, UMAP, HDBSCAN; ``cluster_s``) then ``stories.cluster_summary``
(``stories_s``; here without entities and leads). umap-learn's numba kernels come from
numba's on-disk cache (``backend.cache_umap_kernels``); ``--cold N`` adds one run at N
accounts with an empty ``NUMBA_CACHE_DIR``: what the very first run on a machine pays once.
``trends_cpu_s`` is the step's CPU time (all threads): on a machine shared with other
work, the wall time above grows and this does not. ``warnings`` counts library warnings said through the run's warnings (0 expected). The
table is printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd


def child(n: int, seed: int) -> dict:
    """One measurement in this (fresh) process."""
    t0 = time.perf_counter()
    from workbench import io, stories, trends  # noqa: PLC0415
    from workbench.synth import generate_world  # noqa: PLC0415

    t_import = time.perf_counter() - t0
    world = generate_world(n, seed=seed)
    accounts = io.load_accounts(world.accounts)
    said: list[str] = []
    t0, c0 = time.perf_counter(), time.process_time()
    clusters = trends.cluster_accounts(accounts, warn=said.append)
    t_cluster = time.perf_counter() - t0
    t0 = time.perf_counter()
    stories.cluster_summary(accounts, clusters)
    t_stories = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {
        "n": n,
        "import_s": round(t_import, 2),
        "cluster_s": round(t_cluster, 2),
        "stories_s": round(t_stories, 2),
        "trends_step_s": round(t_cluster + t_stories, 2),
        "trends_cpu_s": round(cpu, 2),
        "clusters": int(clusters["cluster"].max() + 1),
        "noise": round(float((clusters["cluster"] < 0).mean()), 3),
        "warnings": len(said),
    }


def measure(n: int, seed: int, env: dict | None = None) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(n), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row["process_s"] = round(time.perf_counter() - t0, 2)
    row["stderr_lines"] = len([line for line in done.stderr.splitlines() if line.strip()])
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5000,20000,100000")
    parser.add_argument(
        "--cold", type=int, default=0, help="also one run at this size with an empty numba cache"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.seed)), flush=True)
        return
    rows = []
    if args.cold:
        with tempfile.TemporaryDirectory() as empty:
            rows.append(
                {
                    "cache": "cold",
                    **measure(args.cold, args.seed, {**os.environ, "NUMBA_CACHE_DIR": empty}),
                }
            )
            print(rows[-1], flush=True)
    for n in (int(s) for s in args.sizes.split(",")):
        rows.append({"cache": "warm", **measure(n, args.seed)})
        print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()

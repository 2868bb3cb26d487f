"""Resurfacing-watch benchmark: lead quality by signal and the time of one incremental batch.

A world's accounts, sorted by posting time, are watched in batches of 10,000 (three
batches for the 10k world). Quality is measured on the leads written by the end, against
the world's truth; the last batch's time is "10k new accounts against the rest seen". For
1M seen accounts the state of the largest world is inflated ten-fold (copies with renamed
accounts and identifiers, so they match nothing) and the same last batch is timed on it.

    .venv/bin/python benchmarks/bench_watch.py --sizes 10000,110000 --inflate 10
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench import evaluate, watchstate
from workbench.synth import generate_world

SIGNALS = ("identifier", "photo", "template", "entity")


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def quality_by_signal(leads: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Per lead signal: leads carrying it (and carrying only it), and the share that are right."""
    scores = evaluate.lead_scores(leads, truth)
    true_pairs = pd.concat(
        [
            truth.loc[truth["case_id"].fillna("") != "", ["case_id", "account_id"]],
            truth.loc[
                truth["missing_case_id"].fillna("") != "", ["missing_case_id", "account_id"]
            ].rename(columns={"missing_case_id": "case_id"}),
        ]
    )
    hit = (
        leads.merge(true_pairs.assign(_hit=True), on=["case_id", "account_id"], how="left")["_hit"]
        .notna()
        .to_numpy()
    )
    rows = []
    for signal in SIGNALS:  # four rows
        has = (
            leads["signals"].str.split(";").map(lambda s, sig=signal: sig in s).to_numpy(dtype=bool)
        )
        only = (leads["signals"] == signal).to_numpy()
        rows.append(
            {
                "signal": signal,
                "leads": int(has.sum()),
                "precision": hit[has].mean() if has.any() else np.nan,
                "leads_only_this": int(only.sum()),
                "precision_only": hit[only].mean() if only.any() else np.nan,
            }
        )
    rows.append(
        {
            "signal": "all",
            "leads": len(leads),
            "precision": scores["lead_precision"],
            "leads_only_this": len(leads),
            "precision_only": scores["lead_precision"],
        }
    )
    return pd.DataFrame(rows)


def quality_by_truth(leads: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Per truth signal (why a resurfaced account is findable): recall and MAP on that slice."""
    rows = []
    resurfaced = truth["resurfaced"].astype(str).str.lower().isin(["true", "1"])
    slices = ["all"] + sorted(truth.loc[resurfaced, "signal"].dropna().unique())
    for name in slices:  # one row per slice: a handful
        inside = resurfaced if name == "all" else resurfaced & (truth["signal"] == name)
        # The slice's truth: its resurfaced accounts only; leads on other true pairs are set aside.
        other = truth[resurfaced & ~inside]
        sliced = truth.assign(resurfaced=inside.to_numpy())
        sliced.loc[resurfaced & ~inside, ["case_id"]] = ""
        kept = leads[~leads["account_id"].isin(other["account_id"])]
        s = evaluate.lead_scores(kept, sliced)
        rows.append(
            {
                "slice": name,
                "resurfaced": int(inside.sum()),
                "recall": s["resurfaced_recall"],
                "precision": s["lead_precision"],
                "map": s["map"],
            }
        )
    return pd.DataFrame(rows)


def run_world(
    n: int, seed: int, batch: int, state: Path
) -> tuple[pd.DataFrame, pd.DataFrame, list[float]]:
    world = generate_world(n, seed=seed)
    accounts = world.accounts.sort_values(["posted_at", "account_id"]).reset_index(drop=True)
    parts = (
        np.array_split(np.arange(n), 3)
        if n <= 3 * batch
        else np.array_split(np.arange(n), int(np.ceil(n / batch)))
    )
    seconds = []
    for k, part in enumerate(parts):  # one call per batch
        if k == len(parts) - 1:
            shutil.copytree(state, state.parent / "before_last", dirs_exist_ok=True)
            accounts.iloc[part].to_parquet(state.parent / "last_batch.parquet")
        t0 = time.perf_counter()
        watchstate.watch_batch(world.cases, accounts.iloc[part], state)
        seconds.append(time.perf_counter() - t0)
    return world.cases, world.truth, seconds


def inflate(state: Path, copies: int) -> int:
    """Add ``copies`` renamed copies of every seen account to a state folder (benchmark only)."""
    manifest = json.loads((state / "manifest.json").read_text())

    def suffix(col, k):
        return pc.binary_join_element_wise(
            col, pa.scalar(f"~{k}", type=col.type), pa.scalar("", type=col.type)
        )

    for name in ("identifiers", "photos", "signatures"):
        table = pa.concat_tables([pq.read_table(state / f) for f in manifest["parts"][name]])
        for k in range(1, copies + 1):  # one file per copy
            cols = {c: table[c] for c in table.column_names}
            cols["account_id"] = suffix(table["account_id"], k)
            if name == "identifiers":
                cols["value"] = suffix(table["value"], k)
            if name == "photos":
                mask = np.uint64(np.random.default_rng(k).integers(1, 2**63))
                cols["hash"] = pa.array(table["hash"].to_numpy() ^ mask)
            path = f"{name}/x{k:04d}.parquet"
            pq.write_table(pa.table(cols), state / path)
            manifest["parts"][name].append(path)
    entities = pq.read_table(state / manifest["entities"])
    grown = [entities] + [
        pa.table(
            {
                "account_id": suffix(entities["account_id"], k),
                "entity_id": suffix(entities["entity_id"], k),
            }
        )
        for k in range(1, copies + 1)
    ]
    pq.write_table(pa.concat_tables(grown), state / manifest["entities"])
    manifest["n_accounts"] = len(entities) * (copies + 1)
    (state / "manifest.json").write_text(json.dumps(manifest))
    return manifest["n_accounts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,110000")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument(
        "--inflate", type=int, default=10, help="copies of the largest world's seen state (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--compare-run", type=int, default=20_000, help="also run the full pipeline up to this size"
    )
    args = parser.parse_args()
    pd.set_option("display.width", 160)
    timings = []
    for n in (int(s) for s in args.sizes.split(",")):
        work = Path(tempfile.mkdtemp(prefix="bench_watch_"))
        t0 = time.perf_counter()
        cases, truth, seconds = run_world(n, args.seed, args.batch, work / "state")
        leads = watchstate.current_leads(work / "state")
        print(
            f"\n== world of {n:,} accounts, {len(cases)} cases, {len(seconds)} batches "
            f"({time.perf_counter() - t0:.0f}s in all, peak {peak_gib():.1f} GiB)"
        )
        print("leads by signal (default threshold):")
        print(quality_by_signal(leads, truth).to_string(index=False, float_format="%.3f"))
        print("resurfaced accounts by truth signal (template = findable by ad text only):")
        print(quality_by_truth(leads, truth).to_string(index=False, float_format="%.3f"))
        if n <= args.compare_run:
            from workbench import pipeline  # noqa: PLC0415

            world = generate_world(n, seed=args.seed)
            full = pipeline.run(
                world.accounts, world.cases, config=pipeline.RunConfig(run_trends=False)
            ).leads
            print(
                "for comparison, one full `workbench run` (entities from photos and ad text too):"
            )
            print(quality_by_truth(full, truth).to_string(index=False, float_format="%.3f"))
        seen = n - int(
            np.diff(
                np.r_[0, np.cumsum([len(p) for p in np.array_split(np.arange(n), len(seconds))])]
            )[-1]
        )
        timings.append({"new": n - seen, "seen": seen, "seconds": seconds[-1]})
        if args.inflate and n == max(int(s) for s in args.sizes.split(",")):
            big = work / "before_last"
            n_seen = inflate(big, args.inflate - 1)
            t0 = time.perf_counter()
            watchstate.watch_batch(cases, pd.read_parquet(work / "last_batch.parquet"), big)
            timings.append({"new": n - seen, "seen": n_seen, "seconds": time.perf_counter() - t0})
        shutil.rmtree(work, ignore_errors=True)
    print("\nincremental batch timing (extract + match + link + write):")
    print(pd.DataFrame(timings).to_string(index=False, float_format="%.2f"))
    print(f"peak memory {peak_gib():.1f} GiB")


if __name__ == "__main__":
    main()

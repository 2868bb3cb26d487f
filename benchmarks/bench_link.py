"""Linking benchmark: three linkers side by side on the same synthetic worlds.

    .venv/bin/python benchmarks/bench_link.py --sizes 10000,100000 [--out bench_link.csv]
    .venv/bin/python benchmarks/bench_link.py --sizes 1000000 --linkers identifier-only,workbench

For each size the world is generated and its identifiers extracted once (timed, in this
process); each linker then runs in a fresh Python process on the same Parquet copies of
accounts and identifiers, so its time and memory are its own:

``identifier-only``
    Every shared strong identifier (phone, e-mail, handle, payment, wallet, URL) links;
    no hub guard, no photos, no text. Connected components of accounts and identifiers.
``reference``
    The reference linker of the held-out study: strong identifiers and near-duplicate
    photo groups, any value on more than ``REFERENCE_CAP`` (100) accounts dropped,
    union-find; no text. A fixed cap: what an analyst writes in 70 lines.
``splink``
    Splink (DuckDB backend) deduplicating on the same strong identifiers, set up as its
    documentation teaches:

    - one row per account; for each identifier kind, the array of its distinct values
      and, for term-frequency adjustment and EM blocking, the first of them;
    - values on more than ``SPLINK_JUNK`` (500) accounts are treated as missing, as an
      analyst would after looking at value frequencies: the site footers' numbers sit on
      about 10% of all accounts (blocking on them alone would make 5e9 pairs at 1M
      accounts), while the largest true operator holds 200;
    - per kind a comparison with levels: null, exact match of the first value with term
      frequency adjustment, any shared value (array intersection), else;
    - predictions blocked on every kind's array, exploded (a pair sharing any value is
      scored);
    - ``probability_two_random_records_match`` from the first-value rules (recall 0.7),
      u by random sampling (``SPLINK_U_PAIRS`` pairs, seed 1), m by EM in three sessions
      blocked on the first phone, e-mail and handle;
    - ``predict`` at match probability 0.01, then
      ``cluster_pairwise_predictions_at_threshold`` at 0.5 (the row ``splink``) and, as an
      upper bound that peeks at the truth, at the best of 0.01 / 0.05 / 0.2 / 0.5 / 0.8 /
      0.95 (``splink best@t``; same run, same time and memory).

    With identifiers only, a shared value is Splink's whole evidence; random-sampled u of
    near-unique keys is inflated by the true matches among big operators, so match
    probabilities of single-identifier pairs sit near 0.5 and the threshold matters more
    than usual. DuckDB uses both cores; the other linkers use one.
``workbench``
    ``pipeline.account_photo_groups`` (near-duplicate photo groups), ``pipeline.text_evidence``
    (boilerplate strip, MinHash/LSH ad-text pairs and signatures) and ``link.link_accounts``
    (weights estimated on the data, hubs judged by it, groups merged on group evidence).

``--world DIR`` benchmarks a world on disk instead (``accounts.csv`` and ``truth.csv``, e.g.
``../shared/validation/us-20k``, a world that ``workbench synth`` did not write).

Quality is pairwise precision / recall / F1 of entities against ``truth.operator_id``
(``workbench.evaluate.entity_scores``). Memory: a thread samples the linker process's
resident set (``/proc/self/statm``) every 5 ms; ``<stage>_gib`` is the highest sample
during that stage (a spike shorter than 5 ms can be missed) and ``peak_gib`` the kernel's
exact high-water mark for the process (``ru_maxrss``), which includes reading the Parquet
inputs (``load``; they then hold ``inputs_gib``). Extraction is timed apart
(``extract_s``, in the parent process) and is the same for every linker; ``link_total_s``
sums the linker's own stages. Splink rows are skipped with a note when splink is
not installed (``pip install workbench[bench]``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from workbench.schema import STRONG_KINDS

LINKERS = ("identifier-only", "reference", "splink", "workbench")
REFERENCE_CAP = 100  # the held-out study's reference: values on more accounts are dropped
SPLINK_JUNK = 500
SPLINK_U_PAIRS = 1e7
SPLINK_THRESHOLD = 0.5
SPLINK_SWEEP = (0.01, 0.05, 0.2, 0.5, 0.8, 0.95)
MARK = "BENCH_ROW "


class Meter:
    """Wall time and resident-memory high-water mark per stage of this process."""

    def __init__(self, interval: float = 0.005):
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.interval, self.high, self.rows = interval, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def rss(self) -> int:
        try:
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * self.page
        except OSError:  # not Linux: the process high-water mark is all there is
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.high = max(self.high, self.rss())

    def stage(self, name: str):
        meter = self

        class _Stage:
            def __enter__(self):
                meter.high = meter.rss()
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                meter.high = max(meter.high, meter.rss())
                meter.rows[f"{name}_s"] = round(time.perf_counter() - self.start, 3)
                meter.rows[f"{name}_gib"] = round(meter.high / 1024**3, 3)

        return _Stage()

    def close(self) -> dict:
        self._stop.set()
        self._thread.join()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        return {**self.rows, "peak_gib": round(peak, 3)}


def _union_find(index: pd.Index, evidence: pd.DataFrame) -> pd.DataFrame:
    """Entities as connected components of accounts and the (kind, value) they carry."""
    codes = index.get_indexer(evidence["account_id"])
    group = evidence.groupby(["kind", "value"]).ngroup().to_numpy()
    n, k = len(index), int(group.max()) + 1 if len(group) else 0
    graph = coo_matrix((np.ones(len(codes)), (codes, n + group)), shape=(n + k, n + k))
    labels = connected_components(graph, directed=False)[1][:n]
    return pd.DataFrame({"account_id": index, "entity_id": labels.astype(str)})


def identifier_only(accounts: pd.DataFrame, identifiers: pd.DataFrame) -> pd.DataFrame:
    """Baseline: every shared strong identifier links, no hub guard, no photos or text."""
    return _union_find(
        pd.Index(accounts["account_id"]), identifiers[identifiers["kind"].isin(STRONG_KINDS)]
    )


def reference(
    accounts: pd.DataFrame, identifiers: pd.DataFrame, members: pd.DataFrame
) -> pd.DataFrame:
    """Reference: strong identifiers and photo groups, values on > REFERENCE_CAP accounts dropped."""
    index = pd.Index(accounts["account_id"])
    ev = identifiers.loc[identifiers["kind"].isin(STRONG_KINDS), ["account_id", "kind", "value"]]
    photos = pd.DataFrame(
        {"account_id": members["account_id"], "kind": "image", "value": members["rep"].astype(str)}
    )
    ev = pd.concat([ev, photos], ignore_index=True).drop_duplicates()
    return _union_find(
        index, ev[ev.groupby(["kind", "value"])["account_id"].transform("size") <= REFERENCE_CAP]
    )


def splink_table(accounts: pd.DataFrame, identifiers: pd.DataFrame) -> tuple[pa.Table, list[str]]:
    """One row per account: per identifier kind an array of values and its first value.

    Lists are built by Arrow's group-by (pandas' ``agg(list)`` makes a Python list per
    account: 45 s at 1M accounts, which would be charged to Splink).
    """
    ev = identifiers.loc[
        identifiers["kind"].isin(STRONG_KINDS), ["account_id", "kind", "value"]
    ].drop_duplicates()
    ev = ev[ev.groupby(["kind", "value"])["account_id"].transform("size").to_numpy() <= SPLINK_JUNK]
    ev = ev.sort_values(["account_id", "kind", "value"])
    ids = pa.array(accounts["account_id"].astype(str), type=pa.large_string())
    columns = {"account_id": ids}
    kinds = [k for k in STRONG_KINDS if (ev["kind"] == k).any()]
    for kind in kinds:  # a handful of identifier kinds
        rows = pa.Table.from_pandas(
            ev.loc[ev["kind"] == kind, ["account_id", "value"]], preserve_index=False
        )
        grouped = rows.group_by("account_id", use_threads=False).aggregate([("value", "list")])
        at = pc.index_in(ids, value_set=pc.cast(grouped["account_id"], pa.large_string()))
        values = grouped["value_list"].combine_chunks().take(at)  # null where the account has none
        columns[kind] = values
        columns[f"{kind}_1"] = pc.list_element(values, 0)
    return pa.table(columns), kinds  # DuckDB reads Arrow as is


def splink_link(table, kinds: list[str], meter: Meter) -> dict[float, pd.DataFrame]:
    import logging  # noqa: PLC0415

    import splink.comparison_level_library as cll  # noqa: PLC0415
    import splink.comparison_library as cl  # noqa: PLC0415
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: PLC0415

    logging.getLogger("splink").setLevel(logging.ERROR)
    with meter.stage("train"):
        db = DuckDBAPI()
        comparisons = [
            cl.CustomComparison(
                [
                    cll.NullLevel(k),
                    cll.ExactMatchLevel(f"{k}_1", term_frequency_adjustments=True),
                    cll.ArrayIntersectLevel(k, 1),
                    cll.ElseLevel(),
                ],
                output_column_name=k,
            )
            for k in kinds
        ]
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="account_id",
            comparisons=comparisons,
            blocking_rules_to_generate_predictions=[
                block_on(k, arrays_to_explode=[k]) for k in kinds
            ],
        )
        linker = Linker(db.register(table), settings)
        linker.training.estimate_probability_two_random_records_match(
            [block_on(f"{k}_1") for k in kinds], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=SPLINK_U_PAIRS, seed=1)
        for kind in [k for k in ("phone", "email", "handle") if k in kinds]:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(f"{kind}_1")
            )
    with meter.stage("predict"):
        predictions = linker.inference.predict(threshold_match_probability=min(SPLINK_SWEEP))

    def cluster(threshold: float) -> pd.DataFrame:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold
        )
        frame = clusters.as_pandas_dataframe()[["account_id", "cluster_id"]]
        return frame.rename(columns={"cluster_id": "entity_id"}).astype(str)

    with meter.stage("cluster"):  # the reported run: one threshold
        entities = {SPLINK_THRESHOLD: cluster(SPLINK_THRESHOLD)}
    for threshold in SPLINK_SWEEP:  # the sweep for the upper bound, not timed
        entities.setdefault(threshold, cluster(threshold))
    return entities


def _quality(entities: pd.DataFrame, truth: pd.DataFrame) -> dict:
    from workbench import evaluate  # noqa: PLC0415

    q = evaluate.entity_scores(entities, truth)
    return {
        "precision": round(q["precision"], 4),
        "recall": round(q["recall"], 4),
        "f1": round(q["f1"], 4),
        "entities": q["entities_multi"],
        "true_entities": q["true_entities_multi"],
    }


def run_linker(name: str, folder: Path) -> list[dict]:
    """One linker on one world, in this (fresh) process; rows for the table."""
    meter = Meter()
    with meter.stage("load"):  # reading Parquet peaks well above the frames it leaves
        accounts = pd.read_parquet(folder / "accounts.parquet")
        identifiers = pd.read_parquet(folder / "identifiers.parquet")
        truth = pd.read_parquet(folder / "truth.parquet")
    inputs = meter.rss() / 1024**3
    if name == "identifier-only":
        with meter.stage("link"):
            entities = identifier_only(accounts, identifiers)
        return [
            {
                "linker": name,
                **_quality(entities, truth),
                **meter.close(),
                "inputs_gib": round(inputs, 3),
            }
        ]
    if name == "splink":
        with meter.stage("prep"):
            table, kinds = splink_table(accounts, identifiers)
        del accounts, identifiers
        by_threshold = splink_link(table, kinds, meter)
        usage = {**meter.close(), "inputs_gib": round(inputs, 3)}
        scores = {t: _quality(e, truth) for t, e in by_threshold.items()}
        best = max(scores, key=lambda t: scores[t]["f1"])
        return [
            {
                "linker": "splink",
                **scores[SPLINK_THRESHOLD],
                **usage,
                "note": f"threshold {SPLINK_THRESHOLD}",
            },
            {
                "linker": f"splink best@{best}",
                **scores[best],
                **usage,
                "note": "threshold chosen on truth",
            },
        ]
    from workbench import link, pipeline  # noqa: PLC0415

    config = link.LinkConfig()
    with meter.stage("photos"):
        _, members = pipeline.account_photo_groups(accounts, config)
    if name == "reference":
        with meter.stage("link"):
            entities = reference(accounts, identifiers, members)
        return [
            {
                "linker": name,
                **_quality(entities, truth),
                **meter.close(),
                "inputs_gib": round(inputs, 3),
            }
        ]
    with meter.stage("text"):
        text_pairs, signatures = pipeline.text_evidence(accounts, config)
    with meter.stage("link"):
        linkage = link.link_accounts(
            accounts,
            identifiers,
            config,
            photo_groups=members,
            text_pairs=text_pairs,
            text_signatures=signatures,
        )
    usage = meter.close()
    row = {
        "linker": name,
        **_quality(linkage.entities, truth),
        **usage,
        "inputs_gib": round(inputs, 3),
        "note": f"{len(text_pairs)} text pairs, {len(linkage.hubs)} hubs",
    }
    return [row]


def _spawn(name: str, folder: Path) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, __file__, "--linker", name, "--data", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = [
        json.loads(line[len(MARK) :]) for line in proc.stdout.splitlines() if line.startswith(MARK)
    ]
    if proc.returncode != 0 or not rows:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return [{"linker": name, "note": f"failed (exit {proc.returncode}): {tail[0][:120]}"}]
    return rows


def bench(n: int, seed: int, linkers: list[str], world_dir: str | None = None) -> list[dict]:
    from workbench import extract, io  # noqa: PLC0415
    from workbench.synth import generate_world  # noqa: PLC0415

    if world_dir:
        truth = pd.read_csv(Path(world_dir) / "truth.csv", dtype=str)
        raw = Path(world_dir) / "accounts.csv"
    else:
        world = generate_world(n, seed=seed)
        truth, raw = world.truth, world.accounts
    started = time.perf_counter()
    accounts = io.load_accounts(raw)
    n = len(accounts)
    identifiers = extract.extract_frame(accounts)
    extract_s = round(time.perf_counter() - started, 3)
    rows = []
    with tempfile.TemporaryDirectory(prefix=f"bench_link{n}-") as tmp:
        folder = Path(tmp)
        accounts.to_parquet(folder / "accounts.parquet")
        identifiers.to_parquet(folder / "identifiers.parquet")
        truth[["account_id", "operator_id"]].to_parquet(folder / "truth.parquet")
        del truth, raw, accounts, identifiers
        for name in linkers:  # three linkers, one process each
            if name == "splink" and not _has_splink():
                rows.append(
                    {
                        "linker": "splink",
                        "note": "skipped: splink not installed (pip install workbench[bench])",
                    }
                )
                continue
            rows += _spawn(name, folder)
    label = Path(world_dir).name if world_dir else "synth"
    return [{"world": label, "n": n, "extract_s": extract_s, **row} for row in rows]


def _has_splink() -> bool:
    try:
        import duckdb  # noqa: F401, PLC0415
        import splink  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


COLUMNS = [
    "world",
    "n",
    "linker",
    "precision",
    "recall",
    "f1",
    "entities",
    "true_entities",
    "extract_s",
    "load_s",
    "link_total_s",
    "prep_s",
    "train_s",
    "predict_s",
    "cluster_s",
    "photos_s",
    "text_s",
    "link_s",
    "load_gib",
    "inputs_gib",
    "prep_gib",
    "train_gib",
    "predict_gib",
    "cluster_gib",
    "photos_gib",
    "text_gib",
    "link_gib",
    "peak_gib",
    "note",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--linkers", default=",".join(LINKERS))
    parser.add_argument("--out", help="also write the table as CSV here")
    parser.add_argument(
        "--world",
        action="append",
        default=[],
        help="a world folder (accounts.csv, truth.csv) to benchmark besides the synth sizes",
    )
    parser.add_argument(
        "--linker", help=argparse.SUPPRESS
    )  # internal: run one linker in this process
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.linker:
        for row in run_linker(args.linker, Path(args.data)):
            print(MARK + json.dumps(row), flush=True)
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",") if s):
        rows += bench(n, args.seed, args.linkers.split(","))
    for folder in args.world:
        rows += bench(0, args.seed, args.linkers.split(","), world_dir=folder)
    table = pd.DataFrame(rows)
    stage_cols = [c for c in table.columns if c.endswith("_s") and c not in ("extract_s", "load_s")]
    table["link_total_s"] = table[stage_cols].sum(axis=1, min_count=1)
    table = table[[c for c in COLUMNS if c in table.columns]]
    with pd.option_context(
        "display.width", 250, "display.max_columns", 40, "display.float_format", "{:.3f}".format
    ):
        print(table.to_string(index=False))
    print(
        f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} cores"
    )
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()

"""Linking benchmark: time, peak memory and entity quality at several sizes, side by side
with an identifier-only exact linker (and Splink on DuckDB when it is installed).

    .venv/bin/python benchmarks/bench_link.py --sizes 10000,100000
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from workbench import evaluate, extract, io, link, photos, pipeline
from workbench.schema import STRONG_KINDS
from workbench.synth import generate_world


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def identifier_only(accounts: pd.DataFrame, identifiers: pd.DataFrame) -> pd.DataFrame:
    """Baseline: every shared strong identifier links, no hub guard, no photos or text."""
    index = pd.Index(accounts["account_id"])
    ev = identifiers[identifiers["kind"].isin(STRONG_KINDS)]
    codes = index.get_indexer(ev["account_id"])
    group = ev.groupby(["kind", "value"]).ngroup().to_numpy()
    n, k = len(index), int(group.max()) + 1 if len(group) else 0
    graph = coo_matrix((np.ones(len(codes)), (codes, n + group)), shape=(n + k, n + k))
    labels = connected_components(graph, directed=False)[1][:n]
    return pd.DataFrame({"account_id": index, "entity_id": labels.astype(str)})


def bench(n: int, seed: int) -> list[dict]:
    world = generate_world(n, seed=seed)
    rows = []
    t0 = time.perf_counter()
    accounts = io.load_accounts(world.accounts)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    identifiers = extract.extract_frame(accounts)
    t_extract = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = identifier_only(accounts, identifiers)
    t_base = time.perf_counter() - t0
    q = evaluate.entity_scores(base, world.truth)
    rows.append({"n": n, "linker": "identifier-only", "load_s": t_load, "extract_s": t_extract, "link_s": t_base,
                 "precision": q["precision"], "recall": q["recall"], "f1": q["f1"], "peak_gib": peak_gib()})
    config = link.LinkConfig()
    t0 = time.perf_counter()
    table = io.explode_multi(accounts, "image_hashes").rename(columns={"image_hashes": "hash"})
    grouped = photos.group(table, radius=config.photo_radius)
    members = grouped.members.merge(grouped.groups[["group_id", "hash"]].rename(columns={"hash": "rep"}), on="group_id")
    t_photo = time.perf_counter() - t0
    t0 = time.perf_counter()
    text_pairs = pipeline.near_duplicate_text(accounts, config)
    t_text = time.perf_counter() - t0
    t0 = time.perf_counter()
    linkage = link.link_accounts(accounts, identifiers, config, photo_groups=members, text_pairs=text_pairs)
    t_link = time.perf_counter() - t0
    q = evaluate.entity_scores(linkage.entities, world.truth)
    rows.append({"n": n, "linker": "workbench", "load_s": t_load, "extract_s": t_extract,
                 "photos_s": t_photo, "text_s": t_text, "link_s": t_link, "precision": q["precision"],
                 "recall": q["recall"], "f1": q["f1"], "entities": q["entities_multi"],
                 "true_entities": q["true_entities_multi"], "hubs": len(linkage.hubs), "peak_gib": peak_gib()})
    true_hubs = set(world.info["hub_phones"]) | set(world.info["hub_emails"])
    found = set(linkage.hubs["value"])
    print(f"  n={n}: true footer hubs found {len(true_hubs & found)}/{len(true_hubs)}; "
          f"other hubs flagged {len(found - true_hubs)}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        rows += bench(n, args.seed)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()

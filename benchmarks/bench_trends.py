"""Trends benchmark: features, UMAP and HDBSCAN time and cluster quality at several sizes.

    .venv/bin/python benchmarks/bench_trends.py --sizes 10000,100000 [--backend cpu|gpu]

Above ``TrendConfig.max_fit_rows`` UMAP is fitted on a sample and the rest transformed
(the approximate mode); the table says which mode ran.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from workbench import evaluate, io
from workbench.features import FeatureConfig, account_features
from workbench.synth import generate_world
from workbench.trends import TrendConfig, cluster_matrix


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--max-fit-rows", type=int, default=TrendConfig.max_fit_rows)
    args = parser.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        world = generate_world(n, seed=1)
        accounts = io.load_accounts(world.accounts)
        t0 = time.perf_counter()
        X = account_features(accounts, FeatureConfig())
        t_feat = time.perf_counter() - t0
        t0 = time.perf_counter()
        config = TrendConfig(max_fit_rows=args.max_fit_rows)
        out = cluster_matrix(X, config, backend=args.backend)
        t_cluster = time.perf_counter() - t0
        clusters = out.assign(account_id=accounts["account_id"].to_numpy())
        q = evaluate.cluster_scores(clusters, world.truth)
        footer = (
            accounts["text"]
            .str.contains("Posted on AdHub|CityVibe listings", regex=True)
            .to_numpy()
        )
        biggest = clusters.loc[clusters["cluster"] >= 0, "cluster"].value_counts()
        footer_share_in_biggest = (
            float((clusters.loc[footer, "cluster"] == biggest.index[0]).mean())
            if len(biggest)
            else 0.0
        )
        rows.append(
            {
                "n": n,
                "backend": args.backend,
                "mode": "sample+transform" if n > config.max_fit_rows else "full",
                "features_s": t_feat,
                "umap_hdbscan_s": t_cluster,
                "clusters": int(out["cluster"].max() + 1),
                "noise": q["noise_share"],
                "largest_share": q["largest_cluster_share"],
                "footer_ads_in_largest": footer_share_in_biggest,
                "pair_precision": q["precision"],
                "pair_recall": q["recall"],
            }
        )
        print(rows[-1], flush=True)
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()

"""Score a run against synthetic ground truth (``truth.csv``).

Used by tests, benchmarks and the closing notes: pairwise precision/recall of
entities and clusters, and the quality of resurfacing leads. Never used in a run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _pairs(counts: np.ndarray) -> float:
    counts = counts.astype(np.float64)
    return float((counts * (counts - 1) / 2).sum())


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against true labels.

    Both series are indexed by item (account_id). A pair of items counts as predicted
    when both carry the same predicted label.

    Examples
    --------
    >>> pred = pd.Series(["e1", "e1", "e2"], index=["a", "b", "c"])
    >>> true = pd.Series(["o1", "o1", "o1"], index=["a", "b", "c"])
    >>> pairwise_scores(pred, true)["precision"], round(pairwise_scores(pred, true)["recall"], 3)
    (1.0, 0.333)
    """
    joined = pd.DataFrame({"pred": predicted}).join(pd.DataFrame({"true": truth}), how="inner")
    joined = joined.dropna()
    predicted_pairs = _pairs(joined.groupby("pred").size().to_numpy())
    true_pairs = _pairs(joined.groupby("true").size().to_numpy())
    both = _pairs(joined.groupby(["pred", "true"]).size().to_numpy())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted_groups": int(joined["pred"].nunique()),
        "true_groups": int(joined["true"].nunique()),
        "items": int(len(joined)),
    }


def entity_scores(entities: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Pairwise scores of ``entities.csv`` against ``truth.operator_id``."""
    pred = entities.set_index("account_id")["entity_id"]
    true = truth.set_index("account_id")["operator_id"].astype(str)
    scores = pairwise_scores(pred, true)
    multi_true = truth.groupby("operator_id").size()
    scores["true_entities_multi"] = int((multi_true > 1).sum())
    multi_pred = entities.groupby("entity_id").size()
    scores["entities_multi"] = int((multi_pred > 1).sum())
    return scores


def cluster_scores(clusters: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """How well trend clusters separate operators; noise (-1) items are left out."""
    clustered = clusters[clusters["cluster"] >= 0]
    pred = clustered.set_index("account_id")["cluster"]
    true = truth.set_index("account_id")["operator_id"].astype(str)
    scores = pairwise_scores(pred, true)
    scores["noise_share"] = float((clusters["cluster"] < 0).mean()) if len(clusters) else 0.0
    scores["largest_cluster_share"] = (
        float(
            clusters.loc[clusters["cluster"] >= 0, "cluster"].value_counts(normalize=False).max()
            / len(clusters)
        )
        if (clusters["cluster"] >= 0).any()
        else 0.0
    )
    return scores


def lead_scores(
    leads: pd.DataFrame, truth: pd.DataFrame, cases: pd.DataFrame | None = None
) -> dict[str, float]:
    """Quality of resurfacing leads against truth.

    A lead (case_id, account_id) is right when the account's true ``case_id`` is that
    case (or, for missing-child cases, ``missing_case_id``). Reports recall of
    resurfaced accounts, precision of all leads, recall of every case-linked account,
    and mean average precision of each case's ranked list.
    """
    truth = truth.copy()
    truth["case_id"] = truth["case_id"].fillna("").astype(str)
    true_pairs = truth.loc[truth["case_id"] != "", ["case_id", "account_id"]]
    if "missing_case_id" in truth.columns:
        missing = truth.loc[
            truth["missing_case_id"].fillna("").astype(str) != "", ["missing_case_id", "account_id"]
        ]
        true_pairs = pd.concat([true_pairs, missing.rename(columns={"missing_case_id": "case_id"})])
    true_set = set(zip(true_pairs["case_id"], true_pairs["account_id"], strict=True))
    leads = leads.sort_values(["case_id", "score"], ascending=[True, False])
    hit = np.array(
        [(c, a) in true_set for c, a in zip(leads["case_id"], leads["account_id"], strict=True)],
        dtype=bool,
    )
    precision = float(hit.mean()) if len(leads) else 1.0
    found = set(zip(leads["case_id"], leads["account_id"], strict=True)) & true_set
    resurfaced = truth.loc[
        truth["resurfaced"].astype(str).str.lower().isin(["true", "1"]), ["case_id", "account_id"]
    ]
    res_set = set(zip(resurfaced["case_id"], resurfaced["account_id"], strict=True))
    res_recall = len(res_set & found) / len(res_set) if res_set else 1.0
    recall = len(found) / len(true_set) if true_set else 1.0
    aps = []
    leads = leads.assign(hit=hit)
    per_case_true = true_pairs.groupby("case_id").size()
    for case_id, n_true in per_case_true.items():  # one entry per case: bounded by the case table
        ranked = leads.loc[leads["case_id"] == case_id, "hit"].to_numpy()
        if not len(ranked):
            aps.append(0.0)
            continue
        cum = np.cumsum(ranked)
        precisions = cum[ranked] / (np.flatnonzero(ranked) + 1)
        aps.append(float(precisions.sum() / n_true))
    return {
        "lead_precision": precision,
        "resurfaced_recall": res_recall,
        "case_account_recall": recall,
        "map": float(np.mean(aps)) if aps else 1.0,
        "n_leads": int(len(leads)),
        "n_true_pairs": int(len(true_set)),
        "n_resurfaced": int(len(res_set)),
    }


def format_scores(scores: dict[str, float]) -> str:
    """One line for the terminal: ``precision 0.991  recall 0.975 ...``."""
    return "  ".join(
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in scores.items()
    )


def queue_scores(
    entity_summary: pd.DataFrame,
    entities: pd.DataFrame,
    truth: pd.DataFrame,
    ks: tuple[int, ...] = (50, 200),
) -> dict[str, float]:
    """How well the risk ranking puts truly operated entities first.

    An entity counts as truly operated when most of its accounts belong to one true
    operator (role ``operator``) or to an operator with a known case. Reports precision
    at each k for the risk order and for a size-only order, and the ranks of the
    entities that hold case-linked accounts.
    """
    joined = entities.merge(
        truth[["account_id", "operator_id", "case_id"] + (["role"] if "role" in truth else [])],
        on="account_id",
    )
    joined["case_id"] = joined["case_id"].fillna("").astype(str)
    majority = joined.groupby(["entity_id", "operator_id"]).size().rename("n").reset_index()
    majority = majority.sort_values(["entity_id", "n"], ascending=[True, False]).drop_duplicates(
        "entity_id"
    )
    role = truth.drop_duplicates("operator_id").set_index("operator_id")
    is_op = (
        majority["operator_id"].map(role["role"] == "operator")
        if "role" in role
        else majority["operator_id"].str.startswith("op")
    )
    has_case = joined.groupby("entity_id")["case_id"].agg(lambda c: (c != "").any())
    operated = (
        pd.Series(is_op.to_numpy(dtype=bool), index=majority["entity_id"])
        | has_case.reindex(majority["entity_id"]).to_numpy()
    )
    ranked = entity_summary["entity_id"]
    by_size = entity_summary.sort_values(["n_accounts", "entity_id"], ascending=[False, True])[
        "entity_id"
    ]
    out: dict[str, float] = {}
    for k in ks:
        out[f"p@{k}_risk"] = float(operated.reindex(ranked.head(k)).fillna(False).mean())
        out[f"p@{k}_size"] = float(operated.reindex(by_size.head(k)).fillna(False).mean())
    case_entities = has_case[has_case].index
    ranks = pd.Series(np.arange(1, len(ranked) + 1), index=ranked.to_numpy())
    case_ranks = ranks.reindex(case_entities).dropna()
    size_ranks = (
        pd.Series(np.arange(1, len(by_size) + 1), index=by_size.to_numpy())
        .reindex(case_entities)
        .dropna()
    )
    out["case_entities"] = int(len(case_entities))
    out["case_rank_median_risk"] = float(case_ranks.median()) if len(case_ranks) else float("nan")
    out["case_rank_worst_risk"] = float(case_ranks.max()) if len(case_ranks) else float("nan")
    out["case_rank_median_size"] = float(size_ranks.median()) if len(size_ranks) else float("nan")
    out["case_rank_worst_size"] = float(size_ranks.max()) if len(size_ranks) else float("nan")
    return out

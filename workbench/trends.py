"""Trends: UMAP + HDBSCAN clusters of accounts and the 2-D map.

Owns ``cluster_matrix`` (any matrix -> cluster, x, y) and ``cluster_accounts``; the
estimators come from the backend (cuML on a GPU, umap-learn + hdbscan on a CPU).
Cluster stories live in ``stories``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .backend import Backend, resolve_backend
from .features import FeatureConfig, account_features

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrendConfig:
    """UMAP and HDBSCAN parameters.

    cluster_dims : UMAP dimensions used for clustering (the map is always 2-D)
    min_cluster_size : smallest group HDBSCAN reports; ``None`` scales with the data
    max_fit_rows : above this, UMAP is fitted on a sample and the rest transformed
        (the documented approximate mode for very large runs)
    """

    n_neighbors: int = 15
    cluster_dims: int = 5
    min_dist: float = 0.0
    min_cluster_size: int | None = None
    min_samples: int | None = None
    metric: str = "euclidean"
    max_fit_rows: int = 25_000
    seed: int = 0


def _min_cluster_size(n: int, config: TrendConfig) -> int:
    if config.min_cluster_size:
        return config.min_cluster_size
    return int(np.clip(round(n ** 0.5 / 3), 5, 100))


def _embed(X: np.ndarray, dims: int, config: TrendConfig, backend: Backend) -> np.ndarray:
    n = len(X)
    params = dict(n_components=dims, n_neighbors=min(config.n_neighbors, n - 1), min_dist=config.min_dist,
                  metric=config.metric, random_state=config.seed)
    if not backend.is_gpu:
        params["n_jobs"] = 1  # a seeded umap-learn is single-threaded anyway; say so explicitly
    reducer = backend.umap(**params)
    if n > config.max_fit_rows:
        rng = np.random.default_rng(config.seed)
        sample = np.sort(rng.choice(n, config.max_fit_rows, replace=False))
        reducer.fit(X[sample])
        return backend.asnumpy(reducer.transform(X)).astype(np.float32)
    return backend.asnumpy(reducer.fit_transform(X)).astype(np.float32)


def cluster_matrix(X, config: TrendConfig | None = None, backend: str | Backend | None = "cpu") -> pd.DataFrame:
    """Cluster the rows of any numeric matrix: UMAP to a few dimensions, HDBSCAN, and a 2-D map.

    Parameters
    ----------
    X : array-like (n_items, n_features)
    config : TrendConfig; defaults work for a few hundred to a million rows
    backend : "cpu", "gpu", "auto" or a Backend

    Returns
    -------
    pandas DataFrame with ``cluster`` (-1 is noise), ``x``, ``y``, one row per input row, in order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 0.1, (60, 5)), rng.normal(5, 0.1, (60, 5))]
    >>> out = cluster_matrix(X)
    >>> out["cluster"].nunique() >= 2, list(out.columns)
    (True, ['cluster', 'x', 'y'])
    """
    config = config or TrendConfig()
    backend = resolve_backend(backend)
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError(f"cluster_matrix needs a 2-D matrix (rows are items); got shape {X.shape}")
    n = len(X)
    if n < 10:
        coords = np.zeros((n, 2), np.float32)
        width = min(2, X.shape[1])
        coords[:, :width] = X[:, :width]
        return pd.DataFrame({"cluster": np.full(n, -1), "x": coords[:, 0], "y": coords[:, 1]})
    X = np.nan_to_num(X)
    low = _embed(X, min(config.cluster_dims, n - 2), config, backend)
    mcs = _min_cluster_size(n, config)
    clusterer = backend.hdbscan(min_cluster_size=mcs, min_samples=config.min_samples or min(mcs, 10))
    labels = backend.asnumpy(clusterer.fit_predict(low)).astype(np.int64)
    # The map is a 2-D UMAP of the clustering embedding: neighbours in a few dimensions
    # are found far faster than in the raw features, and the map agrees with the clusters.
    two_d = low[:, :2] if config.cluster_dims == 2 else _embed(low, 2, config, backend)
    return pd.DataFrame({"cluster": labels, "x": two_d[:, 0], "y": two_d[:, 1]})


def cluster_accounts(accounts: pd.DataFrame, features: FeatureConfig | None = None,
                     config: TrendConfig | None = None, backend: str | Backend | None = "cpu") -> pd.DataFrame:
    """``clusters.csv``: account_id, cluster, x, y for every account."""
    features = features or FeatureConfig()
    X = account_features(accounts, features)
    out = cluster_matrix(X, config, backend)
    out.insert(0, "account_id", accounts["account_id"].to_numpy())
    return out

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
    max_fit_rows : on the CPU, above this many rows UMAP is fitted on a seeded sample and
        every other row is placed by its nearest sampled neighbours in feature space
        (the documented approximate mode; see ``_place``)
    max_cluster_rows : HDBSCAN runs on at most this many rows of the low-dimensional
        embedding (a seeded sample); the rest take the label most of their nearest
        clustered neighbours share, or noise when they disagree
    gpu_max_fit_rows : the same limit on a GPU, where cuML fits millions of rows directly
    """

    n_neighbors: int = 15
    cluster_dims: int = 5
    min_dist: float = 0.0
    min_cluster_size: int | None = None
    min_samples: int | None = None
    metric: str = "euclidean"
    max_fit_rows: int = 20_000
    max_cluster_rows: int = 100_000
    gpu_max_fit_rows: int = 5_000_000
    place_neighbors: int = 10
    seed: int = 0


def _min_cluster_size(n: int, config: TrendConfig) -> int:
    if config.min_cluster_size:
        return config.min_cluster_size
    return int(np.clip(round(n ** 0.5 / 3), 5, 100))


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def _place(anchors: np.ndarray, anchor_coords: list[np.ndarray], X: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """Approximate mode: coordinates of every row of ``X`` as the distance-weighted mean of the
    coordinates of its ``k`` nearest ``anchors`` (the rows UMAP was fitted on).

    This is how umap-learn initialises ``transform``; its extra optimisation epochs cost
    minutes per 100k rows on a CPU and move points little, so they are skipped.
    """
    from pynndescent import NNDescent  # noqa: PLC0415 - ships with umap-learn

    k = min(k, len(anchors) - 1)
    index = NNDescent(anchors, n_neighbors=max(k, 15), random_state=seed, n_jobs=1)
    out = [np.empty((len(X), c.shape[1]), np.float32) for c in anchor_coords]
    for start in range(0, len(X), 100_000):  # chunks bound memory; each chunk is one vectorised query
        part = slice(start, start + 100_000)
        idx, dist = index.query(X[part], k=k)
        near = dist.min(axis=1, keepdims=True)
        scale = np.maximum(dist.mean(axis=1, keepdims=True) - near, 1e-6)
        weight = np.exp(-(dist - near) / scale)
        weight /= weight.sum(axis=1, keepdims=True)
        for coords, target in zip(anchor_coords, out, strict=True):
            target[part] = np.einsum("nk,nkd->nd", weight, coords[idx])
    return out


def _vote(labelled: np.ndarray, labels: np.ndarray, queries: np.ndarray, k: int = 5) -> np.ndarray:
    """Label of each query row: the cluster most of its ``k`` nearest labelled rows share
    (more than half of them), else noise (-1)."""
    from sklearn.neighbors import KDTree  # noqa: PLC0415

    idx = KDTree(labelled).query(queries, k=min(k, len(labelled)), return_distance=False)
    near = labels[idx]
    agree = (near[:, :, None] == near[:, None, :]).sum(axis=2)
    best = agree.argmax(axis=1)
    winner = near[np.arange(len(near)), best]
    return np.where(agree[np.arange(len(near)), best] * 2 > near.shape[1], winner, -1)


def _umap(X: np.ndarray, dims: int, config: TrendConfig, backend: Backend) -> np.ndarray:
    params = dict(n_components=dims, n_neighbors=min(config.n_neighbors, len(X) - 1), min_dist=config.min_dist,
                  metric=config.metric, random_state=config.seed)
    if not backend.is_gpu:
        params["n_jobs"] = 1  # a seeded umap-learn is single-threaded anyway; say so explicitly
    return backend.asnumpy(backend.umap(**params).fit_transform(X)).astype(np.float32)


def _embed(X: np.ndarray, dims: int, config: TrendConfig, backend: Backend) -> tuple[np.ndarray, np.ndarray]:
    """The clustering embedding and the 2-D map of ``X``; UMAP fitted on a sample above the limit."""
    n = len(X)
    limit = config.gpu_max_fit_rows if backend.is_gpu else config.max_fit_rows
    fit = _sample(n, limit, config.seed) if n > limit else slice(None)
    low = _umap(X[fit], dims, config, backend)
    # The map is a 2-D UMAP of the clustering embedding: neighbours in a few dimensions
    # are found far faster than in the raw features, and the map agrees with the clusters.
    two_d = low[:, :2] if dims == 2 else _umap(low, 2, config, backend)
    if isinstance(fit, slice):
        return low, two_d
    log.info("approximate mode: UMAP fitted on %d of %d rows, the rest placed by their nearest neighbours", limit, n)
    rest = np.setdiff1d(np.arange(n), fit)
    placed = _place(X[fit], [low, two_d], X[rest], config.place_neighbors, config.seed)
    full = [np.empty((n, c.shape[1]), np.float32) for c in (low, two_d)]
    for target, anchor, moved in zip(full, (low, two_d), placed, strict=True):
        target[fit], target[rest] = anchor, moved
    return full[0], full[1]


def _cluster(low: np.ndarray, config: TrendConfig, backend: Backend) -> np.ndarray:
    n = len(low)
    fit = _sample(n, config.max_cluster_rows, config.seed + 1) if n > config.max_cluster_rows else slice(None)
    sub = low[fit]
    mcs = _min_cluster_size(len(sub), config)
    clusterer = backend.hdbscan(min_cluster_size=mcs, min_samples=config.min_samples or min(mcs, 10))
    labels_fit = backend.asnumpy(clusterer.fit_predict(sub)).astype(np.int64)
    if isinstance(fit, slice):
        return labels_fit
    log.info("approximate mode: HDBSCAN on %d of %d rows, the rest labelled by nearest neighbours", len(sub), n)
    labels = np.empty(n, np.int64)
    labels[fit] = labels_fit
    rest = np.setdiff1d(np.arange(n), fit)
    clustered = labels_fit >= 0
    labels[rest] = _vote(sub[clustered], labels_fit[clustered], low[rest]) if clustered.any() else -1
    return labels


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
    low, two_d = _embed(X, min(config.cluster_dims, n - 2), config, backend)
    labels = _cluster(low, config, backend)
    return pd.DataFrame({"cluster": labels, "x": two_d[:, 0], "y": two_d[:, 1]})


def cluster_accounts(accounts: pd.DataFrame, features: FeatureConfig | None = None,
                     config: TrendConfig | None = None, backend: str | Backend | None = "cpu") -> pd.DataFrame:
    """``clusters.csv``: account_id, cluster, x, y for every account."""
    features = features or FeatureConfig()
    X = account_features(accounts, features)
    out = cluster_matrix(X, config, backend)
    out.insert(0, "account_id", accounts["account_id"].to_numpy())
    return out

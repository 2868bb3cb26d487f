"""Trends: UMAP + HDBSCAN clusters of accounts and the 2-D map.

Owns ``cluster_matrix`` (any matrix -> cluster, x, y) and ``cluster_accounts``; the
estimators come from the backend (cuML on a GPU, umap-learn + hdbscan on a CPU).
Cluster stories live in ``stories``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
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
    place_exact_rows : up to this many placed rows, their nearest sampled neighbours are
        found exactly by scikit-learn (80k rows in ~13 s, nothing compiled); above, by
        pynndescent, whose ~50 s of numba compilation per process is then the smaller cost
    n_epochs : UMAP's optimisation epochs at every size. umap-learn's default is 500 up to
        10k rows and 200 above, which made a 5k run cost as much as a 20k one; at 20k synth
        accounts 150 gave the clusters of 200 (pair recall 0.515 and 0.514, noise 0.224 and
        0.216) for 25% less layout time, and digits ARI 0.87 (seeds 0-2) either way
    map_epochs : epochs of the 2-D map, a UMAP of the clustering embedding started from its
        PCA, where the clusters already stand apart (only the picture depends on it)
    init : UMAP's start: ``"pca"`` (the default) or ``"spectral"``. On the CPU, ads make a
        kNN graph of many small components (copies of one template), where the spectral
        start falls back from ARPACK to LOBPCG, warns and costs seconds; PCA of the rows
        is exact, quiet and as good for HDBSCAN here. cuML keeps its own (spectral) start.
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
    place_exact_rows: int = 400_000
    n_epochs: int = 150
    map_epochs: int = 60
    init: str = "pca"
    seed: int = 0


def _min_cluster_size(n: int, config: TrendConfig) -> int:
    if config.min_cluster_size:
        return config.min_cluster_size
    return int(np.clip(round(n**0.5 / 3), 5, 100))


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def _neighbours(
    anchors: np.ndarray, queries: np.ndarray | None, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k`` nearest ``anchors`` of each query row: (indices, distances), nearest first.

    ``queries=None`` asks for the anchors' own neighbours, the row itself first at distance
    0 (the form umap-learn's ``precomputed_knn`` takes). scikit-learn finds them (brute force
    in BLAS for wide rows, a KD-tree for a few dimensions) with nothing to compile, where
    umap-learn's NN-descent spends ~50 s compiling in every new process (numba cannot cache
    its ``nn_descent``: "uses dynamic globals").
    """
    from sklearn.neighbors import NearestNeighbors  # noqa: PLC0415

    algorithm = "kd_tree" if anchors.shape[1] <= 16 else "brute"
    if (
        algorithm == "brute"
    ):  # scikit-learn's float64 kernel is ~1.4x its float32 one (which upcasts chunks)
        anchors = anchors.astype(np.float64)
        queries = None if queries is None else queries.astype(np.float64)
    index = NearestNeighbors(algorithm=algorithm).fit(anchors)
    if queries is None:
        dist, idx = index.kneighbors(n_neighbors=k - 1)  # leaves each row itself out
        idx = np.c_[np.arange(len(anchors)), idx]
        dist = np.c_[np.zeros(len(anchors)), dist]
    else:
        dist, idx = index.kneighbors(queries, n_neighbors=k)
    # Brute force computes |a|^2 + |b|^2 - 2ab, so copies of one ad come out ~1e-7 apart, not 0;
    # umap-learn's local scale starts at the first distance above 0, so they must be 0.
    dist = np.where(dist < 1e-6, 0.0, dist).astype(np.float32)
    return idx.astype(np.int64), dist


def _place(
    anchors: np.ndarray,
    anchor_coords: list[np.ndarray],
    X: np.ndarray,
    k: int,
    seed: int,
    exact_rows: int = 400_000,
) -> list[np.ndarray]:
    """Approximate mode: coordinates of every row of ``X`` as the distance-weighted mean of the
    coordinates of its ``k`` nearest ``anchors`` (the rows UMAP was fitted on).

    This is how umap-learn initialises ``transform``; its extra optimisation epochs cost
    minutes per 100k rows on a CPU and move points little, so they are skipped. Up to
    ``exact_rows`` rows the neighbours are exact (:func:`_neighbours`, nothing to compile);
    above, brute force grows past NN-descent's fixed ~50 s of compilation, which then pays.
    """
    k = min(k, len(anchors) - 1)
    index = None
    if len(X) > exact_rows:
        from pynndescent import NNDescent  # noqa: PLC0415 - ships with umap-learn

        index = NNDescent(anchors, n_neighbors=max(k, 15), random_state=seed, n_jobs=1)
    out = [np.empty((len(X), c.shape[1]), np.float32) for c in anchor_coords]
    for start in range(
        0, len(X), 100_000
    ):  # chunks bound memory; each chunk is one vectorised query
        part = slice(start, start + 100_000)
        idx, dist = (
            index.query(X[part], k=k) if index is not None else _neighbours(anchors, X[part], k)
        )
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


# umap-learn says this when given neighbours without its NN-descent index: only
# ``transform`` needs that index, and trends never calls it.
_NO_SEARCH_INDEX = r"precomputed_knn\[2\]"


def _umap(
    X: np.ndarray,
    dims: int,
    config: TrendConfig,
    backend: Backend,
    warn=None,
    n_epochs: int | None = None,
) -> np.ndarray:
    k = min(config.n_neighbors, len(X) - 1)
    params = dict(
        n_components=dims,
        n_neighbors=k,
        min_dist=config.min_dist,
        metric=config.metric,
        random_state=config.seed,
        n_epochs=n_epochs or config.n_epochs,
    )
    if not backend.is_gpu:
        params["n_jobs"] = 1  # a seeded umap-learn is single-threaded anyway; say so explicitly
        params["init"] = config.init
        if config.metric == "euclidean":
            params["precomputed_knn"] = _neighbours(X, None, k)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=_NO_SEARCH_INDEX, category=UserWarning)
        embedding = backend.umap(**params).fit_transform(X)
    _tell(caught, "UMAP", warn)
    return backend.asnumpy(embedding).astype(np.float32)


def _tell(caught: list, step: str, warn) -> None:
    """Pass each library warning caught in ``step`` to ``warn``, in words."""
    for w in caught:
        if not issubclass(
            w.category, DeprecationWarning | PendingDeprecationWarning | FutureWarning
        ):
            warn(
                f"{step} warned while mapping the accounts (the clusters were still computed): "
                f"{w.category.__name__}: {str(w.message).strip()}"[:500]
            )


def _once(warn: Callable[[str], None] | None) -> Callable[[str], None]:
    """``warn`` (else the log) called once per distinct sentence: the two UMAP fits of one
    run warn alike, and the analyst reads it once, never as red text in a notebook cell."""
    said: set[str] = set()

    def say(problem: str) -> None:
        if problem not in said:
            said.add(problem)
            (warn or log.warning)(problem)

    return say


def _embed(
    X: np.ndarray, dims: int, config: TrendConfig, backend: Backend, warn=None
) -> tuple[np.ndarray, np.ndarray]:
    """The clustering embedding and the 2-D map of ``X``; UMAP fitted on a sample above the limit."""
    n = len(X)
    limit = config.gpu_max_fit_rows if backend.is_gpu else config.max_fit_rows
    fit = _sample(n, limit, config.seed) if n > limit else slice(None)
    low = _umap(X[fit], dims, config, backend, warn)
    # The map is a 2-D UMAP of the clustering embedding: neighbours in a few dimensions
    # are found far faster than in the raw features, and the map agrees with the clusters.
    two_d = low[:, :2] if dims == 2 else _umap(low, 2, config, backend, warn, config.map_epochs)
    if isinstance(fit, slice):
        return low, two_d
    log.info(
        "approximate mode: UMAP fitted on %d of %d rows, the rest placed by their nearest neighbours",
        limit,
        n,
    )
    rest = np.setdiff1d(np.arange(n), fit)
    placed = _place(
        X[fit], [low, two_d], X[rest], config.place_neighbors, config.seed, config.place_exact_rows
    )
    full = [np.empty((n, c.shape[1]), np.float32) for c in (low, two_d)]
    for target, anchor, moved in zip(full, (low, two_d), placed, strict=True):
        target[fit], target[rest] = anchor, moved
    return full[0], full[1]


def _cluster(low: np.ndarray, config: TrendConfig, backend: Backend, warn=None) -> np.ndarray:
    n = len(low)
    fit = (
        _sample(n, config.max_cluster_rows, config.seed + 1)
        if n > config.max_cluster_rows
        else slice(None)
    )
    sub = low[fit]
    mcs = _min_cluster_size(len(sub), config)
    # core_dist_n_jobs=1: hdbscan's default (4) starts a joblib/loky process pool for the core
    # distances, which took 26-58 s of a 20k run on 2 cores (1.4 s in this process) and left
    # "leaked semlock objects" warnings at exit.
    clusterer = backend.hdbscan(
        min_cluster_size=mcs, min_samples=config.min_samples or min(mcs, 10), core_dist_n_jobs=1
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labels_fit = backend.asnumpy(clusterer.fit_predict(sub)).astype(np.int64)
    _tell(caught, "HDBSCAN", warn)
    if isinstance(fit, slice):
        return labels_fit
    log.info(
        "approximate mode: HDBSCAN on %d of %d rows, the rest labelled by nearest neighbours",
        len(sub),
        n,
    )
    labels = np.empty(n, np.int64)
    labels[fit] = labels_fit
    rest = np.setdiff1d(np.arange(n), fit)
    clustered = labels_fit >= 0
    labels[rest] = (
        _vote(sub[clustered], labels_fit[clustered], low[rest]) if clustered.any() else -1
    )
    return labels


def cluster_matrix(
    X,
    config: TrendConfig | None = None,
    backend: str | Backend | None = "cpu",
    warn: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Cluster the rows of any numeric matrix: UMAP to a few dimensions, HDBSCAN, and a 2-D map.

    Parameters
    ----------
    X : array-like (n_items, n_features)
    config : TrendConfig; defaults work for a few hundred to a million rows
    backend : "cpu", "gpu", "auto" or a Backend
    warn : called once with each distinct warning of UMAP or HDBSCAN, in words (the
        pipeline passes its warnings.csv); default: the log. Warnings the project can
        prevent are prevented, so none reaches a notebook cell as red text.

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
    warn = _once(warn)
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
    low, two_d = _embed(X, min(config.cluster_dims, n - 2), config, backend, warn)
    labels = _cluster(low, config, backend, warn)
    return pd.DataFrame({"cluster": labels, "x": two_d[:, 0], "y": two_d[:, 1]})


def cluster_accounts(
    accounts: pd.DataFrame,
    features: FeatureConfig | None = None,
    config: TrendConfig | None = None,
    backend: str | Backend | None = "cpu",
    warn: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """``clusters.csv``: account_id, cluster, x, y for every account (``warn`` as in
    :func:`cluster_matrix`)."""
    features = features or FeatureConfig()
    X = account_features(accounts, features)
    out = cluster_matrix(X, config, backend, warn)
    out.insert(0, "account_id", accounts["account_id"].to_numpy())
    return out

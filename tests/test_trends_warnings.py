"""Trends without red text: warnings the project can prevent are prevented, the rest are said
once, in words, through the run's warnings; umap-learn's kernels are cached between processes."""

from __future__ import annotations

import warnings

import numpy as np

import workbench
from workbench import trends
from workbench.backend import UMAP_KERNELS, Backend, cache_umap_kernels, resolve_backend
from workbench.pipeline import RunConfig
from workbench.synth import generate_world


def many_small_components(seed: int = 0) -> np.ndarray:
    """Ads as trends sees them: hundreds of tight groups of 2-6 copies of one template, far
    apart, so the kNN graph has many components (where a spectral start fails over to LOBPCG)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (150, 24))
    sizes = rng.integers(2, 7, len(centres))
    return np.repeat(centres, sizes, axis=0) + rng.normal(0, 1e-3, (sizes.sum(), 24))


def test_no_library_warning_escapes_on_many_small_components():
    X = many_small_components()
    said: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = trends.cluster_matrix(X, warn=said.append)
    escaped = [f"{w.category.__name__}: {w.message}" for w in caught]
    assert not escaped, escaped
    assert len(out) == len(X) and np.isfinite(out[["x", "y"]].to_numpy()).all()
    assert len(said) == len(set(said)), "each warning is said once"


def test_neighbours_are_exact_and_start_with_the_row_itself():
    rng = np.random.default_rng(2)
    X = np.r_[rng.normal(size=(200, 40)), np.zeros((3, 40))].astype(
        np.float32
    )  # three exact copies
    idx, dist = trends._neighbours(X, None, 6)
    assert (idx[:, 0] == np.arange(len(X))).all() and (dist[:, 0] == 0).all()
    full = np.linalg.norm(X[:, None] - X[None], axis=2)
    np.fill_diagonal(full, np.inf)
    assert np.allclose(np.sort(full, axis=1)[:, :5], dist[:, 1:], atol=1e-5)
    assert (dist[-3:, 1:3] == 0).all(), (
        "copies are exactly 0 apart (umap-learn's local scale needs it)"
    )


class _Noisy:
    """A stand-in estimator that warns the same thing twice, as a library might."""

    def __init__(self, **params):
        self.n = params.get("n_components", 2)

    def fit_transform(self, X):
        for _ in range(2):
            warnings.warn("ARPACK has failed, falling back to LOBPCG", UserWarning, stacklevel=1)
        return np.asarray(X)[:, : self.n]

    def fit_predict(self, X):
        return np.zeros(len(X), np.int64)


class _NoisyBackend(Backend):
    def umap(self, **params):
        return _Noisy(**params)

    def hdbscan(self, **params):
        return _Noisy(**params)


def test_a_warning_the_project_cannot_prevent_is_said_once_in_words():
    backend = _NoisyBackend("cpu", resolve_backend("cpu").xdf)
    said: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trends.cluster_matrix(
            np.random.default_rng(0).normal(size=(40, 8)), backend=backend, warn=said.append
        )
    assert not caught
    assert len(said) == 1 and "UMAP warned" in said[0] and "ARPACK has failed" in said[0]


def test_pipeline_puts_a_trends_warning_in_warnings_csv(monkeypatch, tmp_path):
    quiet = trends.cluster_accounts

    def noisy(accounts, features=None, config=None, backend="cpu", warn=None):
        warn(
            "UMAP warned while mapping the accounts (the clusters were still computed): UserWarning: test"
        )
        return quiet(accounts, features, config, backend)

    monkeypatch.setattr(trends, "cluster_accounts", noisy)
    world = generate_world(300, seed=2)
    result = workbench.run(world.accounts, backend="cpu", config=RunConfig(progress=False))
    rows = result.warnings[result.warnings["problem"].str.contains("UMAP warned", na=False)]
    assert len(rows) == 1 and rows["file"].iloc[0] == "clusters.csv"


def test_umap_kernels_are_cached_on_disk():
    assert cache_umap_kernels() == len(UMAP_KERNELS)

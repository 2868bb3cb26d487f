"""Trends: cluster_matrix contract and quality on digits, backend selection."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score

from workbench.backend import BackendError, gpu_available, resolve_backend
from workbench.trends import TrendConfig, cluster_matrix


@pytest.fixture(scope="module")
def digits_clusters():
    X, y = load_digits(return_X_y=True)
    return cluster_matrix(X), y


def test_cluster_matrix_contract(digits_clusters):
    out, y = digits_clusters
    assert list(out.columns) == ["cluster", "x", "y"]
    assert len(out) == len(y)
    assert out["cluster"].min() >= -1


def test_digits_adjusted_rand_index(digits_clusters):
    out, y = digits_clusters
    ari = adjusted_rand_score(y, out["cluster"])
    assert ari >= 0.85, f"ARI {ari:.3f} on digits"


def test_seeded_runs_repeat():
    rng = np.random.default_rng(1)
    X = np.r_[
        rng.normal(0, 0.2, (80, 8)), rng.normal(3, 0.2, (80, 8)), rng.normal(-3, 0.2, (80, 8))
    ]
    a, b = cluster_matrix(X), cluster_matrix(X)
    assert (a["cluster"] == b["cluster"]).all()
    assert np.allclose(a[["x", "y"]], b[["x", "y"]])
    assert a["cluster"].nunique() == 3


def test_tiny_inputs_are_noise():
    out = cluster_matrix(np.ones((3, 4)))
    assert out["cluster"].tolist() == [-1, -1, -1]
    assert len(cluster_matrix(np.zeros((0, 4)))) == 0


def test_gpu_request_without_gpu_is_a_clear_error(monkeypatch):
    if gpu_available()[0]:
        pytest.skip("a GPU is present")
    with pytest.raises(BackendError, match="backend cpu"):
        resolve_backend("gpu")
    monkeypatch.setenv("WORKBENCH_BACKEND", "cpu")
    assert resolve_backend(None).name == "cpu"
    monkeypatch.setenv("WORKBENCH_BACKEND", "auto")
    assert resolve_backend(None).name == "cpu"


@pytest.mark.gpu
def test_gpu_and_cpu_agree():
    if not gpu_available()[0]:
        pytest.skip("no GPU with RAPIDS here: " + gpu_available()[1])
    X, y = load_digits(return_X_y=True)
    cpu = cluster_matrix(X, backend="cpu")
    gpu = cluster_matrix(X, backend="gpu")
    assert adjusted_rand_score(cpu["cluster"], gpu["cluster"]) > 0.7
    assert adjusted_rand_score(y, gpu["cluster"]) > 0.8


def test_approximate_mode_agrees_with_full_fit(digits_clusters):
    """Above the limits UMAP is fitted on a sample, HDBSCAN runs on a sample, and the rest
    are placed and labelled by their neighbours: the digits must still come out right."""
    full, y = digits_clusters
    X, _ = load_digits(return_X_y=True)
    config = TrendConfig(max_fit_rows=900, max_cluster_rows=1200)
    approx = cluster_matrix(X, config)
    assert adjusted_rand_score(y, approx["cluster"]) >= 0.75
    assert adjusted_rand_score(full["cluster"], approx["cluster"]) >= 0.7
    assert np.isfinite(approx[["x", "y"]].to_numpy()).all()
    again = cluster_matrix(X, config)
    assert (again["cluster"] == approx["cluster"]).all()

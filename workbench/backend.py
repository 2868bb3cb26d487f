"""The one place that chooses pandas + umap-learn + hdbscan or cuDF + cuML.

Resolved once per run (explicit argument, else the frame's type, else the
``WORKBENCH_BACKEND`` environment variable, else a GPU probe, else pandas) and handed
to steps as a small :class:`Backend`. No other module imports cudf or cuml.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

CHOICES = ("auto", "cpu", "gpu")
GPU_HINT = "install the GPU extra on a CUDA 12 machine: pip install 'workbench[gpu]'"


class BackendError(RuntimeError):
    """The requested backend cannot be used here; the message says what to do."""


@dataclass(frozen=True)
class Backend:
    """What a step needs from the compute backend.

    Attributes
    ----------
    name : "cpu" or "gpu"
    xdf : the dataframe module (pandas or cudf)
    reason : why this backend was chosen, in words
    """

    name: str
    xdf: Any = field(repr=False)
    reason: str = ""

    @property
    def is_gpu(self) -> bool:
        return self.name == "gpu"

    def to_pandas(self, frame: Any) -> pd.DataFrame:
        """Return a pandas copy of a pandas or cuDF frame (pandas frames pass through)."""
        return (
            frame.to_pandas()
            if hasattr(frame, "to_pandas") and not isinstance(frame, pd.DataFrame | pd.Series)
            else frame
        )

    def from_pandas(self, frame: pd.DataFrame) -> Any:
        return self.xdf.from_pandas(frame) if self.is_gpu else frame

    def umap(self, **params: Any) -> Any:
        """An unfitted UMAP estimator (cuml.UMAP on the GPU, umap.UMAP on the CPU)."""
        if self.is_gpu:
            from cuml.manifold import UMAP  # noqa: PLC0415

            params.pop("n_jobs", None)
            params.pop("low_memory", None)
            return UMAP(**params)
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", ImportWarning
            )  # "Tensorflow not installed": ParametricUMAP, unused
            import umap  # noqa: PLC0415 - numba compile cost paid only when trends run
        cache_umap_kernels()
        return umap.UMAP(**params)

    def hdbscan(self, **params: Any) -> Any:
        """An unfitted HDBSCAN estimator (cuml.cluster.HDBSCAN or hdbscan.HDBSCAN)."""
        if self.is_gpu:
            from cuml.cluster import HDBSCAN  # noqa: PLC0415

            params.pop("core_dist_n_jobs", None)
            return HDBSCAN(**params)
        import hdbscan  # noqa: PLC0415

        return hdbscan.HDBSCAN(**params)

    def asnumpy(self, array: Any) -> Any:
        """A numpy array from a numpy, cupy or cuDF object."""
        import numpy as np  # noqa: PLC0415

        if hasattr(array, "to_numpy"):
            return array.to_numpy()
        if hasattr(array, "get"):
            return array.get()
        return np.asarray(array)


UMAP_KERNELS = (
    ("umap.umap_", "smooth_knn_dist"),
    ("umap.umap_", "compute_membership_strengths"),
    ("umap.layouts", "_nb_optimize_layout_euclidean_single_epoch"),
)
"""The numba kernels of a umap-learn fit (given its neighbours) that umap-learn compiles in
every new process (about 10 s on 2 cores) because it does not mark them ``cache=True``."""


def cache_umap_kernels() -> int:
    """Keep umap-learn's compiled fit kernels on disk between processes, as ``cache=True`` would.

    numba stores them in ``NUMBA_CACHE_DIR`` when that is set, else beside umap-learn's sources
    when that folder is writable, else in the user's cache folder (``~/.cache/numba``), and
    reloads them while umap-learn's files are unchanged. Returns how many kernels cache; a
    kernel missing from another umap-learn version is skipped (compiled as before).

    Examples
    --------
    >>> cache_umap_kernels() <= len(UMAP_KERNELS)
    True
    """
    import importlib  # noqa: PLC0415

    cached = 0
    for module, name in UMAP_KERNELS:
        try:
            kernel = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        if type(getattr(kernel, "_cache", None)).__name__ == "NullCache" and hasattr(
            kernel, "enable_caching"
        ):
            kernel.enable_caching()  # what numba's own cache=True does at decoration
        cached += type(getattr(kernel, "_cache", None)).__name__ == "FunctionCache"
    return cached


def gpu_available() -> tuple[bool, str]:
    """Probe for a usable GPU with RAPIDS; returns (ok, reason).

    Importing cudf succeeds on machines without a GPU, so the probe runs a real
    operation rather than trusting the import.
    """
    try:
        import cudf  # noqa: PLC0415
        import cuml  # noqa: F401, PLC0415
    except Exception as exc:  # ImportError, or CUDA driver errors raised at import
        return False, f"RAPIDS is not importable ({type(exc).__name__}: {exc}); {GPU_HINT}"
    try:
        int(cudf.Series([1, 2, 3]).sum())
    except Exception as exc:
        return False, f"RAPIDS imports but no GPU answers ({type(exc).__name__}: {exc})"
    return True, "RAPIDS imports and a GPU answered"


def resolve_backend(requested: str | Backend | None = None, frame: Any = None) -> Backend:
    """Choose the backend once for a run.

    Parameters
    ----------
    requested : "auto", "cpu", "gpu", a Backend, or None (same as "auto")
    frame : optional input frame; a cuDF frame implies the GPU

    Examples
    --------
    >>> resolve_backend("cpu").name
    'cpu'
    """
    if isinstance(requested, Backend):
        return requested
    choice = (requested or "").strip().lower() or None
    if choice is None and frame is not None and type(frame).__module__.startswith("cudf"):
        choice = "gpu"
    if choice is None:
        choice = os.environ.get("WORKBENCH_BACKEND", "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise BackendError(f"unknown backend {choice!r}: choose one of {', '.join(CHOICES)}")
    if choice == "cpu":
        return Backend("cpu", pd, "asked for the CPU")
    ok, why = gpu_available()
    if choice == "gpu":
        if not ok:
            raise BackendError(
                f"--backend gpu was asked for, but {why}. Use --backend cpu or auto."
            )
        import cudf  # noqa: PLC0415

        return Backend("gpu", cudf, why)
    if ok:
        import cudf  # noqa: PLC0415

        return Backend("gpu", cudf, why)
    log.info("using the CPU: %s", why)
    return Backend("cpu", pd, f"auto: {why}")

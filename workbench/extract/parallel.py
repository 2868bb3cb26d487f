"""Run the per-text finders over several processes when a column holds many distinct texts.

Owns only the fan-out: the distinct cells are cut into chunks, forked worker processes
run the finders on their chunks, and the rows come back in chunk order, so the result
is the same as in one process. The finders are pure Python string code: threads would
not run them in parallel, processes do (1M ads: 116 s in one process on 2 cores, see the
closing notes of issue 12).

Workers are forked (Linux): they inherit the texts instead of receiving copies, and a
script that calls the workbench without an ``if __name__ == "__main__"`` guard still
works, which spawned workers would break. Elsewhere the finders run in this process.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

logger = logging.getLogger(__name__)

MIN_PARALLEL = 20_000
"""Distinct cells below this are searched in this process (forking costs more than it saves)."""
MAX_WORKERS = 8

# The job of the current fan-out, inherited by forked workers (set only while a pool runs).
_JOB: tuple | None = None


def default_workers() -> int:
    """Processes to use: the cores this process may run on, at most :data:`MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _can_fork() -> bool:
    # A daemonic process (a Dask or multiprocessing pool worker) may not have children.
    return (
        sys.platform.startswith("linux")
        and "fork" in mp.get_all_start_methods()
        and not mp.current_process().daemon
    )


def _run_chunk(start: int, stop: int) -> list[tuple]:
    task, cells, needed, args = _JOB
    return task(cells[start:stop], needed[start:stop], start, *args)


def map_cells(
    task: Callable[..., list[tuple]],
    cells: list[str],
    needed: list,
    args: tuple = (),
    workers: int | None = None,
) -> list[tuple]:
    """``task(cells, needed, offset, *args)`` over all cells, split across processes.

    ``task`` returns rows whose first field is the cell's position plus ``offset``;
    the rows of all chunks are returned in order, as one call on all cells would.

    Examples
    --------
    >>> def lengths(cells, needed, offset):
    ...     return [(offset + k, len(c)) for k, c in enumerate(cells)]
    >>> map_cells(lengths, ["ab", "c"], [0, 0])
    [(0, 2), (1, 1)]
    """
    global _JOB
    workers = default_workers() if workers is None else workers
    n = len(cells)
    if workers <= 1 or n < MIN_PARALLEL or not _can_fork():
        return task(cells, needed, 0, *args)
    size = -(-n // (workers * 4))  # a few chunks per worker even out slow and fast ones
    bounds = [(start, min(start + size, n)) for start in range(0, n, size)]
    _JOB = (task, cells, needed, args)
    try:
        with warnings.catch_warnings():
            # Python >= 3.12 warns about forking a process with threads (Arrow's pool, a
            # progress bar): the workers only run the finders' own string code.
            warnings.simplefilter("ignore", DeprecationWarning)
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
                parts = list(pool.map(_run_chunk, *zip(*bounds, strict=True)))
    finally:
        _JOB = None
    logger.debug("searched %d distinct cells in %d processes", n, workers)
    return [row for part in parts for row in part]

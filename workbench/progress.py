"""Progress bars for long steps, in a terminal and in a notebook.

Owns how a run shows where it is: one bar per run that names the stage running and
advances as stages finish. It appears only when the run takes longer than ``delay``
seconds (tqdm's ``delay``), so quick runs and tests stay quiet. ``tqdm.auto`` draws a
widget in JupyterLab and text in a terminal; nothing is downloaded.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence

from tqdm.auto import tqdm

RUN_STAGES = ("load", "extract", "link", "watch", "trends", "risk", "graph", "write")


def wanted(enabled: bool | None = None) -> bool:
    """Whether to draw bars: ``enabled`` when given, else off when ``WORKBENCH_PROGRESS=0``,
    else on in a terminal or a Jupyter kernel.

    Examples
    --------
    >>> wanted(False)
    False
    """
    if enabled is not None:
        return enabled
    if os.environ.get("WORKBENCH_PROGRESS", "").strip() in {"0", "false", "no", "off"}:
        return False
    in_kernel = "ipykernel" in sys.modules
    return in_kernel or bool(getattr(sys.stderr, "isatty", lambda: False)())


class StageBar:
    """A bar over named stages: ``advance(name)`` marks ``name`` done and names the next one.

    A background tick refreshes the elapsed time once a second while a long stage runs.

    Examples
    --------
    >>> bar = StageBar(["load", "link"], enabled=False)
    >>> bar.advance("load"); bar.advance("link"); bar.close()
    """

    def __init__(
        self,
        stages: Sequence[str],
        desc: str = "workbench run",
        enabled: bool | None = None,
        delay: float = 2.0,
    ) -> None:
        self.stages = list(stages)
        self.desc = desc
        self._bar = tqdm(
            total=len(self.stages),
            desc=self._label(0),
            unit="stage",
            delay=delay,
            disable=not wanted(enabled),
            leave=False,
            dynamic_ncols=True,
        )
        self._stop = threading.Event()
        self._tick = None
        if not self._bar.disable:
            self._tick = threading.Thread(target=self._refresh, daemon=True)
            self._tick.start()

    def _label(self, done: int) -> str:
        running = self.stages[done] if done < len(self.stages) else "done"
        return f"{self.desc}: {running}"

    def _refresh(self) -> None:
        while not self._stop.wait(1.0):
            self._bar.refresh()

    def advance(self, name: str) -> None:
        """Mark stage ``name`` finished (unknown names, such as optional stages, just relabel)."""
        if name in self.stages:
            self._bar.update(1)
        self._bar.set_description_str(
            self._label(min(self._bar.n, len(self.stages))), refresh=False
        )

    def close(self) -> None:
        """Stop the tick and remove the bar."""
        self._stop.set()
        self._bar.close()


def iterate(
    items, total: int | None = None, desc: str = "", enabled: bool | None = None, delay: float = 2.0
):
    """``tqdm`` over ``items`` that appears only after ``delay`` seconds and respects :func:`wanted`."""
    return tqdm(
        items,
        total=total,
        desc=desc,
        delay=delay,
        disable=not wanted(enabled),
        leave=False,
        dynamic_ncols=True,
    )

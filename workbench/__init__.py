"""Trafficking-network analyst workbench: link online ads into entities, spot trends,
and watch for known cases resurfacing — indicators and leads for human review.

The public face: ``run`` and ``Result`` (see ``pipeline``); each step is its own module.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Result", "RunConfig", "__version__", "run"]


def __getattr__(name: str):
    # Lazy: `import workbench` stays fast; the pipeline pulls in the heavy steps.
    if name in ("run", "Result", "RunConfig"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)

"""Interactive explorer for a run's Result: linked map, network, table, entity card, search, review.

Re-exports only; the work is in ``app`` (wiring), ``views``, ``network``, ``search`` and ``data``.
"""

from .app import Explorer
from .data import ExploreData, map_sample, prepare
from .search import search

__all__ = ["ExploreData", "Explorer", "map_sample", "prepare", "search"]

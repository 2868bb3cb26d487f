"""Run the extract, link and watch steps on a Dask cluster (``pipeline.run(engine="dask")``).

Dask is imported only when a function here is called: install the ``dask`` extra
(``pip install 'workbench[dask]'``). See docs/dask.md.
"""

from .engine import (
    DaskSteps,
    connect,
    extract_identifiers,
    find_leads,
    link_gathered,
    load_accounts,
    near_duplicate_text,
    partition_accounts,
    photo_groups,
    run_steps,
    shared_identifiers,
)

__all__ = [
    "DaskSteps",
    "connect",
    "extract_identifiers",
    "find_leads",
    "link_gathered",
    "load_accounts",
    "near_duplicate_text",
    "partition_accounts",
    "photo_groups",
    "run_steps",
    "shared_identifiers",
]

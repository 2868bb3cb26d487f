"""Extract, link candidates and watch on a Dask cluster, partitioned by account.

Owns the distribution only. Workers run the single-machine step code on partitions
(:mod:`.parts`); the joins that cross partitions (identifiers by value, shingles by
document frequency, MinHash band buckets, candidate pairs to their signatures) are Dask
shuffles; the decisions (hub guard, strong/weak rules, connected components, lead
scores) run on the client in ``link.link_accounts`` and ``watch.find_leads`` over the
gathered, pruned tables, so entities and leads are the single-machine ones.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from .. import io, link, textsim, watch
from ..backend import BackendError
from . import parts as P

if TYPE_CHECKING:
    from ..pipeline import RunConfig

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "the dask engine needs Dask and distributed: pip install 'workbench[dask]' "
    "(or conda install dask distributed)"
)
_BOILER = {
    name: p.default
    for name, p in inspect.signature(
        getattr(textsim, "template_signatures", textsim.boilerplate_shingles)
    ).parameters.items()
    if p.default is not inspect.Parameter.empty
}
"""The single-machine boilerplate defaults (min_df, min_count, min_spread, k), read, not copied."""


def _dask():
    """Import Dask lazily: the rest of the package works without it."""
    try:
        import dask.dataframe as dd  # noqa: PLC0415
        import distributed  # noqa: PLC0415
    except ImportError as exc:
        raise BackendError(INSTALL_HINT) from exc
    return dd, distributed


class DaskSteps(NamedTuple):
    """What the extract, link and watch steps produce, as the single-machine path does.

    ``shared`` is the distributed identifier join: strong identifiers on two or more
    accounts with their global n_accounts, n_cities and n_platforms.
    """

    identifiers: pd.DataFrame
    photo_groups: pd.DataFrame
    photo_members: pd.DataFrame
    text_pairs: pd.DataFrame | None
    linkage: link.Linkage
    leads: pd.DataFrame
    shared: pd.DataFrame
    timings: dict


@contextmanager
def connect(scheduler=None, n_workers: int = 2, threads_per_worker: int = 1) -> Iterator:
    """A ``distributed.Client``: the one given, one for a scheduler address, or a local cluster.

    Parameters
    ----------
    scheduler : distributed.Client, address (``"tcp://host:8786"``), cluster object or None
        None starts a ``LocalCluster`` of ``n_workers`` processes with
        ``threads_per_worker`` threads each, closed on exit. A client passed in is left open.

    Examples
    --------
    >>> with connect() as client:  # doctest: +SKIP
    ...     sorted(client.nthreads().values())
    [1, 1]
    """
    _, distributed = _dask()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    # Dask logs every worker start at INFO; say it only when this package's INFO is wanted.
    chatty = logging.getLogger("distributed")
    level = chatty.level
    if not log.isEnabledFor(logging.INFO):
        chatty.setLevel(max(level, logging.WARNING))
    cluster = None
    try:
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                processes=True,
                dashboard_address=":0",
            )
            scheduler = cluster
        client = distributed.Client(scheduler)
        log.info("dask: scheduler %s", client.scheduler.address)
        try:
            yield client
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
        chatty.setLevel(level)


def load_accounts(
    source, mapping: dict | None = None, warnings: io.WarningLog | None = None
) -> pd.DataFrame:
    """The validated accounts table from pandas, a Dask DataFrame, a file or a folder of files.

    Validation (unique account ids, types, hashes) needs the whole table, so it is
    gathered on the client; a folder's files (.parquet, .csv, .jsonl) are read in name order.
    """
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        files = sorted(
            f for f in Path(source).iterdir() if f.suffix.lower() in (".parquet", ".csv", ".jsonl")
        )
        if not files:
            raise io.InputError(
                str(source),
                "the folder holds no .parquet, .csv or .jsonl files",
                "Point at the files' folder.",
            )
        warnings = warnings if warnings is not None else io.WarningLog()
        source = pd.concat([io.read_table(f, warnings) for f in files], ignore_index=True)
    elif hasattr(source, "dask") and hasattr(source, "compute"):  # a Dask DataFrame
        source = source.compute()
    return io.load_accounts(source, mapping, warnings)


def partition_accounts(accounts: pd.DataFrame, npartitions: int):
    """The columns workers need, in ``npartitions`` contiguous blocks of accounts; the
    index is each account's position in ``accounts`` (known divisions)."""
    dd, _ = _dask()
    cols = [c for c in P.WORKER_COLUMNS if c in accounts.columns]
    return dd.from_pandas(accounts[cols].reset_index(drop=True), npartitions=npartitions, sort=True)


def _compute(client, collection) -> pd.DataFrame:
    return client.compute(collection, sync=True)


def extract_identifiers(client, parts, region: str = "US"):
    """``extract.extract_frame`` per partition (persisted on the workers) and the gathered
    identifiers table, row for row the single-machine one."""
    found = client.persist(parts.map_partitions(P.extract_part, region, meta=P.identifiers_meta()))
    return found, P.order_identifiers(_compute(client, found))


def shared_identifiers(client, parts, found) -> pd.DataFrame:
    """The identifier join across partitions: strong identifiers by (kind, value), shuffled,
    kept where they are on two or more accounts, with global hub statistics."""
    dd, _ = _dask()
    meta = pd.DataFrame(
        {c: pd.Series(dtype="str") for c in ("kind", "value", "account_id", "city", "platform")}
    )
    rows = dd.map_partitions(P.strong_rows, found, parts, meta=meta, align_dataframes=False)
    stats_meta = pd.DataFrame(
        {
            "kind": pd.Series(dtype="str"),
            "value": pd.Series(dtype="str"),
            **{c: pd.Series(dtype="int64") for c in ("n_accounts", "n_cities", "n_platforms")},
        }
    )
    shuffled = rows.shuffle(on=["kind", "value"], npartitions=parts.npartitions)
    shared = _compute(client, shuffled.map_partitions(P.shared_identifiers, meta=stats_meta))
    return shared.sort_values(
        ["n_accounts", "kind", "value"], ascending=[False, True, True], ignore_index=True
    )


def near_duplicate_text(
    client, parts, account_ids: np.ndarray, config: link.LinkConfig
) -> pd.DataFrame:
    """``pipeline.near_duplicate_text`` across partitions: (src, dst, similarity), same rows, same order."""
    return text_evidence(client, parts, account_ids, config)[0]


def text_evidence(
    client, parts, account_ids: np.ndarray, config: link.LinkConfig
) -> tuple[pd.DataFrame, np.ndarray]:
    """``pipeline.text_evidence`` across partitions: the similar pairs (same rows, same order)
    and every ad's signature, in account order.

    Boilerplate shingles need the global document frequency: a shuffled reduction comes
    first. Signatures are made per partition, then gathered and broadcast to every worker
    (num_perm x 4 bytes per ad: 256 MB per million). Band keys are shuffled so each LSH
    bucket lands whole on one worker, which expands it to pairs and keeps the similar ones.
    """
    k, n = parts.npartitions, len(account_ids)
    min_df = _BOILER["min_df"]
    threshold = max(_BOILER["min_count"], min_df * n if min_df < 1 else min_df)
    counts_meta = pd.DataFrame(
        {
            "shingle": pd.Series(dtype="uint64"),
            "city": pd.Series(dtype="str"),
            "n": pd.Series(dtype="int64"),
        }
    )
    counts = parts.map_partitions(P.shingle_counts, _BOILER["k"], meta=counts_meta)
    boiler = _compute(
        client,
        counts.shuffle(on="shingle", npartitions=k).map_partitions(
            P.boilerplate,
            threshold,
            _BOILER["min_spread"],
            meta=pd.DataFrame({"shingle": pd.Series(dtype="uint64")}),
        ),
    )
    log.info("boilerplate: %d shingles in >= %d of %d texts", len(boiler), int(threshold), n)
    sig_meta = pd.DataFrame(
        {f"s{p}": pd.Series(dtype="uint32") for p in range(config.text_num_perm)}
    )
    sigs = client.persist(
        parts.map_partitions(P.signatures, boiler, config.text_num_perm, config.seed, meta=sig_meta)
    )
    keys_meta = pd.DataFrame(
        {
            "band": pd.Series(dtype="int64"),
            "key": pd.Series(dtype="uint64"),
            P.POS: pd.Series(dtype="int64"),
        }
    )
    keys = sigs.map_partitions(
        P.band_keys,
        config.text_bands,
        config.text_num_perm // config.text_bands,
        meta=keys_meta,
        clear_divisions=True,
    )
    signatures = _compute(client, sigs).sort_index().to_numpy(dtype=np.uint32)
    shared = client.scatter(signatures, broadcast=True)
    sim_meta = pd.DataFrame(
        {
            "i": pd.Series(dtype="int64"),
            "j": pd.Series(dtype="int64"),
            "similarity": pd.Series(dtype="float64"),
        }
    )
    pairs = _compute(
        client,
        keys.shuffle(on="key", npartitions=k).map_partitions(
            P.similar_pairs, shared, config.text_max_bucket, config.text_threshold, meta=sim_meta
        ),
    )
    code = pairs["i"].to_numpy(np.int64) * n + pairs["j"].to_numpy(np.int64)
    _, first = np.unique(
        code, return_index=True
    )  # a pair found in two partitions once; lsh_pairs' (i, j) order
    pairs = pairs.iloc[first]
    return pd.DataFrame(
        {
            "src": account_ids[pairs["i"].to_numpy()],
            "dst": account_ids[pairs["j"].to_numpy()],
            "similarity": pairs["similarity"].to_numpy(),
        }
    ), signatures


def photo_groups(
    accounts: pd.DataFrame, config: link.LinkConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Near-duplicate photo groups on the gathered (account, hash) table, exactly as the
    single-machine run builds them (``pipeline.account_photo_groups``)."""
    from ..pipeline import account_photo_groups  # noqa: PLC0415 - pipeline imports this package lazily

    return account_photo_groups(accounts, config)


def link_gathered(
    accounts: pd.DataFrame,
    identifiers: pd.DataFrame,
    photo_members: pd.DataFrame,
    text_pairs: pd.DataFrame | None,
    signatures: np.ndarray | None,
    config: link.LinkConfig,
) -> link.Linkage:
    """``link.link_accounts`` on the gathered tables, as the single-machine run calls it: the
    weights need every identifier (which accounts carry a kind at all), not only the shared ones."""
    members = photo_members if config.use_photos else None
    return link.link_accounts(
        accounts,
        identifiers,
        config,
        photo_groups=members,
        text_pairs=text_pairs,
        text_signatures=signatures,
    )


def find_leads(
    client,
    parts,
    found,
    cases: pd.DataFrame | None,
    accounts: pd.DataFrame,
    identifiers: pd.DataFrame,
    linkage: link.Linkage,
    config: watch.WatchConfig,
    confirmed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Leads: direct evidence per partition (cases broadcast), scoring on the client.

    Workers find the accounts with any direct evidence (identifier, photo or sample-ad
    match: the costly part, over every account); ``watch.find_leads`` then runs on those
    accounts (and confirmed ones) with the whole entities table, which gives the
    single-machine leads: each direct match depends only on its own account.
    """
    if cases is None or cases.empty:
        return watch.find_leads(
            cases, accounts, identifiers, linkage.entities, linkage.hubs, config, confirmed
        )
    dd, _ = _dask()
    notes = cases["notes"].fillna("")
    notes = notes[notes.str.len() > 0].reset_index(
        drop=True
    )  # watch matches notes over 40 characters
    shared = (
        watch.watchlist_with_confirmed(cases, identifiers, confirmed, config.region),
        linkage.hubs,
        notes,
        config,
    )
    hits = dd.map_partitions(
        P.hit_accounts,
        parts,
        found,
        shared,
        align_dataframes=False,
        meta=pd.DataFrame({"account_id": pd.Series(dtype="str")}),
    )
    keep = set(_compute(client, hits)["account_id"])
    if confirmed is not None and len(confirmed):
        keep |= set(confirmed["account_id"].astype(str))
    log.info("watch: %d of %d accounts have direct evidence", len(keep), len(accounts))
    subset = accounts[accounts["account_id"].isin(keep)]
    return watch.find_leads(
        cases,
        subset,
        identifiers[identifiers["account_id"].isin(keep)],
        linkage.entities,
        linkage.hubs,
        config,
        confirmed,
    )


def run_steps(
    accounts,
    cases: pd.DataFrame | None = None,
    config: RunConfig | None = None,
    scheduler=None,
    npartitions: int | None = None,
    confirmed: pd.DataFrame | None = None,
    on_step: Callable[[str], None] | None = None,
    shuffle_method: str | None = "tasks",
) -> DaskSteps:
    """The extract, link and watch steps of ``pipeline.run`` on a Dask cluster.

    Parameters
    ----------
    accounts : validated accounts (``io.load_accounts``); a Dask DataFrame, file or
        folder is loaded and validated with :func:`load_accounts`
    cases : validated cases (``io.load_cases``), optional
    config : pipeline.RunConfig
    scheduler : see :func:`connect` (None: a local cluster of 2 worker processes)
    npartitions : partitions of accounts; default twice the workers' threads, and at
        least one per 250,000 accounts
    confirmed : (case_id, account_id) confirmed by an analyst, as ``watch.find_leads`` takes
    on_step : called with "cluster", "extract", "link" and "watch" as each finishes
    shuffle_method : "tasks" (default: fine up to millions of ads), "p2p" (Dask's
        peer-to-peer shuffle, for shuffles larger than the workers' memory) or None
        (Dask's own choice)

    Returns
    -------
    DaskSteps, equal to the single-machine identifiers, photo groups, linkage and leads.

    Examples
    --------
    >>> from workbench.synth import generate_world  # doctest: +SKIP
    >>> world = generate_world(500, seed=1)  # doctest: +SKIP
    >>> steps = run_steps(io.load_accounts(world.accounts), io.load_cases(world.cases))  # doctest: +SKIP
    >>> steps.linkage.entities.shape  # doctest: +SKIP
    (500, 2)
    """
    from ..pipeline import RunConfig  # noqa: PLC0415  (pipeline imports this module lazily)

    config = config or RunConfig()
    if not isinstance(accounts, pd.DataFrame):
        accounts = load_accounts(accounts)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def mark(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - clock[0], 3)
        clock[0] = now
        if on_step is not None:
            on_step(name)

    _dask()  # the install hint before anything else
    import dask  # noqa: PLC0415

    with (
        connect(scheduler) as client,
        dask.config.set({"dataframe.shuffle.method": shuffle_method}),
    ):
        threads = sum(client.nthreads().values())
        npartitions = npartitions or max(2 * threads, -(-len(accounts) // 250_000))
        parts = client.persist(
            partition_accounts(accounts, min(npartitions, max(len(accounts), 1)))
        )
        log.info(
            "dask: %d accounts in %d partitions on %d worker threads",
            len(accounts),
            parts.npartitions,
            threads,
        )
        mark("cluster")
        found, identifiers = extract_identifiers(client, parts, config.region)
        mark("extract")
        shared = shared_identifiers(client, parts, found)
        groups, members = photo_groups(accounts, config.link)
        ids = accounts["account_id"].to_numpy()
        text_pairs, signatures = (
            text_evidence(client, parts, ids, config.link) if config.link.use_text else (None, None)
        )
        linkage = link_gathered(accounts, identifiers, members, text_pairs, signatures, config.link)
        mark("link")
        leads = find_leads(
            client, parts, found, cases, accounts, identifiers, linkage, config.watch, confirmed
        )
        mark("watch")
    return DaskSteps(identifiers, groups, members, text_pairs, linkage, leads, shared, timings)

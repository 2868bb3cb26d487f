"""run(): the steps in order, returning a Result whose tables are the contract's files.

Owns the order of steps and the writing of outputs; each step stays callable on its
own from a notebook (io, extract, photos, textsim, link, watch, trends, risk, graph, report).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from . import extract, io, link, photos, progress, risk, stories, textpairs, textsim, trends, watch
from . import graph as graphs
from .backend import Backend, resolve_backend
from .features import FeatureConfig
from .review import ReviewLog, apply_decisions, confirmed_accounts
from .schema import OUTPUT_COLUMNS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunConfig:
    """Everything a run can be told; each part is the config of one step."""

    region: str = "US"
    link: link.LinkConfig = field(default_factory=link.LinkConfig)
    watch: watch.WatchConfig = field(default_factory=watch.WatchConfig)
    features: FeatureConfig = field(default_factory=FeatureConfig)
    trends: trends.TrendConfig = field(default_factory=trends.TrendConfig)
    risk_config: str | None = None
    review_path: str | None = None  # review.sqlite; default: the one in ``out`` when it exists
    run_trends: bool = True
    progress: bool | None = None  # a bar naming the running stage; None: in a terminal or notebook
    seed: int = 0

    def resolved(self) -> RunConfig:
        """This config with the run's ``region`` and ``seed`` passed down to every step's
        config, so that no step keeps its own default for them.

        Examples
        --------
        >>> RunConfig(region="MX", seed=7).resolved().watch.region, RunConfig(seed=7).resolved().trends.seed
        ('MX', 7)
        """
        from dataclasses import replace  # noqa: PLC0415

        return replace(
            self,
            link=replace(self.link, seed=self.seed),
            watch=replace(self.watch, region=self.region, seed=self.seed),
            features=replace(self.features, seed=self.seed),
            trends=replace(self.trends, seed=self.seed),
        )


@dataclass
class Result:
    """The output tables of one run, named as the files; ``graph`` is a NetworkX graph."""

    accounts: pd.DataFrame
    cases: pd.DataFrame | None
    entities: pd.DataFrame
    links: pd.DataFrame
    identifiers: pd.DataFrame
    entity_summary: pd.DataFrame
    clusters: pd.DataFrame
    leads: pd.DataFrame
    warnings: pd.DataFrame
    hubs: pd.DataFrame
    graph: nx.Graph
    cluster_summary: pd.DataFrame | None = None
    photo_groups: pd.DataFrame | None = None
    evidence: pd.DataFrame | None = None
    backend: str = "cpu"
    timings: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Result({len(self.entities)} accounts, {len(self.entity_summary)} linked entities, "
            f"{len(self.leads)} leads, {int((self.clusters['cluster'] >= 0).any() and self.clusters['cluster'].max() + 1)} clusters, "
            f"{len(self.warnings)} warnings)"
        )

    def write(self, out: str | Path) -> dict[str, Path]:
        """Write every contract file (and the extra tables) into ``out``, atomically per file."""
        from .report import render_report  # noqa: PLC0415

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        tables = {
            "entities": self.entities,
            "links": self.links,
            "identifiers": self.identifiers,
            "entity_summary": self.entity_summary,
            "clusters": self.clusters,
            "leads": self.leads,
            "warnings": self.warnings,
            "hubs": self.hubs,
        }
        extra = {
            "cluster_summary": self.cluster_summary,
            "photo_groups": self.photo_groups,
            "queue": risk.triage_queue(self.entity_summary, self.leads),
        }
        for name, table in {**tables, **extra}.items():
            if table is not None:
                written[name] = io.write_csv(table, out / f"{name}.csv")
        written["graph"] = graphs.write_graphml(self.graph, out / "graph.graphml")
        written["report"] = io.write_bytes(render_report(self), out / "report.html")
        return written


def _contract_columns(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    for col in OUTPUT_COLUMNS[name]:
        if col not in frame.columns:
            frame[col] = pd.Series(dtype="object")
    first = list(OUTPUT_COLUMNS[name])
    return frame[first + [c for c in frame.columns if c not in first]]


def text_evidence(
    accounts: pd.DataFrame, config: link.LinkConfig
) -> tuple[pd.DataFrame, np.ndarray]:
    """Pairs of ads whose text (boilerplate removed) is near-identical: (src, dst, similarity),
    and the MinHash signature of every ad (linking measures chance similarity on them)."""
    text = accounts["title"].fillna("") + " \n " + accounts["text"].fillna("")
    # Boilerplate (site footers) found and removed in the same pass that signs the texts.
    signatures, _ = textsim.template_signatures(
        text, spread=accounts["city"], num_perm=config.text_num_perm, seed=config.seed
    )
    pairs = textpairs.signature_pairs(
        signatures,
        threshold=config.text_threshold,
        bands=config.text_bands,
        max_bucket=config.text_max_bucket,
    )
    ids = accounts["account_id"].to_numpy()
    return pd.DataFrame(
        {
            "src": ids[pairs["i"].to_numpy()],
            "dst": ids[pairs["j"].to_numpy()],
            "similarity": pairs["similarity"].to_numpy(),
        }
    ), signatures


def near_duplicate_text(accounts: pd.DataFrame, config: link.LinkConfig) -> pd.DataFrame:
    """Pairs of ads whose text (boilerplate removed) is near-identical: (src, dst, similarity)."""
    return text_evidence(accounts, config)[0]


def _hash_groups(
    accounts: pd.DataFrame, column: str, radius: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = io.explode_multi(accounts, column).rename(columns={column: "hash"})
    table = table.merge(accounts[["account_id", "city", "posted_at"]], on="account_id", how="left")
    grouped = photos.group(table, radius=radius, bits=256 if column == "pdq_hashes" else 64)
    members = grouped.members.merge(
        grouped.groups[["group_id", "hash"]].rename(columns={"hash": "rep"}), on="group_id"
    )
    return grouped.groups, members


def _same_photo(pdq: pd.DataFrame, phash: pd.DataFrame) -> np.ndarray:
    """PDQ group ids whose accounts all share one pHash group: the same photo, already counted."""
    left = pdq[["account_id", "group_id"]].drop_duplicates()
    right = (
        phash[["account_id", "group_id"]].drop_duplicates().rename(columns={"group_id": "other"})
    )
    shared = (
        left.merge(right, on="account_id")
        .groupby(["group_id", "other"])
        .size()
        .groupby(level=0)
        .max()
    )
    size = left.groupby("group_id").size()
    return shared.index[shared.to_numpy() >= size.reindex(shared.index).to_numpy()].to_numpy()


def account_photo_groups(
    accounts: pd.DataFrame, config: link.LinkConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Near-duplicate photo groups across accounts: (groups, members with their representative ``rep``).

    pHash groups first; where accounts carry PDQ hashes, PDQ groups that pHash did not
    already find (their accounts do not all share one pHash group) follow, ``rep``
    prefixed ``pdq:``, so one photo is one piece of evidence, never two.
    """
    groups, members = _hash_groups(accounts, "image_hashes", config.photo_radius)
    if (
        not config.use_pdq
        or "pdq_hashes" not in accounts
        or not accounts["pdq_hashes"].notna().any()
    ):
        return groups, members
    pdq_groups, pdq_members = _hash_groups(accounts, "pdq_hashes", config.pdq_radius)
    known = _same_photo(pdq_members, members)
    pdq_groups = pdq_groups[~pdq_groups["group_id"].isin(known)]
    pdq_members = pdq_members[~pdq_members["group_id"].isin(known)]
    if pdq_groups.empty:
        return groups, members
    offset = int(groups["group_id"].max()) + 1 if len(groups) else 0
    renumber = {"group_id": lambda f: f["group_id"] + offset}
    pdq_members = pdq_members.assign(**renumber, rep="pdq:" + pdq_members["rep"].astype(str))
    return (
        pd.concat([groups, pdq_groups.assign(**renumber)], ignore_index=True),
        pd.concat([members, pdq_members], ignore_index=True),
    )


def run(
    accounts,
    cases=None,
    out: str | Path | None = None,
    backend: str | Backend | None = "auto",
    config: RunConfig | None = None,
    mapping: dict | None = None,
    case_mapping: dict | None = None,
    pseudonymise_key: str | bytes | None = None,
    engine: str = "local",
    scheduler=None,
) -> Result:
    """Run the whole pipeline on file paths or DataFrames.

    Parameters
    ----------
    accounts, cases : path (CSV, Parquet, JSON Lines) or DataFrame; cases optional
    out : folder to write every output file into (optional)
    backend : "auto", "cpu", "gpu" or a Backend
    config : RunConfig
    mapping, case_mapping : column mappings ``{"their_name": "our_name"}``
    pseudonymise_key : when given, phones, emails, handles, payments, wallets and URLs are
        replaced by keyed hashes in the returned Result and every file (``privacy``)
    engine : "local" (this process) or "dask": extract, link and watch run on a Dask
        cluster partitioned by account, with the same results (``workbench.distributed``,
        docs/dask.md)
    scheduler : for engine "dask": a ``distributed.Client``, a scheduler address
        (``"tcp://host:8786"``) or None for a local cluster of 2 worker processes

    Returns
    -------
    Result
    """
    config = (config or RunConfig()).resolved()
    be = resolve_backend(backend, accounts)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        bar.advance(name)
        log.info("%s done in %.2fs", name, timings[name])

    stages = [s for s in progress.RUN_STAGES if s != "write" or out is not None]
    bar = progress.StageBar(stages, enabled=config.progress)
    warn = io.WarningLog()
    accounts = io.load_accounts(accounts, mapping, warn)
    cases_frame = io.load_cases(cases, case_mapping, warn) if cases is not None else None
    lap("load")
    review_path = config.review_path or (Path(out) / "review.sqlite" if out is not None else None)
    review_log = (
        ReviewLog(review_path) if review_path is not None and Path(review_path).exists() else None
    )
    confirmed = confirmed_accounts(review_log) if review_log is not None else None
    if engine == "dask":
        from .distributed import run_steps  # noqa: PLC0415  (Dask is optional)

        steps = run_steps(
            accounts, cases_frame, config, scheduler=scheduler, confirmed=confirmed, on_step=lap
        )
        identifiers, photo_groups, photo_members = (
            steps.identifiers,
            steps.photo_groups,
            steps.photo_members,
        )
        linkage, leads = steps.linkage, apply_decisions(steps.leads, review_log)
    elif engine != "local":
        raise ValueError(f"engine must be 'local' or 'dask', not {engine!r}")
    else:
        identifiers = extract.extract_frame(accounts, region=config.region, with_regions=True)
        lap("extract")
        photo_groups, photo_members = account_photo_groups(accounts, config.link)
        text_pairs, signatures = (
            text_evidence(accounts, config.link) if config.link.use_text else (None, None)
        )
        linkage = link.link_accounts(
            accounts,
            identifiers,
            config.link,
            photo_groups=photo_members if config.link.use_photos else None,
            text_pairs=text_pairs,
            text_signatures=signatures,
        )
        lap("link")
        leads = watch.find_leads(
            cases_frame,
            accounts,
            identifiers,
            linkage.entities,
            linkage.hubs,
            config.watch,
            confirmed,
        )
        leads = apply_decisions(leads, review_log)
        lap("watch")
    if config.run_trends:
        clusters = trends.cluster_accounts(
            accounts,
            config.features,
            config.trends,
            be,
            warn=lambda problem: warn.add("clusters.csv", "", "", problem),
        )
        summary = stories.cluster_summary(
            accounts, clusters, linkage.entities, leads, seed=config.seed
        )
    else:
        clusters = pd.DataFrame(
            {"account_id": accounts["account_id"], "cluster": -1, "x": 0.0, "y": 0.0}
        )
        summary = stories.cluster_summary(accounts, clusters)
    lap("trends")
    risk_config = risk.RiskConfig.load(config.risk_config)
    entity_summary = risk.entity_indicators(
        accounts, linkage.entities, identifiers, leads, photo_members, risk_config
    )
    lap("risk")
    multi = linkage.entities[
        linkage.entities.groupby("entity_id")["account_id"].transform("size") > 1
    ]
    evidence_multi = linkage.evidence[linkage.evidence["account_id"].isin(multi["account_id"])]
    graph = graphs.identifier_graph(evidence_multi, accounts, linkage.hubs, linkage.entities)
    lap("graph")
    result = Result(
        accounts=accounts,
        cases=cases_frame,
        entities=_contract_columns(linkage.entities, "entities"),
        links=_contract_columns(linkage.links, "links"),
        identifiers=_contract_columns(identifiers, "identifiers"),
        entity_summary=entity_summary,
        clusters=clusters,
        leads=_contract_columns(leads, "leads"),
        warnings=warn.frame(),
        hubs=linkage.hubs,
        graph=graph,
        cluster_summary=summary,
        photo_groups=photo_groups,
        evidence=linkage.evidence,
        backend=be.name,
        timings=timings,
    )
    if pseudonymise_key:
        from .privacy import pseudonymise_result  # noqa: PLC0415

        result = pseudonymise_result(result, pseudonymise_key, region=config.region)
        lap("pseudonymise")
    if out is not None:
        result.write(out)
        lap("write")
    bar.close()
    return result

"""Incremental watch: match each new batch of accounts against the cases, remembering what was seen.

Owns the state folder of a long-running watch (Parquet parts per batch, a small entity
map, ``leads.csv``) and its crash safety. Scoring and reasons stay in ``watch``;
identifiers come from ``extract``. Layout of ``state_dir``::

    manifest.json            the commit point: which part files make up the state
    journal.json             only while a batch runs (or after it was killed)
    identifiers/bNNNNNN.parquet  account_id, kind, value (strong kinds) of each batch
    photos/bNNNNNN.parquet       account_id, hash (uint64 pHash)
    signatures/bNNNNNN.parquet   account_id, sig (MinHash of the ad text)
    hits/bNNNNNN.parquet         direct evidence (case, account, score, signal, reason)
    leads/bNNNNNN.parquet        the lead rows written by each batch
    entities/eNNNNNN.parquet     account_id -> entity_id for every seen account
    hubs/eNNNNNN.parquet, watchlist/eNNNNNN.parquet
    leads.csv                all lead rows, in the order written (rebuilt from leads/)
    review.sqlite            optional: the analysts' review log

``leads.csv`` is append-only: a (case_id, account_id) lead is written once, and again
(``update=True``) only when new evidence raises its score; :func:`current_leads`
keeps the latest row of each. Entities only merge (an incremental union over the new
links through strong identifiers; photos and ad text do not link here). The identifiers of
each batch are judged as hubs by ``link.find_hubs`` on all the accounts carrying them
(without ad-text pairs); the latest judgement holds, but links and evidence from before
it stay until a full ``workbench run``. One watch runs on a state folder at a time (lock).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from . import extract, io, link, photos, textsim, watch
from .review import ReviewLog, apply_decisions
from .schema import STRONG_KINDS

log = logging.getLogger(__name__)

PARTS = ("identifiers", "photos", "signatures", "hits", "leads")
SINGLES = ("entities", "hubs", "watchlist")
HIT_COLUMNS = ["case_id", "account_id", "score", "signal", "reason", "case_kind"]
LEAD_COLUMNS = [
    "case_id",
    "account_id",
    "score",
    "reasons",
    "signals",
    "case_kind",
    "batch",
    "update",
]
KILL_ENV = "WORKBENCH_TEST_KILL_AFTER"


@dataclass
class WatchState:
    """What a state folder holds, loaded: for notebooks, tests and benchmarks."""

    manifest: dict
    entities: pd.DataFrame
    hubs: pd.DataFrame
    hits: pd.DataFrame
    leads: pd.DataFrame


# ---------------------------------------------------------------- files
def _checkpoint(step: str) -> None:
    # Test hook (tests/test_watchstate.py): die here as a kill -9 would, to prove the
    # state survives. Read at the step boundary on purpose: a config cannot kill a process.
    if os.environ.get(KILL_ENV) == step:
        os._exit(137)


def _write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> Path:
    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return io.write_bytes(sink.getvalue().to_pybytes(), path)


def _read_parts(
    state_dir: Path, files: list[str], columns: list[str] | None = None
) -> pa.Table | None:
    # One file per batch: the loop is bounded by the number of batches.
    tables = [pq.read_table(state_dir / f, columns=columns) for f in files]
    return pa.concat_tables(tables) if tables else None


def _read_frame(state_dir: Path, files: list[str], empty: list[str]) -> pd.DataFrame:
    table = _read_parts(state_dir, files)
    return (
        table.to_pandas()
        if table is not None
        else pd.DataFrame({c: pd.Series(dtype=object) for c in empty})
    )


def _manifest(state_dir: Path) -> dict:
    path = state_dir / "manifest.json"
    if not path.exists():
        return {
            "version": 1,
            "seq": 0,
            "next_entity": 0,
            "n_accounts": 0,
            "n_leads": 0,
            "parts": {k: [] for k in PARTS},
            **{k: None for k in SINGLES},
            "batches": [],
        }
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise io.InputError(
            str(path),
            f"the watch state's manifest is damaged ({exc.msg})",
            "Restore the state folder from a backup.",
        ) from None


def _referenced(manifest: dict) -> set[str]:
    files = {f for part in PARTS for f in manifest["parts"][part]}
    return files | {manifest[k] for k in SINGLES if manifest.get(k)}


def _rebuild_leads_csv(state_dir: Path, manifest: dict) -> pd.DataFrame:
    leads = _read_frame(state_dir, manifest["parts"]["leads"], LEAD_COLUMNS)
    io.write_csv(leads[LEAD_COLUMNS], state_dir / "leads.csv")
    return leads


def recover(state_dir: str | Path) -> bool:
    """Finish or roll back a batch that was killed; returns True when there was one.

    The manifest is the only commit point: files it does not name are left over from an
    unfinished batch and are removed; ``leads.csv`` is rebuilt from the committed parts.
    """
    state_dir = Path(state_dir)
    journal = state_dir / "journal.json"
    if not journal.exists():
        return False
    manifest = _manifest(state_dir)
    keep = _referenced(manifest)
    for sub in PARTS + SINGLES:  # bounded: a handful of folders
        for path in (state_dir / sub).glob("*"):
            if f"{sub}/{path.name}" not in keep:
                path.unlink(missing_ok=True)
    for path in state_dir.glob(".*"):  # temporary files of an interrupted atomic write
        if path.is_file():
            path.unlink(missing_ok=True)
    _rebuild_leads_csv(state_dir, manifest)
    log.warning(
        "recovered %s: the interrupted batch was %s",
        state_dir,
        "committed" if json.loads(journal.read_text())["seq"] <= manifest["seq"] else "rolled back",
    )
    journal.unlink()
    return True


def load_state(state_dir: str | Path) -> WatchState:
    """Load a state folder (after recovering an interrupted batch)."""
    state_dir = Path(state_dir)
    recover(state_dir)
    manifest = _manifest(state_dir)

    def single(name: str, cols: list[str]) -> pd.DataFrame:
        return _read_frame(state_dir, [manifest[name]] if manifest.get(name) else [], cols)

    return WatchState(
        manifest=manifest,
        entities=single("entities", ["account_id", "entity_id"]),
        hubs=single("hubs", ["kind", "value", "n_accounts"]),
        hits=_read_frame(state_dir, manifest["parts"]["hits"], HIT_COLUMNS),
        leads=_read_frame(state_dir, manifest["parts"]["leads"], LEAD_COLUMNS),
    )


def current_leads(state_dir: str | Path) -> pd.DataFrame:
    """The latest (highest-scoring) row of each lead in ``leads.csv``, best first per case."""
    leads = load_state(state_dir).leads
    best = leads.sort_values(["batch", "score"]).drop_duplicates(
        ["case_id", "account_id"], keep="last"
    )
    return best.sort_values(
        ["case_id", "score", "account_id"], ascending=[True, False, True]
    ).reset_index(drop=True)


# ---------------------------------------------------------------- matching
def _watchlist_changes(
    cases: pd.DataFrame, watchlist: pd.DataFrame, old: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Entries not matched against the seen accounts yet, the cases whose notes changed, and
    the snapshot to store (entries plus a digest of each case's notes)."""
    digest = (
        cases["notes"].fillna("").map(lambda t: hashlib.sha1(t.encode()).hexdigest())
    )  # one per case
    notes = pd.DataFrame(
        {"case_id": cases["case_id"].to_numpy(), "kind": "notes", "value": digest.to_numpy()}
    )
    now = pd.concat([watchlist[["case_id", "kind", "value"]], notes], ignore_index=True)
    key = ["case_id", "kind", "value"]
    fresh = (
        now.merge(old[key].assign(_old=True), on=key, how="left")
        if len(old)
        else now.assign(_old=np.nan)
    )
    fresh = fresh[fresh["_old"].isna()]
    changed = cases[cases["case_id"].isin(fresh.loc[fresh["kind"] == "notes", "case_id"])]
    entries = watchlist.merge(fresh.loc[fresh["kind"] != "notes", key], on=key)
    return entries, changed, now


def _seen_text_hits(
    changed: pd.DataFrame,
    signatures: np.ndarray,
    account_ids: np.ndarray,
    config: watch.WatchConfig,
) -> pd.DataFrame:
    """Case sample ads against stored signatures, with the banding of ``textpairs.similar_across``."""
    notes = changed["notes"].fillna("")
    changed = changed[notes.str.len() > 40]
    if changed.empty or not len(signatures):
        return pd.DataFrame(columns=HIT_COLUMNS)
    bands = 16
    case_sigs = textsim.minhash_signatures(
        changed["notes"].fillna(""), num_perm=config.num_perm, seed=config.seed
    )
    usable = ~(signatures == textsim.EMPTY).all(axis=1)
    shaped = signatures.reshape(len(signatures), bands, -1)
    frames = []
    for k, case_id in enumerate(
        changed["case_id"]
    ):  # bounded: cases added or edited since the last batch
        if (case_sigs[k] == textsim.EMPTY).all():
            continue
        banded = (shaped == case_sigs[k].reshape(bands, -1)).all(axis=2).any(axis=1) & usable
        similarity = (signatures[banded] == case_sigs[k]).mean(axis=1)
        keep = similarity >= config.text_threshold
        frames.append(
            pd.DataFrame(
                {
                    "case_id": case_id,
                    "account_id": account_ids[banded][keep],
                    "similarity": similarity[keep],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=HIT_COLUMNS)
    hits = pd.concat(frames, ignore_index=True)
    hits["score"] = 0.35 + 0.6 * hits["similarity"]
    hits["signal"] = "template"
    hits["reason"] = (
        "ad text "
        + hits["similarity"].round(2).astype(str)
        + " similar to the sample ad in the notes of case "
        + hits["case_id"].astype(str)
    )
    hits["case_kind"] = hits["case_id"].map(changed.set_index("case_id")["kind"])
    return hits[HIT_COLUMNS]


def _judge_hubs(
    strong: pd.DataFrame,
    seen_links: pd.DataFrame,
    seen_ids: pd.DataFrame,
    n_total: int,
    config: link.LinkConfig,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Judge the identifiers of this batch as ``workbench run`` does (``link.find_hubs``:
    leave-one-out cohesion over the other identifiers of the accounts carrying them),
    on every account that carries them. Returns (hubs, every identifier judged)."""
    rows = pd.concat([strong, seen_links], ignore_index=True).drop_duplicates()
    counts = rows.groupby(["kind", "value"]).size().rename("n_accounts").reset_index()
    judged = counts[counts["n_accounts"] >= config.hub_min_accounts]
    if judged.empty:
        return counts.iloc[:0], judged
    carriers = rows.merge(judged[["kind", "value"]], on=["kind", "value"])["account_id"].unique()
    evidence = pd.concat(
        [
            seen_ids[seen_ids["account_id"].isin(carriers)],
            strong[strong["account_id"].isin(carriers)],
        ],
        ignore_index=True,
    ).drop_duplicates()
    # Without ad-text pairs and photos, an ad that shows nothing but the identifier itself
    # would count as one more unrelated group: only ads with a second identifier testify.
    evidence = evidence[evidence.groupby("account_id")["value"].transform("size").to_numpy() >= 2]
    accounts = pd.DataFrame({"account_id": carriers, "city": pd.NA, "platform": pd.NA})
    # find_hubs calls "too common" a share of the accounts it is given: scale it to all accounts.
    share = config.hub_max_share * n_total / max(len(carriers), 1)
    found = link.find_hubs(evidence, accounts, replace(config, hub_max_share=share))
    hubs = found.merge(judged[["kind", "value"]], on=["kind", "value"])[
        ["kind", "value", "n_accounts"]
    ]
    return hubs, judged


def _without(frame: pd.DataFrame, hubs: pd.DataFrame) -> pd.DataFrame:
    return frame[~link.is_hub(frame, hubs)]


def _link(
    new_ids: np.ndarray,
    strong: pd.DataFrame,
    seen_links: pd.DataFrame,
    entities: pd.DataFrame,
    next_entity: int,
) -> tuple[pd.DataFrame, pd.Series, int]:
    """Incremental union: new accounts join each other and the seen entities they share
    a non-hub identifier with. Returns (new accounts' entities, old id -> merged id, counter)."""
    seen_entity = seen_links.merge(entities, on="account_id")[
        ["kind", "value", "entity_id"]
    ].drop_duplicates()
    old_entities = (
        np.unique(seen_entity["entity_id"].to_numpy(dtype=object))
        if len(seen_entity)
        else np.zeros(0, object)
    )
    n_new = len(new_ids)
    if n_new == 0:
        return (
            pd.DataFrame({"account_id": [], "entity_id": []}, dtype=object),
            pd.Series(dtype=object),
            next_entity,
        )
    node_of = pd.Series(np.arange(n_new), index=new_ids)
    node = np.r_[
        node_of.reindex(strong["account_id"]).to_numpy(),
        n_new + np.searchsorted(old_entities, seen_entity["entity_id"].to_numpy(dtype=object)),
    ]
    key = pd.concat([strong[["kind", "value"]], seen_entity[["kind", "value"]]], ignore_index=True)
    group = key.groupby(["kind", "value"], sort=False).ngroup().to_numpy()
    first = pd.Series(node).groupby(group).transform("first").to_numpy()
    n_nodes = n_new + len(old_entities)
    graph = coo_matrix((np.ones(len(node), dtype=np.int8), (node, first)), shape=(n_nodes, n_nodes))
    labels = connected_components(graph, directed=False)[1]
    # A component keeps the smallest (oldest) seen entity id in it, else gets a new id.
    comp_old = (
        pd.Series(old_entities, index=labels[n_new:]).groupby(level=0).min()
        if len(old_entities)
        else pd.Series(dtype=object)
    )
    new_labels = pd.unique(labels[:n_new][~np.isin(labels[:n_new], comp_old.index)])
    names = [f"E{next_entity + k:08d}" for k in range(len(new_labels))]  # one name per new entity
    target = pd.concat([comp_old, pd.Series(names, index=new_labels, dtype=object)])
    assigned = pd.DataFrame(
        {"account_id": new_ids, "entity_id": target.reindex(labels[:n_new]).to_numpy()}
    )
    merged = pd.Series(target.reindex(labels[n_new:]).to_numpy(), index=old_entities)
    return assigned, merged[merged.index != merged.to_numpy()], next_entity + len(new_labels)


def _write_batch(
    state_dir: Path, manifest: dict, seq: int, tables: dict[str, pd.DataFrame | pa.Table]
) -> dict:
    """Write the batch's files under new names, then commit by replacing the manifest."""
    files = {name: f"{name}/{'b' if name in PARTS else 'e'}{seq:06d}.parquet" for name in tables}
    io.write_bytes(
        json.dumps({"seq": seq, "files": sorted(files.values()), "started": time.time()}),
        state_dir / "journal.json",
    )
    _checkpoint("journal")
    for name, table in tables.items():  # bounded: one file per kind of table
        _write_parquet(table, state_dir / files[name])
        _checkpoint(f"write:{name}")
    new = json.loads(json.dumps(manifest))
    old_singles = [manifest[k] for k in SINGLES if k in tables and manifest.get(k)]
    for name in tables:
        if name in PARTS:
            new["parts"][name].append(files[name])
        else:
            new[name] = files[name]
    new["seq"] = seq
    io.write_bytes(json.dumps(new, indent=1), state_dir / "manifest.json")
    _checkpoint("manifest")
    _rebuild_leads_csv(state_dir, new)
    _checkpoint("leads_csv")
    for old in old_singles:
        (state_dir / old).unlink(missing_ok=True)
    (state_dir / "journal.json").unlink()
    return new


def _signature_table(account_ids: np.ndarray, signatures: np.ndarray) -> pa.Table:
    flat = pa.array(signatures.ravel(), type=pa.uint32())
    return pa.table(
        {
            "account_id": pa.array(account_ids.astype(str)),
            "sig": pa.FixedSizeListArray.from_arrays(flat, signatures.shape[1]),
        }
    )


def watch_batch(
    cases,
    new_accounts,
    state_dir: str | Path,
    config: watch.WatchConfig | None = None,
    region: str = "US",
    hubs: pd.DataFrame | None = None,
    link_config: link.LinkConfig | None = None,
) -> pd.DataFrame:
    """Match a batch of new accounts against the cases, given everything seen before.

    Only the new accounts are extracted and hashed. The cases' watchlist is matched
    against them; watchlist entries added since the last batch (new or edited cases)
    are matched against the seen accounts too. New accounts join the seen entities
    they share a non-hub identifier with, and every account of an entity that changed
    gets its entity evidence again, so a new account that links to an account which
    matched a case makes an entity lead, and the reverse. Accounts already seen are
    skipped, so running a batch twice writes nothing twice.

    Parameters
    ----------
    cases, new_accounts : path or DataFrame (validated like ``workbench run`` inputs)
    state_dir : folder of the watch's state (created on the first batch)
    config : WatchConfig; ``min_lead_score`` decides which leads are written
    region : default phone region
    hubs : optional (kind, value) identifiers never to link on, e.g. ``hubs.csv`` of a run
    link_config : LinkConfig whose hub guard judges the batch's identifiers (the latest
        judgement of an identifier holds; links made before it became a hub stay)

    Returns
    -------
    DataFrame of the lead rows appended to ``state_dir/leads.csv`` by this batch:
    case_id, account_id, score, reasons, signals, case_kind, batch, update (True when
    the lead was written before with a lower score).

    Examples
    --------
    >>> import tempfile
    >>> cases = pd.DataFrame({"case_id": ["C1"], "phones": ["713 482 0193"]})
    >>> batch = pd.DataFrame({"account_id": ["a1", "a2"], "text": ["call 7134820193", "sc: jadexo"]})
    >>> state = tempfile.mkdtemp()
    >>> watch_batch(cases, batch, state)[["case_id", "account_id", "score"]].values.tolist()
    [['C1', 'a1', 0.95]]
    >>> len(watch_batch(cases, batch, state))
    0
    """
    config = replace(config or watch.WatchConfig(), region=region)
    link_config = link_config or link.LinkConfig()
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    with _locked(state_dir):
        return _watch_batch(cases, new_accounts, state_dir, config, region, hubs, link_config)


@contextlib.contextmanager
def _locked(state_dir: Path):
    """One watch per state folder at a time; the lock dies with its process."""
    try:
        import fcntl  # noqa: PLC0415
    except ImportError:  # Windows: no advisory locks; the analyst runs one watch at a time
        yield
        return
    with open(state_dir / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise io.InputError(
                str(state_dir),
                "another watch is running on this state folder",
                "Wait for it to finish, then run this batch.",
            ) from None
        yield


def _watch_batch(
    cases,
    new_accounts,
    state_dir: Path,
    config: watch.WatchConfig,
    region: str,
    hubs: pd.DataFrame | None,
    link_config: link.LinkConfig,
) -> pd.DataFrame:
    clock = time.perf_counter()
    recover(state_dir)
    cases = io.load_cases(cases)
    accounts = io.load_accounts(new_accounts)
    state = load_state(state_dir)
    manifest, entities = state.manifest, state.entities
    if manifest["seq"] and manifest.get("sig") != [config.num_perm, config.seed]:
        log.warning(
            "num_perm/seed differ from the state's; sample ads are matched against new accounts only"
        )
    n_given = len(accounts)
    accounts = accounts[~accounts["account_id"].isin(entities["account_id"])].reset_index(drop=True)
    if len(accounts) < n_given:
        log.info("%d accounts were seen before and are skipped", n_given - len(accounts))
    watchlist = watch.build_watchlist(cases, region)
    old_watch = _read_frame(
        state_dir,
        [manifest["watchlist"]] if manifest.get("watchlist") else [],
        ["case_id", "kind", "value"],
    )
    entries, changed, watch_now = _watchlist_changes(cases, watchlist, old_watch)
    seen_any = len(entities) > 0
    if accounts.empty and (not seen_any or (entries.empty and changed.empty)):
        log.info("nothing new for %s", state_dir)
        return pd.DataFrame(columns=LEAD_COLUMNS)
    seq = manifest["seq"] + 1

    identifiers = extract.extract_frame(accounts, region=region)
    strong = identifiers.loc[
        identifiers["kind"].isin(STRONG_KINDS), ["account_id", "kind", "value"]
    ].drop_duplicates()
    photo_rows = io.explode_multi(accounts, "image_hashes")
    signatures = textsim.minhash_signatures(
        accounts["text"].fillna(""), num_perm=config.num_perm, seed=config.seed
    )
    seen_ids = _read_frame(
        state_dir, manifest["parts"]["identifiers"], ["account_id", "kind", "value"]
    )
    seen_links = seen_ids[seen_ids["value"].isin(strong["value"])]
    seen_links = seen_links.merge(strong[["kind", "value"]].drop_duplicates(), on=["kind", "value"])
    user_hubs = (
        hubs[["kind", "value"]].assign(n_accounts=0) if hubs is not None and len(hubs) else None
    )
    new_hubs, judged = _judge_hubs(
        strong, seen_links, seen_ids, len(entities) + len(accounts), link_config
    )
    kept = _without(state.hubs, judged) if len(judged) else state.hubs
    found = [h for h in (kept, user_hubs, new_hubs) if h is not None and len(h)]
    all_hubs = (
        pd.concat(found, ignore_index=True).drop_duplicates(["kind", "value"])
        if found
        else state.hubs
    )
    log.info(
        "batch %d: %d new accounts, %d identifiers (%.1fs)",
        seq,
        len(accounts),
        len(strong),
        time.perf_counter() - clock,
    )

    # Direct evidence: new accounts x the whole watchlist, and new entries x the seen accounts.
    new_hits = watch.direct_hits(
        cases, accounts, identifiers, all_hubs, config, watchlist=watchlist
    )
    seen_hits = []
    if seen_any and (len(entries) or len(changed)):
        seen_photos = _read_frame(state_dir, manifest["parts"]["photos"], ["account_id", "hash"])
        photo_frame = pd.DataFrame(
            {
                "account_id": seen_photos["account_id"].to_numpy(),
                "image_hashes": photos.uint64_to_hex(seen_photos["hash"].to_numpy(np.uint64)),
            }
        )
        seen_hits.append(
            watch.direct_hits(
                cases, photo_frame, seen_ids, all_hubs, config, watchlist=entries, text=False
            )
        )
        if len(changed) and manifest.get("sig") == [config.num_perm, config.seed]:
            table = _read_parts(state_dir, manifest["parts"]["signatures"])
            sigs = (
                table.column("sig")
                .combine_chunks()
                .flatten()
                .to_numpy()
                .reshape(-1, config.num_perm)
            )
            seen_hits.append(
                _seen_text_hits(changed, sigs, table.column("account_id").to_numpy(), config)
            )
    direct_new = pd.concat([new_hits, *seen_hits], ignore_index=True)[HIT_COLUMNS]

    # Entities: union over the new links only, then redo the entity evidence of what changed.
    assigned, merged, next_entity = _link(
        accounts["account_id"].to_numpy(),
        _without(strong, all_hubs),
        _without(seen_links, all_hubs),
        entities,
        manifest["next_entity"],
    )
    if len(merged):
        moved = entities["entity_id"].isin(merged.index)
        entities.loc[moved, "entity_id"] = entities.loc[moved, "entity_id"].map(merged)
    entities = pd.concat([entities, assigned], ignore_index=True)
    touched = set(assigned["entity_id"]) | set(
        entities.loc[entities["account_id"].isin(direct_new["account_id"]), "entity_id"]
    )
    members = entities[entities["entity_id"].isin(touched)]
    direct = pd.concat([state.hits, direct_new], ignore_index=True)
    direct = direct[
        direct["account_id"].isin(members["account_id"]) & direct["case_id"].isin(cases["case_id"])
    ]
    candidates = watch.combine(
        pd.concat([direct, watch.entity_hits(direct, members, config)], ignore_index=True)
    )
    candidates = candidates[candidates["score"] >= config.min_lead_score]
    best = (
        state.leads.groupby(["case_id", "account_id"])["score"]
        .max()
        .rename("_before")
        .reset_index()
    )
    candidates = candidates.merge(best, on=["case_id", "account_id"], how="left")
    candidates = candidates[candidates["score"] > candidates["_before"].fillna(-1.0) + 1e-9]
    candidates = candidates.assign(
        update=candidates["_before"].notna(),
        batch=seq,
        case_kind=candidates["case_id"].map(cases.set_index("case_id")["kind"]),
    )
    if (state_dir / "review.sqlite").exists():
        candidates = apply_decisions(candidates, ReviewLog(state_dir / "review.sqlite"))
    candidates["_missing"] = candidates["case_kind"] != "missing"
    leads = candidates.sort_values(
        ["_missing", "case_id", "score", "account_id"], ascending=[True, True, False, True]
    )
    leads = leads[LEAD_COLUMNS].reset_index(drop=True)

    manifest = {
        **manifest,
        "next_entity": next_entity,
        "n_accounts": len(entities),
        "n_leads": manifest["n_leads"] + len(leads),
        "sig": [config.num_perm, config.seed],
    }
    manifest["batches"] = [
        *manifest["batches"],
        {
            "seq": seq,
            "n_new": len(accounts),
            "n_skipped": n_given - len(accounts),
            "n_leads": len(leads),
            "n_merged_entities": len(merged),
        },
    ]
    photo_table = pd.DataFrame(
        {
            "account_id": photo_rows["account_id"].to_numpy(),
            "hash": photos.hex_to_uint64(photo_rows["image_hashes"])
            if len(photo_rows)
            else np.zeros(0, np.uint64),
        }
    )
    _write_batch(
        state_dir,
        manifest,
        seq,
        {
            "identifiers": strong.reset_index(drop=True),
            "photos": photo_table,
            "signatures": _signature_table(accounts["account_id"].to_numpy(), signatures),
            "hits": direct_new.astype({"score": float}),
            "leads": leads,
            "entities": entities,
            "hubs": all_hubs.reset_index(drop=True),
            "watchlist": watch_now,
        },
    )
    log.info(
        "batch %d: %d lead rows written in %.1fs", seq, len(leads), time.perf_counter() - clock
    )
    return leads

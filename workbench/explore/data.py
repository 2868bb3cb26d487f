"""The explorer's tables, joined once: one row per account, plus the lookups views need.

Owns the preparation of a run's ``Result`` for interactive use (vectorised joins, done
once when the Explorer is built) and the per-selection slicing; it draws nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

ACCOUNT_VIEW_COLUMNS = (
    "account_id",
    "entity_id",
    "entity_size",
    "cluster",
    "x",
    "y",
    "risk_score",
    "cases",
    "city",
    "lat",
    "lon",
    "posted_at",
    "platform",
    "title",
    "text",
)


class KeyIndex:
    """Row positions of a table by one key column, for lookups that stay fast at 100k rows.

    Keys are sorted once; a lookup is a binary search per wanted key, not a scan.

    Examples
    --------
    >>> KeyIndex(pd.Series(["b", "a", "b", "c"])).positions(["b", "x"]).tolist()
    [0, 2]
    """

    def __init__(self, keys: pd.Series):
        keys = keys.to_numpy(dtype=object).astype(str)
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]

    def positions(self, wanted) -> np.ndarray:
        """Positions (ascending) of the rows whose key is in ``wanted``."""
        wanted = np.unique(np.asarray(list(wanted), dtype=object).astype(str))
        lo = np.searchsorted(self.keys, wanted, side="left")
        counts = np.searchsorted(self.keys, wanted, side="right") - lo
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
        return np.sort(self.order[starts + np.arange(counts.sum())])


@dataclass
class ExploreData:
    """A run's tables prepared for the explorer.

    ``accounts`` has one row per account in a stable order (positions are what the
    map and selections use); ``position`` maps account_id to that row. The ``KeyIndex``es
    answer the per-click lookups without scanning whole tables.
    """

    accounts: pd.DataFrame
    position: pd.Series
    identifiers: pd.DataFrame
    evidence: pd.DataFrame
    links: pd.DataFrame
    leads: pd.DataFrame
    hubs: pd.DataFrame
    entity_summary: pd.DataFrame
    photo_groups: pd.DataFrame
    cases: pd.DataFrame

    def __post_init__(self) -> None:
        self.by_entity = KeyIndex(self.accounts["entity_id"])
        self.identifiers_by_account = KeyIndex(self.identifiers["account_id"])
        self.evidence_by_account = KeyIndex(self.evidence["account_id"])
        self.evidence_by_node = KeyIndex(self.evidence["node"])
        self.links_by_src, self.links_by_dst = (
            KeyIndex(self.links["src"]),
            KeyIndex(self.links["dst"]),
        )
        self.leads_by_account, self.leads_by_case = (
            KeyIndex(self.leads["account_id"]),
            KeyIndex(self.leads["case_id"]),
        )
        self.photo_by_hash = self.photo_groups.drop_duplicates("hash").set_index("hash")

    def rows(self, account_ids) -> pd.DataFrame:
        """The account rows for ``account_ids`` (unknown ids are ignored), in the given order."""
        pos = self.position.reindex(pd.Index(account_ids)).dropna().astype(np.int64).to_numpy()
        return self.accounts.iloc[pos]

    def entity_accounts(self, entity_id: str) -> pd.DataFrame:
        """Every account of one entity, oldest post first."""
        members = self.accounts.iloc[self.by_entity.positions([entity_id])]
        return members.sort_values("posted_at", kind="stable")

    def lookup(self, table: str, index: str, keys) -> pd.DataFrame:
        """Rows of ``table`` (e.g. "evidence") whose key in ``index`` (e.g. "by_account") is in ``keys``."""
        return getattr(self, table).iloc[getattr(self, f"{table}_{index}").positions(keys)]

    def links_touching(self, account_ids) -> pd.DataFrame:
        """Links with either end in ``account_ids``."""
        pos = np.union1d(
            self.links_by_src.positions(account_ids), self.links_by_dst.positions(account_ids)
        )
        return self.links.iloc[pos]


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def _plain_strings(table: pd.DataFrame) -> pd.DataFrame:
    """Text columns as NumPy object arrays: an interaction takes a few rows out of large
    tables many times, and a take from (chunked) Arrow strings costs far more than from NumPy."""
    for col in table.columns:
        if isinstance(table[col].dtype, pd.StringDtype) or table[col].dtype == object:
            table[col] = table[col].astype(object).where(table[col].notna(), None)
    return table


def _frame(table: pd.DataFrame | None, columns) -> pd.DataFrame:
    if table is None:
        return _empty(columns)
    table = table.copy()
    for col in columns:
        if col not in table.columns:
            table[col] = pd.Series(dtype="object")
    return _plain_strings(table)


def _fill_coordinates(accounts: pd.DataFrame) -> pd.DataFrame:
    """Accounts without lat/lon take the median of other accounts written with the same city."""
    for col in ("lat", "lon"):
        values = (
            pd.to_numeric(accounts[col], errors="coerce")
            if col in accounts.columns
            else pd.Series(np.nan, index=accounts.index)
        )
        by_city = values.groupby(accounts["city"]).transform("median")
        accounts[col] = values.fillna(by_city)
    return accounts


def prepare(result) -> ExploreData:
    """Join a run's tables into the explorer's account view (vectorised, once).

    Parameters
    ----------
    result : workbench.pipeline.Result

    Returns
    -------
    ExploreData

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> acc = pd.DataFrame({"account_id": ["a", "b"], "text": ["hi", "yo"], "city": ["X", "X"]})
    >>> res = SimpleNamespace(accounts=acc, entities=pd.DataFrame({"account_id": ["a", "b"], "entity_id": ["E1", "E1"]}),
    ...                       clusters=None, entity_summary=None, leads=None, identifiers=None, evidence=None,
    ...                       links=None, hubs=None, photo_groups=None, cases=None)
    >>> prepare(res).accounts[["account_id", "entity_id", "entity_size"]].values.tolist()
    [['a', 'E1', 2], ['b', 'E1', 2]]
    """
    accounts = result.accounts.copy()
    accounts["account_id"] = accounts["account_id"].astype(str)
    for col in ("text", "title", "city", "platform"):
        accounts[col] = accounts[col].fillna("").astype(str) if col in accounts.columns else ""
    accounts["posted_at"] = pd.to_datetime(accounts.get("posted_at"), errors="coerce", utc=True)
    accounts = _fill_coordinates(accounts)
    entities = _frame(result.entities, ("account_id", "entity_id"))[["account_id", "entity_id"]]
    accounts = accounts.merge(entities.astype({"account_id": str}), on="account_id", how="left")
    accounts["entity_id"] = accounts["entity_id"].fillna(accounts["account_id"]).astype(str)
    accounts["entity_size"] = (
        accounts.groupby("entity_id")["account_id"].transform("size").astype(np.int64)
    )
    clusters = _frame(result.clusters, ("account_id", "cluster", "x", "y"))[
        ["account_id", "cluster", "x", "y"]
    ]
    accounts = accounts.merge(clusters.astype({"account_id": str}), on="account_id", how="left")
    accounts["cluster"] = (
        pd.to_numeric(accounts["cluster"], errors="coerce").fillna(-1).astype(np.int64)
    )
    for col in ("x", "y"):
        accounts[col] = pd.to_numeric(accounts[col], errors="coerce").fillna(0.0)
    summary = _frame(result.entity_summary, ("entity_id", "risk_score", "risk_reasons"))
    risk = (
        summary.set_index("entity_id")["risk_score"].astype(float)
        if len(summary)
        else pd.Series(dtype=float)
    )
    accounts["risk_score"] = accounts["entity_id"].map(risk).fillna(0.0).astype(float)
    leads = _frame(
        result.leads, ("case_id", "account_id", "score", "reasons", "signals", "case_kind")
    )
    if len(leads):
        per_account = leads.groupby("account_id")["case_id"].agg(
            lambda c: ", ".join(sorted(set(map(str, c))))
        )
        accounts["cases"] = accounts["account_id"].map(per_account).fillna("")
    else:
        accounts["cases"] = ""
    accounts = _plain_strings(accounts[list(ACCOUNT_VIEW_COLUMNS)].reset_index(drop=True))
    position = pd.Series(
        np.arange(len(accounts), dtype=np.int64), index=pd.Index(accounts["account_id"])
    )
    identifiers = _frame(result.identifiers, ("account_id", "kind", "value", "raw"))
    evidence = _frame(getattr(result, "evidence", None), ("account_id", "kind", "value"))
    evidence = evidence.assign(
        node=evidence["kind"].astype(str) + ":" + evidence["value"].astype(str)
    )
    log.info(
        "explorer data: %d accounts, %d identifiers, %d evidence rows",
        len(accounts),
        len(identifiers),
        len(evidence),
    )
    return ExploreData(
        accounts=accounts,
        position=position,
        identifiers=identifiers,
        evidence=evidence,
        links=_frame(result.links, ("src", "dst", "kind", "value", "weight", "reason", "used")),
        leads=leads,
        hubs=_frame(result.hubs, ("kind", "value", "n_accounts", "reason")),
        entity_summary=summary,
        photo_groups=_frame(
            result.photo_groups, ("group_id", "hash", "n_accounts", "n_cities", "cities")
        ),
        cases=_frame(result.cases, ("case_id", "kind", "alias", "notes")),
    )


def map_sample(accounts: pd.DataFrame, max_points: int, seed: int = 0) -> np.ndarray:
    """Positions of the accounts drawn on the map: every linked or lead account first, then a
    seeded random sample of the rest, so the map stays light at 100k accounts.

    Examples
    --------
    >>> acc = pd.DataFrame({"entity_size": [1, 3, 1, 1], "cases": ["", "", "C1", ""]})
    >>> sorted(map_sample(acc, 2).tolist())
    [1, 2]
    """
    n = len(accounts)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    important = (accounts["entity_size"].to_numpy() > 1) | (accounts["cases"].to_numpy() != "")
    first = np.flatnonzero(important)
    rest = np.flatnonzero(~important)
    rng = np.random.default_rng(seed)
    if len(first) >= max_points:
        return np.sort(rng.choice(first, max_points, replace=False))
    extra = rng.choice(rest, max_points - len(first), replace=False)
    return np.sort(np.concatenate([first, extra]))

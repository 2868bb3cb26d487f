"""The analyst review log: decisions on leads and entities, kept in SQLite.

Owns ``review.sqlite``: an append-only table of who decided what, when, on which
item, and the evidence shown. Each decision is one transaction, so a crash mid-write
leaves the log as it was. It never changes outputs itself; ``apply_decisions`` filters
a run's leads by the latest decisions.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import json
import logging
import sqlite3
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

DECISIONS = ("confirmed", "dismissed", "needs-follow-up")
SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    decided_at TEXT NOT NULL,
    analyst TEXT NOT NULL,
    item_type TEXT NOT NULL,      -- lead, entity, account
    item_id TEXT NOT NULL,        -- case_id/account_id for a lead, entity_id, account_id
    decision TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT ''   -- the reasons shown when deciding (JSON or text)
);
CREATE INDEX IF NOT EXISTS decisions_item ON decisions (item_type, item_id);
CREATE TRIGGER IF NOT EXISTS decisions_append_only_u BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_append_only_d BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;
"""


class ReviewLog:
    """An append-only review log in a SQLite file.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "review.sqlite")
    >>> log = ReviewLog(path)
    >>> _ = log.record("lead", "C1/A7", "dismissed", note="different person", analyst="ana")
    >>> log.latest()["decision"].tolist()
    ['dismissed']
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    def record(
        self,
        item_type: str,
        item_id: str,
        decision: str,
        note: str = "",
        evidence="",
        analyst: str | None = None,
    ) -> int:
        """Append one decision in its own transaction; returns its id."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        if not isinstance(evidence, str):
            evidence = json.dumps(evidence, default=str, ensure_ascii=False)
        analyst = analyst or _whoami()
        now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        db = self._connect()
        try:
            with db:  # commits, or rolls back on any error
                cur = db.execute(
                    "INSERT INTO decisions (decided_at, analyst, item_type, item_id, decision, note, evidence)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (now, analyst, item_type, str(item_id), decision, note, evidence),
                )
            return int(cur.lastrowid)
        finally:
            db.close()

    def history(self) -> pd.DataFrame:
        """Every decision, oldest first."""
        db = self._connect()
        try:
            return pd.read_sql_query("SELECT * FROM decisions ORDER BY id", db)
        finally:
            db.close()

    def latest(self) -> pd.DataFrame:
        """The latest decision per item."""
        history = self.history()
        return history.drop_duplicates(["item_type", "item_id"], keep="last").reset_index(drop=True)

    def export(self, path: str | Path) -> Path:
        """Write the whole log as CSV for an audit."""
        from .io import write_csv  # noqa: PLC0415

        return write_csv(self.history(), Path(path))


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "analyst"


def apply_decisions(leads: pd.DataFrame, review: ReviewLog | None) -> pd.DataFrame:
    """Drop leads an analyst dismissed, unless the lead now has evidence that was not shown then.

    New evidence is judged by the reasons: a dismissed lead comes back when its reasons
    now include a sentence that was not in the evidence recorded with the dismissal.
    """
    if review is None or leads.empty:
        return leads
    latest = review.latest()
    dismissed = latest[(latest["item_type"] == "lead") & (latest["decision"] == "dismissed")]
    if dismissed.empty:
        return leads
    key = leads["case_id"].astype(str) + "/" + leads["account_id"].astype(str)
    shown = dismissed.set_index("item_id")["evidence"]
    seen_before = key.map(shown)
    new_evidence = pd.Series(
        [
            isinstance(old, str) and any(part.strip() not in old for part in str(now).split(";"))
            for old, now in zip(seen_before, leads["reasons"], strict=True)
        ],
        index=leads.index,
    )
    keep = seen_before.isna() | new_evidence
    return leads[keep].reset_index(drop=True)


def confirmed_accounts(review: ReviewLog) -> pd.DataFrame:
    """(case_id, account_id) of leads analysts confirmed: they join their case for the next watch."""
    latest = review.latest()
    confirmed = latest[(latest["item_type"] == "lead") & (latest["decision"] == "confirmed")]
    parts = confirmed["item_id"].str.split("/", n=1, expand=True)
    if parts.empty:
        return pd.DataFrame(columns=["case_id", "account_id"])
    return pd.DataFrame({"case_id": parts[0], "account_id": parts[1]})

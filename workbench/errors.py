"""The analyst-facing error and the warnings table: shared by reading, validation and writing.

Owns only these two types; ``io`` re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from .schema import OUTPUT_COLUMNS

WARNING_CAP = 1000  # rows per (file, column, problem) before the rest are counted in one row


class InputError(ValueError):
    """A problem in the analyst's input that stops the run, said in the analyst's words."""

    def __init__(
        self,
        file: str,
        problem: str,
        advice: str = "",
        row: int | None = None,
        column: str | None = None,
    ):
        self.file, self.problem, self.advice, self.row, self.column = (
            file,
            problem,
            advice,
            row,
            column,
        )
        where = [f"file {file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        msg = f"{', '.join(where)}: {problem}"
        super().__init__(msg + (f". {advice}" if advice else ""))


@dataclass
class WarningLog:
    """Recoverable input problems, collected as rows of ``warnings.csv``."""

    rows: list[dict] = field(default_factory=list)

    def add(self, file: str, row, column: str, problem: str) -> None:
        self.rows.append({"file": file, "row": row, "column": column, "problem": problem})

    def add_many(self, file: str, rows: Iterable[int], column: str, problem: str) -> None:
        rows = list(rows)
        for r in rows[:WARNING_CAP]:
            self.add(file, int(r), column, problem)
        if len(rows) > WARNING_CAP:
            self.add(file, "", column, f"{problem} (and {len(rows) - WARNING_CAP} more rows)")

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(OUTPUT_COLUMNS["warnings"]))

"""The contract's tables as data: column names, types, which are required and multi-valued.

Owns nothing but declarations; `io` validates against them and every step names
columns through them, so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "string", "datetime", "float"
    required: bool = False
    multi: bool = False  # ';'-separated values
    unique: bool = False


ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column("account_id", "string", required=True, unique=True),
    Column("text", "string", required=True),
    Column("title", "string"),
    Column("platform", "string"),
    Column("posted_at", "datetime"),
    Column("city", "string"),
    Column("lat", "float"),
    Column("lon", "float"),
    Column("phone", "string", multi=True),
    Column("email", "string", multi=True),
    Column("handle", "string", multi=True),
    Column("image_hashes", "string", multi=True),
    Column("pdq_hashes", "string", multi=True),
)

CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_id", "string", required=True, unique=True),
    Column("kind", "string"),
    Column("alias", "string", multi=True),
    Column("phones", "string", multi=True),
    Column("emails", "string", multi=True),
    Column("handles", "string", multi=True),
    Column("image_hashes", "string", multi=True),
    Column("pdq_hashes", "string", multi=True),
    Column("notes", "string"),
)

TRUTH_COLUMNS = ("account_id", "operator_id", "case_id", "resurfaced")

# Identifier kinds, in the order an analyst reads them.
STRONG_KINDS = ("phone", "email", "handle", "payment", "wallet", "url")
IDENTIFIER_KINDS = STRONG_KINDS + ("image", "pdq")

KIND_WORDS = {
    "phone": "phone",
    "email": "email",
    "handle": "handle",
    "payment": "payment account",
    "wallet": "crypto wallet",
    "url": "web address",
    "image": "photo",
    "pdq": "photo (PDQ)",
}
"""How each evidence kind is named in reasons an analyst reads (links, hubs, leads)."""

IDENTIFIER_COLUMNS = ("account_id", "kind", "value", "raw", "source", "start", "end", "rule")

OUTPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": ("account_id", "entity_id"),
    "links": ("src", "dst", "kind", "value", "weight", "reason"),
    "identifiers": IDENTIFIER_COLUMNS,
    "entity_summary": (
        "entity_id",
        "n_accounts",
        "n_phones",
        "n_cities",
        "first_seen",
        "last_seen",
        "risk_score",
        "risk_reasons",
    ),
    "clusters": ("account_id", "cluster", "x", "y"),
    "leads": ("case_id", "account_id", "score", "reasons"),
    "warnings": ("file", "row", "column", "problem"),
    "hubs": ("kind", "value", "n_accounts", "n_cities", "n_platforms", "reason"),
}

OUTPUT_FILES: dict[str, str] = {name: f"{name}.csv" for name in OUTPUT_COLUMNS}


def names(columns: tuple[Column, ...]) -> list[str]:
    return [c.name for c in columns]

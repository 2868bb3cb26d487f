"""Search accounts by phone (any format), email, handle, photo hash, text snippet or case id.

Owns the interpretation of what an analyst types. Identifiers are normalised exactly
as the pipeline did (``workbench.extract``), so ``seven one three 482 0193`` finds
``+17134820193``. It returns matches with the reason; it draws nothing.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from .data import ExploreData

log = logging.getLogger(__name__)

SEARCH_KINDS = ("auto", "phone", "email", "handle", "photo", "text", "case")
PHOTO_RADIUS = 8  # bits of 64, as the pipeline groups re-uploads
_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")


def _normalise_phone(query: str, region: str) -> str | None:
    try:
        from workbench.extract import normalise_phone  # noqa: PLC0415
    except ImportError:
        normalise_phone = None
    if normalise_phone is not None:
        return normalise_phone(query, region)
    phones = [i for i in _extract(query, region) if i.kind == "phone"]
    return phones[0].value if phones else None


def _extract(query: str, region: str) -> list:
    from workbench.extract import extract_identifiers  # noqa: PLC0415

    return list(extract_identifiers(query, region=region))


def _identifier_hits(data: ExploreData, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    if not pairs:
        return pd.DataFrame(columns=["account_id", "why"])
    wanted = pd.Series([f"{k}\x00{v}" for k, v in pairs])
    ids = data.identifiers
    key = ids["kind"].astype(str) + "\x00" + ids["value"].astype(str)
    hit = ids[key.isin(wanted)]
    return pd.DataFrame(
        {
            "account_id": hit["account_id"].astype(str).to_numpy(),
            "why": (
                hit["kind"].astype(str)
                + " "
                + hit["value"].astype(str)
                + " (written "
                + hit["raw"].astype(str)
                + ")"
            ).to_numpy(),
        }
    )


def _handle_hits(data: ExploreData, query: str) -> pd.DataFrame:
    """A bare name matches a handle on any platform (``jade_22`` finds ``instagram:jade_22``)."""
    name = query.strip().lstrip("@").lower()
    if not re.fullmatch(r"[\w.\-]{3,40}", name):
        return pd.DataFrame(columns=["account_id", "why"])
    ids = data.identifiers[data.identifiers["kind"] == "handle"]
    value = ids["value"].astype(str)
    hit = ids[(value == name) | value.str.endswith(":" + name)]
    return pd.DataFrame(
        {
            "account_id": hit["account_id"].astype(str).to_numpy(),
            "why": ("handle " + hit["value"].astype(str)).to_numpy(),
        }
    )


def _photo_hits(data: ExploreData, query: str, radius: int = PHOTO_RADIUS) -> pd.DataFrame:
    from workbench.photos import hamming, parse_hex  # noqa: PLC0415

    photos = data.identifiers[data.identifiers["kind"] == "image"]
    if photos.empty:
        return pd.DataFrame(columns=["account_id", "why"])
    words, valid = parse_hex(photos["value"].astype(str).to_numpy(), bits=64)
    target, _ = parse_hex(np.array([query.lower()]), bits=64)
    dist = hamming(words, np.repeat(target, len(words), axis=0), bits=64)
    near = valid & (dist <= radius)
    hit = photos[near]
    return pd.DataFrame(
        {
            "account_id": hit["account_id"].astype(str).to_numpy(),
            "why": (
                "photo "
                + hit["value"].astype(str)
                + " ("
                + pd.Series(dist[near]).astype(str).to_numpy()
                + " bits away)"
            ).to_numpy(),
        }
    )


def _text_hits(data: ExploreData, query: str) -> pd.DataFrame:
    acc = data.accounts
    hit = acc["title"].str.contains(query, case=False, regex=False) | acc["text"].str.contains(
        query, case=False, regex=False
    )
    return pd.DataFrame(
        {"account_id": acc.loc[hit, "account_id"].to_numpy(), "why": "text contains the snippet"}
    )


def _case_hits(data: ExploreData, query: str) -> pd.DataFrame:
    leads = data.leads[data.leads["case_id"].astype(str).str.lower() == query.strip().lower()]
    return pd.DataFrame(
        {
            "account_id": leads["account_id"].astype(str).to_numpy(),
            "why": (
                "lead for case "
                + leads["case_id"].astype(str)
                + " (score "
                + leads["score"].astype(float).round(2).astype(str)
                + ")"
            ).to_numpy(),
        }
    )


def search(data: ExploreData, query: str, kind: str = "auto", region: str = "US") -> pd.DataFrame:
    """Accounts matching ``query``: columns ``account_id`` and ``why``, one row per account.

    ``kind="auto"`` tries every reading of the query (a case id, a phone in any format,
    identifiers found in it, a bare handle, a 16-hex photo hash) and falls back to a text
    snippet when none matched.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from workbench.explore.data import prepare
    >>> acc = pd.DataFrame({"account_id": ["a"], "text": ["call 713 482 0193"], "city": ["X"]})
    >>> ids = pd.DataFrame({"account_id": ["a"], "kind": ["phone"], "value": ["+17134820193"], "raw": ["713 482 0193"]})
    >>> data = prepare(SimpleNamespace(accounts=acc, entities=None, clusters=None, entity_summary=None, leads=None,
    ...     identifiers=ids, evidence=None, links=None, hubs=None, photo_groups=None, cases=None))
    >>> search(data, "(713) 482-0193")["account_id"].tolist()
    ['a']
    """
    query = (query or "").strip()
    if kind not in SEARCH_KINDS:
        raise ValueError(f"search kind must be one of {SEARCH_KINDS}, not {kind!r}")
    if not query:
        return pd.DataFrame(columns=["account_id", "why"])
    parts = []
    if kind in ("auto", "case"):
        parts.append(_case_hits(data, query))
    if kind in ("auto", "phone"):
        phone = _normalise_phone(query, region)
        if phone:
            parts.append(_identifier_hits(data, [("phone", phone)]))
    if kind in ("auto", "email", "handle"):
        found = [
            (i.kind, i.value) for i in _extract(query, region) if kind == "auto" or i.kind == kind
        ]
        parts.append(_identifier_hits(data, found))
    if kind in ("auto", "handle"):
        parts.append(_handle_hits(data, query))
    if kind in ("auto", "photo") and _HEX16.match(query):
        parts.append(_photo_hits(data, query))
    hits = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["account_id", "why"])
    )
    if kind == "text" or (kind == "auto" and hits.empty and len(query) >= 3):
        hits = _text_hits(data, query)
    hits = (
        hits.groupby("account_id", sort=False)["why"]
        .agg(lambda w: "; ".join(dict.fromkeys(w)))
        .reset_index()
    )
    log.info("search %r (%s): %d accounts", query, kind, len(hits))
    return hits

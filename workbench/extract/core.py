"""All identifiers of one text, and normalisers for single structured values.

Owns how the per-kind finders are combined (overlaps, de-duplication); the finders
themselves live in phones, emails, handles, payments and wallets.
"""

from __future__ import annotations

import re

from . import hints
from .emails import find_emails, normalise_email
from .handles import _KEYWORDS, _PROFILE_URL, _URL_HOSTS, find_handles, find_urls, handle_value
from .identifier import Identifier, Spans
from .payments import PAYMENT_PLATFORMS, find_cashtags
from .phones import find_phones, normalise_phone
from .wallets import find_wallets

__all__ = [
    "extract_identifiers",
    "normalise_phone",
    "normalise_email",
    "normalise_handle",
    "handle_kind",
]

IMAGE_HASH = re.compile(r"[0-9a-f]{16}")
PDQ_HASH = re.compile(r"[0-9a-f]{64}")


def extract_identifiers(text: str, region: str = "US") -> list[Identifier]:
    """Every identifier in one ad text: phones, emails, handles, payments, wallets, URLs.

    Parameters
    ----------
    text : str
        Ad body, title or bio; anything else (None, NaN) gives an empty list.
    region : str
        ISO region assumed for phone numbers written without a country code.

    Returns
    -------
    list of Identifier
        Sorted by start offset; one per (kind, value), the first occurrence.

    Examples
    --------
    >>> ids = extract_identifiers("Jade 22 - text 7one3.48two.0one93, IG: jade_22, jade at gmail")
    >>> [(i.kind, i.value, i.rule) for i in ids]  # doctest: +NORMALIZE_WHITESPACE
    [('phone', '+17134820193', 'mixed'), ('handle', 'instagram:jade_22', 'platform'),
     ('email', 'jade@gmail.com', 'obfuscated')]
    """
    if not isinstance(text, str) or not text:
        return []
    return extract_some(text, region, hints.ALL)


def extract_some(text: str, region: str, needed: int) -> list[Identifier]:
    """`extract_identifiers` of a text, calling only the finders ``needed`` says it may
    need (a `hints` bit mask, from `hints.finders_needed`; the phone finder always runs).

    Examples
    --------
    >>> [i.value for i in extract_some("713 482 0193, jade@gmail.com", "US", hints.EMAILS)]
    ['+17134820193', 'jade@gmail.com']
    >>> [i.value for i in extract_some("713 482 0193, jade@gmail.com", "US", 0)]
    ['+17134820193']
    """
    found: list[Identifier] = (find_emails(text) if needed & hints.EMAILS else []) + (
        find_wallets(text) if needed & hints.WALLETS else []
    )
    others = (
        (find_handles(text) if needed & hints.HANDLES else [])
        + (find_cashtags(text) if needed & hints.CASHTAGS else [])
        + (find_urls(text) if needed & hints.URLS else [])
        + find_phones(
            text,
            region,
            words=bool(needed & hints.WORDS),
            respelled=bool(needed & hints.RESPELL),
            vanity=bool(needed & hints.VANITY),
        )
    )
    if found:  # emails and wallets win over whatever overlaps them (but profile URLs)
        blocked = Spans([(i.start, i.end) for i in found])
        found += [
            i
            for i in others
            if not blocked.overlaps(i.start, i.end) or (i.rule == "url" and i.kind != "url")
        ]
    else:
        found = others
    if len(found) > 1:
        found.sort(key=_order_key)
        seen: set[tuple[str, str]] = set()
        unique = []
        for ident in found:
            key = (ident.kind, ident.value)
            if key not in seen:
                seen.add(key)
                unique.append(ident)
        found = unique
    return found


def _order_key(ident: Identifier) -> tuple[int, float]:
    return ident.start, -ident.confidence


def handle_kind(value: str) -> str:
    """``payment`` for ``cashapp:``/``venmo:``/``paypal:`` values, else ``handle``.

    Examples
    --------
    >>> handle_kind("cashapp:$jade"), handle_kind("instagram:jade")
    ('payment', 'handle')
    """
    return "payment" if value.split(":", 1)[0] in PAYMENT_PLATFORMS else "handle"


def normalise_handle(raw: str, platform: str | None = None) -> str | None:
    """Normalise a handle from a field or a search box to ``platform:name``.

    Accepts ``platform:name``, ``IG: name``, ``@name``, profile URLs and plain names
    (prefixed with ``platform`` when given). A name with no known platform comes
    back without a prefix. Payment platforms give payment values (``cashapp:$x``).

    Examples
    --------
    >>> normalise_handle("IG: @Jade_22"), normalise_handle("jade_22", platform="snap")
    ('instagram:jade_22', 'snapchat:jade_22')
    >>> normalise_handle("https://t.me/JadeVIP"), normalise_handle("@jade")
    ('telegram:jadevip', 'jade')
    >>> normalise_handle("cashapp:$JadeB"), normalise_handle("fansly2:jade")
    ('cashapp:$jadeb', 'fansly2:jade')
    """
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw:
        return None
    m = _PROFILE_URL.fullmatch(raw.rstrip("/"))
    if m:
        hv = handle_value(
            _URL_HOSTS[m.group("host").lower()], (m.group("at") or "") + m.group("name")
        )
        return hv[1] if hv else None
    prefix, sep, name = raw.partition(":")
    if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9 ._]{0,20}", prefix.strip()) and name.strip():
        hv = handle_value(prefix.strip(), name.strip())
        return hv[1] if hv else None
    m = _KEYWORDS.fullmatch(raw)
    if m and platform is None:
        hv = handle_value(
            m.group("kws").split("/")[0].strip(), (m.group("at") or "") + m.group("name")
        )
        if hv:
            return hv[1]
    hv = handle_value(platform, raw)
    return hv[1] if hv else None


def field_identifiers(cell: str, source: str, region: str = "US") -> list[Identifier]:
    """Identifiers of one structured cell (';'-separated values) from column ``source``.

    Examples
    --------
    >>> [i.value for i in field_identifiers("(713) 482-0193; bad", "phone")]
    ['+17134820193']
    >>> [(i.kind, i.value) for i in field_identifiers("ig:jade;cashapp:$jb", "handle")]
    [('handle', 'instagram:jade'), ('payment', 'cashapp:$jb')]
    """
    out: list[Identifier] = []
    if not isinstance(cell, str):
        return out
    for m in re.finditer(r"[^;]+", cell):
        part = m.group().strip()
        if not part:
            continue
        start = m.start() + m.group().index(part)
        end = start + len(part)
        kind, value = source, None
        if source == "phone":
            value = normalise_phone(part, region)
        elif source == "email":
            value = normalise_email(part)
        elif source == "handle":
            value = normalise_handle(part)
            kind = handle_kind(value) if value else kind
        elif source in ("image_hashes", "pdq_hashes"):
            low = part.lower()
            pattern = IMAGE_HASH if source == "image_hashes" else PDQ_HASH
            value = low if pattern.fullmatch(low) else None
            kind = "image" if source == "image_hashes" else "pdq"
        if value:
            out.append(Identifier(kind, value, part, start, end, "field", 1.0))
    return out

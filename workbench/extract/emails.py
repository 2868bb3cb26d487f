"""Email addresses, with the usual obfuscations undone ("jade at gmail dot com").

Owns the email pattern and its validation; handles and URLs live beside it.
"""
from __future__ import annotations

import functools
import re

from .identifier import Identifier
from .normalise import ascii_fold

# Webmail names people write without a top-level domain ("jade at gmail").
PROVIDERS = {
    "gmail": "gmail.com", "googlemail": "googlemail.com", "yahoo": "yahoo.com",
    "ymail": "ymail.com", "hotmail": "hotmail.com", "outlook": "outlook.com",
    "live": "live.com", "msn": "msn.com", "icloud": "icloud.com", "aol": "aol.com",
    "protonmail": "protonmail.com", "proton": "proton.me", "gmx": "gmx.com",
    "yandex": "yandex.com", "zoho": "zoho.com", "mail": "mail.com", "tutanota": "tutanota.com",
}
COMMON_TLDS = frozenset(
    "com net org edu gov mil io co me us uk ca mx es de fr it nl br ar au ru info biz xyz app "
    "dev ly tv to cc ws ai online site club live email pro mobi name page store shop top vip "
    "fun link space website tech cloud one love sexy girl xxx adult dating chat social ch se "
    "no dk fi pl pt ie be at nz za in jp cn kr cl pe ve ec gt cr pr do".split()
)
STRICT_EMAIL = re.compile(
    r"[a-z0-9_%+\-]+(?:\.[a-z0-9_%+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)

_BR_OPEN, _BR_CLOSE = r"[\(\[\{<]", r"[\)\]\}>]"
_DOT_WORD = r"(?:dot|d0t|punto|period)"
# Separators inside the local part: a tight '.', or an obvious "dot".
_DOT_LOCAL = rf"(?:\.|\s*{_BR_OPEN}\s*{_DOT_WORD}\s*{_BR_CLOSE}\s*|\s+{_DOT_WORD}\s+)"
# Separators inside the domain also allow a spaced '.' ("gmail . com").
_DOT_DOMAIN = rf"(?:\s*\.\s*|\s*{_BR_OPEN}\s*(?:{_DOT_WORD}|\.)\s*{_BR_CLOSE}\s*|\s+{_DOT_WORD}\s+|-dot-)"
_AT_SIGN = rf"(?:\s*(?:@|{_BR_OPEN}\s*(?:at|@|arroba)\s*{_BR_CLOSE})\s*|-at-)"
_AT_WORD = r"(?:\s+(?:at|arroba)\s+)"
_LOCAL_PART = r"[a-z0-9_%+\-]{1,64}"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
# Bounded repetitions keep every match attempt O(1) in the text length.
_EMAIL = re.compile(
    rf"(?<![\w.%+\-@])(?P<local>{_LOCAL_PART}(?:{_DOT_LOCAL}{_LOCAL_PART}){{0,4}})"
    rf"(?P<at>{_AT_SIGN}|{_AT_WORD})(?P<domain>{_LABEL}(?:{_DOT_DOMAIN}{_LABEL}){{0,4}})(?![\w@])",
    re.IGNORECASE,
)
_DOT_LOCAL_RE = re.compile(_DOT_LOCAL, re.IGNORECASE)
_DOT_DOMAIN_SPLIT = re.compile(f"({_DOT_DOMAIN})", re.IGNORECASE)
PREFILTER = re.compile(r"[@\uff20]|(?=[aA])\b(?:at|arroba)\b", re.IGNORECASE)
# How far an address reaches before and after its '@' / "at" (bounded windows keep
# "jade dot jade dot ..." without any "at" from being scanned at all).
_BEFORE, _AFTER = 200, 400


def _windows(text: str) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for a in PREFILTER.finditer(text):
        lo, hi = max(0, a.start() - _BEFORE), min(len(text), a.end() + _AFTER)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [(lo, hi) for lo, hi in spans]


@functools.lru_cache(maxsize=65536)
def _domain(domain: str, obfuscated_at: bool, loose: bool = False) -> tuple[str, int, bool] | None:
    """(normalised domain, length used in ``domain``, any obfuscated dot) or None."""
    parts = _DOT_DOMAIN_SPLIT.split(domain)
    labels, seps = parts[0::2], parts[1::2]
    best = None
    obfuscated = False
    used = len(labels[0])
    for k in range(1, len(labels)):
        sep, label = seps[k - 1], labels[k].lower()
        tight = sep == "."
        # A loose separator after a complete domain is a sentence end ("gmail.com. Me").
        if not tight and (label not in COMMON_TLDS or labels[k].istitle()
                          or (best is not None and "." in sep)):
            break
        obfuscated |= not tight and "." not in sep
        used += len(sep) + len(label)
        if label.isalpha() and (label in COMMON_TLDS or (tight and not loose and 2 <= len(label) <= 24)):
            best = (".".join(x.lower() for x in labels[: k + 1]), used, obfuscated)
    if best is None and labels[0].lower() in PROVIDERS:
        best = (PROVIDERS[labels[0].lower()], len(labels[0]), obfuscated_at)
    return best


def find_emails(text: str) -> list[Identifier]:
    """Email addresses in ``text``, obfuscations undone, lowercased.

    Examples
    --------
    >>> [e.value for e in find_emails("mail jade [at] gmail [dot] com or kim AT yahoo")]
    ['jade@gmail.com', 'kim@yahoo.com']
    >>> find_emails("meet me at the hotel.com lobby")
    []
    """
    found: list[Identifier] = []
    if not PREFILTER.search(text):
        return found
    folded = ascii_fold(text)
    matches = [m for lo, hi in _windows(folded) for m in _EMAIL.finditer(folded, lo, hi)]
    for m in matches:
        at = m.group("at")
        word_at = "@" not in at
        # Anything but a tight '@' ("insta @jade.baby") needs a well-known ending.
        dom = _domain(m.group("domain"), obfuscated_at=word_at or "@" not in at.strip(),
                      loose=at != "@")
        if dom is None:
            continue
        domain, used, dotted = dom
        local_raw = m.group("local")
        local = _DOT_LOCAL_RE.sub(".", local_raw).lower()
        if word_at and not dotted and domain.split(".")[0] not in PROVIDERS:
            # "see me at club.com": plain English unless the name looks made up.
            if not re.search(r"[\d_.]", local):
                continue
        value = f"{local}@{domain}"
        if not STRICT_EMAIL.fullmatch(value) or ".." in value:
            continue
        end = m.start("domain") + used
        raw = text[m.start():end]
        plain = at == "@" and not dotted and raw.isascii() and not any(c.isspace() for c in raw)
        rule = "plain" if plain and "." in m.group("domain")[:used] else "obfuscated"
        found.append(Identifier("email", value, raw, m.start(), end, rule,
                                0.95 if rule == "plain" else 0.85))
    return found


def normalise_email(raw: str) -> str | None:
    """Normalise one email written in a field or a search box.

    Examples
    --------
    >>> normalise_email(" Jade.Smith@GMAIL.com "), normalise_email("jade at gmail")
    ('jade.smith@gmail.com', 'jade@gmail.com')
    >>> normalise_email("not an email") is None
    True
    """
    if not isinstance(raw, str):
        return None
    found = find_emails(raw.strip())
    return found[0].value if found else None

"""Email addresses, with the usual obfuscations undone ("jade at gmail dot com").

Owns the email pattern and its validation; handles and URLs live beside it.
"""

from __future__ import annotations

import functools
import re

from .asciire import ascii_twin
from .identifier import Identifier
from .normalise import ascii_fold

# Webmail names people write without a top-level domain ("jade at gmail").
PROVIDERS = {
    "gmail": "gmail.com",
    "googlemail": "googlemail.com",
    "yahoo": "yahoo.com",
    "ymail": "ymail.com",
    "hotmail": "hotmail.com",
    "outlook": "outlook.com",
    "live": "live.com",
    "msn": "msn.com",
    "icloud": "icloud.com",
    "aol": "aol.com",
    "protonmail": "protonmail.com",
    "proton": "proton.me",
    "gmx": "gmx.com",
    "yandex": "yandex.com",
    "zoho": "zoho.com",
    "mail": "mail.com",
    "tutanota": "tutanota.com",
}
COMMON_TLDS = frozenset(
    "com net org edu gov mil io co me us uk ca mx es de fr it nl br ar au ru info biz xyz app "
    "dev ly tv to cc ws ai online site club live email pro mobi name page store shop top vip "
    "fun link space website tech cloud one love sexy girl xxx adult dating chat social ch se "
    "no dk fi pl pt ie be at nz za in jp cn kr cl pe ve ec gt cr pr do ph th il sg my id vn tw hk "
    "ae sa tr gr cz hu ro ru ua bo uy py hn sv ni pa cu net.br".split()
)
STRICT_EMAIL = re.compile(
    r"[a-z0-9_%+\-]+(?:\.[a-z0-9_%+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)

_BR_OPEN, _BR_CLOSE = r"[\(\[\{<]", r"[\)\]\}>]"
_DOT_WORD = r"(?:dot|d0t|punto|ponto|punkt|point|period)"
# Separators inside the local part: a tight '.', or an obvious "dot".
_DOT_LOCAL = rf"(?:\.|\s*{_BR_OPEN}\s*{_DOT_WORD}\s*{_BR_CLOSE}\s*|\s+{_DOT_WORD}\s+)"
# Separators inside the domain also allow a spaced '.' ("gmail . com").
_DOT_DOMAIN = rf"(?:\s*\.\s*|\s*{_BR_OPEN}\s*(?:{_DOT_WORD}|\.)\s*{_BR_CLOSE}\s*|\s+{_DOT_WORD}\s+|\s*-dot-\s*)"
_AT_SIGN = rf"(?:\s*(?:@|{_BR_OPEN}\s*(?:at|@|arroba|arobase)\s*{_BR_CLOSE})\s*|-at-|\s+-at-\s+)"
_AT_WORD = r"(?:\s+(?:at|arroba|arobase)\s+)"
_LOCAL_PART = r"[a-z0-9_%+\-]{1,64}"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
# A piece of the local part is followed by a dot or an at-sign, neither of which can
# continue it, except "-at-": so a piece is either as long as it can be (matched
# possessively: no backtracking through the letters of every word in the text) or ends
# just before "-at-". Same matches as plain backtracking, many times faster.
_PIECE = rf"(?:{_LOCAL_PART}+|{_LOCAL_PART}(?=-at-))"
# What must follow the first piece of an address: a dot or an at-sign (maybe after
# spaces or a bracket), or "-at-" inside it. Checked first, in one pass over the
# word, this turns away the ordinary words of a text quickly.
_FIRST_PIECE_ENDS = (
    r"(?=[a-z0-9_%+\-]{1,64}+(?:\.|\s*[@\(\[\{<]|\s+(?:at|arroba|arobase|-at-|dot|d0t|punto|ponto|punkt|point|period)\s)"
    r"|(?:[a-z0-9_%+]++|-(?!at-))*+-at-)"
)
# Bounded repetitions keep every match attempt O(1) in the text length.
_ADDRESS = (
    rf"{_FIRST_PIECE_ENDS}(?P<local>{_PIECE}(?:{_DOT_LOCAL}{_PIECE}){{0,4}})"
    rf"(?P<at>{_AT_SIGN}|{_AT_WORD})(?P<domain>{_LABEL}(?:{_DOT_DOMAIN}{_LABEL}){{0,4}})(?![\w@])"
)
_EMAIL = re.compile(rf"(?<![\w.%+\-@]){_ADDRESS}", re.IGNORECASE)
# The same address after the character before it (rather than a look-behind): the
# regex engine then skips from one such character to the next in a fast scan
# instead of trying every position of every word. See `_addresses`.
_AFTER_BREAK = re.compile(rf"[^\w.%+\-@]{_ADDRESS}", re.IGNORECASE)
_PATTERNS = {False: (_EMAIL, _AFTER_BREAK), True: (ascii_twin(_EMAIL), ascii_twin(_AFTER_BREAK))}
_DOT_LOCAL_RE = re.compile(_DOT_LOCAL, re.IGNORECASE)
_MADE_UP = re.compile(r"[\d_.]")
_SPACE = re.compile(r"\s")
_DOT_DOMAIN_SPLIT = re.compile(f"({_DOT_DOMAIN})", re.IGNORECASE)
# An '@' or the word "at" / "arroba". Starting with a character class (and checking
# the word boundary before the 'a' only after it) lets the regex engine scan fast.
PREFILTER = re.compile(r"[@\uff20aA](?:(?<=[@\uff20])|(?<!\w[aA])(?i:t|rroba|robase)\b)")
# How far an address reaches before and after its '@' / "at" (bounded windows keep
# "jade dot jade dot ..." without any "at" from being scanned at all).
_BEFORE, _AFTER = 200, 400


def _windows(text: str) -> list[tuple[int, int, list[int]]]:
    """(lo, hi, where the at-signs are) of each stretch an address can lie in."""
    spans: list[list] = []
    for a in PREFILTER.finditer(text):
        lo, hi = max(0, a.start() - _BEFORE), min(len(text), a.end() + _AFTER)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = hi
            spans[-1][2].append(a.start())
        else:
            spans.append([lo, hi, [a.start()]])
    return [(lo, hi, ats) for lo, hi, ats in spans]


# What can stand before an at-sign, read backwards (the text reversed): spaces and a
# bracket ("jade [at]"), then up to five pieces of a local part with dots ('.',
# "[dot]", " dot ") between them; a "-at-" is read from before its '-' as well, the
# '-' being either its own or the end of a piece. How far this reaches is as far back
# as an address with that at-sign can start: the search for addresses starts there,
# not at every earlier word of the text.
_DOT_WORD_REVERSED = r"(?:tod|t0d|otnup|otnop|tknup|tniop|doirep)"
_LOCAL_REVERSED = re.compile(
    rf"\s*(?:[\(\[\{{<]\s*)?(?:{_LOCAL_PART}(?:\.|\s*[\)\]\}}>]\s*{_DOT_WORD_REVERSED}\s*[\(\[\{{<]\s*"
    rf"|\s+{_DOT_WORD_REVERSED}\s+)?){{0,5}}",
    re.IGNORECASE,
)


def _first_start(text: str, ats: list[int]) -> int:
    """No address with one of these at-signs starts before this offset."""
    reversed_text = text[::-1]
    end = len(text)
    first = end
    for at in ats:
        for before in (at, at - 1) if at and text[at - 1] == "-" else (at,):
            first = min(
                first, before - len(_LOCAL_REVERSED.match(reversed_text, end - before).group())
            )
    return first


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
        if not tight and (
            label not in COMMON_TLDS or labels[k].istitle() or (best is not None and "." in sep)
        ):
            break
        obfuscated |= not tight and "." not in sep
        used += len(sep) + len(label)
        if label.isalpha() and (
            label in COMMON_TLDS or (tight and not loose and 2 <= len(label) <= 24)
        ):
            best = (".".join(x.lower() for x in labels[: k + 1]), used, obfuscated)
    if best is None and labels[0].lower() in PROVIDERS:
        best = (PROVIDERS[labels[0].lower()], len(labels[0]), obfuscated_at)
    return best


def _addresses(text: str, lo: int, hi: int) -> list[re.Match]:
    """``_EMAIL.finditer(text, lo, hi)``: an address at ``lo`` (0) is tried on its own,
    every later one is found with the character before it (``_AFTER_BREAK``)."""
    email, after_break = _PATTERNS[text.isascii()]
    found = []
    if lo == 0:
        first = email.match(text, 0, hi)
        if first is not None:
            found.append(first)
            lo = first.end()
    else:
        lo -= 1  # the character before the window may precede an address at its start
    found += after_break.finditer(text, lo, hi)
    return found


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
    if text.isascii():
        folded, windows = text, _windows(text)  # one pass finds the at-signs and the windows
    elif PREFILTER.search(text):  # an at-sign in the text as written, not only once folded
        folded = ascii_fold(text)
        windows = _windows(folded)
    else:
        return found
    matches = [
        m
        for lo, hi, ats in windows
        for m in _addresses(folded, max(lo, _first_start(folded, ats)), hi)
    ]
    for m in matches:
        start = m.start("local")
        at = m.group("at")
        word_at = "@" not in at
        # Anything but a tight '@' ("insta @jade.baby") needs a well-known ending.
        dom = _domain(
            m.group("domain"), obfuscated_at=word_at or "@" not in at.strip(), loose=at != "@"
        )
        if dom is None:
            continue
        domain, used, dotted = dom
        local_raw = m.group("local")
        local = (local_raw if local_raw.isalnum() else _DOT_LOCAL_RE.sub(".", local_raw)).lower()
        if word_at and not dotted and domain.split(".")[0] not in PROVIDERS:
            # "see me at club.com": plain English unless the name looks made up.
            if not _MADE_UP.search(local):
                continue
        value = f"{local}@{domain}"
        if not STRICT_EMAIL.fullmatch(value) or ".." in value:
            continue
        end = m.start("domain") + used
        raw = text[start:end]
        plain = at == "@" and not dotted and raw.isascii() and _SPACE.search(raw) is None
        rule = "plain" if plain and "." in m.group("domain")[:used] else "obfuscated"
        found.append(
            Identifier("email", value, raw, start, end, rule, 0.95 if rule == "plain" else 0.85)
        )
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

"""Phone numbers in obfuscated text, validated and written in E.164.

Owns the phone scanner: runs of digit-like tokens (`normalise.RUN`) -> candidate
numbers inside each run (`phoneshape`, `phonerun`) -> validation (`validity`) and
context checks, best candidate first. Linear in the text: each group starts at most
a handful of candidates.
"""

from __future__ import annotations

import functools
import logging
import re

import phonenumbers

from . import respell
from .asciire import ascii_twin
from .identifier import Identifier
from .normalise import (
    RUN,
    RUN_ASCII,
    RUN_FROM_DIGIT,
    RUN_FROM_DIGIT_ASCII,
    digit_tokens,
    has_number_word,
)
from .phonerun import Cand
from .phoneshape import run_candidates
from .validity import MIN_WRITTEN, NANP_REGIONS, is_placeholder, to_e164

__all__ = ["find_phones", "normalise_phone", "to_e164", "is_placeholder", "CONFIDENCE"]

logger = logging.getLogger(__name__)

# A run of digit-like tokens longer than this is not contact text (a digit dump, a
# table); skipping it keeps the scanner linear on pathological input.
MAX_RUN_CHARS = 4000
# ... and right after: units of price, time, age, weight, length.
_AFTER_BAD = re.compile(
    r"\s*(?:/\s*(?:h|hr|hh|min)|(?:hrs?|hours?|hh|hhr|mins?|minutes?|roses?|usd|dollars?|"
    r"bucks|donations?|y/o|yrs?|years?|lbs?|kgs?|cm|ft|miles?|%|\$(?!\s*\d)|€(?!\s*\d)))(?![^\W\d_])",
    re.IGNORECASE,
)
# A '+' (or a WhatsApp link, which always holds the country code) before the digits.
_PLUS_BEFORE = re.compile(r"(?:[+\uff0b][\s(\-.]{0,2}|wa\.me/|[?&]phone=)$", re.IGNORECASE)
_ID_WORDS = frozenset(
    "ad id ref reference order post posting listing zip zipcode postcode invoice tracking sku "
    "isbn serial case ticket confirmation conf report item account acct iban card usd receipt receipts "
    "tx txn transaction hash invoice# ref# id#".split()
)
_ID_SUFFIX = frozenset("no no. num num. number id code".split())
_VANITY = re.compile(
    r"(?<![\w+])(?:\+?1[\s.\-]?)?\(?[2-9]\d{2}\)?[\s.\-]?"
    r"[A-Z0-9]{3}[\s.\-]?[A-Z0-9]{4}(?!\w)"
)
# Every vanity number holds an area code, then (after at most a bracket, two
# separators and six digits) an upper-case letter. Looked for in the reversed text,
# from the letter back: capitals are rarer than digits, so the scan stops less often.
_VANITY_HINT = re.compile(r"[A-Z][)\s.\-0-9]{0,9}\d\d[2-9]")
_NON_DIGITS = re.compile(r"\D")
_LOOK_START = "oOlISB"
_LOOK_DIGITS = {ord("O"): "0", ord("I"): "1", ord("L"): "1", ord("S"): "5", ord("B"): "8"}
_VANITY_ASCII, _AFTER_BAD_ASCII = ascii_twin(_VANITY), ascii_twin(_AFTER_BAD)
# Groups of two or three digits joined by '/' or '*' (rates: "80/180/200 36"); phone
# groups written so have a group of four.
_PRICE_LIST = re.compile(r"\d{2,3}(?:[ \t]?[/*][ \t]?\d{2,3})+(?:[ \t]+\d{1,3})?")
# A '+' right after a digit: arithmetic, not a country code.
_SUM = re.compile(r"\d(?:\+| \+ )\d")  # "650+253", "2 + 2"; not "300 +1 312 ..."
# A long digit string just before (a separator between): see `_select`.
_LONG_BEFORE = re.compile(r"(?<!\d)\d{7,}[ \t,;]{1,3}$")
_LEAD = re.compile(r"(?:[+\uff0b][\s(]?|\()$")
# Runs (with whether a '+' precedes them, and the region) none of whose candidates is
# a valid number ("2024-05-01 11", "1234567890"): they repeat, and are skipped.
_NO_NUMBER: set[tuple[str, bool, str]] = set()
CONFIDENCE = {
    "digits": 0.95,
    "fullwidth": 0.9,
    "unicode": 0.9,
    "emoji": 0.9,
    "words": 0.85,
    "mixed": 0.85,
    "lookalike": 0.8,
    "vanity": 0.7,
    "field": 1.0,
}


@functools.lru_cache(maxsize=65536)
def _bad_window(before: str) -> bool:
    """Do these 30 characters before a number end in a currency sign or an id word
    ("ad #", "ref", "zip")? They repeat across ads ("call ", "text me at "): cached."""
    before = before.rstrip(" \t:#.-")
    if not before:
        return False
    if before[-1] in "$€£¥":
        return True
    words = before.lower().replace("#", " ").rsplit(None, 2)  # only the last two matter
    if words and words[-1] in _ID_SUFFIX and len(words) > 1:
        words.pop()
    return bool(words) and words[-1].strip(".:#-") in _ID_WORDS


def _select(text: str, start: int, cands: tuple[Cand, ...], region: str) -> list[Identifier] | None:
    """Best non-overlapping candidates that survive the context around them; None when
    no candidate is a valid number at all."""
    picked: list[Identifier] = []
    valid = False
    used: list[tuple[int, int]] = []
    bad: dict[int, bool] = {}
    for _score, _total, i, j, digits, plus, bare_cc, first, last, short_tail, rule in cands:
        if used and any(i <= b and a <= j for a, b in used):
            continue
        value = to_e164(digits, region, plus, bare_cc)
        if value is None:
            continue
        valid = True
        first, end = start + first, start + last
        is_bad = bad.get(i)
        if is_bad is None:
            is_bad = bad[i] = _bad_window(text[max(0, first - 30) : first])
        if is_bad:
            continue
        if first > 1 and text[first - 1] in ".," and text[first - 2].isdigit():
            continue  # the decimals of a number ("3.14159265358"), or a thousands group
        span = text[first:end]
        if ("+" in span or "+" in text[max(0, first - 3) : first]) and _SUM.search(
            text, max(0, first - 3), end
        ):
            continue  # a sum ("650+253+1234"), not a '+' country code
        if (
            i
            and not text[max(0, first - 4) : first].isalpha()
            and not any(b == i - 1 for _a, b in used)
            and _LONG_BEFORE.search(text, max(0, first - 24), first)
        ):
            continue  # the second of a list of long digit strings that are not numbers (ids)
        if ("/" in span or "*" in span) and _PRICE_LIST.fullmatch(span):
            continue  # "100/180/280", "140*172*258": a rate list, not a number
        # A short last group followed by a unit is a price or an age, not a line number.
        if short_tail and (_AFTER_BAD_ASCII if text.isascii() else _AFTER_BAD).match(
            text, end, end + 16
        ):
            continue
        used.append((i, j))
        lead = text[max(0, first - 3) : first]
        if "+" in lead or "(" in lead or "\uff0b" in lead:
            m = _LEAD.search(text, max(0, first - 3), first)
            first -= len(m.group()) if m else 0
        if text[end : end + 1] == ")" and "(" in text[first:end]:
            end += 1
        picked.append(
            Identifier("phone", value, text[first:end], first, end, rule, CONFIDENCE[rule])
        )
    return picked if valid else None


def find_phones(
    text: str,
    region: str = "US",
    *,
    words: bool = True,
    vanity: bool = True,
    respelled: bool = True,
) -> list[Identifier]:
    """Phone numbers in ``text``, obfuscated or not, as E.164 identifiers.

    Parameters
    ----------
    text : str
        Ad text.
    region : str
        ISO region assumed for numbers without a country code.
    words, vanity, respelled : bool
        False when it is known that the text holds no number word, no vanity
        number, or nothing `respell` reads (`hints`): the tests for them are skipped.

    Returns
    -------
    list of Identifier
        kind ``phone``; ``raw`` is ``text[start:end]``.

    Examples
    --------
    >>> [p.value for p in find_phones("call seven one three 482 o193 or +44 7911 123456")]
    ['+17134820193', '+447911123456']
    >>> find_phones("$200/hr 34-24-36 2024-05-01")
    []
    """
    words = words and has_number_word(text)
    if respelled and respell.needed(text, words):
        new, spans = respell.respell(text)
        if spans:  # the wider number words, as digits: scanned so, offsets mapped back
            found = [
                _restored(p, text, spans) for p in _scan(new, region, has_number_word(new), vanity)
            ]
            # Read digit by digit ("four four one six"), the groups show once closed up.
            new, spans = respell.respell(text, glue=True)
            taken = [(p.start, p.end) for p in found]
            found += [
                p
                for p in (_restored(p, text, spans) for p in _scan(new, region, False, vanity))
                if not any(p.start < b and a < p.end for a, b in taken)
            ]
            return sorted(found, key=lambda p: p.start)
    return _scan(text, region, words, vanity)


@functools.lru_cache(maxsize=1024)
def _reads_short(region: str) -> bool:
    """Does any region of ``region`` ("GB/US") have national numbers under ten digits?"""
    return any(r not in NANP_REGIONS for r in region.split("/"))


def _restored(phone: Identifier, text: str, spans: list[tuple[int, int, int, int]]) -> Identifier:
    """A phone found in the respelled text, with its offsets and raw text in ``text``."""
    start, end = respell.back(spans, phone.start, False), respell.back(spans, phone.end, True)
    if not any(a < phone.end and phone.start < b for a, b, _s, _e in spans):
        return phone._replace(raw=text[start:end], start=start, end=end)
    raw = text[start:end]
    rule = "mixed" if any(c.isdigit() for c in raw) else "words"
    return Identifier("phone", phone.value, raw, start, end, rule, CONFIDENCE[rule])


def _scan(text: str, region: str, words: bool, vanity: bool) -> list[Identifier]:
    found: list[Identifier] = []
    short = _reads_short(region)
    ascii = text.isascii()
    if words:
        runs = RUN_ASCII if ascii else RUN
    else:
        runs = RUN_FROM_DIGIT_ASCII if ascii else RUN_FROM_DIGIT
    for run in runs.finditer(text):
        start, end = run.span()
        if not words and start and text[start - 1] in _LOOK_START:
            # "o7746 287606", "Bl6 848": look-alikes open it (RUN_FROM_DIGIT starts at a digit)
            k = start - 1
            while k > start - 3 and k and text[k - 1] in _LOOK_START:
                k -= 1
            if not k or not text[k - 1].isalpha():
                start = k
        if end - start < MIN_WRITTEN:
            continue
        if end - start > MAX_RUN_CHARS:
            logger.debug("skipped a %d-character digit run at %d", end - start, start)
            continue
        before = text[max(0, start - 12) : start]  # "+", "wa.me/" or "phone=": one of "+/=" first
        plus0 = ("+" in before or "/" in before or "=" in before or "\uff0b" in before) and (
            _PLUS_BEFORE.search(text, max(0, start - 12), start) is not None
        )
        key = (text[start:end], plus0, region)
        if key in _NO_NUMBER:
            continue
        cands = run_candidates(key[0], plus0, words, short)
        picked = _select(text, start, cands, region) if cands else None
        if picked:
            found += picked
        elif picked is None:  # no candidate is a valid number, whatever the context
            if len(_NO_NUMBER) >= 200_000:
                _NO_NUMBER.clear()
            _NO_NUMBER.add(key)
    if vanity and _VANITY_HINT.search(text[::-1]) is not None:
        found += _vanity(text, region, [(p.start, p.end) for p in found], ascii)
    found.sort(key=lambda p: p.start)
    return found


def _vanity(
    text: str, region: str, covered: list[tuple[int, int]], ascii: bool
) -> list[Identifier]:
    """Numbers spelled with letters on the keypad ("1-800-FLOWERS")."""
    found = []
    for m in (_VANITY_ASCII if ascii else _VANITY).finditer(text):
        letters = [c for c in m.group() if c.isalpha()]
        if len(letters) < 3:
            continue
        if any(m.start() < e and s < m.end() for s, e in covered):
            continue
        if set(letters) <= set("OILSB"):  # "206-BIB-3665": look-alikes (8, 1), not a keypad word
            digits = _NON_DIGITS.sub("", m.group().translate(_LOOK_DIGITS))
        else:
            digits = _NON_DIGITS.sub("", phonenumbers.convert_alpha_characters_in_number(m.group()))
        value = to_e164(digits, region)
        if value:
            found.append(
                Identifier(
                    "phone", value, m.group(), m.start(), m.end(), "vanity", CONFIDENCE["vanity"]
                )
            )
    return found


def normalise_phone(raw: str, region: str = "US") -> str | None:
    """Normalise one phone written anywhere (a field, a search box) to E.164.

    Accepts the same obfuscations as the text scanner; returns None when the
    value holds no valid number. When it holds several, the first is returned.

    Examples
    --------
    >>> normalise_phone("(713) 482-0193"), normalise_phone("+52 55 1234 5678")
    ('+17134820193', '+525512345678')
    >>> normalise_phone("seven one three 4820193"), normalise_phone("12345")
    ('+17134820193', None)
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    found = find_phones(raw, region)
    if found:
        return found[0].value
    digits = "".join(t.digits for t in digit_tokens(raw))
    return to_e164(digits, region, plus=raw.lstrip().startswith(("+", "\uff0b")))

"""Phone numbers in obfuscated text, validated and written in E.164.

Owns the phone scanner: digit stream (from `normalise`) -> runs of digit groups ->
candidate numbers on group boundaries -> context checks -> `phonenumbers`
validation. Linear in the text: each group starts at most a handful of candidates.
"""
from __future__ import annotations

import functools
import logging
import re
from typing import NamedTuple

import phonenumbers
from phonenumbers import is_valid_number_for_region

from .identifier import Identifier
from .normalise import (
    EMOJI,
    RUN,
    RUN_FROM_DIGIT,
    Token,
    digit_tokens,
    digit_tokens_in,
    has_number_word,
    is_separator_gap,
)

logger = logging.getLogger(__name__)

MIN_DIGITS, MAX_DIGITS = 10, 15
# A run of digit-like tokens longer than this is not contact text (a digit dump, a
# table); skipping it keeps the scanner linear on pathological input.
MAX_RUN_CHARS = 4000
# Country codes accepted without a '+' when written as their own group ("44 7911 ...").
BARE_COUNTRY_CODES = ("44", "52", "1")
TYPICAL_GROUPS = {
    (10,), (11,), (3, 3, 4), (1, 3, 3, 4), (3, 7), (1, 10), (1, 3, 7), (6, 4), (3, 4, 4),
    (2, 4, 4), (2, 2, 2, 2, 2), (2, 10), (2, 2, 4, 4), (2, 3, 3, 4), (2, 1, 2, 4, 4),
    (5, 6), (11,), (4, 3, 4), (4, 6), (2, 4, 6), (2, 3, 4, 4), (3, 4, 4), (2, 4, 3, 3),
    (4, 4, 3), (3, 3, 3, 3), (12,), (13,),
}

_DATE = re.compile(
    r"(?<![\d.\-/])(?:(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20)?\d\d)(?![\d.\-/]\d)"
)
# Body measurements ("34-24-36", "36DD-26-38") are masked like dates.
_MEASURE = re.compile(
    r"(?<![\d\-/])[2-5]\d[A-Za-z]{0,3}\s?[-/]\s?[1-4]\d\s?[-/]\s?[2-5]\d(?!\d)(?!\s?[-/]\s?\d)"
)
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
    "isbn serial case ticket confirmation conf report item account acct iban card usd".split())
_ID_SUFFIX = frozenset("no no. num num. number id code".split())
_VANITY = re.compile(
    r"(?<![\w+])(?:\+?1[\s.\-]?)?\(?[2-9]\d{2}\)?[\s.\-]?"
    r"[A-Z0-9]{3}[\s.\-]?[A-Z0-9]{4}(?!\w)"
)
_NON_DIGITS = re.compile(r"\D")
_LEAD = re.compile(r"(?:[+\uff0b][\s(]?|\()$")
_RULE_ORDER = ("mixed", "words", "lookalike", "emoji", "fullwidth", "unicode", "digits")
CONFIDENCE = {"digits": 0.95, "fullwidth": 0.9, "unicode": 0.9, "emoji": 0.9, "words": 0.85,
              "mixed": 0.85, "lookalike": 0.8, "vanity": 0.7, "field": 1.0}
_ASCENDING = "0123456789012345678901"
_DESCENDING = "9876543210987654321098"


def is_placeholder(national: str) -> bool:
    """True for numbers people write when they mean "no number".

    Examples
    --------
    >>> is_placeholder("1234567890"), is_placeholder("7135550123"), is_placeholder("7134820193")
    (True, True, False)
    """
    if len(set(national)) <= 2 or national in _ASCENDING or national in _DESCENDING:
        return True
    # 555-0100..0199 is reserved for fiction in the North American plan.
    return len(national) == 10 and national[3:6] == "555" and national[6:8] == "01"


def _valid(number: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    if is_placeholder(str(parsed.national_number)):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=65536)
def to_e164(digits: str, region: str = "US", plus: bool = False,
            bare_cc: bool = False) -> str | None:
    """Validate an ASCII digit string as a phone number and return it in E.164.

    Parameters
    ----------
    digits : str
        ASCII digits only.
    region : str
        Region assumed for numbers written without a country code.
    plus : bool
        The digits were written after a '+' (so they start with a country code).
    bare_cc : bool
        The digits start with a country code written as its own group ("44 7911 ...").

    Examples
    --------
    >>> to_e164("7134820193"), to_e164("447911123456", plus=True)
    ('+17134820193', '+447911123456')
    >>> to_e164("07911123456") is None or to_e164("07911123456")
    '+447911123456'
    """
    if not MIN_DIGITS - 3 <= len(digits) <= MAX_DIGITS + 3 or not digits.isascii():
        return None
    if plus:
        return _international(digits, region)
    if region in ("US", "CA") and (len(digits) == 10 or len(digits) == 11 and digits[0] == "1"):
        # North American numbers: shape check, then build the number directly
        # (phonenumbers.parse is the slow half of validation).
        national = digits[-10:]
        if national[0] in "01" or national[3] in "01":
            return None
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(national))
        # Checking the likely regions first skips the library's walk over all 25 NANP regions.
        ok = (is_valid_number_for_region(number, "US") or is_valid_number_for_region(number, "CA")
              or phonenumbers.is_valid_number(number))
        return "+1" + national if ok and not is_placeholder(national) else None
    if region in ("US", "CA") and not digits.startswith("011"):
        value = None  # too long for a national number and no international prefix
    else:
        value = _valid(digits, region)
    if value is None and digits[0] == "0" and region != "GB":
        value = _valid(digits, "GB")  # trunk-prefixed UK numbers are common in ads
    if value is None and bare_cc:
        value = _international(digits, region)
    return value


def _international(digits: str, region: str) -> str | None:
    value = _valid("+" + digits, region)
    if value is None and digits.startswith("521") and len(digits) == 13:
        value = _valid("+52" + digits[3:], region)  # Mexico's retired mobile '1'
    return value


def _rule(tokens: list[Token], text: str) -> str:
    kinds = {t.kind for t in tokens}
    found = set()
    if "w" in kinds:
        found.add("mixed" if kinds & {"d", "f", "u", "k", "l"} else "words")
    if "l" in kinds:
        found.add("lookalike")
    if "k" in kinds or EMOJI.search(text):
        found.add("emoji")
    if "f" in kinds:
        found.add("fullwidth")
    if "u" in kinds:
        found.add("unicode")
    return next((r for r in _RULE_ORDER if r in found), "digits")


def _runs(text: str, tokens: list[Token]) -> list[list[list[Token]]]:
    """Split tokens into runs (separated by non-separator text) of groups (touching tokens)."""
    runs: list[list[list[Token]]] = []
    groups: list[list[Token]] = []
    prev_end = -1
    for tok in tokens:
        if groups and tok.start == prev_end:
            groups[-1].append(tok)
        elif groups and is_separator_gap(text[prev_end:tok.start]):
            groups.append([tok])
        else:
            if groups:
                runs.append(groups)
            groups = [[tok]]
        prev_end = tok.end
    if groups:
        runs.append(groups)
    return runs


def _bad_before(text: str, start: int) -> bool:
    """Is the number preceded by a currency sign or an id word ("ad #", "ref", "zip")?"""
    before = text[max(0, start - 30):start].rstrip(" \t:#.-")
    if not before:
        return False
    if before[-1] in "$€£¥":
        return True
    words = before.lower().replace("#", " ").split()
    if words and words[-1] in _ID_SUFFIX and len(words) > 1:
        words.pop()
    return bool(words) and words[-1].strip(".:#-") in _ID_WORDS


class _Cand(NamedTuple):
    """A valid number over groups i..j of a run, offsets relative to the run."""

    score: float
    total: int
    i: int
    j: int
    value: str
    first: int
    last: int
    short_tail: bool
    rule: str


def _candidates(run: str, groups: list[list[Token]], region: str, plus0: bool, base: int):
    """Yield every valid number over groups i..j (context outside the run not checked)."""
    digits = ["".join(t.digits for t in g) for g in groups]
    n = len(groups)
    for i in range(n):
        first = groups[i][0].start
        lead = run[max(0, first - 3):first]
        plus = (plus0 and first == 0) or "+" in lead or "\uff0b" in lead
        total = 0
        for j in range(i, n):
            total += len(digits[j])
            if total > MAX_DIGITS:
                break
            if total < MIN_DIGITS - (2 if plus else 0):
                continue
            bare_cc = j > i and digits[i] in BARE_COUNTRY_CODES
            value = to_e164("".join(digits[i:j + 1]), region, plus=plus, bare_cc=bare_cc)
            if value is None:
                continue
            sizes = tuple(len(d) for d in digits[i:j + 1])
            typical = sizes in TYPICAL_GROUPS
            # An odd grouping inside a longer run ("3.14159 2.71828") is a coincidence;
            # odd but even spacing ("71 34 82 01 93") or a run of its own is a choice.
            if not typical and len(set(sizes[1:])) > 1 and not (
                    i == 0 and j == n - 1 and sizes[-1] >= 2):
                continue
            toks = [t for g in groups[i:j + 1] for t in g]
            plain = all(t.kind == "d" for t in toks)
            score = (2.0 if plain and typical else 0.0) + (1.0 if plus else 0.0)
            last = toks[-1].end
            yield _Cand(score, total, base + i, base + j, value, first, last, len(digits[j]) <= 3,
                        _rule(toks, run[first:last]))


# Ads repeat, and so do the ways a number is written: the candidates of a run depend
# only on its own text, so they are cached across texts (cleared when it grows large).
_RUN_CACHE: dict[tuple[str, bool, str], tuple[_Cand, ...]] = {}
_RUN_CACHE_MAX = 200_000


def _run_candidates(run: str, plus0: bool, region: str) -> tuple[_Cand, ...]:
    tokens = digit_tokens_in(run, 0, len(run))
    masked = [(m.start(), m.end()) for m in _DATE.finditer(run)]
    masked += [(m.start(), m.end()) for m in _MEASURE.finditer(run)]
    if masked:
        tokens = [t for t in tokens if not any(s <= t.start < e for s, e in masked)]
    cands: list[_Cand] = []
    base = 0
    for groups in _runs(run, tokens):
        if sum(len(t.digits) for g in groups for t in g) >= MIN_DIGITS - 2:
            cands += _candidates(run, groups, region, plus0, base)
        base += len(groups)
    return tuple(sorted(cands, key=lambda c: (-c.score, -c.total, c.i)))


def _select(text: str, start: int, cands: tuple[_Cand, ...]) -> list[Identifier]:
    """Best non-overlapping candidates that survive the context around them."""
    picked: list[Identifier] = []
    used: list[tuple[int, int]] = []
    bad: dict[int, bool] = {}
    for c in cands:
        if any(c.i <= b and a <= c.j for a, b in used):
            continue
        first, end = start + c.first, start + c.last
        if c.i not in bad:
            bad[c.i] = _bad_before(text, first)
        if bad[c.i]:
            continue
        # A short last group followed by a unit is a price or an age, not a line number.
        if c.short_tail and _AFTER_BAD.match(text, end, end + 16):
            continue
        used.append((c.i, c.j))
        m = _LEAD.search(text, max(0, first - 3), first)
        first -= len(m.group()) if m else 0
        if text[end:end + 1] == ")" and "(" in text[first:end]:
            end += 1
        picked.append(Identifier("phone", c.value, text[first:end], first, end, c.rule,
                                 CONFIDENCE[c.rule]))
    return picked


def find_phones(text: str, region: str = "US") -> list[Identifier]:
    """Phone numbers in ``text``, obfuscated or not, as E.164 identifiers.

    Parameters
    ----------
    text : str
        Ad text.
    region : str
        ISO region assumed for numbers without a country code.

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
    found: list[Identifier] = []
    runs = RUN if has_number_word(text) else RUN_FROM_DIGIT
    for run in runs.finditer(text):
        start, end = run.span()
        if end - start < MIN_DIGITS - 2:
            continue
        if end - start > MAX_RUN_CHARS:
            logger.debug("skipped a %d-character digit run at %d", end - start, start)
            continue
        plus0 = _PLUS_BEFORE.search(text, max(0, start - 12), start) is not None
        key = (text[start:end], plus0, region)
        cands = _RUN_CACHE.get(key)
        if cands is None:
            if len(_RUN_CACHE) >= _RUN_CACHE_MAX:
                _RUN_CACHE.clear()
            cands = _RUN_CACHE[key] = _run_candidates(key[0], plus0, region)
        if cands:
            found += _select(text, start, cands)
    covered = [(p.start, p.end) for p in found]
    for m in _VANITY.finditer(text):
        letters = [c for c in m.group() if c.isalpha()]
        if len(letters) < 3 or set(letters) <= set("OIL"):
            continue
        if any(m.start() < e and s < m.end() for s, e in covered):
            continue
        digits = _NON_DIGITS.sub("", phonenumbers.convert_alpha_characters_in_number(m.group()))
        value = to_e164(digits, region)
        if value:
            found.append(Identifier("phone", value, m.group(), m.start(), m.end(), "vanity",
                                    CONFIDENCE["vanity"]))
    found.sort(key=lambda p: p.start)
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

"""Phone numbers in obfuscated text, validated and written in E.164.

Owns the phone scanner: digit stream (from `normalise`) -> runs of digit groups ->
candidate numbers on group boundaries -> context checks -> `phonenumbers`
validation. Linear in the text: each group starts at most a handful of candidates.
"""
from __future__ import annotations

import functools
import logging
import re

import phonenumbers

from .identifier import Identifier
from .normalise import DIGITISH, EMOJI, RUN, Token, digit_tokens, digit_tokens_in, is_separator_gap

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
# Text right before a number that makes it a price, an id or a postcode, not a phone.
_BEFORE_BAD = re.compile(
    r"(?:[$€£¥]|\busd|\b(?:ad|id|ref|reference|order|post|posting|listing|zip|zipcode|"
    r"postcode|invoice|tracking|sku|isbn|serial|case|ticket|confirmation|conf|report|item|"
    r"account|acct|iban|card)\b\s*(?:#|no\.?|num\.?|number|id|code)?)\s*[:#.\-]?\s*$",
    re.IGNORECASE,
)
# ... and right after: units of price, time, age, weight, length.
_AFTER_BAD = re.compile(
    r"\s*(?:/\s*(?:h|hr|hh|min)|(?:hrs?|hours?|hh|hhr|mins?|minutes?|roses?|usd|dollars?|"
    r"bucks|donations?|y/o|yrs?|years?|lbs?|kgs?|cm|ft|miles?|%|\$|€))(?![^\W\d_])",
    re.IGNORECASE,
)
# A '+' (or a WhatsApp link, which always holds the country code) before the digits.
_PLUS_BEFORE = re.compile(r"(?:[+\uff0b][\s(\-.]{0,2}|wa\.me/|[?&]phone=)$", re.IGNORECASE)
_VANITY = re.compile(
    r"(?<![\w+])(?:\+?1[\s.\-]?)?\(?[2-9]\d{2}\)?[\s.\-]?"
    r"[A-Z0-9]{3}[\s.\-]?[A-Z0-9]{4}(?!\w)"
)
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
    # Cheap North-American shape check before the (slower) library call.
    if region in ("US", "CA") and len(digits) == 10 and (digits[0] in "01" or digits[3] in "01"):
        return None
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


def _candidates(text: str, groups: list[list[Token]], region: str):
    """Yield (score, n_digits, i, j, value) for valid numbers over groups i..j."""
    digits = ["".join(t.digits for t in g) for g in groups]
    n = len(groups)
    for i in range(n):
        start = groups[i][0].start
        before = text[max(0, start - 30):start]
        if _BEFORE_BAD.search(before):
            continue
        plus = _PLUS_BEFORE.search(before) is not None
        total = 0
        for j in range(i, n):
            total += len(digits[j])
            if total > MAX_DIGITS:
                break
            if total < MIN_DIGITS - (2 if plus else 0):
                continue
            number = "".join(digits[i:j + 1])
            end = groups[j][-1].end
            # A short last group followed by a unit is a price or an age, not a line number.
            if len(digits[j]) <= 3 and _AFTER_BAD.match(text, end, end + 16):
                continue
            bare_cc = j > i and digits[i] in BARE_COUNTRY_CODES
            value = to_e164(number, region, plus=plus, bare_cc=bare_cc)
            if value is None:
                continue
            sizes = tuple(len(d) for d in digits[i:j + 1])
            typical = sizes in TYPICAL_GROUPS
            # An odd grouping inside a longer run ("3.14159 2.71828") is a coincidence;
            # odd but even spacing ("71 34 82 01 93") or a run of its own is a choice.
            if not typical and len(set(sizes[1:])) > 1 and not (i == 0 and j == n - 1):
                continue
            plain = all(t.kind == "d" for g in groups[i:j + 1] for t in g)
            score = (2.0 if plain and typical else 0.0) + (1.0 if plus else 0.0)
            yield score, total, i, j, value


def _pick(text: str, groups: list[list[Token]], region: str) -> list[Identifier]:
    """The best non-overlapping valid numbers of one run of digit groups."""
    picked: list[Identifier] = []
    if sum(len(t.digits) for g in groups for t in g) < MIN_DIGITS - 2:
        return picked
    cands = sorted(_candidates(text, groups, region), key=lambda c: (-c[0], -c[1], c[2]))
    used: list[tuple[int, int]] = []
    for _score, _n, i, j, value in cands:
        if any(i <= b and a <= j for a, b in used):
            continue
        used.append((i, j))
        toks = [t for g in groups[i:j + 1] for t in g]
        start, end = toks[0].start, toks[-1].end
        m = _LEAD.search(text, max(0, start - 3), start)
        start -= len(m.group()) if m else 0
        if text[end:end + 1] == ")" and "(" in text[start:end]:
            end += 1
        raw = text[start:end]
        rule = _rule(toks, raw)
        picked.append(Identifier("phone", value, raw, start, end, rule, CONFIDENCE[rule]))
    return picked


def _scan_run(text: str, start: int, end: int, region: str) -> list[Identifier]:
    tokens = digit_tokens_in(text, start, end)
    masked = [(m.start(), m.end()) for m in _DATE.finditer(text, start, end)]
    if masked:
        tokens = [t for t in tokens if not any(s <= t.start < e for s, e in masked)]
    found: list[Identifier] = []
    for groups in _runs(text, tokens):
        found += _pick(text, groups, region)
    return found


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
    if not DIGITISH.search(text):
        return found
    # Ads repeat: a run seen before in the same context gives the same numbers.
    seen: dict[tuple[str, int], list[Identifier]] = {}
    for run in RUN.finditer(text):
        start, end = run.span()
        if end - start < MIN_DIGITS - 2:
            continue
        if end - start > MAX_RUN_CHARS:
            logger.debug("skipped a %d-character digit run at %d", end - start, start)
            continue
        lo = max(0, start - 30)
        key = (text[lo:end + 16], start - lo)
        relative = seen.get(key)
        if relative is None:
            relative = seen[key] = [
                Identifier(p.kind, p.value, p.raw, p.start - start, p.end - start, p.rule, p.confidence)
                for p in _scan_run(text, start, end, region)]
        found += [Identifier(p.kind, p.value, p.raw, p.start + start, p.end + start, p.rule,
                             p.confidence) for p in relative]
    covered = [(p.start, p.end) for p in found]
    for m in _VANITY.finditer(text):
        letters = [c for c in m.group() if c.isalpha()]
        if len(letters) < 3 or set(letters) <= set("OIL"):
            continue
        if any(m.start() < e and s < m.end() for s, e in covered):
            continue
        digits = re.sub(r"\D", "", phonenumbers.convert_alpha_characters_in_number(m.group()))
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

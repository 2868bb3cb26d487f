"""Candidate phone numbers inside one run of digit-like tokens.

Owns how a run (a `normalise.RUN` match) is cut into groups of touching tokens and
which spans of groups have the shape of a number (slots, then candidates with their
digits). `phoneshape` caches this per shape of run; `phones` validates candidates
(`validity.to_e164`), checks the context around them and picks among them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .asciire import ascii_twin
from .normalise import _GAP_CHAR, EMOJI, digit_tokens_in, is_separator_gap
from .validity import MAX_DIGITS, MIN_DIGITS, MIN_WRITTEN

# Country codes accepted without a '+' when written as their own group ("44 7911 ...").
BARE_COUNTRY_CODES = ("44", "52", "1")
TYPICAL_GROUPS = {
    (10,),
    (11,),
    (3, 3, 4),
    (1, 3, 3, 4),
    (3, 7),
    (1, 10),
    (1, 3, 7),
    (6, 4),
    (3, 4, 4),
    (2, 4, 4),
    (2, 2, 2, 2, 2),
    (2, 10),
    (2, 2, 4, 4),
    (2, 3, 3, 4),
    (2, 1, 2, 4, 4),
    (5, 6),
    (11,),
    (4, 3, 4),
    (4, 6),
    (2, 4, 6),
    (2, 3, 4, 4),
    (3, 4, 4),
    (2, 4, 3, 3),
    (4, 4, 3),
    (3, 3, 3, 3),
    (12,),
    (13,),
}
_DATE = re.compile(
    r"(?<![\d.\-/])(?:(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20)?\d\d)(?![\d.\-/]\d)"
)
# Body measurements ("34-24-36", "36DD-26-38") are masked like dates.
_MEASURE = re.compile(
    r"(?<![\d\-/])[2-5]\d[A-Za-z]{0,3}\s?[-/]\s?[1-4]\d\s?[-/]\s?[2-5]\d(?!\d)(?!\s?[-/]\s?\d)"
)
# Times of day ("10:00-23:00", "9:30"): a colon between digit groups is otherwise a separator.
_TIME = re.compile(r"(?<![\d:])(?:[01]?\d|2[0-4]):[0-5]\d(?::[0-5]\d)?(?![\d:])")
# Every date and measurement holds this (digit, separator, one or two digits,
# separator, digit); it starts with a digit, so the regex engine scans for it fast.
_MASK_HINT = re.compile(r"\d[A-Za-z]{0,3}\s?[-/.]\s?\d\d?\s?[-/.]\s?\d")
_MASKS = (_MASK_HINT, _DATE, _MEASURE)
_MASKS_ASCII = tuple(ascii_twin(p) for p in _MASKS)
_RULE_ORDER = ("mixed", "words", "lookalike", "emoji", "fullwidth", "unicode", "digits")
# Inside a run every character is a gap character or part of a token, and tokens
# hold no gap character but keycap marks: a stretch of non-gap characters is a
# group of touching tokens (checked when it is first tokenised, see `chunk_info`).
CHUNK = re.compile(rf"(?:[^{_GAP_CHAR[1:-1]}\n]|\ufe0f?\u20e3)+")
CHUNK_ASCII = ascii_twin(CHUNK)
_PLAIN = frozenset("d")
_CACHE_MAX = 200_000


class Group(NamedTuple):
    """Touching digit-like tokens: offsets in the run, ASCII digits, token kinds."""

    start: int
    end: int
    digits: str
    kinds: frozenset[str]


# A candidate: the digits of groups i..j of a run, offsets relative to the run,
#   (score, total, i, j, digits, plus, bare_cc, first, last, short_tail, rule);
# it is a number if `to_e164(digits, region, plus, bare_cc)` says so, asked only
# when `phones` gets to it (most candidates that overlap a better one never are).
# A plain tuple, not a named one: hundreds of thousands of them sit in the caches, and
# the garbage collector stops tracking plain tuples of strings and numbers (a full
# collection then does not walk them all).
Cand = tuple


# Groups ("713", "seven", "7️⃣1️⃣3️⃣") and gaps (" ", ") ", "💋") repeat across runs far
# more than runs do: both are cached (and cleared when large).
_CHUNK_CACHE: dict[str, tuple[Group, ...]] = {}
_GAP_CACHE: dict[str, bool] = {}


def chunk_info(text: str) -> tuple[Group, ...]:
    """The groups of a chunk, offsets relative to it: nearly always one, covering it all."""
    info = _CHUNK_CACHE.get(text)
    if info is None:
        if len(_CHUNK_CACHE) >= _CACHE_MAX:
            _CHUNK_CACHE.clear()
        info = _CHUNK_CACHE[text] = tuple(touching(digit_tokens_in(text, 0, len(text))))
    return info


def _gap_ok(gap: str) -> bool:
    ok = _GAP_CACHE.get(gap)
    if ok is None:
        if len(_GAP_CACHE) >= _CACHE_MAX:
            _GAP_CACHE.clear()
        ok = _GAP_CACHE[gap] = is_separator_gap(gap)
    return ok


def touching(tokens) -> list[Group]:
    """Tokens merged into groups of touching tokens."""
    groups: list[Group] = []
    for tok in tokens:
        if groups and groups[-1].end == tok.start:
            last = groups[-1]
            groups[-1] = Group(
                last.start, tok.end, last.digits + tok.digits, last.kinds | {tok.kind}
            )
        else:
            groups.append(Group(tok.start, tok.end, tok.digits, frozenset(tok.kind)))
    return groups


def masks(run: str) -> list[tuple[int, int]]:
    """Spans of dates ("2024-05-01"), times ("23:00") and body measurements ("34-24-36") in a run."""
    found = [m.span() for m in _TIME.finditer(run)] if ":" in run else []
    if run.count("-") + run.count("/") + run.count(".") < 2:  # dates and measurements need two
        return found
    hint, date, measure = _MASKS_ASCII if run.isascii() else _MASKS
    if hint.search(run) is None:
        return found
    return (
        found + [m.span() for m in date.finditer(run)] + [m.span() for m in measure.finditer(run)]
    )


def groups_of(run: str) -> list[Group]:
    """The groups of a run, dates ("2024-05-01") and measurements ("34-24-36") left out.

    Examples
    --------
    >>> [(g.digits, sorted(g.kinds)) for g in groups_of("7one3 482-O193")]
    [('713', ['d', 'w']), ('482', ['d']), ('0193', ['d', 'l'])]
    """
    masked = masks(run)
    if masked:
        tokens = digit_tokens_in(run, 0, len(run))
        return touching(t for t in tokens if not any(s <= t.start < e for s, e in masked))
    return [
        Group(m.start() + g.start, m.start() + g.end, g.digits, g.kinds)
        for m in CHUNK.finditer(run)
        for g in chunk_info(m.group())
    ]


def _split(run: str, groups: list[Group]) -> list[list[Group]]:
    """Groups into sub-runs: a gap that is not a separator ("2 hrs 3") cuts the run."""
    parts: list[list[Group]] = []
    for g in groups:
        if parts and _gap_ok(run[parts[-1][-1].end : g.start]):
            parts[-1].append(g)
        else:
            parts.append([g])
    return parts


def _rule(kinds: frozenset[str], text: str) -> str:
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


class Slot(NamedTuple):
    """Groups i..j of a run could be one number, if their digits are valid."""

    score: float
    total: int
    i: int
    j: int
    short_tail: bool
    rule: str
    plus: bool


def _slots(run: str, groups: list[Group], plus0: bool, base: int, short: bool = True) -> list[Slot]:
    """Spans of groups that have the shape of a number; their digits are not looked at."""
    sizes_all = [len(g.digits) for g in groups]
    n = len(groups)
    left = sum(sizes_all)  # digits in groups i..n-1
    out = []
    for i in range(n):
        if i:
            left -= sizes_all[i - 1]
        if left < MIN_WRITTEN:
            break  # too few digits left for any number, even after a '+'
        first = groups[i].start
        lead = run[max(0, first - 3) : first]
        plus = (plus0 and first == 0) or "+" in lead or "\uff0b" in lead
        # Fewer than ten digits without a '+' only where a region reads such numbers.
        need = MIN_WRITTEN if short or plus else MIN_DIGITS
        total = 0
        for j in range(i, n):
            total += sizes_all[j]
            if total > MAX_DIGITS:
                break
            if total < need:
                continue
            sizes = tuple(sizes_all[i : j + 1])
            typical = sizes in TYPICAL_GROUPS
            # An odd grouping inside a longer run ("3.14159 2.71828") is a coincidence;
            # odd but even spacing ("71 34 82 01 93") or a run of its own is a choice.
            if (
                not typical
                and len(set(sizes[1:])) > 1
                and not (i == 0 and j == n - 1 and sizes[-1] >= 2)
            ):
                continue
            kinds = frozenset().union(*(g.kinds for g in groups[i : j + 1]))
            score = (2.0 if kinds == _PLAIN and typical else 0.0) + (1.0 if plus else 0.0)
            if (
                not plus
                and len(sizes) > 3
                and max(sizes[1:]) == 1
                and (sizes[0] > 1 or _odd_first_gap(run, groups, i, j))
            ):
                # "250 seven zero two ...", "vip6, too oh two ...": a price or a name's digits
                # before a number read digit by digit is not its first group; the spelled
                # digits alone come first.
                score -= 0.5
            out.append(
                Slot(
                    score,
                    total,
                    base + i,
                    base + j,
                    sizes_all[j] <= 3,
                    _rule(kinds, run[first : groups[j].end]),
                    plus,
                )
            )
    return out


def _odd_first_gap(run: str, groups: list[Group], i: int, j: int) -> bool:
    """Is the gap after group i unlike all the others of groups i..j, which are alike?"""
    gaps = {run[groups[k].end : groups[k + 1].start] for k in range(i + 1, j)}
    return len(gaps) == 1 and run[groups[i].end : groups[i + 1].start] not in gaps


def all_slots(run: str, groups: list[Group], plus0: bool, short: bool = True) -> tuple[Slot, ...]:
    """Slots of every sub-run, best first (the order candidates are picked in)."""
    found: list[Slot] = []
    base = 0
    for part in _split(run, groups):
        if sum(len(g.digits) for g in part) >= MIN_WRITTEN:
            found += _slots(run, part, plus0, base, short)
        base += len(part)
    return tuple(sorted(found, key=lambda c: (-c.score, -c.total, c.i)))


def candidates(slots: tuple[Slot, ...], groups: list) -> tuple[Cand, ...]:
    """The candidates of the slots; groups: (start, end, digits)."""
    out = []
    for s in slots:
        parts = [g[2] for g in groups[s.i : s.j + 1]]
        out.append(
            (
                s.score,
                s.total,
                s.i,
                s.j,
                "".join(parts),
                s.plus,
                s.j > s.i and parts[0] in BARE_COUNTRY_CODES,
                groups[s.i][0],
                groups[s.j][1],
                s.short_tail,
                s.rule,
            )
        )
    return tuple(out)

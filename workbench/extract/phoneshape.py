"""Run candidates through templates: the work that depends on a run's shape, done once.

Owns the caches of the phone scanner. Which spans of groups of a run could be a
number depends on the run's shape, not on its digits: "713-482-0193" and
"832-555-1234" share one template, and so do "seven one three ..." and "ocho dos
nueve ...". A new number written a common way then costs a dictionary look-up and a
translation of the run to its digits (`phonerun` does the work).
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from typing import NamedTuple

from .asciire import ascii_twin
from .normalise import _WORD_TRIE, EMOJI, FOLD_SPECIAL, LOOKALIKES, NUMBER_WORDS, digit_tokens_in
from .phonerun import (
    BARE_COUNTRY_CODES,
    CHUNK,
    CHUNK_ASCII,
    Cand,
    Group,
    Slot,
    all_slots,
    candidates,
    chunk_info,
    masks,
    touching,
)

_CACHE_MAX = 200_000

# The shape keeps every token's kind and digit count, and the gaps: digits become a
# zero of their kind, number words "one", other capitals lower case ('I', 'S' and 'B'
# stay: they are look-alikes of 1, 5, 8, and 'i', 's', 'b' are not; 'L' never occurs in
# a run). No number word holds
# another, so each word of a run is replaced on its own.
_SHAPE = str.maketrans(
    {**{str(d): "0" for d in range(1, 10)}, **{c: c.lower() for c in "ACDEFGHJKLMNOPQRTUVWXYZ"}}
)
_SHAPE_WORDS = re.compile(_WORD_TRIE.replace("i", "[iI]").replace("s", "[sS]"))


class _ShapeTable(dict):
    """`_SHAPE` for any character, filled as characters are met: a non-ASCII digit
    becomes a zero of its kind (full-width, in the emoji range, or other)."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        if "\uff10" <= char <= "\uff19":
            zero = "\uff10"
        elif code in FOLD_SPECIAL:  # 'ſ' is an 's' in a number word ("ſeven"): it must not hide it
            zero = FOLD_SPECIAL[code]
        elif not char.isascii() and char.isdigit():
            zero = "\u2776" if EMOJI.match(char) else "\U0001d7ce"
        else:
            zero = char
        self[code] = ord(zero)
        return self[code]


class _DigitTable(dict):
    """Translation table, filled as characters are met: a digit character to its ASCII
    digit, a look-alike letter to its digit, anything else deleted. In a run without
    number words every character it keeps is (part of) a token: the run's digits."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        if char.isdigit():  # exactly `normalise._DIGIT_CLASS`
            self[code] = ord(str(unicodedata.digit(char)))
        elif char in LOOKALIKES:
            self[code] = ord(LOOKALIKES[char])
        else:
            self[code] = None
        return self[code]


class Placed(NamedTuple):
    """A slot, and where its digits and its text are in the run.

    ``first`` and ``last`` are offsets in the shape; in the run they move by the
    lengths of the number words before them (``words_first``, ``words_last``), each
    written "one" in the shape.
    """

    slot: Slot
    digits: tuple[tuple[int, int], ...]  # ranges in the run's digits, in order
    head: tuple[int, int]  # the range of its first group
    first: int
    last: int
    words_first: int
    words_last: int


class Template(NamedTuple):
    """Groups and slots of a shape, each slot placed."""

    n_groups: int
    slots: tuple[Slot, ...]
    placed: tuple[Placed, ...]


_SHAPE_ANY = _ShapeTable(_SHAPE)
_DIGITS = _DigitTable()
_DIGITS_AND_Q = _DigitTable({ord("q"): ord("q")})
_WORDS = re.compile(_WORD_TRIE, re.IGNORECASE)  # the words `_SHAPE_WORDS` finds in the shape
_WORDS_ASCII = ascii_twin(_WORDS)
_WORD_VALUE = {
    form: digit
    for word, digit in NUMBER_WORDS.items()
    for form in (word, word.upper(), word.capitalize())
}
_TEMPLATES: dict[tuple[str, bool, tuple, bool], Template] = {}
_RUN_CACHE: dict[tuple[str, bool, bool], tuple[Cand, ...]] = {}


def shape_of(run: str, words: bool = True) -> tuple[str, bool]:
    """The run's shape, and whether it kept the run's offsets (no number word replaced).

    ``words=False`` says the run holds no number word (its text held none).

    Examples
    --------
    >>> shape_of("(713) 482-O193"), shape_of("SEVEN one 3")
    (('(000) 000-o000', True), ('one one 0', False))
    """
    shape = run.translate(_SHAPE if run.isascii() else _SHAPE_ANY)
    if not words:
        return shape, True
    shape, replaced = _SHAPE_WORDS.subn("one", shape)
    return shape, replaced == 0


def _merged(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for a, b in ranges:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)


def _placed(
    shape: str, groups: list[Group], slots: tuple[Slot, ...], masked: tuple
) -> tuple[Placed, ...]:
    ranges = []
    at = 0
    for g in groups:
        if masked:  # masked tokens keep their digits in the run's digits (no words here)
            at = len(shape[: g.start].translate(_DIGITS))
        ranges.append((at, at + len(g.digits)))
        at += len(g.digits)
    words = [m.start() for m in _SHAPE_WORDS.finditer(shape)]

    def words_before(offset: int) -> int:
        return bisect.bisect_left(words, offset)

    return tuple(
        Placed(
            s,
            _merged(ranges[s.i : s.j + 1]),
            ranges[s.i],
            groups[s.i].start,
            groups[s.j].end,
            words_before(groups[s.i].start),
            words_before(groups[s.j].end),
        )
        for s in slots
    )


def _template(shape: str, masked: tuple, plus0: bool, short: bool) -> Template:
    key = (shape, plus0, masked, short)
    template = _TEMPLATES.get(key)
    if template is None:
        if len(_TEMPLATES) >= _CACHE_MAX:
            _TEMPLATES.clear()
        if masked:
            groups = touching(
                t
                for t in digit_tokens_in(shape, 0, len(shape))
                if not any(s <= t.start < e for s, e in masked)
            )
        else:
            groups = [
                Group(m.start() + g.start, m.start() + g.end, g.digits, g.kinds)
                for m in (CHUNK_ASCII if shape.isascii() else CHUNK).finditer(shape)
                for g in chunk_info(m.group())
            ]
        slots = all_slots(shape, groups, plus0, short)
        template = _TEMPLATES[key] = Template(
            len(groups), slots, _placed(shape, groups, slots, masked)
        )
    return template


def _word_digits(run: str) -> tuple[str, list[int]]:
    """The run's digits, each number word read as its digit; how far each word moves
    the text after it from where the shape has it (its length less that of "one")."""
    words_re = _WORDS_ASCII if run.isascii() else _WORDS
    words = words_re.findall(run)
    values = [_WORD_VALUE.get(w) or NUMBER_WORDS[w.translate(FOLD_SPECIAL).lower()] for w in words]
    # 'q' is in no number word and no look-alike, so it cannot be in a run: it marks
    # where each word's digit goes, all filled in at once.
    marked = words_re.sub("q", run).translate(_DIGITS_AND_Q)
    return marked.replace("q", "{}").format(*values), [len(w) - 3 for w in words]


def _place(
    placed: tuple[Placed, ...], digits: str, shifts: list[int] | None = None
) -> tuple[Cand, ...]:
    """The candidates of a run, from its template's placed slots and the run's digits."""
    out = []
    moved = None
    for p in placed:
        s = p.slot
        number = (
            digits[p.digits[0][0] : p.digits[0][1]]
            if len(p.digits) == 1
            else "".join(digits[a:b] for a, b in p.digits)
        )
        bare_cc = s.j > s.i and digits[p.head[0] : p.head[1]] in BARE_COUNTRY_CODES
        first, last = p.first, p.last
        if shifts:
            if moved is None:
                moved = [0, *itertools.accumulate(shifts)]  # shift of the text after k words
            first, last = first + moved[p.words_first], last + moved[p.words_last]
        out.append(
            (s.score, s.total, s.i, s.j, number, s.plus, bare_cc, first, last, s.short_tail, s.rule)
        )
    return tuple(out)


def run_candidates(
    run: str, plus0: bool, words: bool = True, short: bool = True
) -> tuple[Cand, ...]:
    """Candidate numbers in one run, best first; ``plus0``: a '+' stands just before it.

    ``words=False`` says the run holds no number word (a shortcut, same answer);
    ``short=False`` leaves out numbers of fewer than ten digits without a '+' (no region
    the caller reads in has them: North America).
    Ads repeat, and so do the ways a number is written: the answer depends only on
    the run's own text, so it is cached too (each cache is cleared when it grows large).

    Examples
    --------
    >>> [(c[4], c[10]) for c in run_candidates("7one3 482 0193", False)]  # digits, rule
    [('7134820193', 'mixed')]
    """
    key = (run, plus0, short)
    cands = _RUN_CACHE.get(key)
    if cands is not None:
        return cands
    if len(_RUN_CACHE) >= _CACHE_MAX:
        _RUN_CACHE.clear()
    masked = tuple(masks(run))  # dates and measurements: their offsets join the template's key
    shape, aligned = shape_of(run, words)
    if masked and not aligned:  # offsets of the shape are not the run's: no template
        groups = touching(
            t
            for t in digit_tokens_in(run, 0, len(run))
            if not any(s <= t.start < e for s, e in masked)
        )
        cands = candidates(all_slots(run, groups, plus0, short), groups)
    else:
        placed = _template(shape, masked, plus0, short).placed
        cands = ()
        if placed and aligned:
            cands = _place(placed, run.translate(_DIGITS))
        elif placed:
            cands = _place(placed, *_word_digits(run))
    _RUN_CACHE[key] = cands
    return cands

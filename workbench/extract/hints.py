"""Which finders each text of a column may need, decided over the whole column at once.

Owns the column-level prefilters. For each finder (and two steps of the phone
finder) a pattern that every text it could find something in matches: a looser
form of the finder's own first test, written for RE2, which pyarrow runs over the
whole column in C++ (a few hundred nanoseconds a text). A text that fails a pattern
cannot hold what that finder looks for, so the finder is not called for it; one
that passes goes through the finder's own, exact, test as before.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

try:  # pandas' own dependency (its Arrow strings); without it every finder runs
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover
    pa = pc = None

from .handles import _URL_TLDS, ALIASES
from .normalise import NUMBER_WORDS
from .respell import JOIN_PHRASES, SOUNDALIKES, SPELLED

_SOUND_WORDS = sorted(set(SOUNDALIKES) - {"o"})

logger = logging.getLogger(__name__)

EMAILS, WALLETS, HANDLES, CASHTAGS, URLS, WORDS, VANITY, RESPELL = 1, 2, 4, 8, 16, 32, 64, 128
ALL = EMAILS | WALLETS | HANDLES | CASHTAGS | URLS | WORDS | VANITY | RESPELL

# Python's IGNORECASE (and `str.lower`) also take these for an ASCII letter; RE2's
# case folding does not take them all, so case is spelled out letter by letter.
_ALSO = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")
_SEP, _SEP1 = r"[\s\-.,/:;|]{0,3}", r"[\s\-.,/:;|]{1,3}"


def _caseless(word: str) -> str:
    """``word`` as an RE2 pattern that matches it in any case Python would."""
    out = []
    for char in word:
        low = char.lower()
        if low.isascii() and low.isalpha():
            out.append(f"[{low}{low.upper()}{_ALSO.get(low, '')}]")
        else:
            out.append("\\" + char if char in _RE2_SPECIAL else char)
    return "".join(out)


def _any_of(words) -> str:
    return "|".join(_caseless(w) for w in sorted(words, key=len, reverse=True))


# Each pattern holds whenever the finder's own first test does (see the modules):
# emails need '@' or "at" / "arroba"; wallets a word of 14 letters and digits;
# handles an alias, a profile host ('.com/', ...) or an '@'; cashtags a '$'; URLs
# "://" or a dot and a top-level domain; a phone run with number words a number word;
# a vanity number an area code, then non-letters, then a capital; a text `respell` may
# rewrite a word of its own, a sound-alike next to a digit or a number word ("6for6",
# "six ate") or a join phrase between digit groups ("417 and then 1120").
_PATTERNS = {
    EMAILS: "[@\uff20]|" + _any_of(["at", "arroba", "arobase"]),
    WALLETS: "[A-Za-z0-9]{14}",
    HANDLES: "@|" + _any_of(ALIASES) + r"|\.(?:" + _any_of(["com", "am", "me", "app"]) + ")/",
    CASHTAGS: r"\$",
    URLS: r"://|\.(?:" + _any_of(_URL_TLDS.split("|")) + ")",
    WORDS: _any_of(NUMBER_WORDS),
    RESPELL: (
        r"(?:^|\PL)(?:"
        + _any_of(SPELLED)
        + r")(?:\PL|$)"
        + r"|\p{Nd}"
        + _SEP
        + "(?:"
        + _any_of(_SOUND_WORDS)
        + r")(?:\PL|$)|\p{Nd}"
        + _SEP1
        + "[oO]"
        + _SEP1
        + r"|\p{Nd}{2}[ \t,]+(?:"
        + _any_of(JOIN_PHRASES)
        + r")[ \t,]+\p{Nd}{3}"
        + "|(?:"
        + _any_of(NUMBER_WORDS)
        + ")"
        + _SEP
        + "(?:"
        + _any_of(SOUNDALIKES)
        + r")(?:\PL|$)"
        + "|(?:"
        + _any_of(NUMBER_WORDS)
        + ")(?:"
        + _any_of(_SOUND_WORDS)
        + ")"
        + "|(?:"
        + _any_of(_SOUND_WORDS)
        + ")"
        + _SEP
        + "(?:"
        + _any_of(NUMBER_WORDS)
        + ")"
    ),
    VANITY: r"[2-9]\p{Nd}\p{Nd}[^A-Za-z]{0,9}[A-Z]",
}


def finders_needed(values: pd.Series) -> np.ndarray:
    """A bit mask per text (EMAILS | WALLETS | ...): the finders it may need.

    Every bit is set when the column cannot be handed to Arrow (text that is not
    valid UTF-8, such as a lone surrogate): the finders then test each text.

    Examples
    --------
    >>> needed = finders_needed(pd.Series(["call 713 482 0193", "jade at gmail", "IG: jade $jb"]))
    >>> [bool(n & EMAILS) for n in needed], [bool(n & HANDLES) for n in needed]
    ([False, True, False], [False, False, True])
    """
    needed = np.zeros(len(values), dtype=np.uint8)
    if pa is None:  # pragma: no cover
        needed[:] = ALL
        return needed
    try:
        column = pa.array(values.array, type=pa.large_string())
        for bit, pattern in _PATTERNS.items():
            hit = pc.match_substring_regex(column, pattern).to_numpy(zero_copy_only=False)
            needed[hit] |= bit
    except (TypeError, ValueError, UnicodeError, pa.ArrowException) as err:
        logger.debug("no column prefilter (%s): every finder runs", err)
        needed[:] = ALL
    return needed

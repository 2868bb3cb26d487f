"""The digit stream: every digit-like thing in a text, with offsets back into it.

Owns the character knowledge shared by the extractors (unicode digits, keycaps,
number words in English and Spanish, lookalike letters, separator characters). It
does not decide what is a phone; `phones` does.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from .asciire import ascii_twin

# Characters with a digit value that are not Unicode "Nd" (so `\d` misses them):
# superscripts, subscripts, circled / parenthesised / full-stop / dingbat digits,
# Ethiopic and a few historic scripts. Computed once from unicodedata.digit.
EXTRA_DIGITS = (
    "\u00b2-\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089"
    "\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e"
    "\u2780-\u2788\u278a-\u2792\U00010a40-\U00010a43\U00010e60-\U00010e68"
    "\U00011052-\U0001105a\U0001f100-\U0001f10a"
)

NUMBER_WORDS: dict[str, str] = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "cero": "0",
    "uno": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
}
# Capital S and B (5, 8) only in capitals: "5SS", "4B8" (lower-case s, b are too common).
LOOKALIKES = {"o": "0", "O": "0", "l": "1", "I": "1", "S": "5", "B": "8"}
# Letters that `re`'s IGNORECASE matches to an ASCII letter though `str.lower` does not
# fold them to it ("FİVE".lower() is not "five"): folded first when reading a word.
FOLD_SPECIAL = str.maketrans({"\u017f": "s", "\u0131": "i", "\u0130": "i", "\u212a": "k"})

# No number word is a prefix of another, so a run of concatenated words
# ("sevenonethree") splits one way only and the regex cannot backtrack badly.
_WORD_ALT = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_WORD = re.compile(_WORD_ALT, re.IGNORECASE)
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"

_DIGIT_CLASS = rf"[\d{EXTRA_DIGITS}]"
_LOOK = (
    rf"(?<={_DIGIT_CLASS})[OoIlSB]{{1,3}}{_NOT_LETTER_AFTER}"
    rf"|{_NOT_LETTER_BEFORE}[OoIlSB]{{1,3}}(?={_DIGIT_CLASS})"
)
_TOKEN = re.compile(
    rf"(?P<k>(?:{_DIGIT_CLASS}\ufe0f?\u20e3)+)"
    rf"|(?P<d>{_DIGIT_CLASS}+)"
    rf"|{_NOT_LETTER_BEFORE}(?P<w>(?i:{_WORD_ALT})+){_NOT_LETTER_AFTER}"
    rf"|(?P<l>{_LOOK})"
)
_TOKEN_ASCII = ascii_twin(_TOKEN)
_TO_ASCII: dict[int, str] = {}

# What may stand between two digit groups of one number: spaces (one line break at
# most, checked by the caller), dots, dashes, slashes, brackets, bullets, emoji,
# zero-width characters and variation selectors, colons and semicolons ("713:482:0193";
# times are masked by `phonerun`), double quotes ('"832" "567"'). Not '$' or '#' (prices,
# ids), not the single quote (heights: 5'4), not letters.
SEPARATOR_CHARS = (
    r"\s.\-\u2010-\u2015\u2212\u2043\u30fc/\\()\[\]{}_*~,+\u00b7\u2022|=:;\"\u201c\u201d"
    r"\u200b-\u200f\u2060\ufeff\ufe0e\ufe0f\u20e3\u3000"
    r"\uff08\uff09\uff0b\uff0d\uff0e\uff0f\uff3b\uff3d\uff3f\uff5e"
    r"\u2190-\u21ff\u2300-\u23ff\u2500-\u27bf\u2b00-\u2bff"
    r"\U0001F000-\U0001FAFF\U000E0020-\U000E007F"
)
SEPARATOR = re.compile(rf"[{SEPARATOR_CHARS}\x00-\x1f]{{1,8}}")
# A whole run of digit-like tokens with separators between them, matched in C so
# that pathological input (a megabyte of "1 1 1") costs one regex pass.
_SEP_NO_NL = rf"[{SEPARATOR_CHARS}\x00-\x09\x0b-\x1f]".replace(
    r"\s", r"\t\r\f\v \u00a0\u2000-\u200a\u202f\u205f"
)
# The same without the dingbat and emoji digits (❶, 🄂) that sit inside the emoji
# ranges: a gap then never holds a token, so its repeats can be possessive (never
# backtracked into), which is what keeps the run scan fast.
_GAP_CHAR = _SEP_NO_NL.replace(r"\u2500-\u27bf", r"\u2500-\u2775\u277f\u2789\u2793-\u27bf").replace(
    r"\U0001F000-\U0001FAFF", r"\U0001F000-\U0001F0FF\U0001F10B-\U0001FAFF"
)
_GAP = rf"{_GAP_CHAR}{{0,7}}+\n?+{_GAP_CHAR}{{0,7}}+"


def _trie(words: list[str]) -> str:
    """One regex alternation for ``words`` that branches on letters, not on whole words."""
    if "" in words:
        rest = [w for w in words if w]
        return f"(?:{_trie(rest)})?" if rest else ""
    heads = sorted({w[0] for w in words})
    alts = [re.escape(h) + _trie([w[1:] for w in words if w[0] == h]) for h in heads]
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


# No number word is a prefix of another, so the trie matches exactly the words.
_WORD_TRIE = _trie(sorted(NUMBER_WORDS))
_TOKEN_ALT = (
    rf"(?:{_DIGIT_CLASS}(?:\ufe0f?\u20e3)?|{_NOT_LETTER_BEFORE}(?i:{_WORD_TRIE})+{_NOT_LETTER_AFTER}"
    rf"|{_LOOK})"
)
# The leading look-ahead lets the scan skip characters that cannot start a token.
_STARTS = rf"(?=[\d{EXTRA_DIGITS}zotfsencduiZOTFSENCDUIlLB])"
_RUN_BODY = rf"{_TOKEN_ALT}(?:{_GAP}{_TOKEN_ALT})*"
# A run shorter than 8 characters cannot hold a phone number: the leading look-ahead
# (all characters a run may hold) skips most of them ("$200", "24/7") without a match.
_RUN_CHARS = _GAP_CHAR[:-1] + rf"\n\d{EXTRA_DIGITS}OoIlSB]"
# Letters of number words, and those IGNORECASE takes for them ('ſ', 'ı', 'İ'): RUN's look-ahead.
_WORD_LETTERS = "".join(
    sorted(
        set("".join(NUMBER_WORDS))
        | set("".join(NUMBER_WORDS).upper())
        | set(chr(c) for c in FOLD_SPECIAL)
    )
)
RUN = re.compile(_STARTS + rf"(?={_RUN_CHARS[:-1]}{_WORD_LETTERS}]{{8}})" + _RUN_BODY)
# Most texts hold no number word: then a run has none either and must start at a
# digit, which the regex engine finds with a fast character-set scan.
RUN_FROM_DIGIT = re.compile(
    rf"{_DIGIT_CLASS}(?={_RUN_CHARS}{{7}})(?:\ufe0f?\u20e3)?"
    rf"(?:{_GAP}(?:{_DIGIT_CLASS}(?:\ufe0f?\u20e3)?|{_LOOK}))*"
)
# The same on ASCII text, faster (see `asciire`); callers pick by `str.isascii`.
RUN_ASCII, RUN_FROM_DIGIT_ASCII = ascii_twin(RUN), ascii_twin(RUN_FROM_DIGIT)
# The number words as one alternation, for lowercased text: every branch starts with
# a literal letter, which the regex engine scans for fast.
_ANY_WORD = re.compile(_WORD_TRIE)


def has_number_word(text: str) -> bool:
    """Cheap over-approximation: does any number word occur as a substring?

    Examples
    --------
    >>> has_number_word("call me"), has_number_word("SIETE")
    (False, True)
    """
    return _ANY_WORD.search(text.lower()) is not None


EMOJI = re.compile(
    r"[\u2190-\u21ff\u2300-\u23ff\u2500-\u27bf\u2b00-\u2bff\U0001F000-\U0001FAFF\u20e3]"
)

# Cheap test: could this text hold a digit stream at all?
DIGITISH = re.compile(rf"[\d{EXTRA_DIGITS}]|(?=[zotfsencduZOTFSENCDU])(?i:{_WORD_ALT})")


class Token(NamedTuple):
    """A digit-like span: ``digits`` are its ASCII digits, ``kind`` one of
    ``d`` (a digit character), ``k`` (keycap emoji), ``f`` (full-width digit),
    ``u`` (other unicode digit), ``w`` (number words), ``l`` (lookalike letters)."""

    start: int
    end: int
    digits: str
    kind: str


def _digit_kind(ch: str) -> str:
    if "0" <= ch <= "9":
        return "d"
    if "\uff10" <= ch <= "\uff19":
        return "f"
    return "u"


def digit_tokens(text: str) -> list[Token]:
    """All digit-like tokens of ``text`` in order, lookalikes kept only next to digits.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of Token
        Non-overlapping, sorted by start.

    Examples
    --------
    >>> [t.digits for t in digit_tokens("7one3 ７ 4l")]
    ['7', '1', '3', '7', '4', '1']
    >>> [t.kind for t in digit_tokens("7\ufe0f\u20e3 siete")]
    ['k', 'w']
    """
    return digit_tokens_in(text, 0, len(text))


def _ascii_digits(run: str) -> str:
    if run.isascii():
        return run
    out = []
    for c in run:
        if c not in "\ufe0f\u20e3":
            d = _TO_ASCII.get(ord(c))
            if d is None:
                d = _TO_ASCII.setdefault(ord(c), str(unicodedata.digit(c)))
            out.append(d)
    return "".join(out)


def digit_tokens_in(text: str, pos: int, endpos: int) -> list[Token]:
    """`digit_tokens` of ``text[pos:endpos]``, offsets into ``text``."""
    tokens: list[Token] = []
    for m in (_TOKEN_ASCII if text.isascii() else _TOKEN).finditer(text, pos, endpos):
        kind = m.lastgroup
        if kind == "w":
            base = m.start()
            for wm in _WORD.finditer(m.group()):
                tokens.append(
                    Token(
                        base + wm.start(),
                        base + wm.end(),
                        NUMBER_WORDS[wm.group().translate(FOLD_SPECIAL).lower()],
                        "w",
                    )
                )
        elif kind == "l":
            tokens.append(Token(m.start(), m.end(), "".join(LOOKALIKES[c] for c in m.group()), "l"))
        else:
            run = m.group()
            if kind == "d" and not run.isascii():
                kind = "f" if all("\uff10" <= c <= "\uff19" for c in run) else "u"
            tokens.append(Token(m.start(), m.end(), _ascii_digits(run), kind))
    return tokens


def is_separator_gap(gap: str) -> bool:
    """True when ``gap`` may sit between two digit groups of one number.

    Examples
    --------
    >>> is_separator_gap(") "), is_separator_gap(" hrs "), is_separator_gap("\\n\\n")
    (True, False, False)
    """
    return SEPARATOR.fullmatch(gap) is not None and gap.count("\n") <= 1


_FULLWIDTH = re.compile("[\uff01-\uff5e]")
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def ascii_fold(text: str) -> str:
    """Full-width ASCII to plain ASCII (same length, so offsets survive).

    Examples
    --------
    >>> ascii_fold("ｊａｄｅ＠ｇｍａｉｌ．ｃｏｍ")
    'jade@gmail.com'
    """
    if _FULLWIDTH.search(text) is None:
        return text
    return text.translate(_FOLD)

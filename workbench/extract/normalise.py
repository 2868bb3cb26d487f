"""The digit stream: every digit-like thing in a text, with offsets back into it.

Owns the character knowledge shared by the extractors (unicode digits, keycaps,
number words in English and Spanish, lookalike letters, separator characters). It
does not decide what is a phone; `phones` does.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

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
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5",
    "seis": "6", "siete": "7", "ocho": "8", "nueve": "9",
}
LOOKALIKES = {"o": "0", "O": "0", "l": "1", "I": "1"}

# No number word is a prefix of another, so a run of concatenated words
# ("sevenonethree") splits one way only and the regex cannot backtrack badly.
_WORD_ALT = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_WORD = re.compile(_WORD_ALT, re.IGNORECASE)
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"

_TOKEN = re.compile(
    rf"(?P<d>[\d{EXTRA_DIGITS}])(?P<k>\ufe0f?\u20e3)?"
    rf"|{_NOT_LETTER_BEFORE}(?P<w>(?i:{_WORD_ALT})+){_NOT_LETTER_AFTER}"
    rf"|{_NOT_LETTER_BEFORE}(?P<l>[OoIl]{{1,3}}){_NOT_LETTER_AFTER}"
)

# What may stand between two digit groups of one number: spaces (one line break at
# most, checked by the caller), dots, dashes, slashes, brackets, bullets, emoji,
# zero-width characters and variation selectors. Not ':' (times), not '$' or '#'
# (prices, ids), not quotes (heights), not letters.
SEPARATOR_CHARS = (
    r"\s.\-\u2010-\u2015\u2212\u2043\u30fc/\\()\[\]{}_*~,+\u00b7\u2022|="
    r"\u200b-\u200f\u2060\ufeff\ufe0e\ufe0f\u20e3\u3000"
    r"\uff08\uff09\uff0b\uff0d\uff0e\uff0f\uff3b\uff3d\uff3f\uff5e"
    r"\u2190-\u21ff\u2300-\u23ff\u2500-\u27bf\u2b00-\u2bff"
    r"\U0001F000-\U0001FAFF\U000E0020-\U000E007F"
)
SEPARATOR = re.compile(rf"[{SEPARATOR_CHARS}]{{1,8}}")
EMOJI = re.compile(r"[\u2190-\u21ff\u2300-\u23ff\u2500-\u27bf\u2b00-\u2bff\U0001F000-\U0001FAFF\u20e3]")

# Cheap test: could this text hold a digit stream at all?
DIGITISH = re.compile(rf"[\d{EXTRA_DIGITS}]|(?i:{_WORD_ALT})")


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
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        d = m.group("d")
        if d is not None:
            kind = "k" if m.group("k") else _digit_kind(d)
            tokens.append(Token(m.start(), m.end(), str(unicodedata.digit(d)), kind))
            continue
        w = m.group("w")
        if w is not None:
            base = m.start()
            for wm in _WORD.finditer(w):
                tokens.append(Token(base + wm.start(), base + wm.end(),
                                    NUMBER_WORDS[wm.group().lower()], "w"))
            continue
        look = m.group("l")
        tokens.append(Token(m.start(), m.end(), "".join(LOOKALIKES[c] for c in look), "l"))
    if not any(t.kind == "l" for t in tokens):
        return tokens
    # A lookalike letter counts only when it touches a real digit or number word.
    kept = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok.kind == "l":
            left = i > 0 and tokens[i - 1].end == tok.start and tokens[i - 1].kind != "l"
            right = i + 1 < n and tokens[i + 1].start == tok.end and tokens[i + 1].kind != "l"
            if not (left or right):
                continue
        kept.append(tok)
    return kept


def is_separator_gap(gap: str) -> bool:
    """True when ``gap`` may sit between two digit groups of one number.

    Examples
    --------
    >>> is_separator_gap(") "), is_separator_gap(" hrs "), is_separator_gap("\\n\\n")
    (True, False, False)
    """
    return SEPARATOR.fullmatch(gap) is not None and gap.count("\n") <= 1


def ascii_fold(text: str) -> str:
    """Full-width ASCII to plain ASCII (same length, so offsets survive).

    Examples
    --------
    >>> ascii_fold("ｊａｄｅ＠ｇｍａｉｌ．ｃｏｍ")
    'jade@gmail.com'
    """
    if not any("\uff01" <= c <= "\uff5e" for c in text):
        return text
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text)

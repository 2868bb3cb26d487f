"""Spelled-out digits the phone scanner's own words do not cover, rewritten as digits.

Owns the wider number vocabulary: teens and tens ("seventeen", "ninety three"),
"double five", sound-alikes between digits ("3one2 for 5six", "83to"), a lone 'o'
between digit groups, and number words of Portuguese ("meia" = 6), Tagalog, French
and German. A text holding any of them is rewritten (words to digits, inside chains
of number tokens only) and scanned by `phones` as digits; offsets map back to the
original text. It does not decide what is a phone; `phones` does.
"""

from __future__ import annotations

import bisect
import re

from .normalise import NUMBER_WORDS, SEPARATOR_CHARS, _trie

# One digit each; English and Spanish ones are the scanner's own (`normalise`).
UNITS: dict[str, str] = {
    **NUMBER_WORDS,
    # Portuguese
    "um": "1",
    "uma": "1",
    "dois": "2",
    "duas": "2",
    "três": "3",
    "quatro": "4",
    "sete": "7",
    "oito": "8",
    "nove": "9",
    "meia": "6",
    # Tagalog
    "sero": "0",
    "isa": "1",
    "dalawa": "2",
    "tatlo": "3",
    "apat": "4",
    "lima": "5",
    "anim": "6",
    "pito": "7",
    "walo": "8",
    "siyam": "9",
    # French, German
    "zéro": "0",
    "un": "1",
    "une": "1",
    "deux": "2",
    "trois": "3",
    "quatre": "4",
    "cinq": "5",
    "sept": "7",
    "huit": "8",
    "neuf": "9",
    "null": "0",
    "eins": "1",
    "zwei": "2",
    "drei": "3",
    "vier": "4",
    "fünf": "5",
    "sechs": "6",
    "sieben": "7",
    "acht": "8",
    "neun": "9",
}
# Two digits each.
TEENS: dict[str, str] = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "diez": "10",
    "once": "11",
    "doce": "12",
    "trece": "13",
    "catorce": "14",
    "quince": "15",
    "dieciseis": "16",
    "dieciséis": "16",
    "diecisiete": "17",
    "dieciocho": "18",
    "diecinueve": "19",
    "dez": "10",
    "onze": "11",
    "doze": "12",
    "treze": "13",
    "catorze": "14",
    "quatorze": "14",
    "quinze": "15",
    "dezesseis": "16",
    "dezessete": "17",
    "dezoito": "18",
    "dezenove": "19",
}
# The tens digit; alone they end in 0 ("twenty" = 20), before a unit they take it ("twenty one").
TENS: dict[str, str] = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fourty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
    "veinte": "2",
    "treinta": "3",
    "cuarenta": "4",
    "cincuenta": "5",
    "sesenta": "6",
    "setenta": "7",
    "ochenta": "8",
    "noventa": "9",
    "vinte": "2",
    "trinta": "3",
    "quarenta": "4",
    "cinquenta": "5",
    "sessenta": "6",
    "oitenta": "8",
}
# Ordinary words that sound like a digit: read so only between two number tokens.
SOUNDALIKES: dict[str, str] = {
    "for": "4",
    "fore": "4",
    "to": "2",
    "too": "2",
    "won": "1",
    "ate": "8",
    "o": "0",
}
REPEATS = {"double": 2, "triple": 3}
# More number tokens than this in one chain is no phone number (a table, a dump).
MAX_CHAIN = 40
# Words joining a ten and a unit ("veinte y siete", "vinte e sete", "twenty-one").
_JOINS = frozenset(("y", "e", "and"))

_LETTERS = r"[^\W\d_]+"
_TOKEN = re.compile(rf"(?P<d>\d+)|(?P<w>{_LETTERS})")
_GAP_OK = re.compile(rf"[{SEPARATOR_CHARS}]{{0,8}}")

# The words only this module reads (the scanner reads NUMBER_WORDS itself).
SPELLED = sorted(
    set(TEENS) | set(TENS) | set(REPEATS) | (set(UNITS) - set(NUMBER_WORDS)), key=len, reverse=True
)
_SPECIAL = SPELLED
_NUMBERISH = "|".join([r"\d", *sorted(NUMBER_WORDS, key=len, reverse=True)])
# A lone 'o' glued to a digit ("3O5", "266-O779") is the scanner's own look-alike: only
# a spaced one ("583 O 2") needs respelling.
_SEP = r"[\s\-.,/:;|]{0,3}"
_SEP1 = r"[\s\-.,/:;|]{1,3}"
_SOUND = (
    "|".join(sorted(set(SOUNDALIKES) - {"o"}, key=len, reverse=True))
    + rf"|(?<=[\s\-.,/:;|])o(?={_SEP1})"
)
# A text needs rewriting only when it holds one of the wider words, or a sound-alike
# between two number tokens: the common words "to" and "for" elsewhere do not count.
# Each test is written to start with a character class the regex engine scans for fast
# (on the text in lower case): a non-letter before a word, a digit before a sound-alike.
_WIDER_AT_START = re.compile(rf"(?:{_trie(SPELLED)})(?![^\W\d_])")
_WIDER = re.compile(rf"[\W\d_](?:{_trie(SPELLED)})(?![^\W\d_])")
_AFTER = rf"(?:{_NUMBERISH}|{_SOUND})"  # "5 won won ate 4": a sound-alike may follow one
_SOUND_AFTER_DIGIT = re.compile(rf"\d{_SEP}(?:{_SOUND})(?![^\W\d_]){_SEP}{_AFTER}")
_WORD_THEN_SOUND = re.compile(
    rf"(?:{_trie(sorted(NUMBER_WORDS))})(?:{_SEP}(?:{_SOUND})(?![^\W\d_])"
    rf"|(?:for|fore|too|to|won|ate))"
)
_SOUND_THEN_WORD = re.compile(
    rf"(?:for|fore|too|to|won|ate)(?:{_SEP1})?(?:{_trie(sorted(NUMBER_WORDS))})"
)
# Words joining two digit groups of one number ("212 417 and then 1120").
JOIN_PHRASES = (
    "and then",
    "then",
    "and",
    "y luego",
    "luego",
    "e depois",
    "depois",
    "(ask for me)",
    "ask for me",
    "(ask for her)",
)
_JOIN_PHRASE = re.compile(
    rf"\d{{2}}[ \t,]+(?:{'|'.join(map(re.escape, JOIN_PHRASES))})[ \t,]+\d{{3}}"
)
_JOIN_GAP = re.compile(
    rf"(?<=\d{{2}})[ \t,]+(?:{'|'.join(map(re.escape, JOIN_PHRASES))})[ \t,]+(?=\d{{3}})",
    re.IGNORECASE,
)


def needed(text: str, words: bool = True) -> bool:
    """Could ``text`` hold a spelled digit that only `respell` reads? (Looser than the
    chain rules; ``words=False`` says the text holds no word of `normalise.NUMBER_WORDS`.)

    Examples
    --------
    >>> needed("call seven one three"), needed("seven thirteen"), needed("here for 2 nights")
    (False, True, False)
    >>> needed("6for6 5ate3"), needed("one for five")
    (True, True)
    """
    low = text.lower()
    if (
        _WIDER_AT_START.match(low)
        or _WIDER.search(low)
        or _SOUND_AFTER_DIGIT.search(low)
        or _JOIN_PHRASE.search(low)
    ):
        return True
    # A sound-alike next to a number word, spaced or run together ("six ate", "for oh seven",
    # "TOONINE"): two tests that each start with literal letters (fast scans), looser than
    # the chain rules (`respell` itself decides what is read).
    return words and (_WORD_THEN_SOUND.search(low) or _SOUND_THEN_WORD.search(low)) is not None


# Number words run together ("THREEONEFOUR", "TOONINETWO"): English and Spanish digits and
# the sound-alikes (none of these words is a prefix of another but "to" of "too", and
# longest first makes the split unique).
_GLUED_WORDS = sorted(set(NUMBER_WORDS) | set(SOUNDALIKES) - {"o"}, key=len, reverse=True)
_GLUED = re.compile(f"(?:{'|'.join(_GLUED_WORDS)})+")


def _value(word: str) -> tuple[str, str] | None:
    """(kind, digits) of one word: u(nit), t(een), x (a ten), s(ound-alike), r(epeat),
    c (several digit words run together)."""
    low = word.lower()
    if low in UNITS:
        return "u", UNITS[low]
    if low in TEENS:
        return "t", TEENS[low]
    if low in TENS:
        return "x", TENS[low]
    if low in SOUNDALIKES:
        return "s", SOUNDALIKES[low]
    if low in REPEATS:
        return "r", str(REPEATS[low])
    if len(low) >= 5 and _GLUED.fullmatch(low):  # "tooninetwo": digits written as one word
        parts = _split_glued(low)
        if parts and any(p not in SOUNDALIKES for p in parts):
            return "c", "".join(NUMBER_WORDS.get(p) or SOUNDALIKES[p] for p in parts)
    return None


def _split_glued(word: str) -> list[str] | None:
    """``word`` as number words, longest first where two splits exist ("foreight":
    "for", "eight"); None if it is not one. Words are short: the search is tiny."""
    if not word:
        return []
    for part in _GLUED_WORDS:
        if word.startswith(part):
            rest = _split_glued(word[len(part) :])
            if rest is not None:
                return [part, *rest]
    return None


def _chains(text: str) -> list[list[tuple[int, int, str, str]]]:
    """Runs of number tokens (start, end, kind, digits) with separator gaps between them."""
    chains: list[list[tuple[int, int, str, str]]] = []
    current: list[tuple[int, int, str, str]] = []
    # Join phrases between two digit groups ("417 and then 1120"): their words are a gap.
    phrases = {m.span() for m in _JOIN_GAP.finditer(text)}
    inside = sorted(phrases)
    starts = [a for a, _b in inside]
    for m in _TOKEN.finditer(text):
        if inside:
            k = bisect.bisect_right(starts, m.start()) - 1
            if k >= 0 and m.start() < inside[k][1]:
                continue  # a word of a join phrase
        if m.lastgroup == "d":
            tok = (m.start(), m.end(), "d", m.group())
        else:
            value = _value(m.group())
            tok = (m.start(), m.end(), *value) if value else None
        if tok is None:
            gap = m.group().lower()
            if current and gap in _JOINS and current[-1][2] == "x":
                continue  # "veinte y siete": the join is a gap (checked below)
            if current:
                chains.append(current)
            current = []
            continue
        if current:
            gap = text[current[-1][1] : tok[0]]
            words = gap.split()
            joined = (
                len(words) == 1
                and words[0].lower() in _JOINS
                and current[-1][2] == "x"
                and tok[2] == "u"
            )
            joined = joined or (current[-1][1], tok[0]) in phrases
            if not joined and (_GAP_OK.fullmatch(gap) is None or gap.count("\n") > 1):
                chains.append(current)
                current = []
        current.append(tok)
    if current:
        chains.append(current)
    return chains


def _digits(
    chain: list[tuple[int, int, str, str]], keep_digits: bool = False
) -> list[tuple[int, int, str]]:
    """The replacements of one chain: (start, end, digits) for each word (or ten+unit),
    and for each digit group too when ``keep_digits``."""
    # Sound-alikes count only between number tokens: trimmed off both ends, unless the
    # chain spells a number digit by digit ("too seven nine - two six four - ... ate").
    if not (len(chain) >= 8 and sum(kind != "s" for _s, _e, kind, _d in chain) >= 4):
        while chain and chain[0][2] == "s":
            chain = chain[1:]
        while chain and chain[-1][2] == "s":
            chain = chain[:-1]
    out: list[tuple[int, int, str]] = []
    k = 0
    while k < len(chain):
        start, end, kind, digits = chain[k]
        nxt = chain[k + 1] if k + 1 < len(chain) else None
        if kind == "x":
            if nxt is not None and nxt[2] == "u" and nxt[3] != "0":
                out.append((start, nxt[1], digits + nxt[3]))
                k += 2
                continue
            out.append((start, end, digits + "0"))
        elif kind == "r":
            if nxt is not None and nxt[2] in ("u", "d") and len(nxt[3]) == 1:
                out.append((start, nxt[1], nxt[3] * int(digits)))
                k += 2
                continue
        elif kind != "d" or keep_digits:
            out.append((start, end, digits))
        k += 1
    return out


_HAS_LETTER = re.compile(r"[^\W\d_]")
_GLUE = re.compile(r"[ \t\u00a0\-]{0,2}")


def _glued(text: str, chain: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str]]:
    """The replacements of a chain with short gaps closed up ("4 4 1 6" -> "4416")."""
    out: list[list] = []
    for start, end, digits in _digits(chain, keep_digits=True):
        if out and _GLUE.fullmatch(text, out[-1][1], start):
            out[-1][1] = end
            out[-1][2].append(digits)
        else:
            out.append([start, end, [digits]])
    return [(start, end, "".join(digits)) for start, end, digits in out]


def respell(text: str, glue: bool = False) -> tuple[str, list[tuple[int, int, int, int]]]:
    """``text`` with the number words of its number chains written as digits, and the
    replacements as (new start, new end, old start, old end).

    ``glue`` also closes up the short gaps inside a chain: a number read digit by digit
    ("four four one six") then comes out grouped as written ("4416").

    Examples
    --------
    >>> respell("seven thirteen, four 8 two")[0]
    '7 13, 4 8 2'
    >>> respell("3one2 for 5six, here for 2 nights")[0]
    '312 4 56, here for 2 nights'
    >>> respell("713 for 82 oh one 9 three", glue=True)[0]
    '7134820193'
    """
    pieces: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    at = shift = 0
    for chain in _chains(text):
        if len(chain) > MAX_CHAIN:
            continue  # a long chain is a digit dump, not a number (as `phones.MAX_RUN_CHARS`)
        # Join phrases between digit groups ("417 and then 1120") become one space.
        phrases = [
            (a[1], b[0], " ")
            for a, b in zip(chain, chain[1:], strict=False)
            if _HAS_LETTER.search(text, a[1], b[0]) and a[2] == b[2] == "d"
        ]
        if not phrases and all(kind == "d" for _s, _e, kind, _d in chain):
            continue
        replaced = _glued(text, chain) if glue else _digits(chain)
        if phrases:
            replaced = sorted(replaced + phrases)
        for start, end, digits in replaced:
            pieces.append(text[at:start])
            pieces.append(digits)
            new_start = start + shift
            spans.append((new_start, new_start + len(digits), start, end))
            shift += len(digits) - (end - start)
            at = end
    pieces.append(text[at:])
    return "".join(pieces), spans


def back(spans: list[tuple[int, int, int, int]], offset: int, is_end: bool) -> int:
    """The offset in the original text of an offset in the respelled one."""
    k = bisect.bisect_right(spans, (offset - (1 if is_end else 0), float("inf"))) - 1
    if k < 0:
        return offset
    new_start, new_end, old_start, old_end = spans[k]
    if offset < new_end or (is_end and offset == new_end):
        return old_end if is_end else old_start
    return offset - new_end + old_end

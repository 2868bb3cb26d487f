"""Valid phone numbers for the synthetic world, and the many ways ads write them.

Numbers are drawn per country from real area codes and checked against the
libphonenumber patterns (vectorised), so every generated number passes
`phonenumbers.is_valid_number`. Rendering obfuscates digits the way ads do.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import phonenumbers

from workbench.synth.vocab import COUNTRY_CODE

_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_ALT = ("oh", "won", "too", "three", "for", "five", "six", "seven", "ate", "nine")
_ES = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
_LOOK = {"0": ("O", "o", "0"), "1": ("l", "I", "1"), "5": ("5", "S", "5"), "8": ("8", "B", "8")}
_KEYCAP = "\ufe0f\u20e3"
_SEPS = ("-", ".", " ", "", "/", "_", "~", "*", " - ", " . ", "•", "|", "..", ") ", ",", "  ")
_EMOJI_SEPS = ("🌹", "💋", "✨", "🔥", "💕", "⭐")

# Rendering styles with their weights when an ad obfuscates (plain ones otherwise).
PLAIN_STYLES = ("dash", "dot", "paren", "space", "compact", "intl", "one")
OBFUSCATED_STYLES = (
    "words_en",
    "words_es",
    "mixed",
    "lookalike",
    "fullwidth",
    "keycap",
    "spaced",
    "weird_sep",
    "emoji_sep",
    "split",
    "mixed_es",
    "words_en_alt",
)
PLACEHOLDERS = (
    "123-456-7890",
    "555-0123",
    "(555) 555-0199",
    "000-000-0000",
    "555-555-5555",
    "123 456 7890",
    "1234567890",
    "999-999-9999",
    "(123) 456-7890",
    "555-0100",
)


def _valid_pattern(region: str) -> re.Pattern[str]:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    parts = [
        d.national_number_pattern
        for d in (meta.fixed_line, meta.mobile, meta.toll_free)
        if d is not None and d.national_number_pattern
    ]
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in parts) + ")")


def _candidates(rng: np.random.Generator, region: str, areas: np.ndarray) -> np.ndarray:
    """Draw one national-number candidate (digit string) per area code."""
    n = len(areas)
    areas = areas.astype(str)
    if region in ("US", "CA"):
        exch = rng.integers(200, 1000, n)
        line = rng.integers(0, 10000, n)
        rest = np.char.add(np.char.zfill(exch.astype(str), 3), np.char.zfill(line.astype(str), 4))
    elif region == "GB":
        rest = np.char.add(
            rng.choice(np.array(["4", "5", "7", "8", "9"]), n),
            np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8),
        )
    else:  # MX: ten digits in all, first local digit not 0
        width = 10 - np.char.str_len(areas)
        first = rng.integers(1, 10, n).astype(str)
        tail = rng.integers(0, 10**7, n)
        rest = np.array(
            [
                f + str(t).zfill(w - 1)[-(w - 1) :]
                for f, t, w in zip(first.tolist(), tail.tolist(), width.tolist(), strict=True)
            ]
        )
    return np.char.add(areas, rest)


def allocate_phones(
    rng: np.random.Generator, regions: np.ndarray, areas: np.ndarray, taken: set[str] | None = None
) -> np.ndarray:
    """Distinct valid national numbers, one per (region, area code) request.

    Parameters
    ----------
    rng : numpy Generator
    regions, areas : arrays of region codes ("US", "CA", "GB", "MX") and area codes.
    taken : numbers already handed out as "region:national"; updated in place.

    Returns
    -------
    numpy array of national-number strings.

    Examples
    --------
    >>> import numpy as np
    >>> out = allocate_phones(np.random.default_rng(0), np.array(["US"]), np.array(["713"]))
    >>> out[0][:3], len(out[0])
    ('713', 10)
    """
    taken = set() if taken is None else taken
    regions = np.asarray(regions, dtype=object)
    areas = np.asarray(areas, dtype=object)
    out = np.empty(len(regions), dtype=object)
    todo = np.arange(len(regions))
    while len(todo):
        still = []
        for region in sorted(set(regions[todo].tolist())):
            idx = todo[regions[todo] == region]
            cand = _candidates(rng, region, areas[idx])
            ok = pd.Series(cand).str.fullmatch(_valid_pattern(region).pattern).to_numpy()
            # a bounded loop over this batch's numbers: a set membership check per number
            for i, c, good in zip(idx.tolist(), cand.tolist(), ok.tolist(), strict=True):
                key = region + ":" + c
                if good and key not in taken:
                    taken.add(key)
                    out[i] = c
                else:
                    still.append(i)
        todo = np.array(sorted(still), dtype=int)
    return out


def groups(national: str, region: str) -> list[str]:
    """Digit groups as the country writes a number locally (with trunk 0 for GB)."""
    if region in ("US", "CA"):
        return [national[:3], national[3:6], national[6:]]
    if region == "GB":
        local = "0" + national
        return [local[:5], local[5:]]
    if len(national) == 10 and national[:2] in ("55", "56", "33", "81"):
        return [national[:2], national[2:6], national[6:]]
    return [national[:3], national[3:6], national[6:]]


def e164(national: str, region: str) -> str:
    """The E.164 form, e.g. '+17134820193'.

    >>> e164("7134820193", "US")
    '+17134820193'
    """
    return "+" + COUNTRY_CODE[region] + national


def _digit_map(d: str, style: str, r: int) -> str:
    k = int(d)
    if style == "words_en":
        return _EN[k]
    if style == "words_en_alt":
        return _EN_ALT[k] if r % 3 == 0 else _EN[k]
    if style == "words_es":
        return _ES[k]
    if style == "fullwidth":
        return chr(0xFF10 + k)
    if style == "keycap":
        return d + _KEYCAP
    if style == "lookalike":
        alts = _LOOK.get(d)
        return alts[r % len(alts)] if alts else d
    return d


def render_phone(national: str, region: str, style: str, r: int) -> str:
    """Write one number in a style; `r` is a random integer that picks the variations.

    >>> render_phone("7134820193", "US", "dash", 0)
    '713-482-0193'
    >>> render_phone("7134820193", "US", "words_en", 30)
    'seven one three - four eight two - zero one nine three'
    """
    g = groups(national, region)
    if style == "dash":
        return "-".join(g)
    if style == "dot":
        return ".".join(g)
    if style == "paren":
        return (
            f"({g[0]}) " + ("-" if r % 2 else " ").join(g[1:])
            if len(g) == 3
            else f"({g[0]}) {g[1]}"
        )
    if style == "space":
        return " ".join(g)
    if style == "compact":
        return "".join(g)
    if style in ("intl", "one"):
        intl = groups(national, region if region != "GB" else "US") if region == "GB" else g
        if region == "GB":
            intl = [national[:4], national[4:]]
        sep = (" ", "-", ".", "")[r % 4]
        cc = COUNTRY_CODE[region]
        prefix = (
            ("+" + cc) if (style == "intl" or region != "US") else ("1", "+1", "1-")[r // 4 % 3]
        )
        return prefix + (sep if not prefix.endswith("-") else "") + sep.join(intl)
    if style in ("words_en", "words_es", "words_en_alt"):
        sep = (" ", " ", "-", " ", ", ", "")[r % 6]
        words = [_digit_map(d, style, r >> i) for i, d in enumerate("".join(g))]
        if r // 6 % 4 == 0:
            words = [w.upper() for w in words]
        gsep = ("  ", " - ", " ", " ")[r // 24 % 4]
        out, i = [], 0
        for grp in g:  # at most 3 groups
            out.append(sep.join(words[i : i + len(grp)]))
            i += len(grp)
        return gsep.join(out)
    if style in ("mixed", "mixed_es", "lookalike"):
        table = _EN if style == "mixed" else _ES
        digits = "".join(g)
        parts = []
        for i, d in enumerate(digits):  # ten digits
            bit = (r >> i) & 3
            if style == "lookalike":
                parts.append(_digit_map(d, "lookalike", bit + i) if bit != 3 else d)
            else:
                parts.append(table[int(d)] if bit == 0 else d)
        sep = ("", " ", "-", ".")[(r >> 20) % 4]
        cuts = np.cumsum([len(x) for x in g])[:-1].tolist()
        chunks = ["".join(parts[a:b]) for a, b in zip([0] + cuts, cuts + [len(parts)], strict=True)]
        return sep.join(chunks)
    if style in ("fullwidth", "keycap"):
        sep = ("", "-", " ", ".")[r % 4]
        return sep.join("".join(_digit_map(d, style, 0) for d in grp) for grp in g)
    if style == "spaced":
        sep = (" ", "  ", " . ", "-")[r % 4]
        return sep.join("".join(g))
    if style == "weird_sep":
        sep = _SEPS[r % len(_SEPS)]
        return sep.join(g)
    if style == "emoji_sep":
        return _EMOJI_SEPS[r % len(_EMOJI_SEPS)].join(g)
    if style == "split":
        forms = (
            "{0} ... {1} ... {2}",
            "area code {0} then {1}{2}",
            "{0}--{1}--{2}",
            "{0} (ask for me) {1} {2}",
            "{0} {1} and then {2}",
        )
        g3 = g if len(g) == 3 else [g[0][:3], g[0][3:] + g[1][:2], g[1][2:]]
        return forms[r % len(forms)].format(*g3)
    raise ValueError(f"unknown phone style {style!r}")

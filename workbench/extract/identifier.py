"""The `Identifier` record every extractor returns.

Owns the record and the overlap rule; the extractors own how a value is found.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple


class Identifier(NamedTuple):
    """One identifier found in a text or a structured field.

    An immutable record (a named tuple: a column of ads makes hundreds of thousands
    of them, and a tuple is built three times faster than a frozen dataclass).

    Attributes
    ----------
    kind : str
        One of ``workbench.schema.IDENTIFIER_KINDS`` (phone, email, handle, payment,
        wallet, url, image, pdq).
    value : str
        The normalised value (E.164 phone, lowercase email, ``platform:name`` ...).
    raw : str
        The original text span, ``text[start:end]``.
    start, end : int
        Offsets of ``raw`` in the text it came from (code points, as Python slices).
    rule : str
        Short code saying how it was found: ``digits``, ``words``, ``mixed``,
        ``lookalike``, ``fullwidth``, ``emoji``, ``unicode``, ``vanity``, ``obfuscated``,
        ``platform``, ``url``, ``bare``, ``cashtag``, ``field`` ...
    confidence : float
        Rough prior in [0, 1] that the value is a real contact of the poster.
    """

    kind: str
    value: str
    raw: str
    start: int
    end: int
    rule: str
    confidence: float = 0.9


class Spans:
    """Taken ``(start, end)`` spans, answering "does this overlap any?" in O(log n).

    Examples
    --------
    >>> taken = Spans([(0, 6), (20, 30)])
    >>> taken.overlaps(5, 10), taken.overlaps(6, 20), taken.overlaps(25, 26)
    (True, False, True)
    """

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end) - 1  # last span starting before `end`
        return i >= 0 and self._ends[i] > start

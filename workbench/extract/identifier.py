"""The `Identifier` record every extractor returns.

Owns the record and the overlap rule; the extractors own how a value is found.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier found in a text or a structured field.

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


def overlaps(a: Identifier, spans: list[tuple[int, int]]) -> bool:
    """True when ``a`` overlaps any ``(start, end)`` span.

    Examples
    --------
    >>> overlaps(Identifier("url", "x.com", "x.com", 5, 10, "url"), [(0, 6)])
    True
    """
    return any(a.start < e and s < a.end for s, e in spans)

"""ASCII twins of Unicode regular expressions: the same matches on ASCII text, faster.

Python's `re` tests a Unicode character class against a bitmap, then one by one
against its ranges beyond the basic plane and its categories (\\d, \\w, \\s); on an
ASCII text none of those can match, but each test still costs, and the finders'
classes are large. `ascii_twin` rebuilds a compiled pattern with every class
narrowed to its ASCII members and the ASCII flag: on an ASCII string it matches
exactly what the original matches (tests check this on random text), about twice
as fast. It reads `re`'s own parser (a private module): if that ever fails, the
original pattern is returned, which is slower but just as correct.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

try:  # Python 3.11+ names
    from re import _compiler, _parser
    from re._constants import (
        ASSERT,
        ASSERT_NOT,
        ATOMIC_GROUP,
        BRANCH,
        GROUPREF_EXISTS,
        IN,
        LITERAL,
        MAX_REPEAT,
        MIN_REPEAT,
        NEGATE,
        POSSESSIVE_REPEAT,
        RANGE,
        SUBPATTERN,
    )
except ImportError:  # pragma: no cover - another Python: twins are the originals
    _parser = None

_ASCII_CHARS = [chr(c) for c in range(128)]
_MEMBERS: dict[tuple, tuple] = {}


def _ascii_members(items: list, flags: int) -> list:
    """The class ``items`` (under ``flags``) as an explicit ASCII-only class."""
    key = (flags, tuple(items))
    if key not in _MEMBERS:  # the same class recurs in a pattern: probe it once
        _MEMBERS[key] = _probe(items, flags)
    return list(_MEMBERS[key])


def _probe(items: list, flags: int) -> tuple:
    state = _parser.State()
    state.flags = flags
    probe = _compiler.compile(_parser.SubPattern(state, [(IN, list(items))]), 0)
    codes = [ord(c) for c in _ASCII_CHARS if probe.fullmatch(c)]
    if not codes:
        return ((NEGATE, None), (RANGE, (0, 0x10FFFF)))  # matches nothing
    out: list = []
    for code in codes:
        if out and out[-1][0] is RANGE and out[-1][1][1] == code - 1:
            out[-1] = (RANGE, (out[-1][1][0], code))
        elif out and out[-1][0] is LITERAL and out[-1][1] == code - 1:
            out[-1] = (RANGE, (code - 1, code))
        else:
            out.append((LITERAL, code))
    return tuple(out)


def _narrow(data: list, flags: int) -> None:
    """Narrow every class in a parsed pattern, in place (widths do not change)."""
    for k, (op, av) in enumerate(data):
        if op is IN:
            data[k] = (IN, _ascii_members(av, flags))
        elif op is SUBPATTERN:
            _group, add, remove, sub = av
            _narrow(sub.data, (flags | add) & ~remove)
        elif op is BRANCH:
            for sub in av[1]:
                _narrow(sub.data, flags)
        elif op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
            _narrow(av[2].data, flags)
        elif op in (ASSERT, ASSERT_NOT):
            _narrow(av[1].data, flags)
        elif op is ATOMIC_GROUP:
            _narrow(av.data, flags)
        elif op is GROUPREF_EXISTS:
            for sub in av[1:]:
                if sub is not None:
                    _narrow(sub.data, flags)


def ascii_twin(pattern: re.Pattern) -> re.Pattern:
    """A pattern that matches on ASCII strings exactly as ``pattern`` does, faster.

    Examples
    --------
    >>> pattern = re.compile(r"(?<![^\\W\\d_])[\\d\\u0660-\\u0669]+\\s?\\w")
    >>> ascii_twin(pattern).findall("a12 b 34 x 5_6"), pattern.findall("a12 b 34 x 5_6")
    (['2 b', '34 x', '5_'], ['2 b', '34 x', '5_'])
    """
    if _parser is None or not isinstance(pattern.pattern, str):
        return pattern
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        flags = parsed.state.flags
        _narrow(parsed.data, flags)
        parsed.state.flags = (flags & ~re.UNICODE) | re.ASCII
        return _compiler.compile(parsed, 0)
    except Exception:  # noqa: BLE001 - any surprise inside `re`: keep the original
        logger.debug("no ASCII twin for %r", pattern.pattern[:60], exc_info=True)
        return pattern

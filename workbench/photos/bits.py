"""Hex strings <-> packed 64-bit words, and Hamming distances between them.

A 64-bit pHash is one ``uint64``; a 256-bit PDQ hash is four, most significant
word first, so that hex text and words round-trip exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

# ASCII byte -> nibble value; 255 marks a byte that is not a hex digit.
_NIBBLE = np.full(256, 255, dtype=np.uint8)
_NIBBLE[np.frombuffer(b"0123456789", dtype=np.uint8)] = np.arange(10)
_NIBBLE[np.frombuffer(b"abcdef", dtype=np.uint8)] = np.arange(10, 16)
_NIBBLE[np.frombuffer(b"ABCDEF", dtype=np.uint8)] = np.arange(10, 16)
_SHIFTS = np.arange(60, -1, -4, dtype=np.uint64)  # first hex digit is the top nibble


def parse_hex(
    values: Iterable[str] | pd.Series | np.ndarray, bits: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """Parse hex hashes leniently: words plus a mask of which values were valid.

    Parameters
    ----------
    values : iterable of str
        Hex strings of ``bits // 4`` digits; surrounding blanks and a ``0x``
        prefix are tolerated, anything else is invalid.
    bits : int
        64 for pHash, 256 for PDQ.

    Returns
    -------
    words : ndarray of uint64, shape (n,) for 64 bits else (n, bits // 64)
        Invalid values parse as 0.
    valid : ndarray of bool, shape (n,)

    Examples
    --------
    >>> words, valid = parse_hex(["00000000000000ff", "zz"])
    >>> int(words[0]), valid.tolist()
    (255, [True, False])
    """
    if bits % 64:
        raise ValueError("bits must be a multiple of 64")
    n_digits = bits // 4
    text = pd.Series(values, dtype="object").astype("string").str.strip().str.lower()
    text = text.str.removeprefix("0x")
    ok_len = (text.str.len() == n_digits).fillna(False).to_numpy(dtype=bool)
    fixed = text.where(ok_len, "0" * n_digits).fillna("0" * n_digits)
    # One contiguous byte buffer: (n, n_digits) ASCII codes, no per-value Python work.
    raw = np.frombuffer(
        fixed.to_numpy(dtype=object).astype(f"S{n_digits}").tobytes(), dtype=np.uint8
    ).reshape(-1, n_digits)
    nibbles = _NIBBLE[raw]
    valid = ok_len & (nibbles != 255).all(axis=1)
    nibbles = np.where(valid[:, None], nibbles, 0).astype(np.uint64)
    words = (nibbles.reshape(len(nibbles), bits // 64, 16) << _SHIFTS).sum(axis=2, dtype=np.uint64)
    return (words[:, 0] if bits == 64 else words), valid


def hex_to_uint64(values: Iterable[str] | pd.Series | np.ndarray, bits: int = 64) -> np.ndarray:
    """Parse hex hashes into packed words, raising on the first invalid value.

    Parameters
    ----------
    values : iterable of str
        16 hex digits each (64 bits), or 64 digits with ``bits=256``.
    bits : int
        64 (pHash) or 256 (PDQ).

    Returns
    -------
    ndarray of uint64, shape (n,) or (n, bits // 64)

    Examples
    --------
    >>> hex_to_uint64(["8000000000000001"]).tolist()
    [9223372036854775809]
    >>> hex_to_uint64(["f" * 64], bits=256).shape
    (1, 4)
    """
    words, valid = parse_hex(values, bits=bits)
    if not valid.all():
        bad = int(np.flatnonzero(~valid)[0])
        value = list(values)[bad] if not isinstance(values, pd.Series) else values.iloc[bad]
        raise ValueError(f"not a {bits // 4}-digit hex hash at position {bad}: {value!r}")
    return words


def uint64_to_hex(words: np.ndarray) -> np.ndarray:
    """Format packed words as lowercase hex strings (inverse of :func:`hex_to_uint64`).

    Examples
    --------
    >>> uint64_to_hex(np.array([255], dtype=np.uint64)).tolist()
    ['00000000000000ff']
    """
    words = np.asarray(words, dtype=np.uint64)
    if words.ndim == 1:
        words = words[:, None]
    big_endian = words.astype(">u8").view(np.uint8).reshape(len(words), 8 * words.shape[1])
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    chars = np.stack([digits[big_endian >> 4], digits[big_endian & 15]], axis=2)
    width = chars.shape[1] * 2
    return np.frombuffer(chars.tobytes(), dtype=f"S{width}").astype(str).astype(object)


def hamming(a: np.ndarray, b: np.ndarray, bits: int = 64) -> np.ndarray:
    """Hamming distance between packed hashes, broadcasting like ``a ^ b``.

    With ``bits=64`` every ``uint64`` element is one hash (any shape); with
    ``bits=256`` (PDQ) the last axis holds the 4 words of a hash and is summed.

    Examples
    --------
    >>> a = np.array([0, 1, 3], dtype=np.uint64)
    >>> hamming(a, np.uint64(0)).tolist()
    [0, 1, 2]
    >>> hamming(a[:, None], a[None, :]).shape
    (3, 3)
    >>> pdq = np.zeros((2, 4), dtype=np.uint64); pdq[1, 3] = 7
    >>> hamming(pdq[0], pdq, bits=256).tolist()
    [0, 3]
    """
    counts = np.bitwise_count(np.asarray(a, dtype=np.uint64) ^ np.asarray(b, dtype=np.uint64))
    if bits == 64:
        return counts.astype(np.int32)
    if counts.shape[-1] != bits // 64:
        raise ValueError(f"last axis must hold {bits // 64} words for {bits}-bit hashes")
    return counts.sum(axis=-1, dtype=np.int32)

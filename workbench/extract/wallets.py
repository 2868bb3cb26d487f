"""Crypto wallet addresses, accepted only when their checksum holds.

Owns Bitcoin (base58check legacy and bech32/bech32m), Tron (base58check) and
Ethereum (EIP-55 when mixed case) validation. Values: ``btc:...``, ``trx:...``,
``eth:0x...`` (lowercase hex).
"""

from __future__ import annotations

import hashlib
import re

from .asciire import ascii_twin
from .identifier import Identifier

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32)}

_LEGACY = re.compile(r"(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])")
_TRON = re.compile(r"(?<![A-Za-z0-9])T[1-9A-HJ-NP-Za-km-z]{33}(?![A-Za-z0-9])")
_SEGWIT = re.compile(
    r"(?<![A-Za-z0-9])(?:bc1[02-9ac-hj-np-z]{11,71}|BC1[02-9AC-HJ-NP-Z]{11,71})(?![A-Za-z0-9])"
)
_ETH = re.compile(r"(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])")
# Every address is a word of at least 14 letters and digits (bc1 and 11 more; the
# others are longer). Found after the character before it, so that the regex engine
# skips from one such character to the next (and at the very start on its own).
PREFILTER = re.compile(r"[^A-Za-z0-9][A-Za-z0-9]{14}")
_AT_START = re.compile(r"[A-Za-z0-9]{14}")
_PREFILTER_ASCII = ascii_twin(PREFILTER)


def _b58check(addr: str, versions: tuple[int, ...]) -> bool:
    n = 0
    for c in addr:
        n = n * 58 + _B58_INDEX[c]
    pad = len(addr) - len(addr.lstrip("1"))
    raw = b"\0" * pad + n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(raw) != 25 or raw[0] not in versions:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


def _bech32_ok(addr: str) -> bool:
    addr = addr.lower()
    hrp, data = addr[:2], [_BECH32_INDEX[c] for c in addr[3:]]
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp] + data:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk in (1, 0x2BC830A3)  # bech32, bech32m


# Keccak-256 (Ethereum's hash; hashlib's sha3_256 pads differently), for EIP-55.
_RC = (
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808A,
    0x8000000080008000,
    0x000000000000808B,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008A,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000A,
    0x000000008000808B,
    0x800000000000008B,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800A,
    0x800000008000000A,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
)
_ROT = (
    (0, 36, 3, 41, 18),
    (1, 44, 10, 45, 2),
    (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)
_MASK = (1 << 64) - 1


def _rol(x: int, n: int) -> int:
    return ((x << n) | (x >> (64 - n))) & _MASK if n else x


def _keccak_f(a: list[list[int]]) -> list[list[int]]:
    for rc in _RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rol(a[x][y], _ROT[x][y])
        a = [
            [b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)
        ]
        a[0][0] ^= rc
    return a


def keccak256(data: bytes, pad: int = 0x01) -> bytes:
    """Keccak-256 (``pad=0x06`` gives SHA3-256, used to test this against hashlib).

    Examples
    --------
    >>> keccak256(b"").hex()[:16]
    'c5d2460186f7233c'
    """
    rate = 136
    msg = bytearray(data) + bytes([pad])
    msg += b"\0" * (-len(msg) % rate)
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off : off + rate]
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        a = _keccak_f(a)
    out = b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def eth_checksum_ok(addr: str) -> bool:
    """EIP-55: an all-lower or all-upper address has no checksum; mixed case must match.

    Examples
    --------
    >>> eth_checksum_ok("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    True
    >>> eth_checksum_ok("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    False
    """
    hexpart = addr[2:]
    if hexpart == hexpart.lower() or hexpart == hexpart.upper():
        return True
    digest = keccak256(hexpart.lower().encode()).hex()
    return all(
        (c.upper() if int(h, 16) >= 8 else c.lower()) == c
        for c, h in zip(hexpart, digest, strict=False)
    )


def find_wallets(text: str) -> list[Identifier]:
    """Checksum-valid crypto addresses in ``text``.

    Examples
    --------
    >>> [w.value for w in find_wallets("BTC 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 only")]
    ['btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2']
    """
    found: list[Identifier] = []
    prefilter = _PREFILTER_ASCII if text.isascii() else PREFILTER
    if _AT_START.match(text) is None and prefilter.search(text) is None:
        return found
    for m in _LEGACY.finditer(text):
        if _b58check(m.group(), (0x00, 0x05)):
            found.append(
                Identifier("wallet", "btc:" + m.group(), m.group(), m.start(), m.end(), "btc", 0.95)
            )
    for m in _TRON.finditer(text):
        if _b58check(m.group(), (0x41,)):
            found.append(
                Identifier("wallet", "trx:" + m.group(), m.group(), m.start(), m.end(), "trx", 0.95)
            )
    for m in _SEGWIT.finditer(text):
        if _bech32_ok(m.group()):
            found.append(
                Identifier(
                    "wallet",
                    "btc:" + m.group().lower(),
                    m.group(),
                    m.start(),
                    m.end(),
                    "bech32",
                    0.95,
                )
            )
    for m in _ETH.finditer(text):
        if eth_checksum_ok(m.group()):
            found.append(
                Identifier(
                    "wallet", "eth:" + m.group().lower(), m.group(), m.start(), m.end(), "eth", 0.9
                )
            )
    return found

"""Photo fingerprints for the synthetic world: 64-bit pHash and 256-bit PDQ with re-upload noise.

A photo is a random base hash; each time it is posted a few bits flip, as
re-encoding does to a real perceptual hash. No pixels are made.
"""

from __future__ import annotations

import numpy as np

# How many bits flip on one re-upload, and how often (0-6 bits for pHash).
PHASH_FLIP_P = np.array([0.30, 0.22, 0.16, 0.12, 0.09, 0.07, 0.04])


def random_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` random 64-bit hashes as uint64.

    >>> random_hashes(np.random.default_rng(0), 2).dtype
    dtype('uint64')
    """
    return rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64) ^ (
        rng.integers(0, 2, n).astype(np.uint64) << np.uint64(63)
    )


def flip_bits(rng: np.random.Generator, base: np.ndarray, n_flips: np.ndarray) -> np.ndarray:
    """Flip `n_flips[i]` random bits of each 64-bit `base[i]` (positions drawn with
    replacement, so now and then one fewer: re-encoding noise, not an exact count).

    >>> b = np.zeros(3, dtype=np.uint64)
    >>> [bin(int(x)).count("1") <= k for x, k in zip(flip_bits(np.random.default_rng(1), b, np.array([0, 3, 6])), [0, 3, 6])]
    [True, True, True]
    """
    n = len(base)
    n_flips = np.asarray(n_flips)
    kmax = int(n_flips.max()) if n else 0
    mask = np.zeros(n, dtype=np.uint64)
    for j in range(kmax):  # bounded by the largest flip count (at most 64)
        pos = rng.integers(0, 64, n).astype(np.uint64)
        mask |= np.where(n_flips > j, np.uint64(1) << pos, np.uint64(0))
    return base ^ mask


def noisy_phash(rng: np.random.Generator, base: np.ndarray, max_bits: int = 6) -> np.ndarray:
    """One re-upload of each base hash: 0 to `max_bits` bits flipped."""
    p = PHASH_FLIP_P[: max_bits + 1] / PHASH_FLIP_P[: max_bits + 1].sum()
    k = rng.choice(len(p), size=len(base), p=p)
    return flip_bits(rng, base, k)


def to_hex(hashes: np.ndarray) -> list[str]:
    """16-hex-digit strings.

    >>> to_hex(np.array([255], dtype=np.uint64))
    ['00000000000000ff']
    """
    return [f"{h:016x}" for h in hashes.tolist()]


def pdq_hex(
    rng: np.random.Generator, base_ids: np.ndarray, seed: int, max_bits: int = 16
) -> list[str]:
    """256-bit PDQ hashes as 64 hex digits: a per-photo base (derived from `base_ids`) plus noise.

    The base of a photo is a pure function of (seed, photo id), so the same photo gets the same
    base wherever it appears without storing a table.
    """
    ids = np.asarray(base_ids, dtype=np.uint64)
    words = []
    for j in range(4):
        # splitmix64 of (photo id, word j, seed): deterministic per photo
        z = ids * np.uint64(4) + np.uint64(j) + np.uint64(seed * 0x9E3779B97F4A7C15 % 2**64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        words.append(z)
    k = rng.integers(0, max_bits + 1, len(ids))
    k_word = [(k + j) // 4 for j in range(4)]  # spread the flips over the four words
    words = [flip_bits(rng, w, kw) for w, kw in zip(words, k_word, strict=True)]
    return [
        f"{a:016x}{b:016x}{c:016x}{d:016x}"
        for a, b, c, d in zip(*(w.tolist() for w in words), strict=True)
    ]

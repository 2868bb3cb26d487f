"""Who posts in the synthetic world: operator sizes, personas, circuits, phones and photos.

Returns plain numpy arrays (one entry per operator, persona or independent);
`rows` turns them into one entry per account.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.synth import vocab as V
from workbench.synth.config import SynthConfig

CITY_COUNTRY = np.array([c[1] for c in V.CITIES])
COUNTRY_WEIGHT = {"US": 0.80, "CA": 0.07, "GB": 0.06, "MX": 0.07}
CITY_WEIGHT = np.array([COUNTRY_WEIGHT[c] / (CITY_COUNTRY == c).sum() for c in CITY_COUNTRY])
CITY_WEIGHT = CITY_WEIGHT / CITY_WEIGHT.sum()


def ragged_pick(rng: np.random.Generator, start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """For each i, a uniform index in [start[i], start[i] + count[i]).

    >>> ragged_pick(np.random.default_rng(0), np.array([0, 10]), np.array([1, 1])).tolist()
    [0, 10]
    """
    return start + np.floor(rng.random(len(start)) * count).astype(np.int64)


def operator_sizes(rng: np.random.Generator, total: int, cfg: SynthConfig) -> np.ndarray:
    """Heavy-tailed operator sizes (accounts each) summing to `total`."""
    if total < cfg.min_operator_size:
        return np.zeros(0, dtype=np.int64)
    est = int(total / cfg.min_operator_size) + 10
    u = rng.random(est)
    sizes = np.floor(cfg.min_operator_size * (1 - u) ** (-1.0 / cfg.size_tail)).astype(np.int64)
    sizes = np.minimum(sizes, cfg.max_operator_size)
    cum = np.cumsum(sizes)
    k = int(np.searchsorted(cum, total))
    sizes = sizes[: k + 1].copy()
    sizes[-1] = total - (cum[k - 1] if k else 0)
    if len(sizes) > 1 and sizes[-1] < cfg.min_operator_size:
        sizes[-2] += sizes[-1]
        sizes = sizes[:-1]
    return sizes


def independent_sizes(rng: np.random.Generator, total: int, cfg: SynthConfig) -> np.ndarray:
    """1 or 2 accounts per independent, summing to `total`."""
    sizes = 1 + (rng.random(total) < cfg.two_account_independents).astype(np.int64)
    cum = np.cumsum(sizes)
    k = int(np.searchsorted(cum, total))
    sizes = sizes[: k + 1].copy()
    sizes[-1] = total - (cum[k - 1] if k else 0)
    return sizes[sizes > 0]


def city_area(rng: np.random.Generator, cities: np.ndarray) -> np.ndarray:
    """A real area code of each city (random among the city's codes)."""
    r = rng.integers(0, 1 << 30, len(cities)).tolist()
    return np.array(
        [V.CITIES[c][4][x % len(V.CITIES[c][4])] for c, x in zip(cities.tolist(), r, strict=True)],
        dtype=object,
    )


@dataclass
class Operators:
    """One entry per operator (and flat ragged tables for circuits, personas, phones)."""

    size: np.ndarray
    home: np.ndarray
    circ_flat: np.ndarray
    circ_start: np.ndarray
    circ_len: np.ndarray
    plat_flat: np.ndarray
    plat_start: np.ndarray
    plat_len: np.ndarray
    t_start: np.ndarray
    t_end: np.ndarray
    growth: np.ndarray
    dwell: np.ndarray
    pers_start: np.ndarray
    pers_len: np.ndarray
    shared_start: np.ndarray
    shared_len: np.ndarray
    burner_chunk: np.ndarray
    obf: np.ndarray
    fav_style: np.ndarray
    price: np.ndarray  # (n, 3) qv, hh, h
    price_form: np.ndarray  # (n, 2)
    emoji: list[str]
    has_email: np.ndarray
    title_form: np.ndarray


def make_operators(
    rng: np.random.Generator, sizes: np.ndarray, cfg: SynthConfig, n_styles: int
) -> Operators:
    n = len(sizes)
    home = rng.choice(len(V.CITIES), n, p=CITY_WEIGHT)
    k_cities = np.clip(2 + rng.poisson(np.log2(sizes + 1)), 1, 10)
    by_country = {c: np.flatnonzero(CITY_COUNTRY == c) for c in COUNTRY_WEIGHT}
    circ: list[np.ndarray] = []
    # bounded: one small draw per operator (tens of thousands at 1M accounts)
    for h, k in zip(home.tolist(), k_cities.tolist(), strict=True):
        pool = by_country[CITY_COUNTRY[h]]
        others = pool[pool != h]
        k = min(k, len(others) + 1)
        circ.append(np.concatenate([[h], rng.choice(others, k - 1, replace=False)]))
    circ_len = np.array([len(c) for c in circ], dtype=np.int64)
    circ_start = np.concatenate([[0], np.cumsum(circ_len)[:-1]]) if n else np.zeros(0, np.int64)
    plat_len = rng.integers(1, 4, n)
    plat_flat = rng.integers(0, len(V.PLATFORMS), int(plat_len.sum()))
    plat_start = np.concatenate([[0], np.cumsum(plat_len)[:-1]]) if n else np.zeros(0, np.int64)
    t0 = rng.random(n) * 0.6 * cfg.days
    t1 = t0 + (0.3 + 0.7 * rng.random(n)) * (cfg.days - t0)
    pers_len = np.minimum(1 + np.minimum(rng.poisson(sizes / 12.0), 20), sizes)
    pers_start = np.concatenate([[0], np.cumsum(pers_len)[:-1]]) if n else np.zeros(0, np.int64)
    shared_len = 1 + np.minimum(rng.poisson(sizes / 40.0), 4)
    shared_start = np.concatenate([[0], np.cumsum(shared_len)[:-1]]) if n else np.zeros(0, np.int64)
    qv = rng.choice([60, 80, 100, 120], n)
    hh = qv + rng.choice([40, 60, 80, 100], n)
    h = hh + rng.choice([60, 80, 100, 150], n)
    obf = np.clip(rng.beta(2, 2, n) * 2 * cfg.obfuscation_rate, 0, 1)
    e_idx = rng.integers(0, len(V.EMOJI), (n, 3))
    e_len = rng.integers(1, 4, n)
    emoji = [
        "".join(V.EMOJI[j] for j in row[:k])
        for row, k in zip(e_idx.tolist(), e_len.tolist(), strict=True)
    ]
    return Operators(
        size=sizes,
        home=home,
        circ_flat=np.concatenate(circ) if n else np.zeros(0, np.int64),
        circ_start=circ_start,
        circ_len=circ_len,
        plat_flat=plat_flat,
        plat_start=plat_start,
        plat_len=plat_len,
        t_start=t0,
        t_end=t1,
        growth=rng.random(n) < 0.35,
        dwell=rng.uniform(3, 15, n),
        pers_start=pers_start,
        pers_len=pers_len,
        shared_start=shared_start,
        shared_len=shared_len,
        burner_chunk=rng.integers(1, 5, n),
        obf=obf,
        fav_style=rng.integers(0, n_styles, n),
        price=np.stack([qv, hh, h], axis=1),
        price_form=rng.integers(0, 12, (n, 2)),
        emoji=emoji,
        has_email=rng.random(n) < np.where(sizes >= 8, 0.55, 0.3),
        title_form=rng.integers(0, 6, n),
    )

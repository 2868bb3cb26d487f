"""Evidence weights estimated from the data in hand (Fellegi-Sunter).

Owns u (how often two accounts picked at random agree at each level of each comparison,
measured on random pairs of *this* dataset), m (how often two accounts of one operator
do, estimated by EM on the candidate pairs) and the weight log2(m/u) of every candidate
pair's comparisons. A value shared by k accounts weighs log2(m / (k/N)): the more
accounts carry it, the less it says. It does not choose candidates (``compare``) nor
group accounts (``resolve``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..textsim import estimate_similarity
from .compare import (
    ID_FAMILIES,
    TEXT_EDGES,
    TIME_EDGES,
    Coded,
    context_levels,
    photo_level,
    text_level,
)

log = logging.getLogger(__name__)

# Level 0 of every comparison is "not known on one side" and weighs nothing; identifier
# families are then 1 different, 2 shared; photos 1 none shared, 2-4 by distance; text 1
# below 0.3, then by similarity; city 1 same, 2 different; time by days apart.
LEVELS = {
    **{f: 3 for f in ID_FAMILIES},
    "photo": 5,
    "text": len(TEXT_EDGES) + 2,
    "city": 3,
    "time": len(TIME_EDGES) + 2,
}
MISSING = {name: 0 for name in LEVELS}
# Starting m (before EM): agreement is likelier for one operator's accounts. These act as
# a prior of PSEUDO_PAIRS pairs, so a tiny dataset keeps sensible weights.
PSEUDO_PAIRS = 20.0


def _start_m(name: str) -> np.ndarray:
    """Where EM starts, and the prior it is shrunk to: roughly what one operator's pairs
    showed on the held-out US world and on synth worlds (text not similar 0.73-0.81, no
    shared photo 0.68-0.80, same city 0.14-0.47). A dataset too small to learn from keeps
    these, so a shared phone or e-mail still links two ads."""
    levels = LEVELS[name]
    if name in ID_FAMILIES:
        start = np.array([0.0, 0.6, 0.4])
    elif name == "city":
        start = np.array([0.0, 0.4, 0.6])
    elif name == "time":
        start = np.r_[0.0, np.linspace(1.0, 0.2, levels - 1)]
    elif name == "photo":
        start = np.array([0.0, 0.7, 0.1, 0.1, 0.1])
    else:
        start = np.r_[0.0, 0.75, np.linspace(0.35, 0.15, levels - 2) * 0.25]
    return start / start.sum()


@dataclass
class Weights:
    """Fitted parameters: m and u per comparison level, the prior, and the sessions' sizes."""

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    prior: float  # probability that two accounts picked at random are one operator's
    n_accounts: int
    expected_matches: float
    value_bits: np.ndarray = field(
        repr=False, default=None
    )  # weight of sharing each value (by value number)
    value_precision: np.ndarray = field(
        repr=False, default=None
    )  # share of its pairs that match, estimated
    sessions: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """One row per comparison level: m, u and the weight in bits (for the report and tests)."""
        rows = []
        for name, m in self.m.items():
            for level, (mv, uv) in enumerate(zip(m, self.u[name], strict=True)):
                rows.append(
                    {
                        "comparison": name,
                        "level": level,
                        "m": mv,
                        "u": uv,
                        "weight_bits": float(np.log2(max(mv, 1e-9) / uv)) if level else 0.0,
                    }
                )
        return pd.DataFrame(rows)


def random_pairs(n: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``size`` pairs of distinct account positions drawn uniformly."""
    rng = np.random.default_rng(seed)
    i, j = rng.integers(0, n, size), rng.integers(0, n, size)
    keep = i != j
    return i[keep], j[keep]


def _hash_matrix(accounts: pd.DataFrame, width: int = 4) -> np.ndarray:
    """Up to ``width`` pHashes per account as uint64; missing slots are -1 (all bits set)."""
    out = np.full((len(accounts), width), np.iinfo(np.uint64).max, dtype=np.uint64)
    if "image_hashes" not in accounts:
        return out
    parts = accounts["image_hashes"].fillna("").astype(str).str.split(";", n=width, expand=True)
    for col in range(min(width, parts.shape[1])):  # bounded by width
        cell = parts[col].fillna("").str.strip().str.lower()
        ok = cell.str.fullmatch(r"[0-9a-f]{16}").fillna(False).to_numpy()
        out[ok, col] = np.array([int(h, 16) for h in cell[ok]], dtype=np.uint64)
    return out


def _frequencies(levels: np.ndarray, n_levels: int) -> np.ndarray:
    counts = np.bincount(levels.astype(np.int64), minlength=n_levels)[:n_levels].astype(float)
    return counts / max(counts.sum(), 1.0)


def estimate_u(
    accounts: pd.DataFrame,
    coded: Coded,
    table: pd.DataFrame,
    max_k: int,
    photo_radius: int,
    signatures: np.ndarray | None,
    present: dict[str, np.ndarray],
    pairs: int,
    seed: int,
) -> dict[str, np.ndarray]:
    """u per comparison level on this dataset.

    Identifier families: exactly, from how many accounts carry the family and how many
    pairs share a value (held by 2..max_k accounts). Photos, text, city and time: on
    ``pairs`` random pairs. A level never seen among them is given half a pair, so no
    weight is infinite.
    """
    n = len(accounts)
    all_pairs = max(n * (n - 1) / 2, 1.0)
    ri, rj = random_pairs(n, pairs, seed)
    floor = 0.5 / max(len(ri), 1)
    u = {}
    counted = (coded.k >= 2) & (coded.k <= max_k)
    for family in ID_FAMILIES:
        on = counted & (coded.family == family)
        agree = float((coded.k[on] * (coded.k[on] - 1) / 2).sum() / all_pairs)
        both = float(present[family].mean()) ** 2
        u[family] = np.array([1 - both, max(both - agree, floor), max(agree, 1.0 / all_pairs)])
    hashes = _hash_matrix(accounts)
    slots = hashes != np.iinfo(np.uint64).max
    step = 1 << 18
    distance = np.empty(len(ri), dtype=np.int64)
    for s in range(0, len(ri), step):  # bounded: memory chunks
        a, b = hashes[ri[s : s + step]], hashes[rj[s : s + step]]
        d = np.bitwise_count(a[:, :, None] ^ b[:, None, :]).astype(np.int64)
        both = slots[ri[s : s + step]][:, :, None] & slots[rj[s : s + step]][:, None, :]
        distance[s : s + step] = np.where(both, d, 99).min(axis=(1, 2))
    has_photo = present["photo"][ri] & present["photo"][rj]
    u["photo"] = _frequencies(
        photo_level(distance, distance <= photo_radius, has_photo, photo_radius), LEVELS["photo"]
    )
    has_text = present["text"][ri] & present["text"][rj]
    if signatures is not None:
        u["text"] = _frequencies(
            text_level(estimate_similarity(signatures, ri, rj), has_text), LEVELS["text"]
        )
    else:  # every candidate pair counted as chance: an upper bound on u
        seen = (
            np.bincount(table["text"].to_numpy(dtype=np.int64), minlength=LEVELS["text"])
            / all_pairs
        )
        seen[0] = 1 - has_text.mean()
        seen[1] = max(1 - seen[0] - seen[2:].sum(), floor)
        u["text"] = seen
    city, time = context_levels(accounts, ri, rj)
    u["city"], u["time"] = _frequencies(city, LEVELS["city"]), _frequencies(time, LEVELS["time"])
    return {name: np.maximum(values, floor) for name, values in u.items()}


def comparison_levels(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """The level of every comparison for each candidate pair of ``compare``'s table."""
    levels = {
        f: np.where(
            table[f"x_{f}"].to_numpy() >= 0, 2, table[f"both_{f}"].to_numpy().astype(np.int8)
        ).astype(np.int8)
        for f in ID_FAMILIES
    }
    for name in ("photo", "text", "city", "time"):
        levels[name] = table[name].to_numpy(dtype=np.int8)
    return levels


def _log_ratio(m: np.ndarray, u: np.ndarray, name: str) -> np.ndarray:
    ratio = np.log2(np.maximum(m, 1e-9) / u)
    ratio[MISSING[name]] = 0.0
    return ratio


def expectation_maximisation(
    levels: dict[str, np.ndarray],
    u: dict[str, np.ndarray],
    train: list[str],
    m: dict[str, np.ndarray],
    share: float = 0.5,
    iterations: int = 30,
    fixed: tuple[str, ...] = (),
) -> tuple[dict[str, np.ndarray], float]:
    """EM for m (of the ``train`` comparisons) and the share of matches among these pairs.

    The comparisons a session's pairs were chosen by are left out of it (as Splink does):
    they agree on every pair and so say nothing about m. ``fixed`` comparisons count in
    the likelihood with the m given, and are not learnt.
    """
    n = len(next(iter(levels.values()))) if levels else 0
    known = {name: m[name] for name in fixed}
    start = share
    m = {name: m[name].copy() for name in train}
    if n == 0:
        return m, share
    for _ in range(iterations):  # bounded; each step is vectorised over the pairs
        score = np.full(n, np.log2(share / (1 - share)))
        for name in train:
            score += _log_ratio(m[name], u[name], name)[levels[name]]
        for name in fixed:
            score += _log_ratio(known[name], u[name], name)[levels[name]]
        p = 1.0 / (1.0 + np.exp2(-np.clip(score, -60, 60)))
        total = p.sum()
        for name in train:
            counts = np.bincount(levels[name], weights=p, minlength=LEVELS[name])[: LEVELS[name]]
            m[name] = (counts + PSEUDO_PAIRS * _start_m(name)) / (total + PSEUDO_PAIRS)
        share = float(np.clip((total + PSEUDO_PAIRS * start) / (n + PSEUDO_PAIRS), 1e-6, 1 - 1e-6))
    return m, share


def _other_evidence(
    levels: dict[str, np.ndarray],
    u: dict[str, np.ndarray],
    m: dict[str, np.ndarray],
    names: list[str],
) -> np.ndarray:
    """Likelihood ratio (match vs not) of each pair from the comparisons ``names`` alone."""
    score = np.zeros(len(next(iter(levels.values()))))
    for name in names:
        score += _log_ratio(m[name], u[name], name)[levels[name]]
    return np.exp2(np.clip(score, -60, 60))


# Accounts per value, in bins: a value's pairs are judged with the others of its family and bin.
K_EDGES = (2, 5, 20)
# A value's own pairs count against SHRINK_PAIRS pairs of its bin's average.
SHRINK_PAIRS = 2.0


def _mixture_share(
    group: np.ndarray,
    ratio: np.ndarray,
    n_groups: int,
    start: np.ndarray,
    prior_pairs: float,
    iterations: int = 40,
) -> np.ndarray:
    """Per group, the share of its pairs that are matches (maximum a posteriori, EM): each pair's
    ``ratio`` is its likelihood ratio by other evidence; ``start`` (per group) is both the
    starting value and the prior mean, worth ``prior_pairs`` pairs."""
    count = np.bincount(group, minlength=n_groups).astype(float)
    share = start.copy()
    for _ in range(iterations):  # bounded; vectorised over pairs
        s = share[group]
        r = s * ratio / (s * ratio + 1 - s)
        share = (np.bincount(group, weights=r, minlength=n_groups) + prior_pairs * start) / (
            count + prior_pairs
        )
    return share


def value_precision(
    table: pd.DataFrame,
    ratio: np.ndarray,
    mask: np.ndarray,
    families: list[str],
    coded: Coded,
    base: float,
) -> np.ndarray:
    """Per value: the estimated share of its pairs that are one operator's, from how its pairs
    compare on the *other* evidence (``ratio``), by EM per value, shrunk towards the values
    of its family and k-bin (themselves estimated by EM from ``base``).

    This is how hubs are judged by the data: a footer's phone or a stock photo whose accounts
    share nothing else scores low however few accounts carry it, an operator's phone on 40
    ads with one style, city and time scores high however many.
    """
    precision = np.full(len(coded.k), np.nan)
    kbin = np.searchsorted(np.asarray(K_EDGES), coded.k, side="left")
    n_bins = len(K_EDGES) + 1
    for family in families:
        x = table[f"x_{family}"].to_numpy()
        on = mask & (x >= 0)
        if not on.any():
            continue
        xs, rs = x[on], ratio[on]
        bins = _mixture_share(kbin[xs], rs, n_bins, np.full(n_bins, base), 1.0)
        share = _mixture_share(xs, rs, len(coded.k), bins[kbin], SHRINK_PAIRS)
        seen = np.bincount(xs, minlength=len(coded.k)) > 0
        precision[seen] = share[seen]
    return precision


def fit(
    accounts: pd.DataFrame,
    coded: Coded,
    table: pd.DataFrame,
    max_k: int,
    photo_radius: int,
    present: dict[str, np.ndarray],
    signatures: np.ndarray | None = None,
    u_pairs: int = 1_000_000,
    seed: int = 0,
) -> Weights:
    """u from random pairs, m by EM in two sessions, the prior from the expected matches, and
    the weight of each shared value from how often its pairs match by the other evidence.

    Session 1 takes the pairs that share an identifier and learns m of photos, text, city
    and time; by them each identifier value is judged. Session 2 takes the pairs found by
    photo or text and learns m of the identifiers, city and time (averaged over both
    sessions); by them each photo is judged.
    """
    n = len(accounts)
    u = estimate_u(accounts, coded, table, max_k, photo_radius, signatures, present, u_pairs, seed)
    levels = comparison_levels(table)
    m = {name: _start_m(name) for name in LEVELS}
    by_id = np.zeros(len(table), dtype=bool)
    for f in ID_FAMILIES:
        by_id |= levels[f] == 2
    by_weak = (levels["photo"] >= 2) | (levels["text"] >= 2)
    train1, train2 = ["photo", "text", "city", "time"], [*ID_FAMILIES, "city", "time"]
    # Where the other evidence says little (no text, photos, cities or dates), the share
    # stays near its start: pairs sharing an identifier are mostly one operator's (an
    # identifier-only linker is 0.995 precise on the held-out US world, 1.0 on synth ones
    # without its site footers).
    m1, share1 = expectation_maximisation(
        {k: v[by_id] for k, v in levels.items()}, u, train1, m, share=0.95
    )
    m2, share2 = expectation_maximisation({k: v[by_weak] for k, v in levels.items()}, u, train2, m)
    m.update(m1)
    m.update({f: m2[f] for f in ID_FAMILIES})
    # Each identifier family's m again, on the pairs that share an identifier of another
    # family (photo/text pairs alone misjudge it: on the held-out US world they put a
    # different e-mail at 1 in 3,500 of one operator's pairs, -7 bits, where pairs sharing a
    # phone show it is common). Photos, text, city and time count with session 1's m.
    for family in ID_FAMILIES:
        other = np.zeros(len(table), dtype=bool)
        for f in ID_FAMILIES:
            if f != family:
                other |= levels[f] == 2
        if (levels[family][other] > 0).sum() >= PSEUDO_PAIRS:
            mf, _ = expectation_maximisation(
                {k: v[other] for k, v in levels.items()},
                u,
                [family],
                m,
                share=0.95,
                fixed=tuple(train1),
            )
            m[family] = mf[family]
    w1, w2 = by_id.sum() * share1, by_weak.sum() * share2
    for name in ("city", "time"):
        m[name] = (m1[name] * w1 + m2[name] * w2) / max(w1 + w2, 1e-9)
    # Expected matches among all pairs: each session sees the matches its comparisons catch.
    caught1 = 1 - np.prod([1 - m[f][2] for f in ID_FAMILIES])
    caught2 = 1 - (1 - m["photo"][2:].sum()) * (1 - m["text"][2:].sum())
    estimates = [s / c for s, c in ((w1, caught1), (w2, caught2)) if c > 0.05 and s > 0]
    expected = float(np.mean(estimates)) if estimates else max(n / 2, 1.0)
    all_pairs = max(n * (n - 1) / 2, 1.0)
    prior = float(np.clip(expected / all_pairs, 1e-12, 0.5))
    r1 = np.ones(len(table))
    r1[by_id] = _other_evidence({k: v[by_id] for k, v in levels.items()}, u, m1, train1)
    r2 = np.ones(len(table))
    r2[by_weak] = _other_evidence({k: v[by_weak] for k, v in levels.items()}, u, m2, train2)
    precision = value_precision(table, r1, by_id, list(ID_FAMILIES), coded, share1)
    photo = value_precision(table, r2, by_weak, ["photo"], coded, share2)
    precision = np.where(np.isnan(precision), photo, precision)
    clipped = np.clip(precision, 1e-6, 1 - 1e-6)
    value_bits = np.log2(clipped / (1 - clipped)) - np.log2(prior / (1 - prior))
    sessions = {
        "identifier_pairs": int(by_id.sum()),
        "identifier_match_share": round(share1, 4),
        "photo_text_pairs": int(by_weak.sum()),
        "photo_text_match_share": round(share2, 4),
    }
    log.info(
        "link weights: prior %.3g (%.0f expected matching pairs), sessions %s",
        prior,
        expected,
        sessions,
    )
    return Weights(
        m=m,
        u=u,
        prior=prior,
        n_accounts=n,
        expected_matches=expected,
        value_bits=value_bits,
        value_precision=precision,
        sessions=sessions,
    )


def pair_weights(table: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """Weight in bits of each comparison of each candidate pair, and the pair's log-odds.

    Agreeing on an identifier or photo weighs what that value's own pairs earned
    (``value_precision``); the other levels weigh log2(m/u).
    """
    levels = comparison_levels(table)
    out = pd.DataFrame(index=table.index)
    value_bits = np.r_[weights.value_bits, 0.0]  # one spare slot: rows without a value index it
    for name, level in levels.items():
        ratio = _log_ratio(weights.m[name], weights.u[name], name)
        w = ratio[level]
        if name in ID_FAMILIES or name == "photo":
            x = table[f"x_{name}"].to_numpy()
            w = np.where(x >= 0, value_bits[np.where(x >= 0, x, -1)], w)
        out[f"w_{name}"] = w
    prior = np.log2(weights.prior / (1 - weights.prior))
    out["log_odds"] = prior + out.sum(axis=1)
    out["probability"] = 1.0 / (1.0 + np.exp2(-np.clip(out["log_odds"].to_numpy(), -60, 60)))
    return out

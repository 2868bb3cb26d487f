"""Assemble one synthetic world: who posts which account, when, where, with which identifiers.

Draws every per-account choice as numpy arrays; `render` turns them into text
and `cases` writes the known-case table. The ground truth is kept beside.
"""

from __future__ import annotations

import logging

import numpy as np

from workbench.synth import vocab as V
from workbench.synth.config import SynthConfig
from workbench.synth.contacts import HANDLE_PLATFORMS, make_usernames
from workbench.synth.people import (
    CITY_WEIGHT,
    city_area,
    independent_sizes,
    make_operators,
    operator_sizes,
    ragged_pick,
)
from workbench.synth.phones import OBFUSCATED_STYLES, allocate_phones

log = logging.getLogger(__name__)

# Signals by which a resurfacing operator can be tied back to its case, and their weights.
SIGNALS = ("photo", "template", "handle", "email")
SIGNAL_WEIGHTS = np.array([0.35, 0.25, 0.2, 0.2])
CITY_REGION = np.array([c[1] for c in V.CITIES], dtype=object)


def _starts(lengths: np.ndarray) -> np.ndarray:
    return (
        np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        if len(lengths)
        else np.zeros(0, np.int64)
    )


class Draws:
    """Every per-row, per-owner and per-identifier array of one world (an attribute bag)."""


def draw_world(n: int, seed: int, cfg: SynthConfig) -> Draws:
    """Draw the structure of a world: owners, rows, phones, photos, cases (no text yet)."""
    rng = np.random.default_rng(seed)
    d = Draws()
    d.n = n
    op_sizes = operator_sizes(rng, int(round(n * cfg.operator_share)), cfg)
    n_op_rows = int(op_sizes.sum())
    ind_sizes = independent_sizes(rng, n - n_op_rows, cfg)
    d.ops = ops = make_operators(rng, op_sizes, cfg, len(OBFUSCATED_STYLES))
    d.n_ops, d.n_ind = n_ops, n_ind = len(op_sizes), len(ind_sizes)
    d.op_rows = n_op_rows

    # personas of operators
    n_pers = int(ops.pers_len.sum())
    d.pers_op = np.repeat(np.arange(n_ops), ops.pers_len)
    d.pers_name = rng.integers(0, len(V.NAMES), n_pers)
    d.pers_age = rng.integers(18, 26, n_pers)
    d.pers_nphoto = rng.integers(2, 7, n_pers)
    d.pers_photo_start = _starts(d.pers_nphoto)
    n_photos = int(d.pers_nphoto.sum())
    has_handle = rng.random(n_pers) < 0.45
    d.pers_handle_plat = rng.integers(0, len(HANDLE_PLATFORMS), n_pers)
    taken: set[str] = set()
    names = [V.NAMES[i] for i in d.pers_name.tolist()]
    users = make_usernames(rng, names, taken)
    d.pers_handle = np.array(
        [u if h else "" for u, h in zip(users, has_handle.tolist(), strict=True)], dtype=object
    )
    cash = rng.random(n_pers) < 0.12
    d.pers_cash = np.array(
        [
            u.replace(".", "").replace("_", "").capitalize() if c else ""
            for u, c in zip(users, cash.tolist(), strict=True)
        ],
        dtype=object,
    )
    first_name = [V.NAMES[d.pers_name[s]] for s in ops.pers_start.tolist()]
    op_users = make_usernames(rng, first_name, taken)
    d.email_domain = np.array(V.EMAIL_DOMAINS, dtype=object)
    dom = rng.integers(0, len(V.EMAIL_DOMAINS), n_ops)
    d.op_email = np.array(
        [
            f"{u}@{V.EMAIL_DOMAINS[k]}" if e else ""
            for u, k, e in zip(op_users, dom.tolist(), ops.has_email.tolist(), strict=True)
        ],
        dtype=object,
    )

    # independents
    d.ind_home = ind_home = rng.choice(len(V.CITIES), n_ind, p=CITY_WEIGHT)
    d.ind_name = rng.integers(0, len(V.NAMES), n_ind)
    d.ind_age = rng.integers(18, 30, n_ind)
    ind_users = make_usernames(rng, [V.NAMES[i] for i in d.ind_name.tolist()], taken)
    has_h = rng.random(n_ind) < 0.25
    d.ind_handle = np.array(
        [u if h else "" for u, h in zip(ind_users, has_h.tolist(), strict=True)], dtype=object
    )
    d.ind_handle_plat = rng.integers(0, len(HANDLE_PLATFORMS), n_ind)
    has_e = rng.random(n_ind) < 0.12
    dom = rng.integers(0, len(V.EMAIL_DOMAINS), n_ind)
    d.ind_email = np.array(
        [
            f"{u}@{V.EMAIL_DOMAINS[k]}" if e else ""
            for u, k, e in zip(ind_users, dom.tolist(), has_e.tolist(), strict=True)
        ],
        dtype=object,
    )
    d.ind_nphoto = rng.integers(1, 4, n_ind)
    d.ind_photo_start = n_photos + _starts(d.ind_nphoto)
    n_photos += int(d.ind_nphoto.sum())

    # rows: operators' accounts first, then independents'
    row_op = np.repeat(np.arange(n_ops), op_sizes)
    row_ind = np.repeat(np.arange(n_ind), ind_sizes)
    d.row_owner = np.concatenate([row_op, n_ops + row_ind])
    d.is_op = d.row_owner < n_ops
    d.row_op = np.concatenate([row_op, np.full(len(row_ind), -1)])
    d.row_ind = np.concatenate([np.full(n_op_rows, -1), row_ind])
    persona = ragged_pick(rng, ops.pers_start[row_op], ops.pers_len[row_op])
    d.persona = np.concatenate([persona, np.full(len(row_ind), -1)])
    u = rng.random(n_op_rows)
    frac = np.where(ops.growth[row_op], np.sqrt(u), u)
    t_op = ops.t_start[row_op] + (ops.t_end[row_op] - ops.t_start[row_op]) * frac
    pos = (
        np.floor((t_op - ops.t_start[row_op]) / ops.dwell[row_op]).astype(np.int64)
        % ops.circ_len[row_op]
    )
    city_op = ops.circ_flat[ops.circ_start[row_op] + pos]
    plat_op = ops.plat_flat[ragged_pick(rng, ops.plat_start[row_op], ops.plat_len[row_op])]
    ind_t0 = rng.random(n_ind) * cfg.days
    second = (
        np.concatenate([[0], (row_ind[1:] == row_ind[:-1]).astype(np.int64)])
        if len(row_ind)
        else row_ind
    )
    t_ind = np.minimum(
        ind_t0[row_ind] + second * rng.uniform(0.5, 25, len(row_ind)), cfg.days - 1e-3
    )
    d.t = np.concatenate([t_op, t_ind])
    d.city = np.concatenate([city_op, ind_home[row_ind]])
    d.platform = np.concatenate([plat_op, rng.integers(0, len(V.PLATFORMS), len(row_ind))])
    hub = rng.random(n) < cfg.hub_ads_share
    hub_plat = np.array([V.PLATFORMS.index(p) for p in V.HUB_PLATFORMS])
    d.platform[hub] = hub_plat[rng.integers(0, len(hub_plat), int(hub.sum()))]
    # hub sites only where drawn as hub; others move to a random ordinary site
    plain_plat = np.setdiff1d(np.arange(len(V.PLATFORMS)), hub_plat)
    moved = ~hub & np.isin(d.platform, hub_plat)
    d.platform[moved] = plain_plat[rng.integers(0, len(plain_plat), int(moved.sum()))]

    _cases_and_resurfacing(rng, d, cfg)
    n_photos = _phones(rng, d, cfg, n_photos)
    _photos(rng, d, cfg)
    return d


def _cases_and_resurfacing(rng: np.random.Generator, d: Draws, cfg: SynthConfig) -> None:
    ops = d.ops
    eligible = ops.size >= 4
    d.case_op = eligible & (rng.random(d.n_ops) < cfg.case_share)
    if d.n_ops and not d.case_op.any() and eligible.any():
        d.case_op[np.flatnonzero(eligible)[0]] = True  # every world has at least one case
    d.resurf_op = d.case_op & (rng.random(d.n_ops) < cfg.resurfaced_share)
    if d.case_op.any() and not d.resurf_op.any():
        d.resurf_op[np.flatnonzero(d.case_op)[0]] = True
    q = rng.uniform(0.55, 0.8, d.n_ops)
    d.cutoff = np.where(d.resurf_op, ops.t_start + q * (ops.t_end - ops.t_start), np.inf)
    op = np.where(d.is_op, d.row_op, 0)
    d.resurfaced = d.is_op & (d.t > d.cutoff[op]) if d.n_ops else np.zeros(d.n, bool)
    # which signal ties each resurfaced account back to its case
    has_handle = np.zeros(d.n, bool)
    has_handle[d.is_op] = d.pers_handle[d.persona[d.is_op]] != ""
    has_email = d.is_op & (d.op_email[op] != "") if d.n_ops else np.zeros(d.n, bool)
    avail = np.stack([np.ones(d.n, bool), np.ones(d.n, bool), has_handle, has_email], axis=1)
    w = avail * SIGNAL_WEIGHTS
    cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    pick = (rng.random(d.n)[:, None] > cum).sum(axis=1)
    d.signal = np.where(d.resurfaced, np.array(SIGNALS, dtype=object)[np.minimum(pick, 3)], "")


def _phones(rng: np.random.Generator, d: Draws, cfg: SynthConfig, n_photos: int) -> int:
    ops = d.ops
    n_pers = len(d.pers_op)
    pers_has = rng.random(n_pers) < 0.4
    is_op = d.is_op
    op = np.where(is_op, d.row_op, 0)
    # phone category of operator rows: 0 shared, 1 persona, 2 burner, 3 new (after resurfacing)
    u = rng.random(d.n)
    cat = np.where(u < cfg.burner_rate, 2, np.where(u < cfg.burner_rate + 0.35, 1, 0))
    pers = np.where(is_op, d.persona, 0)
    cat = np.where((cat == 1) & ~pers_has[pers], 0, cat) if n_pers else cat
    cat = np.where(d.resurfaced, 3, cat)
    # burner chunks: consecutive burner ads of one operator share one burner
    b_rows = np.flatnonzero(is_op & (cat == 2))
    b_rows = b_rows[np.lexsort((d.t[b_rows], op[b_rows]))]
    b_op = op[b_rows]
    first = np.concatenate([[True], b_op[1:] != b_op[:-1]]) if len(b_rows) else np.zeros(0, bool)
    grp_start = (
        np.maximum.accumulate(np.where(first, np.arange(len(b_rows)), 0)) if len(b_rows) else b_rows
    )
    rank = np.arange(len(b_rows)) - grp_start
    chunk_key = b_op.astype(np.int64) * 1000 + rank // ops.burner_chunk[b_op]
    uniq, first_idx, b_inv = np.unique(chunk_key, return_index=True, return_inverse=True)
    # requests: (region city, owner) for every phone to allocate
    int(ops.shared_len.sum())
    shared_city = np.repeat(ops.home, ops.shared_len)
    pers_city = ops.home[d.pers_op]
    burner_city = d.city[b_rows[first_idx]] if len(uniq) else np.zeros(0, np.int64)
    ind_phone = rng.random(d.n_ind) < 0.85
    ind_home = d.ind_home
    d.new_len = np.where(d.resurf_op, rng.integers(1, 3, d.n_ops), 0)
    new_city = np.repeat(ops.home, d.new_len)
    n_decoy = int(np.ceil(d.case_op.sum() * cfg.decoy_case_share))
    d.decoy_phone_len = rng.integers(1, 4, n_decoy)
    decoy_city = rng.choice(len(V.CITIES), int(d.decoy_phone_len.sum()), p=CITY_WEIGHT)
    blocks = [shared_city, pers_city, burner_city, ind_home, new_city, decoy_city]
    cities = np.concatenate(blocks).astype(np.int64)
    regions = CITY_REGION[cities]
    areas = city_area(rng, cities)
    regions = np.concatenate([regions, ["US", "US", "US"]])
    areas = np.concatenate([areas, ["888", "844", "415"]])  # the hub sites' support lines
    taken: set[str] = set()
    nat = allocate_phones(rng, regions, areas, taken)
    d.phone_region, d.phone_nat = regions, nat
    offs = np.cumsum([0] + [len(b) for b in blocks])
    pers_phone = np.where(pers_has, offs[1] + np.arange(n_pers), -1)
    row_phone = np.full(d.n, -1, dtype=np.int64)
    shared_pick = ragged_pick(rng, ops.shared_start[op], ops.shared_len[op]) if d.n_ops else op
    row_phone[is_op] = shared_pick[is_op]
    m = is_op & (cat == 1)
    row_phone[m] = pers_phone[pers[m]]
    row_phone[b_rows] = offs[2] + b_inv
    d.new_start = offs[4] + _starts(d.new_len)
    m = d.resurfaced
    row_phone[m] = ragged_pick(rng, d.new_start[op[m]], d.new_len[op[m]])
    ind_phone_id = np.where(ind_phone, offs[3] + np.arange(d.n_ind), -1)
    ri = ~is_op
    second_no = (rng.random(d.n) < 0.2) & np.concatenate([[False], d.row_ind[1:] == d.row_ind[:-1]])
    row_phone[ri] = np.where(second_no[ri], -1, ind_phone_id[d.row_ind[ri]])
    d.row_phone = row_phone
    d.decoy_phone_start = offs[5] + _starts(d.decoy_phone_len)
    d.hub_phone_ids = np.arange(offs[6], offs[6] + 3)
    # fresh photos for resurfacing operators (a new look not in the case file)
    d.fresh_start = n_photos + np.arange(d.n_ops) * 3
    return n_photos + 3 * d.n_ops


def _photos(rng: np.random.Generator, d: Draws, cfg: SynthConfig) -> None:
    n = d.n
    k = rng.choice(5, n, p=[0.05, 0.28, 0.28, 0.24, 0.15])
    row = np.repeat(np.arange(n), k)
    persona = d.persona[row]
    pick = rng.random(len(row))
    pid = (
        np.where(
            d.is_op[row],
            d.pers_photo_start[np.maximum(persona, 0)]
            + np.floor(pick * d.pers_nphoto[np.maximum(persona, 0)]).astype(np.int64),
            d.ind_photo_start[np.maximum(d.row_ind[row], 0)]
            + np.floor(pick * d.ind_nphoto[np.maximum(d.row_ind[row], 0)]).astype(np.int64),
        )
        if len(d.pers_photo_start)
        else d.ind_photo_start[d.row_ind[row]]
        + np.floor(pick * d.ind_nphoto[d.row_ind[row]]).astype(np.int64)
    )
    fresh = d.resurfaced[row] & (d.signal[row] != "photo")
    op = np.where(d.is_op[row], d.row_op[row], 0)
    if d.n_ops:
        pid = np.where(fresh, d.fresh_start[op] + np.floor(pick * 3).astype(np.int64), pid)
    flips = rng.choice(7, len(row), p=np.array([0.30, 0.22, 0.16, 0.12, 0.09, 0.07, 0.04]))
    n_photos = (
        int(d.fresh_start[-1] + 3) if d.n_ops else int(d.ind_photo_start[-1] + d.ind_nphoto[-1])
    )
    # stock photos reused by many unrelated accounts
    n_stock = 40
    d.stock_ids = n_photos + np.arange(n_stock)
    n_photos += n_stock
    s_rows = np.flatnonzero(rng.random(n) < cfg.stock_photo_rate)
    s_id = d.stock_ids[rng.zipf(1.5, len(s_rows)) % n_stock]
    # missing children: their photos appear in a few ads of one operator each
    n_missing = cfg.n_missing if cfg.n_missing is not None else max(3, n // 2500)
    d.n_missing = n_missing
    d.missing_len = rng.integers(1, 3, n_missing)
    d.missing_start = n_photos + _starts(d.missing_len)
    n_photos += int(d.missing_len.sum())
    seen = rng.random(n_missing) < cfg.missing_seen_share
    m_rows, m_ids, m_case = [], [], []
    for c in np.flatnonzero(seen).tolist():  # bounded: a few missing-child cases
        if d.n_ops == 0:
            break
        o = int(rng.integers(d.n_ops))
        rows = np.flatnonzero(d.row_op == o)
        take = rng.choice(rows, min(len(rows), int(rng.integers(1, 6))), replace=False)
        m_rows.append(take)
        m_ids.append(d.missing_start[c] + rng.integers(0, d.missing_len[c], len(take)))
        m_case.append(np.full(len(take), c))
    m_rows = np.concatenate(m_rows) if m_rows else np.zeros(0, np.int64)
    m_ids = np.concatenate(m_ids) if m_ids else np.zeros(0, np.int64)
    d.row_missing = np.full(n, -1, dtype=np.int64)
    if len(m_rows):
        d.row_missing[m_rows] = np.concatenate(m_case)
    # near misses: photos 11-16 bits from a missing child's photo (a trap, not a match)
    near_rows = rng.integers(0, n, 2 * n_missing)
    near_ids = d.missing_start[np.repeat(np.arange(n_missing), 2)]
    d.photo_row = np.concatenate([row, s_rows, m_rows, near_rows])
    d.photo_id = np.concatenate([pid, s_id, m_ids, near_ids]).astype(np.int64)
    d.photo_flips = np.concatenate(
        [
            flips,
            rng.integers(0, 3, len(s_rows)),
            rng.integers(0, 5, len(m_rows)),
            rng.integers(11, 17, len(near_rows)),
        ]
    )
    order = np.lexsort((rng.random(len(d.photo_row)), d.photo_row))
    d.photo_row, d.photo_id, d.photo_flips = (
        d.photo_row[order],
        d.photo_id[order],
        d.photo_flips[order],
    )
    d.n_photos = n_photos
    log.debug("world draws: %d accounts, %d operators, %d photos", n, d.n_ops, n_photos)

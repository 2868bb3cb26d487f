"""Synthetic worlds with ground truth: operators, independents, hubs, traps, known cases.

`generate_world` draws a world (deterministic for a seed); `write_world` writes
its `accounts.csv`, `cases.csv` and `truth.csv`. Only invented data.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from workbench.synth.cases import assign_case_ids, build_cases
from workbench.synth.config import SynthConfig, World
from workbench.synth.render import render_accounts
from workbench.synth.world import draw_world

__all__ = ["SynthConfig", "World", "generate_world", "write_world", "write_sample"]

log = logging.getLogger(__name__)


def generate_world(
    n_accounts: int = 5000, seed: int = 0, config: SynthConfig | None = None
) -> World:
    """Draw a synthetic world of `n_accounts` accounts with its cases and ground truth.

    Parameters
    ----------
    n_accounts : number of accounts (ads) in the world.
    seed : the same seed gives the same world, byte for byte once written.
    config : knobs; `SynthConfig()` by default.

    Returns
    -------
    World with `accounts`, `cases`, `truth` DataFrames and `info` (hub phones and emails,
    placeholders, stock photo hashes, popular phrases).

    Examples
    --------
    >>> w = generate_world(300, seed=1)
    >>> len(w.accounts), list(w.truth.columns[:4])
    (300, ['account_id', 'operator_id', 'case_id', 'resurfaced'])
    """
    cfg = config or SynthConfig()
    d = draw_world(int(n_accounts), seed, cfg)
    op_case, decoy_ids = assign_case_ids(
        np.random.default_rng([seed, 3]), d.case_op, len(d.decoy_phone_len)
    )
    accounts, truth, info = render_accounts(d, cfg, seed, op_case)
    order = info.pop("row_order")
    texts = accounts["text"].tolist()
    texts_by_row = [None] * d.n
    for pos, row in enumerate(order.tolist()):
        texts_by_row[row] = texts[pos]
    cases = build_cases(d, seed, op_case, decoy_ids, texts_by_row, info.pop("photo_hashes"))
    info.update(seed=seed, config=cfg, n_operators=d.n_ops, n_independents=d.n_ind)
    log.info("synthetic world: %d accounts, %d operators, %d cases", d.n, d.n_ops, len(cases))
    return World(accounts=accounts, cases=cases, truth=truth, info=info)


def write_world(world: World, out_dir: str | Path) -> dict[str, Path]:
    """Write `accounts.csv`, `cases.csv`, `truth.csv` (UTF-8, header row) into `out_dir`.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_world(generate_world(50, seed=2), tempfile.mkdtemp())
    >>> sorted(paths)
    ['accounts', 'cases', 'truth']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in ("accounts", "cases", "truth"):
        path = out / f"{name}.csv"
        getattr(world, name).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths[name] = path
    return paths


def write_sample(out_dir: str | Path, n_accounts: int = 3000, seed: int = 7) -> dict[str, Path]:
    """Write the small sample world committed under `data/sample/`."""
    return write_world(generate_world(n_accounts, seed=seed), out_dir)

"""Run the templated notebooks with parameters (papermill), for researchers who don't edit code.

Owns finding a notebook by name and executing a copy into an output folder.
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path

from .io import InputError

log = logging.getLogger(__name__)

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def available() -> list[str]:
    """Names of the shipped notebooks."""
    return sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))


def parse_params(pairs: list[str]) -> dict:
    """``["n=5", "path=a.csv", "flag=True"]`` -> ``{"n": 5, "path": "a.csv", "flag": True}``.

    Examples
    --------
    >>> parse_params(["n_accounts=500", "accounts=data/x.csv"])
    {'n_accounts': 500, 'accounts': 'data/x.csv'}
    """
    params = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(
                "--param", f"{pair!r} is not KEY=VALUE", "Write it like --param accounts=my_ads.csv"
            )
        key, value = pair.split("=", 1)
        try:
            params[key.strip()] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key.strip()] = value
    return params


def run_notebook(name: str, params: list[str] | dict, out: Path) -> Path:
    """Execute ``notebooks/<name>.ipynb`` with ``params`` and write the executed copy into ``out``.

    Relative paths given as parameters are taken from the current folder; the
    notebook runs from its own folder so its defaults (``../data/sample``) work.
    """
    import papermill  # noqa: PLC0415

    stem = name.removesuffix(".ipynb")
    source = NOTEBOOK_DIR / f"{stem}.ipynb"
    if not source.exists():
        raise InputError(name, "no such notebook", f"Choose one of: {', '.join(available())}")
    values = parse_params(params) if isinstance(params, list) else dict(params)
    for key, value in values.items():  # make file parameters absolute: the notebook runs elsewhere
        if isinstance(value, str) and (Path(value).exists() or key in ("out", "folder")) and value:
            values[key] = str(Path(value).resolve())
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    values.setdefault("out", str(out / "outputs"))
    target = out / f"{stem}.ipynb"
    papermill.execute_notebook(
        str(source),
        str(target),
        parameters=values,
        cwd=str(NOTEBOOK_DIR),
        progress_bar=False,
        kernel_name="python3",
    )
    return target

"""The case package: one folder an analyst can hand to a partner or a liaison.

Owns selecting one entity's (or one case's) accounts, links, leads and decisions from
a run, drawing its timeline and movement as static SVG (no tiles, no CDN), and the
manifest with sha256 of every file. Text from ads is escaped by the template.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, select_autoescape

from . import io
from .io import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selection:
    """What goes into a package: the accounts and the tables about them."""

    subject: str
    accounts: pd.DataFrame
    links: pd.DataFrame
    identifiers: pd.DataFrame
    leads: pd.DataFrame
    summary: pd.DataFrame


def select(
    run_dir: Path, accounts: pd.DataFrame, entity: str | None = None, case: str | None = None
) -> Selection:
    """Pick one entity, or every entity with a lead to one case, from a run's output folder."""
    run_dir = Path(run_dir)
    need = ["entities.csv", "links.csv", "identifiers.csv", "leads.csv", "entity_summary.csv"]
    for name in need:
        if not (run_dir / name).exists():
            raise InputError(
                str(run_dir / name),
                "is missing",
                "Give the --out folder of a finished `workbench run`.",
            )
    read = lambda name: pd.read_csv(run_dir / name, dtype=str, keep_default_na=False)  # noqa: E731
    entities, leads = read("entities.csv"), read("leads.csv")
    if entity:
        members = entities.loc[entities["entity_id"] == entity, "account_id"]
        if members.empty:
            raise InputError(
                str(run_dir / "entities.csv"),
                f"no entity {entity!r}",
                "Copy an entity_id from entity_summary.csv.",
                column="entity_id",
            )
        subject, case_leads = f"entity {entity}", leads[leads["account_id"].isin(members)]
    elif case:
        case_leads = leads[leads["case_id"] == case]
        if case_leads.empty:
            raise InputError(
                str(run_dir / "leads.csv"),
                f"no leads for case {case!r}",
                "Check the case id.",
                column="case_id",
            )
        touched = entities.loc[entities["account_id"].isin(case_leads["account_id"]), "entity_id"]
        members = entities.loc[entities["entity_id"].isin(touched), "account_id"]
        subject = f"case {case}"
    else:
        raise InputError(
            "--entity/--case",
            "say which entity or case to package",
            "Add --entity E00012 or --case C0003.",
        )
    keep = set(members)
    links = read("links.csv")
    links = links[links["src"].isin(keep) & links["dst"].isin(keep)]
    identifiers = read("identifiers.csv")
    identifiers = identifiers[identifiers["account_id"].isin(keep)]
    summary = read("entity_summary.csv")
    summary = summary[
        summary["entity_id"].isin(entities.loc[entities["account_id"].isin(keep), "entity_id"])
    ]
    acc = accounts[accounts["account_id"].isin(keep)].sort_values("posted_at")
    return Selection(subject, acc, links, identifiers, case_leads, summary)


def timeline_svg(accounts: pd.DataFrame, width: int = 900, height: int = 260) -> str:
    """Posts over time, one row per city, as a static SVG."""
    posts = accounts.dropna(subset=["posted_at"])
    if posts.empty:
        return "<p>No dates.</p>"
    times = pd.to_datetime(posts["posted_at"])
    t0, t1 = times.min(), times.max()
    span = max((t1 - t0).total_seconds(), 1.0)
    cities = list(dict.fromkeys(posts["city"].fillna("?").astype(str)))[:12]
    row = {c: i for i, c in enumerate(cities)}
    step = (height - 40) / max(len(cities), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">']
    for c, i in row.items():
        parts.append(
            f'<text x="4" y="{24 + i * step + 4:.0f}" font-size="11">{html.escape(c[:18])}</text>'
        )
    for t, c in zip(times, posts["city"].fillna("?").astype(str), strict=True):
        if c in row:
            x = 140 + (t - t0).total_seconds() / span * (width - 160)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{24 + row[c] * step:.1f}" r="4" fill="#3b7dd8" opacity=".7"/>'
            )
    parts.append(f'<text x="140" y="{height - 6}" font-size="11">{t0:%Y-%m-%d}</text>')
    parts.append(
        f'<text x="{width - 90}" y="{height - 6}" font-size="11">{t1:%Y-%m-%d}</text></svg>'
    )
    return "".join(parts)


def movement_svg(accounts: pd.DataFrame, width: int = 600, height: int = 400) -> str:
    """Cities by longitude/latitude joined in posting order: a map without tiles."""
    pts = accounts.dropna(subset=["lat", "lon"]).sort_values("posted_at")
    if pts.empty:
        return "<p>No coordinates.</p>"
    lon, lat = pts["lon"].astype(float).to_numpy(), pts["lat"].astype(float).to_numpy()
    pad = 1.0
    x0, x1, y0, y1 = lon.min() - pad, lon.max() + pad, lat.min() - pad, lat.max() + pad
    sx = lambda v: 20 + (v - x0) / (x1 - x0) * (width - 40)  # noqa: E731
    sy = lambda v: height - 20 - (v - y0) / (y1 - y0) * (height - 40)  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">']
    path = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(lon, lat, strict=True))
    parts.append(f'<polyline points="{path}" fill="none" stroke="#b8c2cc"/>')
    cities = pts.groupby(pts["city"].fillna("?").astype(str)).agg(
        lon=("lon", "mean"), lat=("lat", "mean"), n=("lon", "size")
    )
    for city, r in cities.iterrows():
        rad = 4 + 2 * np.log1p(r["n"])
        parts.append(
            f'<circle cx="{sx(r["lon"]):.1f}" cy="{sy(r["lat"]):.1f}" r="{rad:.1f}" fill="#d8573b" opacity=".8"/>'
        )
        parts.append(
            f'<text x="{sx(r["lon"]) + 8:.1f}" y="{sy(r["lat"]) + 4:.1f}" font-size="11">{html.escape(city[:20])} ({int(r["n"])})</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def write_package(
    selection: Selection,
    out: Path,
    review_path: Path | None = None,
    parameters: dict | None = None,
    pseudonymise_key: str | None = None,
) -> Path:
    """Write the package folder and its ``manifest.json``; returns the folder."""
    from . import __version__  # noqa: PLC0415

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sel = selection
    identifiers, links, leads, accounts = sel.identifiers, sel.links, sel.leads, sel.accounts
    if pseudonymise_key:
        from .privacy import pseudonymise_tables  # noqa: PLC0415

        identifiers, links, leads, accounts = pseudonymise_tables(
            pseudonymise_key, identifiers, links, leads, accounts
        )
    decisions = pd.DataFrame()
    if review_path is not None and Path(review_path).exists():
        from .review import ReviewLog  # noqa: PLC0415

        history = ReviewLog(review_path).history()
        ids = (
            set(accounts["account_id"])
            | set(sel.summary["entity_id"])
            | set(leads["case_id"] + "/" + leads["account_id"])
        )
        decisions = history[history["item_id"].isin(ids)]
    tables = {
        "accounts.csv": accounts,
        "identifiers.csv": identifiers,
        "links.csv": links,
        "leads.csv": leads,
        "entity_summary.csv": sel.summary,
        "decisions.csv": decisions,
    }
    for name, table in tables.items():
        io.write_csv(table, out / name)
    ident_counts = (
        identifiers.groupby(["kind", "value"])["account_id"].nunique().rename("n").reset_index()
    )
    indicators = [
        s
        for r in sel.summary.get("risk_reasons", pd.Series(dtype=str))
        for s in str(r).split("; ")
        if s
    ]
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(
        resources.files("workbench").joinpath("templates/package.html.j2").read_text("utf-8")
    )
    page = template.render(
        subject=sel.subject,
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
        n_accounts=len(accounts),
        pseudonymised=bool(pseudonymise_key),
        indicators=list(dict.fromkeys(indicators)),
        links=links.to_dict("records"),
        leads=leads.to_dict("records") if len(leads) else [],
        identifiers=ident_counts.sort_values("n", ascending=False).to_dict("records"),
        accounts=accounts.assign(posted_at=accounts["posted_at"].astype(str)).to_dict("records"),
        decisions=decisions.to_dict("records"),
        timeline_svg=timeline_svg(accounts),
        map_svg=movement_svg(accounts),
    )
    io.write_bytes(page, out / "report.html")
    files = sorted(p for p in out.iterdir() if p.is_file() and p.name != "manifest.json")
    manifest = {
        "subject": sel.subject,
        "workbench_version": __version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "parameters": parameters or {},
        "pseudonymised": bool(pseudonymise_key),
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }
    io.write_bytes(json.dumps(manifest, indent=2), out / "manifest.json")
    return out

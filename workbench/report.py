"""The self-contained HTML report of a run (offline, all ad text escaped).

Owns rendering: it reads the result tables and writes HTML; it computes nothing new
beyond small layouts for pictures. Jinja2 autoescaping escapes every value, so ad
text with HTML or script shows as text.
"""

from __future__ import annotations

import datetime as _dt
import html
import logging
from importlib import resources

import networkx as nx
import numpy as np
import pandas as pd
from jinja2 import Environment, select_autoescape

log = logging.getLogger(__name__)

TYPE_COLOURS = {
    "account": "#3b7dd8",
    "phone": "#d8573b",
    "email": "#8e44ad",
    "handle": "#16a085",
    "image": "#e1a100",
    "payment": "#2c3e50",
    "wallet": "#7f8c8d",
    "url": "#95a5a6",
    "case": "#c0392b",
}


def generated_at() -> _dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set, so reports can be rebuilt byte for byte."""
    import os  # noqa: PLC0415

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return (
        _dt.datetime.fromtimestamp(int(epoch), _dt.UTC)
        if epoch and epoch.isdigit()
        else _dt.datetime.now()
    )


def _environment() -> Environment:
    return Environment(
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def network_svg(graph: nx.Graph, width: int = 900, height: int = 520, seed: int = 0) -> str:
    """A small static SVG of a graph (spring layout); labels are escaped.

    Examples
    --------
    >>> "<svg" in network_svg(nx.path_graph(3))
    True
    """
    if graph.number_of_nodes() == 0:
        return ""
    pos = nx.spring_layout(graph, seed=seed)
    xy = np.array(list(pos.values()))
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo == 0, 1, hi - lo)
    scaled = {
        n: (
            30 + (p[0] - lo[0]) / span[0] * (width - 60),
            30 + (p[1] - lo[1]) / span[1] * (height - 60),
        )
        for n, p in pos.items()
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for a, b in graph.edges:
        (x1, y1), (x2, y2) = scaled[a], scaled[b]
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#b8c2cc"/>'
        )
    for node, data in graph.nodes(data=True):
        x, y = scaled[node]
        kind = data.get("type", "account")
        colour = "#bbbbbb" if data.get("hub") else TYPE_COLOURS.get(kind, "#555")
        label = html.escape(str(data.get("label", node))[:40])
        title = html.escape(f"{kind}: {data.get('label', node)}")
        shape = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}"><title>{title}</title></circle>'
            if kind == "account"
            else f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}"><title>{title}</title></rect>'
        )
        parts.append(shape)
        if kind != "account":
            parts.append(
                f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="10" fill="#334">{label}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def map_html(clusters: pd.DataFrame, max_points: int = 20_000, seed: int = 0) -> str:
    """The trend map as an inline plotly figure (plotly.js inlined: works offline)."""
    import plotly.graph_objects as go  # noqa: PLC0415

    if clusters is None or clusters.empty:
        return ""
    shown = (
        clusters.sample(max_points, random_state=seed) if len(clusters) > max_points else clusters
    )
    colour = shown["cluster"].astype(int)
    fig = go.Figure(
        go.Scattergl(
            x=shown["x"],
            y=shown["y"],
            mode="markers",
            marker=dict(size=4, color=colour, colorscale="Turbo", opacity=0.7),
            text=shown["account_id"].astype(str).map(html.escape)
            + " · cluster "
            + colour.astype(str),
            hoverinfo="text",
        )
    )
    fig.update_layout(
        title="Trend map (UMAP), coloured by cluster; grey = noise",
        height=520,
        margin=dict(l=20, r=20, t=40, b=20),
        template="plotly_white",
    )
    return fig.to_html(
        full_html=False, include_plotlyjs=True, config={"displaylogo": False}, div_id="trend-map"
    )


def render_report(
    result, title: str = "Workbench report", max_rows: int = 50, include_map: bool = True
) -> str:
    """Render ``report.html`` for a pipeline ``Result``."""
    from . import __version__  # noqa: PLC0415
    from .graph import identifier_graph  # noqa: PLC0415

    es = result.entity_summary
    leads = result.leads
    n_multi = int(len(es))
    cards = [
        ("accounts", f"{len(result.entities):,}"),
        ("linked entities (2+ accounts)", f"{n_multi:,}"),
        ("identifiers found", f"{len(result.identifiers):,}"),
        ("leads to cases", f"{len(leads):,}"),
        (
            "trend clusters",
            f"{result.clusters['cluster'].max() + 1 if len(result.clusters) else 0:,}",
        ),
        ("hubs set aside", f"{len(result.hubs):,}"),
    ]
    lines = []
    if len(leads):
        missing = leads[leads.get("case_kind", "") == "missing"]
        if len(missing):
            lines.append(
                f"{len(missing)} accounts show a photo that matches a missing-child case: review these first."
            )
        lines.append(
            f"{leads['case_id'].nunique()} known cases have leads; the best is {leads['score'].max():.2f}."
        )
    if n_multi:
        top = es.iloc[0]
        lines.append(
            f"The highest-priority entity, {top['entity_id']}, links {top['n_accounts']} accounts "
            f"in {top['n_cities']} cities: {top['risk_reasons'] or 'no indicator fired'}."
        )
    graph_svg, sample = "", []
    if n_multi:
        top_id = es.iloc[0]["entity_id"]
        members = result.entities.loc[result.entities["entity_id"] == top_id, "account_id"]
        ev = (
            result.evidence[result.evidence["account_id"].isin(members)]
            if result.evidence is not None
            else None
        )
        if ev is not None and len(ev) and members.size <= 300:
            graph_svg = network_svg(identifier_graph(ev, hubs=result.hubs))
        cols = ["account_id", "city", "posted_at", "text"]
        sample = (
            result.accounts.loc[result.accounts["account_id"].isin(members), cols]
            .head(10)
            .to_dict("records")
        )
    stories = (
        result.cluster_summary.head(max_rows).to_dict("records")
        if result.cluster_summary is not None
        else []
    )
    env = _environment()
    template = env.from_string(
        resources.files("workbench").joinpath("templates/report.html.j2").read_text("utf-8")
    )
    return template.render(
        title=title,
        generated=generated_at().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
        backend=result.backend,
        n_accounts=f"{len(result.entities):,}",
        n_cases=len(result.cases) if result.cases is not None else 0,
        cards=cards,
        summary_lines=lines,
        leads=leads.head(max_rows * 2).to_dict("records"),
        n_leads=len(leads),
        entities=es.head(max_rows).to_dict("records"),
        n_entities=n_multi,
        graph_svg=graph_svg,
        stories=stories,
        map_html=map_html(result.clusters) if include_map else "",
        hubs=result.hubs.head(max_rows).to_dict("records"),
        sample_ads=sample,
        warnings=result.warnings.head(max_rows).to_dict("records"),
        n_warnings=len(result.warnings),
        files="entities.csv, links.csv, identifiers.csv, entity_summary.csv, clusters.csv, cluster_summary.csv, "
        "leads.csv, hubs.csv, warnings.csv, graph.graphml",
    )

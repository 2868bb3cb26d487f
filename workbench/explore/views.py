"""The explorer's views as builders: trend map, accounts table, entity card.

Owns how each view looks. Figures are plotly ``FigureWidget``s created once and updated
in place (a new widget would ship plotly.js again); tables are HTML strings in which
every cell is passed through ``html.escape``, because ad text is hostile input.
"""

from __future__ import annotations

import copy
import html
import logging

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets
from plotly.colors import qualitative
from plotly.subplots import make_subplots

log = logging.getLogger(__name__)

PALETTE = np.array(qualitative.Plotly + qualitative.D3 + qualitative.Dark24)
QUIET = "#c8c8c8"
COLOUR_MODES = ("cluster", "entity", "risk", "case")
TEXT_CHARS = 280
TABLE_STYLE = """<style>
.wb-table {border-collapse: collapse; font: 12px sans-serif; width: 100%;}
.wb-table th {background: #f0f0f0; text-align: left; position: sticky; top: 0;}
.wb-table td, .wb-table th {border: 1px solid #ddd; padding: 3px 5px; vertical-align: top;}
.wb-table td.wb-text {min-width: 280px; max-width: 480px; white-space: pre-wrap; word-break: break-word;}
.wb-table td.wb-ids {max-width: 260px; word-break: break-all;}
.wb-indicators {width: auto !important;}
.wb-bar {background: #e66; height: 8px; display: inline-block;}
</style>"""


def esc(value) -> str:
    """Text as HTML that shows and never runs: ``None``/NaN become empty.

    Examples
    --------
    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def html_table(
    frame: pd.DataFrame,
    css_class: str = "wb-table",
    text_columns=("text",),
    id_columns=("identifiers",),
) -> str:
    """An HTML table of ``frame`` with every header and cell escaped.

    Examples
    --------
    >>> html_table(pd.DataFrame({"text": ["<script>x</script>"]}))
    '<table class="wb-table"><thead><tr><th>text</th></tr></thead><tbody><tr><td class="wb-text">&lt;script&gt;x&lt;/script&gt;</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    cells = []
    for col in frame.columns:  # per column, vectorised over the (bounded) rows
        attr = (
            ' class="wb-text"'
            if col in text_columns
            else (' class="wb-ids"' if col in id_columns else "")
        )
        cells.append(f"<td{attr}>" + frame[col].map(esc).astype(str) + "</td>")
    body = (
        "".join("<tr>" + "".join(parts) + "</tr>" for parts in zip(*cells, strict=True))
        if cells
        else ""
    )
    return f'<table class="{esc(css_class)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# A discrete colour scale: value 0 is the quiet grey, values 1..n the palette. Numbers
# rather than colour strings, because plotly validates a string array element by element
# (about a second for 50k points) and a numeric one at once.
DISCRETE_SCALE = [[i / len(PALETTE), c] for i, c in enumerate([QUIET, *PALETTE])]


def _discrete(codes: np.ndarray, quiet: np.ndarray) -> np.ndarray:
    return np.where(quiet, 0, np.asarray(codes, dtype=np.int64) % len(PALETTE) + 1).astype(np.int16)


def map_colours(points: pd.DataFrame, mode: str) -> dict:
    """Marker settings for the trend map coloured by ``cluster``, ``entity``, ``risk`` or ``case``.

    Discrete modes give integer codes on :data:`DISCRETE_SCALE` (0 = grey: noise,
    single accounts, no case).

    Examples
    --------
    >>> pts = pd.DataFrame({"cluster": [0, -1], "entity_id": ["E", "F"], "entity_size": [2, 1],
    ...                     "risk_score": [0.5, 0.0], "cases": ["C1", ""]})
    >>> map_colours(pts, "cluster")["color"].tolist()
    [1, 0]
    """
    if mode == "risk":
        return {
            "color": points["risk_score"].to_numpy(float),
            "colorscale": "YlOrRd",
            "cmin": 0.0,
            "cmax": 1.0,
            "showscale": True,
        }
    if mode == "cluster":
        codes = points["cluster"].to_numpy()
        colours = _discrete(np.maximum(codes, 0), codes < 0)
    elif mode == "entity":
        codes = pd.factorize(points["entity_id"])[0]
        colours = _discrete(codes, points["entity_size"].to_numpy() <= 1)
    elif mode == "case":
        first_case = points["cases"].str.split(",", n=1).str[0]
        codes = pd.factorize(first_case)[0]
        colours = _discrete(codes, first_case.to_numpy() == "")
    else:
        raise ValueError(f"colour mode must be one of {COLOUR_MODES}, not {mode!r}")
    return {
        "color": colours,
        "colorscale": DISCRETE_SCALE,
        "cmin": 0,
        "cmax": len(PALETTE),
        "showscale": False,
    }


class Figure(go.FigureWidget):
    """A ``FigureWidget`` that redraws itself when the browser drew it without its figure.

    plotly opens a figure's channel to the browser empty and sends its traces and layout in
    the messages that follow. On a busy machine those messages were lost while anywidget was
    still loading plotly's 5 MB script, and the map and network came up as empty default
    plots (a real JupyterLab on a loaded 2-core machine; the browser held 0 traces). Once drawn, the browser reports the traces
    it holds; when it holds none of this figure's, the figure sends them again with its layout.
    """

    @traitlets.observe("_js2py_traceDeltas")
    def _redraw_if_empty(self, change) -> None:
        report = change["new"] or {}
        if "trace_deltas" in report and not report["trace_deltas"] and len(self.data):
            log.info(
                "the browser drew a figure without its %d traces; sending them again",
                len(self.data),
            )
            self._send_addTraces_msg(copy.deepcopy(self._data))
            self._send_relayout_msg(copy.deepcopy(self._layout))


def trend_map(points: pd.DataFrame, mode: str = "cluster") -> go.FigureWidget:
    """The UMAP map as one Scattergl trace; box or lasso selection selects accounts.

    ``points`` are the drawn accounts (a sample at scale); trace point ``i`` is row ``i``.
    """
    hover = (
        "account "
        + points["account_id"].map(esc)
        + "<br>entity "
        + points["entity_id"].map(esc)
        + "<br>cluster "
        + points["cluster"].astype(str)
    )
    trace = go.Scattergl(
        x=points["x"].to_numpy(),
        y=points["y"].to_numpy(),
        mode="markers",
        hovertext=hover.to_numpy(),
        hoverinfo="text",
        name="accounts",
        marker={"size": 5, "opacity": 0.8},
        unselected={"marker": {"opacity": 0.15}},
    )
    fig = Figure(data=[trace])
    fig.update_layout(
        dragmode="select",
        height=430,
        width=600,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title={"text": "Trend map (UMAP): drag a box or lasso to select", "font": {"size": 13}},
        xaxis={"visible": False},
        yaxis={"visible": False},
        showlegend=False,
        font={"family": "sans-serif"},
        plot_bgcolor="white",
        clickmode="event+select",
    )
    recolour(fig, points, mode)
    return fig


def recolour(fig: go.FigureWidget, points: pd.DataFrame, mode: str) -> None:
    """Recolour the map in place."""
    marker = map_colours(points, mode)
    with fig.batch_update():
        fig.data[0].marker.color = marker["color"]
        fig.data[0].marker.colorscale = marker["colorscale"]
        fig.data[0].marker.cmin, fig.data[0].marker.cmax = marker["cmin"], marker["cmax"]
        fig.data[0].marker.showscale = marker["showscale"]


def accounts_table(
    rows: pd.DataFrame, identifiers: pd.DataFrame, total: int, why: pd.Series | None = None
) -> str:
    """HTML of the selected accounts: text, city, time, identifiers, entity, risk; all escaped.

    ``rows`` are already cut to what is shown; ``identifiers`` are (at least) theirs;
    ``total`` is the size of the whole selection.
    """
    if not len(rows):
        return (
            TABLE_STYLE
            + '<div class="wb-empty">No accounts selected. Select points on the map or search.</div>'
        )
    ids = identifiers[identifiers["account_id"].isin(rows["account_id"])]
    labels = (
        (ids["kind"].astype(str) + " " + ids["value"].astype(str))
        .groupby(ids["account_id"])
        .agg(lambda v: "; ".join(dict.fromkeys(v)))
    )
    text = rows["title"].str.cat(rows["text"], sep=" | ").str.slice(0, TEXT_CHARS)
    shown = pd.DataFrame(
        {
            "account": rows["account_id"].to_numpy(),
            "text": text.to_numpy(),
            "city": rows["city"].to_numpy(),
            "posted": rows["posted_at"].dt.strftime("%Y-%m-%d %H:%M").fillna("").to_numpy(),
            "identifiers": rows["account_id"].map(labels).fillna("").to_numpy(),
            "entity": rows["entity_id"].to_numpy(),
            "risk": rows["risk_score"].round(2).to_numpy(),
            "cases": rows["cases"].to_numpy(),
        }
    )
    if why is not None:
        shown.insert(1, "match", rows["account_id"].map(why).fillna("").to_numpy())
    caption = f"<div class='wb-caption'>{len(rows)} of {total} selected accounts shown (highest risk first)</div>"
    return TABLE_STYLE + caption + html_table(shown)


def entity_header(summary_row: pd.Series | None, entity_id: str, members: pd.DataFrame) -> str:
    """Entity title, size and indicators (bars) with the reasons that fired, escaped."""
    first, last = members["posted_at"].min(), members["posted_at"].max()
    title = (
        f"<h4>Entity {esc(entity_id)}</h4><div>{len(members)} accounts, "
        f"{members['city'].nunique()} cities, {esc(first)} to {esc(last)}</div>"
    )
    if summary_row is None:
        return TABLE_STYLE + title + "<div>Single account: no indicators computed.</div>"
    inds = summary_row[[c for c in summary_row.index if str(c).startswith("ind_")]].astype(float)
    bars = "".join(
        f"<tr><td>{esc(name[4:].replace('_', ' '))}</td><td><span class='wb-bar' style='width:{int(v * 120)}px'></span>"
        f" {v:.2f}</td></tr>"
        for name, v in inds.items()
    )  # about ten indicators
    reasons = [r for r in str(summary_row.get("risk_reasons", "")).split("; ") if r]
    items = "".join(f"<li>{esc(r)}</li>" for r in reasons) or "<li>no indicator fired</li>"
    return (
        TABLE_STYLE + title + f"<div><b>risk score {float(summary_row['risk_score']):.2f}</b></div>"
        f"<table class='wb-table wb-indicators'>{bars}</table><div>Reasons:</div><ul>{items}</ul>"
    )


def card_figure() -> go.FigureWidget:
    """Empty entity-card figure: posts over time (left) and movement on plain lon/lat axes (right).

    The movement panel uses no tile server and no topojson (nothing is fetched): cities
    are points at their coordinates joined in posting order.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        subplot_titles=("Posts over time", "Movement between cities (lon/lat, offline)"),
    )
    fig.add_trace(
        go.Scatter(
            x=[],
            y=[],
            mode="markers",
            name="posts",
            hoverinfo="text",
            marker={"size": 8, "color": "#1f77b4"},
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[],
            y=[],
            mode="lines",
            name="moves",
            hoverinfo="skip",
            line={"color": "#999", "width": 1},
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=[],
            y=[],
            mode="markers+text",
            name="cities",
            hoverinfo="text",
            textposition="top center",
            marker={"color": "#d62728"},
        ),
        row=1,
        col=2,
    )
    fig.update_layout(
        height=330,
        width=1000,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"family": "sans-serif"},
    )
    fig.update_xaxes(title_text="lon", row=1, col=2)
    fig.update_yaxes(title_text="lat", scaleanchor="x2", scaleratio=1, row=1, col=2)
    return Figure(fig)


def _places(members: pd.DataFrame, km_degrees: float = 0.5) -> pd.Series:
    """One label per place: accounts within about 50 km of each other (single linkage on
    coordinates) share the most frequent spelling of their city, so ``YYC``, ``Calgary AB``
    and ``Calgary`` are one place; accounts without coordinates keep their city as written.

    Examples
    --------
    >>> m = pd.DataFrame({"lat": [51.05, 51.12, 51.0, 43.7], "lon": [-114.07, -114.0, -114.1, -79.4],
    ...                   "city": ["Calgary", "YYC", "Calgary", "TO"]})
    >>> _places(m).tolist()
    ['Calgary', 'Calgary', 'Calgary', 'TO']
    """
    from scipy.cluster.hierarchy import fcluster, linkage  # noqa: PLC0415

    cells = pd.DataFrame(
        {"lat": members["lat"].round(1), "lon": members["lon"].round(1)}, index=members.index
    )
    located = cells.dropna()
    unique = located.drop_duplicates()  # bounded: distinct 0.1-degree cells of one entity
    labels = (
        fcluster(linkage(unique.to_numpy(), "single"), t=km_degrees, criterion="distance")
        if len(unique) > 1
        else np.ones(len(unique), dtype=int)
    )
    cell_place = pd.Series(labels, index=pd.MultiIndex.from_frame(unique))
    key = pd.Series("city:" + members["city"], index=members.index)
    key.loc[located.index] = (
        "place:" + cell_place.reindex(pd.MultiIndex.from_frame(located)).astype(str).to_numpy()
    )
    counts = pd.DataFrame(
        {"key": key, "city": members["city"]}
    ).value_counts()  # most frequent first
    spelling = counts.reset_index().drop_duplicates("key").set_index("key")["city"]
    return key.map(spelling)


def update_card_figure(fig: go.FigureWidget, members: pd.DataFrame) -> None:
    """Draw one entity's posts and moves (members sorted by time) into the card figure."""
    members = members.assign(place=_places(members))
    hover = (
        members["account_id"].map(esc)
        + "<br>"
        + members["city"].map(esc)
        + "<br>"
        + members["title"].str.slice(0, 60).map(esc)
        + "<br>"
        + members["platform"].map(esc)
    )
    located = members.dropna(subset=["lat", "lon"])
    moves = located[
        located["place"].ne(located["place"].shift())
    ]  # consecutive posts in one place are one stay
    places = located.groupby("place").agg(
        lat=("lat", "median"), lon=("lon", "median"), n=("account_id", "size")
    )
    with fig.batch_update():
        fig.data[0].x = members["posted_at"].dt.strftime("%Y-%m-%d %H:%M").fillna("").tolist()
        fig.data[0].y = members["place"].map(esc).tolist()
        fig.data[0].hovertext = hover.tolist()
        fig.data[1].x, fig.data[1].y = moves["lon"].tolist(), moves["lat"].tolist()
        fig.data[2].x, fig.data[2].y = places["lon"].tolist(), places["lat"].tolist()
        fig.data[2].text = [esc(c) for c in places.index]
        fig.data[2].hovertext = [f"{esc(c)}: {n} posts" for c, n in places["n"].items()]
        fig.data[2].marker.size = (8 + 3 * np.sqrt(places["n"].to_numpy())).tolist()


def photos_html(photo_groups: pd.DataFrame) -> str:
    """The photo groups an entity posted: representative hash, spread over accounts and cities."""
    if not len(photo_groups):
        return "<div>No shared photos.</div>"
    cols = [
        c
        for c in ("group_id", "hash", "n_accounts", "n_cities", "cities", "first_seen", "last_seen")
        if c in photo_groups.columns
    ]
    return "<div><b>Photo groups</b></div>" + html_table(
        photo_groups[cols].head(30), text_columns=("cities",)
    )


def leads_html(leads: pd.DataFrame) -> str:
    """Leads from this entity's accounts to known cases, best first, with reasons."""
    if not len(leads):
        return "<div>No leads to known cases.</div>"
    cols = [
        c for c in ("case_id", "case_kind", "account_id", "score", "reasons") if c in leads.columns
    ]
    shown = leads.sort_values("score", ascending=False)[cols].head(50).copy()
    shown["score"] = shown["score"].astype(float).round(3)
    return "<div><b>Leads to cases</b></div>" + html_table(shown, text_columns=("reasons",))

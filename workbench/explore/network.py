"""The network view: one entity's neighbourhood, grown one hop at a time, drawn with plotly.

Owns which nodes a neighbourhood holds (accounts, identifiers, photo groups, cases;
hubs shown but never expanded) and the drawing into a ``FigureWidget`` with one fixed
trace per node type. It never draws the whole graph: every hop is capped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .data import ExploreData
from .views import Figure, esc

log = logging.getLogger(__name__)

# node type -> (colour, symbol, size); the order is the trace order in the figure
NODE_STYLE = {
    "account": ("#1f77b4", "circle", 11),
    "case": ("#d62728", "star", 20),
    "phone": ("#2ca02c", "diamond", 11),
    "email": ("#ff7f0e", "diamond", 11),
    "handle": ("#17becf", "diamond", 11),
    "payment": ("#bcbd22", "diamond", 11),
    "wallet": ("#8c564b", "diamond", 11),
    "url": ("#e377c2", "diamond", 11),
    "image": ("#9467bd", "square", 12),
    "hub": ("#7f7f7f", "x", 14),
}
NODE_TYPES = tuple(NODE_STYLE)
EDGE_STYLE = {"has": ("#bbbbbb", "solid"), "lead": ("#d62728", "dash"), "text": ("#1f77b4", "dot")}
EDGE_TYPES = tuple(EDGE_STYLE)


@dataclass(frozen=True)
class Neighbourhood:
    """The accounts in view; everything else drawn is derived from them."""

    entity_id: str
    accounts: tuple[str, ...]
    hops: int = 0
    note: str = ""


def entity_neighbourhood(
    data: ExploreData, entity_id: str, max_accounts: int = 120
) -> Neighbourhood:
    """Start view: the entity's own accounts (the first ``max_accounts`` by time)."""
    members = data.entity_accounts(entity_id)["account_id"]
    note = (
        f"showing {max_accounts} of {len(members)} accounts" if len(members) > max_accounts else ""
    )
    return Neighbourhood(entity_id, tuple(members.head(max_accounts)), 0, note)


def expand(
    data: ExploreData, hood: Neighbourhood, hub_nodes: set[str], max_new: int = 40
) -> Neighbourhood:
    """One hop out: accounts sharing a non-hub identifier, linked by text, or leads of a case in view.

    At most ``max_new`` accounts are added (nearest by count of shared evidence first).
    """
    inside = pd.Index(hood.accounts)
    mine = data.lookup("evidence", "by_account", inside)["node"]
    mine = mine[~mine.isin(hub_nodes)]
    shared = data.lookup("evidence", "by_node", mine)["account_id"]
    near = data.links_touching(inside)
    linked = pd.concat([near["src"], near["dst"]])
    cases = data.lookup("leads", "by_account", inside)["case_id"]
    via_case = data.lookup("leads", "by_case", cases)["account_id"]
    found = pd.concat([shared, linked, via_case]).astype(str)
    found = found[~found.isin(inside)]
    if found.empty:
        return Neighbourhood(
            hood.entity_id,
            hood.accounts,
            hood.hops,
            "no further neighbours (hubs are not expanded)",
        )
    ranked = (
        found.value_counts().sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    )
    new = tuple(ranked.index[:max_new])
    note = f"hop {hood.hops + 1}: +{len(new)} accounts" + (
        f" (of {len(ranked)})" if len(ranked) > max_new else ""
    )
    return Neighbourhood(hood.entity_id, hood.accounts + new, hood.hops + 1, note)


def neighbourhood_graph(data: ExploreData, hood: Neighbourhood, hub_nodes: set[str]) -> nx.Graph:
    """Typed graph of the neighbourhood: node attribute ``type`` is one of :data:`NODE_TYPES`."""
    inside = pd.Index(hood.accounts)
    rows = data.rows(inside)
    graph = nx.Graph()
    for acc, city, ent in zip(
        rows["account_id"], rows["city"], rows["entity_id"], strict=True
    ):  # bounded by the caps
        graph.add_node(
            f"account:{acc}",
            type="account",
            label=acc,
            hover=f"account {esc(acc)}<br>{esc(city)}<br>entity {esc(ent)}",
        )
    ev = data.lookup("evidence", "by_account", inside)[["account_id", "kind", "value", "node"]]
    ids = data.lookup("identifiers", "by_account", inside)[["account_id", "kind", "value"]]
    ids = ids.assign(node=ids["kind"].astype(str) + ":" + ids["value"].astype(str))
    ev = pd.concat([ev, ids[ids["node"].isin(hub_nodes)]]).drop_duplicates(["account_id", "node"])
    hub_size = data.hubs.assign(
        node=data.hubs["kind"].astype(str) + ":" + data.hubs["value"].astype(str)
    ).set_index("node")["n_accounts"]
    photo_spread = data.photo_by_hash
    for node, kind, value in (
        ev[["node", "kind", "value"]].drop_duplicates("node").itertuples(index=False)
    ):
        is_hub = node in hub_nodes
        label = f"photo {value}" if kind == "image" else str(value)
        hover = f"{esc(kind)} {esc(value)}"
        if kind == "image" and value in photo_spread.index:
            spread = photo_spread.loc[value]
            hover += f"<br>on {spread['n_accounts']} accounts in {spread['n_cities']} cities"
        if is_hub:
            hover += f"<br>HUB on {hub_size.get(node, '?')} accounts: not used to link"
        graph.add_node(
            node,
            type="hub" if is_hub else (kind if kind in NODE_STYLE else "url"),
            label=label,
            hover=hover,
        )
    graph.add_edges_from(
        zip("account:" + ev["account_id"].astype(str), ev["node"], strict=True), type="has"
    )
    leads = data.lookup("leads", "by_account", inside)
    for case, kind in (
        leads[["case_id", "case_kind"]].drop_duplicates("case_id").itertuples(index=False)
    ):
        graph.add_node(
            f"case:{case}", type="case", label=str(case), hover=f"case {esc(case)} ({esc(kind)})"
        )
    graph.add_edges_from(
        zip(
            "case:" + leads["case_id"].astype(str),
            "account:" + leads["account_id"].astype(str),
            strict=True,
        ),
        type="lead",
    )
    links = data.lookup("links", "by_src", inside)
    text = links[links["dst"].isin(inside) & (links["kind"] == "text")]
    graph.add_edges_from(
        zip(
            "account:" + text["src"].astype(str), "account:" + text["dst"].astype(str), strict=True
        ),
        type="text",
    )
    return graph


def network_figure() -> go.FigureWidget:
    """Empty network figure: edge traces first, then one marker trace per node type."""
    traces = [
        go.Scatter(
            x=[],
            y=[],
            mode="lines",
            name=f"{kind} edge",
            hoverinfo="skip",
            line={"color": colour, "dash": dash, "width": 1},
        )
        for kind, (colour, dash) in EDGE_STYLE.items()
    ]
    for kind, (colour, symbol, size) in NODE_STYLE.items():
        mode = "markers+text" if kind in ("case", "hub") else "markers"
        traces.append(
            go.Scatter(
                x=[],
                y=[],
                mode=mode,
                name=kind,
                hoverinfo="text",
                textposition="top center",
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": size,
                    "line": {"width": 1, "color": "#333"},
                },
            )
        )
    fig = Figure(data=traces)
    fig.update_layout(
        height=430,
        width=600,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        plot_bgcolor="white",
        title={"text": "Network: click a node; Expand adds one hop", "font": {"size": 13}},
        xaxis={"visible": False},
        yaxis={"visible": False},
        font={"family": "sans-serif"},
        legend={"orientation": "h", "y": -0.02, "font": {"size": 10}},
        clickmode="event",
    )
    return fig


def draw(fig: go.FigureWidget, graph: nx.Graph, seed: int = 0) -> None:
    """Lay out ``graph`` (seeded spring layout) and write it into ``fig``'s fixed traces."""
    pos = nx.spring_layout(graph, seed=seed, iterations=60) if graph.number_of_nodes() else {}
    n_edge = len(EDGE_TYPES)
    with fig.batch_update():
        for i, kind in enumerate(EDGE_TYPES):
            xs, ys = [], []
            for a, b, d in graph.edges(data=True):  # bounded: a neighbourhood is capped
                if d.get("type") == kind:
                    xs += [pos[a][0], pos[b][0], None]
                    ys += [pos[a][1], pos[b][1], None]
            fig.data[i].x, fig.data[i].y = xs, ys
        for j, kind in enumerate(NODE_TYPES):
            nodes = [n for n, d in graph.nodes(data=True) if d.get("type") == kind]
            trace = fig.data[n_edge + j]
            xy = np.array([pos[n] for n in nodes]).reshape(-1, 2)
            trace.x, trace.y = xy[:, 0].tolist(), xy[:, 1].tolist()
            trace.customdata = nodes
            trace.hovertext = [graph.nodes[n]["hover"] for n in nodes]
            trace.text = (
                [esc(str(graph.nodes[n]["label"])[:24]) for n in nodes]
                if kind in ("case", "hub")
                else None
            )


def node_trace_types(fig: go.FigureWidget) -> dict[int, str]:
    """Trace index -> node type, for click handlers."""
    return {len(EDGE_TYPES) + j: kind for j, kind in enumerate(NODE_TYPES)}

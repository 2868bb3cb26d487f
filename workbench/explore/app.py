"""The Explorer: wires map, network, table, entity card, search and review into one widget.

Owns the state of an exploring session (selection, open entity, neighbourhood) and the
callbacks between views. The views themselves are built in ``views`` and ``network``;
finding accounts is ``search``; decisions go to ``workbench.review.ReviewLog``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import ipywidgets as W
import numpy as np
import pandas as pd

from ..review import DECISIONS, ReviewLog
from . import network, views
from .data import ExploreData, map_sample, prepare
from .search import SEARCH_KINDS, search

log = logging.getLogger(__name__)


class Explorer:
    """Linked views of a run's ``Result`` for a notebook; display it as a cell's last expression.

    Parameters
    ----------
    result : workbench.pipeline.Result
    review_path : the review log file, or a folder to hold ``review.sqlite``; default
        ``review.sqlite`` in the working folder, created at the first decision
    region : default phone region for search, as the run used
    max_points : accounts drawn on the map (linked and lead accounts first, then a sample)
    max_rows : selected accounts shown in the table
    seed : the map sample and the network layout

    Examples
    --------
    In a notebook: ``Explorer(workbench.run("accounts.csv", "cases.csv"), review_path="out/")``.
    Any object with the ``Result`` tables works; missing tables count as empty:

    >>> from types import SimpleNamespace
    >>> accounts = pd.DataFrame({"account_id": ["a", "b"], "text": ["call 713 482 0193", "hi"],
    ...                          "city": ["Austin", "Austin"]})
    >>> ids = pd.DataFrame({"account_id": ["a"], "kind": ["phone"], "value": ["+17134820193"],
    ...                     "raw": ["713 482 0193"]})
    >>> result = SimpleNamespace(accounts=accounts, identifiers=ids, entities=None, clusters=None,
    ...     entity_summary=None, leads=None, evidence=None, links=None, hubs=None, photo_groups=None, cases=None)
    >>> ex = Explorer(result)
    >>> ex.search("seven one three 482 0193")["account_id"].tolist()
    ['a']
    >>> "713 482 0193" in ex.table.value
    True
    """

    def __init__(
        self,
        result,
        review_path: str | Path | None = None,
        region: str = "US",
        max_points: int = 50_000,
        max_rows: int = 200,
        seed: int = 0,
    ):
        self.data: ExploreData = prepare(result)
        self.region, self.max_rows, self.seed = region, max_rows, seed
        path = Path(review_path) if review_path is not None else Path("review.sqlite")
        self.review_path = path / "review.sqlite" if path.suffix == "" or path.is_dir() else path
        self._review: ReviewLog | None = None
        self.hub_nodes = set(
            (
                self.data.hubs["kind"].astype(str) + ":" + self.data.hubs["value"].astype(str)
            ).tolist()
        )
        self.sample = map_sample(self.data.accounts, max_points, seed)
        self.points = self.data.accounts.iloc[self.sample].reset_index(drop=True)
        self.selected = pd.Index([], dtype=object)
        self.why: pd.Series | None = None
        self.entity_id: str | None = None
        self.hood: network.Neighbourhood | None = None
        self.timings: dict[str, float] = {}
        self._picking = False  # True while the code, not the analyst, sets the entity dropdown
        self._build()

    # ----- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.colour = W.Dropdown(
            options=views.COLOUR_MODES,
            value="cluster",
            description="colour by",
            layout=W.Layout(width="220px"),
        )
        self.map = views.trend_map(self.points, self.colour.value)
        self.net = network.network_figure()
        self.expand_button = W.Button(description="Expand one hop", icon="plus", disabled=True)
        self.reset_button = W.Button(description="Reset", disabled=True)
        self.net_status = W.HTML("Open an entity to see its network.")
        self.query = W.Text(
            placeholder="phone (any format), email, handle, photo hash, text or case id",
            layout=W.Layout(width="420px"),
        )
        self.query.add_class("wb-search-box")
        self.kind = W.Dropdown(options=SEARCH_KINDS, value="auto", layout=W.Layout(width="100px"))
        self.search_button = W.Button(description="Search", icon="search", button_style="primary")
        self.search_button.add_class("wb-search-button")
        self.status = W.HTML("")
        self.table = W.HTML(
            views.accounts_table(self.data.accounts.iloc[:0], self.data.identifiers, 0)
        )
        self.table.add_class("wb-accounts")
        self.entity_pick = W.Dropdown(
            options=[], description="entity", layout=W.Layout(width="360px")
        )
        self.card_head = W.HTML("<i>No entity open. Select accounts, search, or click a node.</i>")
        self.card_fig = views.card_figure()
        self.card_photos, self.card_leads = W.HTML(""), W.HTML("")
        self.review_box = self._review_panel()
        self.map.data[0].on_selection(self._on_map_selection)
        self.map.data[0].on_click(self._on_map_click)
        self.map.data[0].on_deselect(lambda *_: self.select([], from_map=True))
        for index in network.node_trace_types(self.net):
            self.net.data[index].on_click(self._on_node_click)
        self.colour.observe(lambda ch: self.colour_by(ch["new"]), names="value")
        self.expand_button.on_click(lambda _: self.expand())
        self.reset_button.on_click(
            lambda _: self.open_entity(self.entity_id) if self.entity_id else None
        )
        self.search_button.on_click(lambda _: self.search(self.query.value, self.kind.value))
        self.query.on_submit(lambda _: self.search(self.query.value, self.kind.value))
        self.entity_pick.observe(self._on_pick, names="value")
        map_box = W.VBox([self.colour, self.map])
        map_box.add_class("wb-map")
        net_box = W.VBox(
            [W.HBox([self.expand_button, self.reset_button]), self.net_status, self.net]
        )
        net_box.add_class("wb-network")
        card = W.VBox(
            [
                self.entity_pick,
                self.card_head,
                self.card_fig,
                self.card_photos,
                self.card_leads,
                self.review_box,
            ]
        )
        card.add_class("wb-card")
        table_box = W.Box([self.table], layout=W.Layout(max_height="420px", overflow="auto"))
        self.widget = W.VBox(
            [
                W.HBox([self.query, self.kind, self.search_button, self.status]),
                W.HBox([map_box, net_box], layout=W.Layout(flex_flow="row wrap")),
                W.HTML("<b>Selected accounts</b>"),
                table_box,
                W.HTML("<b>Entity card</b>"),
                card,
            ]
        )
        self.widget.add_class("wb-explorer")

    def _review_panel(self) -> W.VBox:
        self.lead_pick = W.Dropdown(options=[], description="lead", layout=W.Layout(width="420px"))
        self.note = W.Textarea(
            placeholder="note (optional)", layout=W.Layout(width="420px", height="50px")
        )
        self.review_status = W.HTML("")
        rows = []
        for item_type in ("entity", "lead"):
            buttons = []
            for decision in DECISIONS:
                button = W.Button(
                    description=decision,
                    tooltip=f"record: {item_type} {decision}",
                    button_style={"confirmed": "success", "dismissed": "danger"}.get(
                        decision, "warning"
                    ),
                )
                button.add_class(f"wb-review-{item_type}-{decision}")
                button.on_click(lambda _, t=item_type, d=decision: self._review_clicked(t, d))
                buttons.append(button)
            rows.append(
                W.HBox([W.HTML(f"<b>{item_type}:</b>", layout=W.Layout(width="60px")), *buttons])
            )
        return W.VBox(
            [
                W.HTML("<b>Review</b>"),
                self.lead_pick,
                rows[0],
                rows[1],
                self.note,
                self.review_status,
            ]
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ----- actions ------------------------------------------------------------------------
    def colour_by(self, mode: str) -> None:
        """Colour the map by ``cluster``, ``entity``, ``risk`` or ``case``."""
        views.recolour(self.map, self.points, mode)
        if self.colour.value != mode:
            self.colour.value = mode

    def select(
        self,
        account_ids,
        why: pd.Series | None = None,
        open_top: bool = True,
        from_map: bool = False,
    ) -> pd.DataFrame:
        """Make ``account_ids`` the selection: fill the table, list their entities, open the riskiest.

        Returns the selected account rows (all of them, highest risk first).
        """
        start = time.perf_counter()
        rows = self.data.rows(pd.Index(account_ids).unique())
        rows = rows.sort_values(
            ["risk_score", "entity_id", "posted_at"], ascending=[False, True, True], kind="stable"
        )
        self.selected, self.why = pd.Index(rows["account_id"]), why
        if not from_map:  # show a search or a clicked node's accounts on the map too
            on_map = np.flatnonzero(self.points["account_id"].isin(self.selected).to_numpy())
            self.map.data[0].selectedpoints = on_map.tolist() if len(on_map) else None
        shown = rows.head(self.max_rows)
        ids = self.data.lookup("identifiers", "by_account", shown["account_id"])
        self.table.value = views.accounts_table(shown, ids, len(rows), why)
        entities = rows.drop_duplicates("entity_id").head(50)
        options = [
            (f"{e} ({n} accounts, risk {r:.2f})", e)
            for e, n, r in zip(
                entities["entity_id"], entities["entity_size"], entities["risk_score"], strict=True
            )
        ]
        self.timings["table"] = time.perf_counter() - start
        if open_top and options:
            self._set_pick(options, options[0][1])
            self.open_entity(options[0][1])
        else:
            self._set_pick(options, None)
        self.timings["select"] = time.perf_counter() - start
        log.info("selected %d accounts in %.3fs", len(rows), self.timings["select"])
        return rows

    def _set_pick(self, options, value) -> None:
        self._picking = True
        try:
            self.entity_pick.options = options
            self.entity_pick.value = value
        finally:
            self._picking = False

    def open_entity(self, entity_id: str) -> None:
        """Show one entity: card (indicators, timeline, movement, photos, leads) and network."""
        start = time.perf_counter()
        self.entity_id = str(entity_id)
        members = self.data.entity_accounts(self.entity_id)
        summary = self.data.entity_summary
        row = summary[summary["entity_id"] == self.entity_id]
        self.card_head.value = views.entity_header(
            row.iloc[0] if len(row) else None, self.entity_id, members
        )
        views.update_card_figure(self.card_fig, members)
        ev = self.data.lookup("evidence", "by_account", members["account_id"])
        groups = ev.loc[ev["kind"] == "image", "value"].astype(str)
        pg = self.data.photo_groups
        # photo evidence names a group by its representative hash (older runs: by group id)
        self.card_photos.value = views.photos_html(
            pg[pg["hash"].astype(str).isin(groups) | pg["group_id"].astype(str).isin(groups)]
        )
        leads = self.data.lookup("leads", "by_account", members["account_id"])
        self.card_leads.value = views.leads_html(leads)
        leads = leads.sort_values("score", ascending=False)
        options = [
            (f"{c} / {a} ({float(s):.2f})", f"{c}/{a}")
            for c, a, s in zip(leads["case_id"], leads["account_id"], leads["score"], strict=True)
        ]
        self.lead_pick.options = options
        self.lead_pick.value = options[0][1] if options else None
        self.timings["card"] = time.perf_counter() - start
        self._show_network(network.entity_neighbourhood(self.data, self.entity_id))
        self.expand_button.disabled = self.reset_button.disabled = False

    def expand(self) -> None:
        """Add one hop to the network of the open entity (hubs are shown but not expanded)."""
        if self.hood is not None:
            self._show_network(network.expand(self.data, self.hood, self.hub_nodes))

    def _show_network(self, hood: network.Neighbourhood) -> None:
        start = time.perf_counter()
        self.hood = hood
        graph = network.neighbourhood_graph(self.data, hood, self.hub_nodes)
        network.draw(self.net, graph, self.seed)
        self.net_status.value = views.esc(
            f"entity {hood.entity_id}: {graph.number_of_nodes()} nodes, "
            f"{len(hood.accounts)} accounts, hop {hood.hops}. {hood.note}"
        )
        self.timings["network"] = time.perf_counter() - start

    def search(self, query: str, kind: str = "auto") -> pd.DataFrame:
        """Search (see :func:`workbench.explore.search.search`) and select what was found."""
        hits = search(self.data, query, kind, self.region)
        self.status.value = views.esc(f"{len(hits)} accounts match {query!r}")
        self.select(hits["account_id"], why=hits.set_index("account_id")["why"])
        return hits

    def review(
        self, item_type: str, item_id: str, decision: str, note: str = "", evidence: str = ""
    ) -> int:
        """Record a decision on a lead (``case_id/account_id``) or an entity in the review log."""
        if self._review is None:
            self._review = ReviewLog(self.review_path)
        return self._review.record(item_type, item_id, decision, note=note, evidence=evidence)

    def _review_clicked(self, item_type: str, decision: str) -> None:
        if item_type == "entity":
            item_id = self.entity_id
            row = self.data.entity_summary[self.data.entity_summary["entity_id"] == item_id]
            evidence = str(row["risk_reasons"].iloc[0]) if len(row) else ""
        else:
            item_id = self.lead_pick.value
            case_id, _, account_id = (item_id or "").partition("/")
            leads = self.data.leads
            lead = leads[(leads["case_id"] == case_id) & (leads["account_id"] == account_id)]
            evidence = str(lead["reasons"].iloc[0]) if len(lead) else ""
        if not item_id:
            self.review_status.value = views.esc(f"no {item_type} chosen")
            return
        rid = self.review(item_type, item_id, decision, note=self.note.value, evidence=evidence)
        self.review_status.value = views.esc(
            f"recorded #{rid}: {item_type} {item_id} {decision} in {self.review_path}"
        )
        self.note.value = ""

    # ----- callbacks ----------------------------------------------------------------------
    def _on_map_selection(self, trace, points, selector) -> None:
        picked = np.asarray(points.point_inds, dtype=np.int64)
        self.select(self.points["account_id"].to_numpy()[picked], from_map=True)

    def _on_map_click(self, trace, points, state) -> None:
        if points.point_inds:
            account = self.points["account_id"].iloc[points.point_inds[0]]
            self.select([account], from_map=True)

    def _on_node_click(self, trace, points, state) -> None:
        if not points.point_inds:
            return
        node = str(trace.customdata[points.point_inds[0]])
        kind, _, value = node.partition(":")
        if kind == "account":
            self.select([value], open_top=False)
        elif kind == "case":
            self.select(self.data.lookup("leads", "by_case", [value])["account_id"], open_top=False)
        else:  # an identifier: every account that carries it, hubs included (it is one click, not a hop)
            ids = self.data.identifiers
            having = pd.concat(
                [
                    self.data.lookup("evidence", "by_node", [node])["account_id"],
                    ids.loc[(ids["kind"] == kind) & (ids["value"] == value), "account_id"],
                ]
            )
            self.select(having, open_top=False)
        self.status.value = views.esc(f"clicked {node}")

    def _on_pick(self, change) -> None:
        if not self._picking and change["new"]:
            self.open_entity(change["new"])

"""The explorer without a browser: selection fills an escaped table, search, network, review log."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import workbench
from workbench.explore import Explorer, map_sample, search
from workbench.explore.network import EDGE_TYPES, NODE_TYPES
from workbench.pipeline import RunConfig
from workbench.review import ReviewLog
from workbench.synth import generate_world

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
OBFUSCATED = "call 7one3-48two-0193 now"  # +17134820193


@pytest.fixture(scope="module")
def small_run():
    """A 400-account world with hostile text in one ad and an obfuscated phone in another."""
    world = generate_world(400, seed=3)
    accounts = world.accounts.copy()
    accounts.loc[0, "text"] = XSS + " " + accounts.loc[0, "text"]
    accounts.loc[1, "text"] = accounts.loc[1, "text"] + " " + OBFUSCATED
    result = workbench.run(accounts, world.cases, backend="cpu", config=RunConfig(run_trends=False))
    return result, accounts


@pytest.fixture()
def explorer(small_run, tmp_path):
    return Explorer(small_run[0], review_path=tmp_path)


def _select_on_map(ex: Explorer, account_ids) -> None:
    inds = np.flatnonzero(ex.points["account_id"].isin(account_ids).to_numpy()).tolist()
    ex._on_map_selection(ex.map.data[0], SimpleNamespace(point_inds=inds), None)


def test_map_selection_fills_escaped_table(explorer, small_run):
    accounts = small_run[1]
    picked = accounts["account_id"].iloc[:25].tolist()
    _select_on_map(explorer, picked)
    table = explorer.table.value
    assert set(explorer.selected) == set(picked)
    assert "<script>" not in table and "<img src=x" not in table
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in table
    assert "onerror=&quot;window.__pwned=1&quot;" in table
    assert explorer.entity_id is not None  # the riskiest entity of the selection is opened
    assert explorer.card_head.value.startswith("<style>")


def test_search_finds_obfuscated_phone_in_any_format(explorer, small_run):
    target = small_run[1]["account_id"].iloc[1]
    for query in ("(713) 482-0193", "+1 713 482 0193", "seven one three 482 0193"):
        hits = explorer.search(query)
        assert target in hits["account_id"].tolist(), query
    assert target in explorer.selected
    assert "+17134820193" in explorer.table.value


def test_search_kinds(explorer, small_run):
    result = small_run[0]
    assert search(explorer.data, "__pwned", kind="text")["account_id"].tolist() == [
        small_run[1]["account_id"].iloc[0]
    ]
    email = result.identifiers[result.identifiers["kind"] == "email"]
    if len(email):
        assert (
            email["account_id"].iloc[0]
            in search(explorer.data, email["value"].iloc[0].upper())["account_id"].tolist()
        )
    photo = result.identifiers[result.identifiers["kind"] == "image"]
    if len(photo):
        assert (
            photo["account_id"].iloc[0]
            in search(explorer.data, photo["value"].iloc[0], kind="photo")["account_id"].tolist()
        )
    if len(result.leads):
        case = result.leads["case_id"].iloc[0]
        assert set(search(explorer.data, case)["account_id"]) == set(
            result.leads.loc[result.leads["case_id"] == case, "account_id"]
        )
    assert search(explorer.data, "").empty


def test_network_shows_typed_neighbourhood_and_expands(explorer):
    biggest = explorer.data.accounts.sort_values("entity_size", ascending=False)["entity_id"].iloc[
        0
    ]
    explorer.open_entity(biggest)
    counts = {
        kind: len(explorer.net.data[len(EDGE_TYPES) + j].x) for j, kind in enumerate(NODE_TYPES)
    }
    assert counts["account"] >= 2
    assert sum(v for k, v in counts.items() if k not in ("account", "case")) >= 1
    before = len(explorer.hood.accounts)
    explorer.expand()
    assert len(explorer.hood.accounts) >= before and explorer.hood.note
    assert len(explorer.hood.accounts) <= before + 40  # one capped hop, never the whole graph


def test_hubs_are_marked_not_expanded(explorer):
    hubs = explorer.data.hubs
    if hubs.empty:
        pytest.skip("this world has no hub")
    node = f"{hubs['kind'].iloc[0]}:{hubs['value'].iloc[0]}"
    ids = explorer.data.identifiers
    having = ids.loc[
        (ids["kind"] == hubs["kind"].iloc[0]) & (ids["value"] == hubs["value"].iloc[0]),
        "account_id",
    ]
    holder = having.iloc[0]
    explorer.open_entity(explorer.data.rows([holder])["entity_id"].iloc[0])
    hub_trace = explorer.net.data[len(EDGE_TYPES) + NODE_TYPES.index("hub")]
    assert node in list(hub_trace.customdata)
    explorer.expand()
    assert len(set(having) & set(explorer.hood.accounts)) < len(set(having))


def test_review_buttons_write_to_log(explorer, tmp_path):
    entity = explorer.data.entity_summary["entity_id"].iloc[0]
    explorer.open_entity(entity)
    buttons = {c: b for b in _walk(explorer.review_box) for c in b._dom_classes}
    explorer.note.value = "same phone in three cities"
    buttons["wb-review-entity-confirmed"].click()
    if explorer.lead_pick.options:
        buttons["wb-review-lead-needs-follow-up"].click()
    latest = ReviewLog(tmp_path / "review.sqlite").latest()
    row = latest[latest["item_type"] == "entity"].iloc[0]
    assert (row["item_id"], row["decision"], row["note"]) == (
        entity,
        "confirmed",
        "same phone in three cities",
    )
    if explorer.lead_pick.options:
        lead = latest[latest["item_type"] == "lead"].iloc[0]
        assert lead["decision"] == "needs-follow-up" and "/" in lead["item_id"]
    assert "recorded" in explorer.review_status.value


def test_colour_modes_and_click(explorer):
    for mode in ("entity", "risk", "case", "cluster"):
        explorer.colour_by(mode)
        assert len(explorer.map.data[0].marker.color) == len(explorer.points)
    explorer._on_map_click(explorer.map.data[0], SimpleNamespace(point_inds=[3]), None)
    assert list(explorer.selected) == [explorer.points["account_id"].iloc[3]]


def test_map_sample_keeps_linked_accounts():
    accounts = pd.DataFrame({"entity_size": [1] * 90 + [3] * 10, "cases": [""] * 100})
    picked = map_sample(accounts, 20, seed=1)
    assert len(picked) == 20 and set(range(90, 100)) <= set(picked.tolist())


def test_display_bundle(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_figures_redraw_when_the_browser_drew_them_empty(explorer, monkeypatch):
    """A browser that lost the figure's first messages reports no traces; the figure resends
    its traces and layout. A browser that holds them gets nothing more."""
    for fig in (explorer.map, explorer.net, explorer.card_fig):
        sent: list[tuple[str, object]] = []
        monkeypatch.setattr(
            fig, "_send_addTraces_msg", lambda data, s=sent: s.append(("traces", len(data)))
        )
        monkeypatch.setattr(
            fig, "_send_relayout_msg", lambda layout, s=sent: s.append(("layout", sorted(layout)))
        )
        fig._js2py_traceDeltas = {
            "trace_deltas": [{"uid": t.uid} for t in fig.data],
            "trace_edit_id": fig._last_trace_edit_id,
        }
        assert sent == []
        fig._js2py_traceDeltas = {"trace_deltas": [], "trace_edit_id": fig._last_trace_edit_id}
        assert sent[0] == ("traces", len(fig.data)) and sent[0][1] > 0
        assert sent[1][0] == "layout" and "height" in sent[1][1]

"""Case package: the folder, its manifest, escaping, and the CLI."""

from __future__ import annotations

import hashlib
import json

import pytest

from workbench.io import InputError
from workbench.package import select, write_package


def test_package_for_top_entity(world_run, tmp_path):
    result, out = world_run
    entity = result.entity_summary.iloc[0]["entity_id"]
    accounts = result.accounts.copy()
    members = result.entities.loc[result.entities["entity_id"] == entity, "account_id"]
    accounts.loc[accounts["account_id"] == members.iloc[0], "text"] = (
        "<script>alert(1)</script> call me"
    )
    folder = write_package(select(out, accounts, entity=entity), tmp_path / "pkg")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) >= {
        "report.html",
        "accounts.csv",
        "links.csv",
        "identifiers.csv",
        "leads.csv",
    }
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    page = (folder / "report.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'src="http' not in page and 'href="http' not in page, "opens offline: nothing fetched"
    assert "<svg" in page


def test_package_for_a_case_and_errors(world_run, tmp_path):
    result, out = world_run
    case = result.leads.iloc[0]["case_id"]
    sel = select(out, result.accounts, case=case)
    assert len(sel.accounts) >= 1 and set(sel.leads["case_id"]) == {case}
    with pytest.raises(InputError, match="no entity"):
        select(out, result.accounts, entity="E_NOPE")
    with pytest.raises(InputError, match="missing"):
        select(tmp_path, result.accounts, entity="E1")

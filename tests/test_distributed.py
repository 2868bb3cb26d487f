"""The dask engine (workbench.distributed) against the single-machine run: same entities,
identifiers and leads on the same input, on a local cluster of 2 worker processes."""

from __future__ import annotations

import importlib.util
import sys

import pandas as pd
import pytest

from workbench import io, pipeline
from workbench.backend import BackendError

HAVE_DASK = all(importlib.util.find_spec(m) is not None for m in ("dask", "distributed"))
needs_dask = pytest.mark.skipif(
    not HAVE_DASK, reason="the dask engine needs the dask extra (pip install 'workbench[dask]')"
)
slow = pytest.mark.slow  # a local cluster of 2 worker processes takes 5-30 s to start on 2 cores
CONFIG = pipeline.RunConfig(run_trends=False, progress=False)


def _groups(entities: pd.DataFrame) -> set[frozenset]:
    """Entities as a partition of account ids: entity names may differ, members may not."""
    return {frozenset(members) for members in entities.groupby("entity_id")["account_id"].agg(list)}


@pytest.fixture(scope="module")
def client():
    from workbench.distributed import connect

    with connect(None, n_workers=2, threads_per_worker=1) as running:
        yield running


@pytest.fixture(scope="module")
def world():
    from workbench.synth import generate_world

    return generate_world(2000, seed=3)


@pytest.fixture(scope="module")
def local(world):
    return pipeline.run(world.accounts, world.cases, backend="cpu", config=CONFIG)


@needs_dask
@slow
def test_dask_engine_gives_the_local_result(client, world, local):
    dask = pipeline.run(
        world.accounts, world.cases, backend="cpu", config=CONFIG, engine="dask", scheduler=client
    )
    assert _groups(dask.entities) == _groups(local.entities)
    assert (dask.entities["entity_id"] == local.entities["entity_id"]).all()  # even the names
    key = ["account_id", "kind", "value"]
    assert set(dask.identifiers[key].itertuples(index=False)) == set(
        local.identifiers[key].itertuples(index=False)
    )
    pair = ["account_id", "case_id"]
    assert len(local.leads) > 0
    assert set(dask.leads[pair].itertuples(index=False)) == set(
        local.leads[pair].itertuples(index=False)
    )
    pd.testing.assert_frame_equal(dask.leads, local.leads)
    pd.testing.assert_frame_equal(dask.hubs, local.hubs)
    assert {"cluster", "extract", "link", "watch"} <= set(dask.timings)


@needs_dask
@slow
def test_six_partitions_give_the_same_text_pairs_links_and_identifier_order(client, world, local):
    from workbench.distributed import run_steps

    accounts, cases = io.load_accounts(world.accounts), io.load_cases(world.cases)
    steps = run_steps(accounts, cases, CONFIG, scheduler=client, npartitions=6)
    pd.testing.assert_frame_equal(
        steps.text_pairs, pipeline.near_duplicate_text(accounts, CONFIG.link)
    )
    pd.testing.assert_frame_equal(
        steps.identifiers, local.identifiers[list(steps.identifiers.columns)]
    )
    pd.testing.assert_frame_equal(
        steps.linkage.links, local.links[list(steps.linkage.links.columns)]
    )
    pd.testing.assert_frame_equal(steps.linkage.evidence, local.evidence)
    assert (steps.shared["n_accounts"] >= 2).all()


@needs_dask
@slow
def test_identifiers_shared_across_partitions_link(client):
    from workbench.distributed import run_steps

    accounts = io.load_accounts(
        pd.DataFrame(
            {
                "account_id": ["a1", "a2", "a3", "a4", "a5", "a6"],
                "text": [
                    "new in town call 713 482 0193",
                    "quiet room for rent",
                    "ask for jade",
                    "sweet jade 713-482-0193 incall",
                    "write jadexo@mail.com",
                    "jadexo@mail.com for dates",
                ],
                # the e-mail's two ads in one city: a shared e-mail alone across cities is a lead, not a merge
                "city": ["Houston", "Austin", "Dallas", "Houston", "Dallas", "Dallas"],
            }
        )
    )
    steps = run_steps(
        accounts, None, CONFIG, scheduler=client, npartitions=3
    )  # a1|a2, a3|a4, a5|a6
    entity = steps.linkage.entities.set_index("account_id")["entity_id"]
    assert entity["a1"] == entity["a4"]  # the phone, across partitions 1 and 2
    assert entity["a5"] == entity["a6"]  # the e-mail, inside partition 3
    assert len({entity["a1"], entity["a2"], entity["a3"], entity["a5"]}) == 4
    shared = steps.shared.set_index("kind")
    assert shared.loc["phone", "n_accounts"] == 2 and shared.loc["phone", "n_cities"] == 1
    assert steps.leads.empty


@pytest.mark.parametrize("module", ["distributed", "dask.dataframe"])
def test_without_dask_the_engine_says_what_to_install(monkeypatch, module):
    from workbench.distributed import connect

    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    with pytest.raises(BackendError, match=r"workbench\[dask\]"), connect():
        pass


@needs_dask
def test_accounts_from_a_folder_or_a_dask_frame_load_as_one_table(tmp_path):
    import dask.dataframe as dd

    from workbench.distributed import load_accounts

    frame = pd.DataFrame(
        {"account_id": [f"a{i}" for i in range(6)], "text": [f"ad {i}" for i in range(6)]}
    )
    frame.iloc[:3].to_csv(tmp_path / "part-0.csv", index=False)
    frame.iloc[3:].to_parquet(tmp_path / "part-1.parquet", index=False)
    from_folder = load_accounts(tmp_path)
    from_dask = load_accounts(dd.from_pandas(frame, npartitions=2))
    assert (
        from_folder["account_id"].tolist()
        == from_dask["account_id"].tolist()
        == frame["account_id"].tolist()
    )

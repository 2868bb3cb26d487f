"""Shared fixtures: small synthetic worlds with ground truth, built once per session."""

from __future__ import annotations

import pytest

from workbench.synth import generate_world


@pytest.fixture(scope="session")
def world():
    """A 3,000-account world (seed 11) with cases and truth."""
    return generate_world(3000, seed=11)


@pytest.fixture(scope="session")
def world_run(world, tmp_path_factory):
    """The whole pipeline run once on ``world``, outputs written to a temporary folder."""
    import workbench

    out = tmp_path_factory.mktemp("run")
    result = workbench.run(world.accounts, world.cases, out=out, backend="cpu")
    return result, out

"""A lab in the test process and a LocalCluster whose two worker processes reach it over 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("distributed")

from awsaudit.lab.scenarios import BuiltScenario, build_scenario
from awsaudit.lab.server import Lab
from awsaudit.organization.dask_executor import dask_client


@pytest.fixture(scope="module")
def organization(lab: Lab) -> BuiltScenario:
    lab.reset()
    return build_scenario("organization", lab, members=5)


@pytest.fixture(scope="module")
def client(lab: Lab) -> Iterator[Any]:
    with dask_client(None, workers=2, threads_per_worker=1) as running:
        yield running

"""One lab for the robustness suite; the misconfigured account is built once and scanned clean once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from awsaudit.lab.scenarios import BuiltScenario, build_scenario
from awsaudit.lab.server import Lab, start_lab
from tests.robustness.scanning import Scan, scan_lab


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    running = start_lab()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def misconfigured(lab: Lab) -> BuiltScenario:
    lab.reset()
    return build_scenario("misconfigured", lab)


@pytest.fixture(scope="session")
def clean_scan(lab: Lab, misconfigured: BuiltScenario) -> Scan:
    scan = scan_lab(lab, misconfigured)
    assert scan.snapshot.errors == [], "the clean run must collect everything"
    return scan

"""One lab for the robustness suite; the misconfigured account is built once and scanned clean once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from awsaudit.lab.scenarios import BuiltScenario, build_scenario
from awsaudit.lab.server import Lab
from tests.robustness.scanning import CLI, Scan, scan_lab


@pytest.fixture(scope="session")
def misconfigured(lab: Lab) -> BuiltScenario:
    lab.reset()
    return build_scenario("misconfigured", lab)


@pytest.fixture(scope="session")
def clean_scan(lab: Lab, misconfigured: BuiltScenario) -> Scan:
    scan = scan_lab(lab, misconfigured)
    assert scan.snapshot.errors == [], "the clean run must collect everything"
    return scan


@pytest.fixture(scope="session")
def lab_environment() -> Iterator[dict[str, str]]:
    """`awsaudit lab serve` in its own process, and the environment that points the CLI at it."""
    server = subprocess.Popen(
        [sys.executable, "-c", CLI, "lab", "serve", "--scenario", "misconfigured"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    environment = dict(os.environ)
    try:
        for line in server.stdout:
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                environment[name] = value.strip("'")
            if line.startswith("# Ctrl-C"):
                break
        assert "AWS_ENDPOINT_URL" in environment, "the lab did not start"
        yield environment
    finally:
        server.send_signal(signal.SIGINT)
        # Stopping moto's threaded server takes 10-15 s on a 2-vCPU machine under load.
        server.wait(timeout=90)

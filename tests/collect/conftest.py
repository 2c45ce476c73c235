"""One lab for the whole collector suite; each test module resets it and builds its own account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from awsaudit.lab.server import Lab, start_lab


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    running = start_lab()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def clean_lab(lab: Lab) -> Lab:
    """The lab with no state left by earlier modules."""
    lab.reset()
    return lab

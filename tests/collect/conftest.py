"""One lab for the whole collector suite; each test module resets it and builds its own account."""

from __future__ import annotations

import pytest

from awsaudit.lab.server import Lab


@pytest.fixture(scope="module")
def clean_lab(lab: Lab) -> Lab:
    """The lab with no state left by earlier modules."""
    lab.reset()
    return lab

"""Test prerequisites outside Python (Chromium, a PostgreSQL server): skipped on a laptop that lacks
them, a failure where the run requires everything (`make test` and CI set AWSAUDIT_TESTS_REQUIRE_ALL=1)."""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL = "AWSAUDIT_TESTS_REQUIRE_ALL"


def require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get(REQUIRE_ALL) == "1":
        pytest.fail(f"{what}: `make deps` installs it", pytrace=False)
    pytest.skip(what, allow_module_level=True)

"""Suite-wide isolation: audits the tests run are recorded in a throwaway history store."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_history_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never write to the user's own history database (scan and evaluate record by default)."""
    previous = os.environ.get("AWSAUDIT_STORE")
    os.environ["AWSAUDIT_STORE"] = f"sqlite:///{tmp_path_factory.mktemp('store') / 'history.sqlite'}"
    yield
    if previous is None:
        os.environ.pop("AWSAUDIT_STORE", None)
    else:
        os.environ["AWSAUDIT_STORE"] = previous

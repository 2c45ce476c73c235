import pytest
from iam_builders import AccountBuilder


@pytest.fixture
def account() -> AccountBuilder:
    return AccountBuilder()

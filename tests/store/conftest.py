"""Each store test runs on a fresh SQLite file and, when AWSAUDIT_TEST_POSTGRES_URL is set, on a
fresh database of that PostgreSQL server (scripts/start-postgres.sh starts one)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine.url import make_url

from tests.prerequisites import require

POSTGRES_ENV = "AWSAUDIT_TEST_POSTGRES_URL"


def _postgres_database() -> Iterator[str]:
    server = os.environ.get(POSTGRES_ENV)
    require(bool(server), f"{POSTGRES_ENV} is not set (scripts/start-postgres.sh starts a server)")
    assert server is not None
    url = make_url(server)
    name = f"awsaudit_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.sqlite'}"
    else:
        yield from _postgres_database()

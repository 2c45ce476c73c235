"""Opening a history database: where it lives, how it is connected, and its schema revision.

The schema is versioned by Alembic revisions shipped in ``migrations/``. Opening
a store upgrades an older database in one transaction (serialised between
processes), and refuses a database whose revision this version does not know:
it was written by a newer awsaudit.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from awsaudit.errors import AwsauditError

STORE_ENV = "AWSAUDIT_STORE"
# Execution option marking a connection that writes: on SQLite it takes the write lock at BEGIN,
# so two writers queue on the busy timeout instead of failing when one upgrades its read lock.
WRITE = "awsaudit_write"
_BUSY_TIMEOUT_MS = 60_000
_MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant: the key of the PostgreSQL advisory lock that serialises schema upgrades.
_MIGRATION_LOCK_KEY = 0x61777361


class StoreError(AwsauditError):
    """The history store cannot be opened, is at an unknown schema revision, or lacks a record."""


def default_store_url() -> str:
    """An SQLite file in the user's data directory (platform conventions)."""
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path('awsaudit', appauthor=False) / 'history.sqlite'}"


def resolve_url(url: str | None) -> URL:
    """The URL given, else $AWSAUDIT_STORE, else the default; a bare path means an SQLite file."""
    text = url or os.environ.get(STORE_ENV) or default_store_url()
    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser().absolute()}"
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise StoreError(f"not a database URL: {text!r}") from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver awsaudit installs
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise StoreError(f"unsupported store {parsed.drivername!r}: use sqlite:///PATH or postgresql://…")
    return parsed


def describe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def create_engine(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url)
        return sa.create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise StoreError(f"cannot use store {describe(url)}: {exc}") from None


def _sqlite_engine(url: URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})
    if url.database and url.database != ":memory:":
        _create_private_file(Path(url.database))

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit transactions are off: BEGIN is issued below, with the right lock.
        dbapi_connection.isolation_level = None
        for pragma in (f"busy_timeout={_BUSY_TIMEOUT_MS}", "foreign_keys=ON", "synchronous=NORMAL"):
            dbapi_connection.execute(f"PRAGMA {pragma}")
        _enable_wal(dbapi_connection)

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


def _enable_wal(dbapi_connection: Any) -> None:
    """Readers never block the writer, nor it them. Switching a new file to WAL takes an exclusive
    lock without waiting on the busy timeout, so processes racing to create the store retry here."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _create_private_file(path: Path) -> None:
    """Findings and evidence describe an account's weaknesses: the database is owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(_MIGRATIONS)).get_current_head()
    assert head is not None, "the package ships its migrations"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, url: URL, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest) in one locked transaction."""
    known = {script.revision for script in ScriptDirectory(str(_MIGRATIONS)).walk_revisions()}
    try:
        with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            found = current_revision(connection)
            if found is not None and found not in known:
                raise StoreError(
                    f"the store {describe(url)} is at schema revision {found}, newer than this awsaudit "
                    f"knows (up to {head_revision()}): upgrade awsaudit"
                )
            target = head_revision() if revision == "head" else revision
            if found != target:
                command.upgrade(_alembic_config(connection), target)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the store {describe(url)}: {first_line(exc)}") from None


def first_line(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

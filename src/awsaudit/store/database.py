"""Opening a history database: where it lives, how it is connected, and its schema revision.

The schema is versioned by Alembic revisions shipped in ``migrations/``. Opening
a store upgrades an older database in one transaction (serialised between
processes), and refuses a database whose revision this version does not know:
it was written by a newer awsaudit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
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
from awsaudit.redaction import redact

_log = logging.getLogger(__name__)
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


# Keywords of a libpq connection string ("host=db password=…"): a PostgreSQL DSN, not a path.
_LIBPQ_KEYWORD = re.compile(
    r"(?:^|\s)(?:host|hostaddr|port|dbname|user|password|passfile|sslmode|service|options"
    r"|connect_timeout|application_name)\s*=",
    re.IGNORECASE,
)
_MAX_PORT = 65_535


def resolve_url(url: str | None) -> URL:
    """The URL given, else $AWSAUDIT_STORE, else the default; a bare path means an SQLite file.

    Every message names the store with its password redacted (the text may hold it in any form).
    """
    text = url or os.environ.get(STORE_ENV) or default_store_url()
    if "://" not in text:
        if _LIBPQ_KEYWORD.search(text):
            raise StoreError(
                "a libpq connection string (keyword=value pairs) is not a store URL: "
                "use postgresql://USER@HOST:PORT/DATABASE (the password in PGPASSWORD or ~/.pgpass)"
            )
        text = f"sqlite:///{Path(text).expanduser().absolute()}"
    shown = redact(text)
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise StoreError(f"not a database URL: {shown}") from None
    except ValueError:  # SQLAlchemy converts the port with int()
        raise StoreError(f"the store URL's port is not a number: {shown}") from None
    if parsed.port is not None and not 0 < parsed.port <= _MAX_PORT:
        raise StoreError(f"the store URL's port is out of range (1-{_MAX_PORT}): {shown}")
    if parsed.host and "@" in parsed.host:
        raise StoreError(
            f"the store URL has more than one '@' (write an '@' in the password as %40): {describe(parsed)}"
        )
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver awsaudit installs
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise StoreError(
            f"unsupported store {redact(parsed.drivername)!r}: use sqlite:///PATH or postgresql://…"
        )
    return parsed


def describe(url: URL) -> str:
    """The URL for messages: the password masked, also where SQLAlchemy would not mask it
    (``?password=…`` in the query, the rest of a password after an unescaped '@')."""
    return redact(url.render_as_string(hide_password=True))


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
        _refuse_foreign_database(Path(url.database), url)
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


def _refuse_foreign_database(path: Path, url: URL) -> None:
    """An SQLite file that holds tables but no awsaudit schema revision belongs to something else.

    It is refused before awsaudit's own connection touches it (that would switch it to WAL,
    narrow its mode, and then add tables to it): read only, through a separate connection.
    """
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{describe(url)} is not an SQLite database ({exc})") from None
    if tables and "alembic_version" not in tables:
        raise StoreError(
            f"{describe(url)} is an SQLite database but not an awsaudit history store "
            f"(it holds {len(tables)} other table(s)): name a new file with --store"
        )


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
    """Findings and evidence describe an account's weaknesses: the database is owner-only.

    A file that already exists with group or world access (created by hand, or copied) is
    narrowed to 0600 as well; SQLite gives its -wal and -shm files the database's mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        mode = os.fstat(descriptor).st_mode
        if mode & 0o077:
            try:
                os.fchmod(descriptor, 0o600)
            except PermissionError:
                _log.warning("the store %s is readable by other users (mode %o)", path, mode & 0o777)
    finally:
        os.close(descriptor)


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

"""Alembic environment: always run on the connection (and transaction) the store opened."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes["connection"]
if not isinstance(connection, Connection):
    raise RuntimeError("awsaudit migrations run only through awsaudit.store (no connection given)")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()

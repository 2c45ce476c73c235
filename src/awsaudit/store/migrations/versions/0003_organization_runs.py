"""Organization scans: one run per `scan --organization`, linked to one scan per account of it.

Revision ID: 0003
Revises: 0002

``scans.kind`` is ``account`` for an account's audit (alone, or one account of an organization run)
and ``organization`` for the organization checks' own findings of a run. ``organization_run_id`` and
``management_account_id`` link an account's scan to its run and organization; both stay NULL for
scans of an account audited on its own without its organization's facts. No foreign key: SQLite
cannot add one to an existing table without rebuilding it, and the store deletes a run's scans
itself when it forgets the run.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "organization_runs",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("run_key", sa.String(64), nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("management_account_id", sa.String(64), nullable=False),
        sa.Column("caller_arn", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("accounts", _JSON, nullable=False),
        sa.Column("output_location", sa.Text(), nullable=True),
        sqlite_autoincrement=True,  # run ids are user-facing, like scan ids: never reused
    )
    op.create_index("ix_organization_runs_key", "organization_runs", ["run_key"], unique=True)
    op.create_index("ix_organization_runs_org_time", "organization_runs", ["organization_id", "started_at"])
    op.add_column("scans", sa.Column("kind", sa.String(16), nullable=False, server_default="account"))
    op.add_column("scans", sa.Column("organization_run_id", _ID, nullable=True))
    op.add_column("scans", sa.Column("management_account_id", sa.String(64), nullable=True))
    op.create_index("ix_scans_organization_run", "scans", ["organization_run_id"])


def downgrade() -> None:
    op.drop_index("ix_scans_organization_run", table_name="scans")
    with op.batch_alter_table("scans") as batch:
        batch.drop_column("management_account_id")
        batch.drop_column("organization_run_id")
        batch.drop_column("kind")
    op.drop_index("ix_organization_runs_org_time", table_name="organization_runs")
    op.drop_index("ix_organization_runs_key", table_name="organization_runs")
    op.drop_table("organization_runs")

"""The --severity of each scan, beside the checks and regions it already records.

Revision ID: 0004
Revises: 0003

``scans.min_severity`` is the lowest severity the scan kept: a finding below it was left out although
its check ran (its evidence lowered it). Scans recorded before this revision kept every severity, so
the column's default, ``info``, the lowest, reads them correctly.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scans", sa.Column("min_severity", sa.String(16), nullable=False, server_default="info"))


def downgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.drop_column("min_severity")

"""Indexes for the history lookups: scans of an account by time, a finding's past by its stable id.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_scans_account_time", "scans", ["account_id", "collected_at"])
    op.create_index("ix_findings_finding_status", "findings", ["finding_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_findings_finding_status", table_name="findings")
    op.drop_index("ix_scans_account_time", table_name="scans")

"""The tables at the newest schema revision, for queries (migrations define their own copies).

Keep in step with the newest module in ``migrations/versions``; the store tests
compare this metadata with a freshly migrated database.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData()

scans = sa.Table(
    "scans",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("partition", sa.String(32), nullable=False),
    sa.Column("caller_arn", sa.Text(), nullable=False),
    sa.Column("regions", _JSON, nullable=False),
    sa.Column("frameworks", _JSON, nullable=False),
    sa.Column("checks", _JSON, nullable=False),
    sa.Column("tool_version", sa.String(64), nullable=False),
    sa.Column("collection_seconds", sa.Float(), nullable=False),
    sa.Column("errors", _JSON, nullable=False),
    sa.Column("status_counts", _JSON, nullable=False),
    sa.Column("snapshot_path", sa.Text(), nullable=True),
    sa.Column("snapshot_sha256", sa.String(64), nullable=True),
    # "account" (one account's audit) or "organization" (an organization run's own checks).
    sa.Column("kind", sa.String(16), nullable=False, server_default="account"),
    sa.Column("organization_run_id", _ID, nullable=True),  # organization_runs.id (no FK: see 0003)
    sa.Column("management_account_id", sa.String(64), nullable=True),
    # The lowest severity the scan kept (--severity); "info", the lowest, keeps every finding.
    sa.Column("min_severity", sa.String(16), nullable=False, server_default="info"),
    sa.Index("ix_scans_account_time", "account_id", "collected_at"),
    sa.Index("ix_scans_organization_run", "organization_run_id"),
    sqlite_autoincrement=True,
)

organization_runs = sa.Table(
    "organization_runs",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("run_key", sa.String(64), nullable=False),
    sa.Column("organization_id", sa.String(64), nullable=False),
    sa.Column("management_account_id", sa.String(64), nullable=False),
    sa.Column("caller_arn", sa.Text(), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seconds", sa.Float(), nullable=False),
    sa.Column("tool_version", sa.String(64), nullable=False),
    # Every account in scope: {account_id, name, status, reason, ou_path, scan_id}.
    sa.Column("accounts", _JSON, nullable=False),
    sa.Column("output_location", sa.Text(), nullable=True),
    sa.Index("ix_organization_runs_key", "run_key", unique=True),
    sa.Index("ix_organization_runs_org_time", "organization_id", "started_at"),
    sqlite_autoincrement=True,
)

scan_frameworks = sa.Table(
    "scan_frameworks",
    metadata,
    sa.Column("scan_id", _ID, sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("framework", sa.String(128), primary_key=True),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("passed", sa.Integer(), nullable=False),
    sa.Column("failed", sa.Integer(), nullable=False),
    sa.Column("other", sa.Integer(), nullable=False),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("scan_id", _ID, sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False),
    sa.Column("finding_id", sa.String(64), nullable=False),
    sa.Column("check_id", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("suppressed", sa.Boolean(), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("region", sa.String(64), nullable=False),
    sa.Column("resource", sa.Text(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("evidence", _JSON, nullable=False),
    sa.Index("ix_findings_scan", "scan_id"),
    sa.Index("ix_findings_finding_status", "finding_id", "status"),
)

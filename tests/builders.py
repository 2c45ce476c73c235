"""Readable hand-built snapshots for check tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from awsaudit.checks.registry import all_checks
from awsaudit.checks.runner import run_checks
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Status
from awsaudit.snapshot import GLOBAL, Account, CollectionError, Snapshot

ACCOUNT_ID = "111122223333"
COLLECTED_AT = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


class SnapshotBuilder:
    """Start empty (nothing collected) and add exactly the datasets a test needs."""

    def __init__(self, regions: tuple[str, ...] = ("eu-west-1",), account_id: str = ACCOUNT_ID) -> None:
        self.snapshot = Snapshot(
            account=Account(account_id, "aws", f"arn:aws:iam::{account_id}:user/auditor"),
            collected_at=COLLECTED_AT,
            regions=list(regions),
            tool_version="test",
        )

    def with_dataset(self, service: str, name: str, value: Any, region: str = GLOBAL) -> SnapshotBuilder:
        self.snapshot.set(service, region, name, value)
        return self

    def with_regional(self, service: str, name: str, value: Any) -> SnapshotBuilder:
        """The same dataset value in every region of the snapshot."""
        for region in self.snapshot.regions:
            self.snapshot.set(service, region, name, value)
        return self

    def with_error(
        self, service: str, name: str, region: str = GLOBAL, code: str = "AccessDenied", operation: str = "Op"
    ) -> SnapshotBuilder:
        self.snapshot.errors.append(CollectionError(service, region, name, operation, code, "denied by test"))
        return self

    def build(self) -> Snapshot:
        return self.snapshot


def run(snapshot: Snapshot, check_id: str, config: AuditConfig | None = None) -> list[Finding]:
    """Findings of one check."""
    return run_checks(snapshot, [all_checks()[check_id]], config or AuditConfig())


def statuses(findings: list[Finding]) -> dict[str, Status]:
    """resource -> status (one finding per resource expected)."""
    return {f.resource: f.status for f in findings}


def iso(year: int, month: int, day: int) -> str:
    return datetime(year, month, day, tzinfo=UTC).isoformat()

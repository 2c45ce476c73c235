"""What the history store gives back: scans, their findings, framework pass rates and organization
runs. Plain values below every package that uses them: store/ produces them, history/ compares them
and report/ renders them, so none of those has to import another's internals to share them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NewType

from awsaudit.findings import Finding, Severity, Status

ScanId = NewType("ScanId", int)
OrganizationRunId = NewType("OrganizationRunId", int)

# A scan's kind: one account's audit, or an organization run's own checks.
ACCOUNT_SCAN = "account"
ORGANIZATION_SCAN = "organization"
# An organization run's account that was in the organization but not scanned (inactive, or outside the
# requested scope); every other account of a run carries its AccountStatus.
SKIPPED = "SKIPPED"


@dataclass(frozen=True)
class FrameworkRate:
    framework: str  # id@version
    title: str
    passed: int
    failed: int
    other: int  # controls UNKNOWN, MANUAL or with nothing to judge

    @property
    def pass_rate(self) -> float | None:
        judged = self.passed + self.failed
        return None if judged == 0 else self.passed / judged


@dataclass(frozen=True)
class ScanRecord:
    id: ScanId
    collected_at: datetime
    recorded_at: datetime
    account_id: str
    partition: str
    caller_arn: str
    regions: tuple[str, ...]
    frameworks: tuple[str, ...]
    checks: tuple[str, ...]
    tool_version: str
    collection_seconds: float
    errors: tuple[Mapping[str, Any], ...]
    status_counts: Mapping[str, int]
    snapshot_path: str | None
    snapshot_sha256: str | None
    kind: str = ACCOUNT_SCAN  # or "organization": an organization run's own checks
    organization_run_id: OrganizationRunId | None = None
    management_account_id: str | None = None
    min_severity: Severity = Severity.INFO  # --severity; INFO, the lowest, kept every finding

    @property
    def failing(self) -> int:
        return self.status_counts.get("FAIL", 0)


@dataclass(frozen=True)
class OrganizationRunRecord:
    id: OrganizationRunId
    run_key: str
    organization_id: str
    management_account_id: str
    caller_arn: str
    started_at: datetime
    recorded_at: datetime
    seconds: float
    tool_version: str
    accounts: tuple[Mapping[str, Any], ...]  # as recorded, with each account's scan_id (None: not scanned)
    output_location: str | None

    @property
    def scanned(self) -> int:
        return sum(1 for account in self.accounts if account.get("scan_id") is not None)


@dataclass(frozen=True)
class StoredFinding:
    finding_id: str
    check_id: str
    status: Status  # the check's own judgement, before suppressions
    suppressed: bool
    severity: Severity
    account_id: str
    region: str
    resource: str
    message: str
    evidence: Mapping[str, Any] | None  # None when read without it (diffs do not need it)

    @property
    def failing(self) -> bool:
        """A FAIL nobody accepted: what a diff tracks."""
        return self.status is Status.FAIL and not self.suppressed

    @classmethod
    def of(cls, finding: Finding, suppressed: bool) -> StoredFinding:
        return cls(
            finding.id,
            finding.check_id,
            finding.status,
            suppressed,
            finding.severity,
            finding.account_id,
            finding.region,
            finding.resource,
            finding.message,
            finding.evidence,
        )

"""What the store gives back: scans, their findings and their framework pass rates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NewType

from awsaudit.findings import Finding, Severity, Status

ScanId = NewType("ScanId", int)


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

    @property
    def failing(self) -> int:
        return self.status_counts.get("FAIL", 0)


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

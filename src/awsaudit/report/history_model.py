"""What `awsaudit diff`, `history` and `trend` show: the plain results history/ computes from the
store and report/ renders (history/ decides, report/ renders, cli/ wires the two)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from awsaudit.findings import Severity
from awsaudit.scan_records import FrameworkRate, OrganizationRunRecord, ScanRecord, StoredFinding
from awsaudit.snapshot import GLOBAL, Snapshot

# ------------------------------------------------------------------ findings diff


class Change(StrEnum):
    """How a failing finding moved between two audits (history/findings_diff.py says which is which)."""

    NEW = "new"
    NEWLY_CHECKED = "newly_checked"
    REGRESSED = "regressed"
    RESOLVED = "resolved"
    UNCHANGED = "unchanged"
    SUPPRESSED = "suppressed"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class AuditFindings:
    """One side of a diff: the findings of an audit and what it evaluated."""

    label: str
    account_id: str
    collected_at: datetime
    regions: tuple[str, ...]
    checks: frozenset[str]
    findings: Mapping[str, StoredFinding]  # by stable finding id
    min_severity: Severity = Severity.INFO  # --severity: a finding below it was left out, not judged

    def evaluated(self, finding: StoredFinding) -> bool:
        in_region = finding.region == GLOBAL or finding.region in self.regions
        kept = finding.severity.rank >= self.min_severity.rank
        return finding.check_id in self.checks and in_region and kept


@dataclass(frozen=True)
class FindingChange:
    change: Change
    finding: StoredFinding  # the newer record when there is one
    old_status: str  # PASS, FAIL, SUPPRESSED, UNKNOWN, MANUAL or ABSENT
    new_status: str


@dataclass(frozen=True)
class FindingsDiff:
    old: AuditFindings
    new: AuditFindings
    changes: tuple[FindingChange, ...]

    def of(self, change: Change) -> list[FindingChange]:
        return [c for c in self.changes if c.change is change]

    def counts(self) -> dict[Change, dict[Severity, int]]:
        tally = {change: dict.fromkeys(Severity, 0) for change in Change}
        for item in self.changes:
            tally[item.change][item.finding.severity] += 1
        return tally


# ------------------------------------------------------------------ configuration diff


class Kind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. "IpPermissions[tcp 22 22].IpRanges[+]", "Policy.Statement[PublicRead]"
    kind: Kind
    old: Any
    new: Any


@dataclass(frozen=True)
class ResourceChange:
    service: str
    region: str
    dataset: str
    resource: str  # the entry's natural id; "" for a dataset that is one object
    kind: Kind
    fields: tuple[FieldChange, ...]  # for CHANGED; the whole entry is old/new otherwise
    old: Any
    new: Any

    @property
    def where(self) -> str:
        base = f"{self.service}/{self.region}/{self.dataset}"
        return f"{base}[{self.resource}]" if self.resource else base


@dataclass(frozen=True)
class DatasetGap:
    """A dataset that cannot be compared: present (or collected without error) on one side only."""

    service: str
    region: str
    dataset: str
    reason: str


@dataclass(frozen=True)
class SnapshotDiff:
    resources: tuple[ResourceChange, ...]
    gaps: tuple[DatasetGap, ...]


# ------------------------------------------------------------------ one account's comparison


@dataclass(frozen=True)
class AuditSource:
    findings: AuditFindings
    scan: ScanRecord | None
    snapshot: Snapshot | None
    snapshot_note: str | None  # why the configuration cannot be compared, when it cannot


@dataclass(frozen=True)
class Comparison:
    old: AuditSource
    new: AuditSource
    findings: FindingsDiff
    configuration: SnapshotDiff | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class TrendPoint:
    scan: ScanRecord
    rates: dict[str, FrameworkRate]  # by framework key
    failing: dict[Severity, int]  # unsuppressed FAIL findings


# ------------------------------------------------------------------ an organization's runs


@dataclass(frozen=True)
class AccountComparison:
    account_id: str
    name: str
    old_status: str | None  # the account's status in the older run (None: not in it)
    new_status: str | None
    old_scan: int | None
    new_scan: int | None
    findings: FindingsDiff | None  # None unless the account was scanned in both runs


@dataclass(frozen=True)
class OrganizationComparison:
    old: OrganizationRunRecord
    new: OrganizationRunRecord
    accounts: tuple[AccountComparison, ...]
    organization: FindingsDiff | None  # the organization checks' own findings, when both runs have them


@dataclass(frozen=True)
class OrganizationTrendPoint:
    run: OrganizationRunRecord
    rates: dict[str, FrameworkRate]  # by framework key, summed over the run's scans
    failing: dict[Severity, int]  # unsuppressed FAIL findings, summed over the run's scans
    not_scanned: int  # accounts in scope the run could not scan (UNREACHABLE, FAILED)

"""The report model: one audit result with check metadata and suppressions applied.

Every renderer takes a ReportModel and nothing else, so all formats agree on
statuses, suppressions and compliance rollups.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property

from awsaudit.audit import AuditResult
from awsaudit.checks.registry import CheckMeta, all_checks
from awsaudit.compliance.frameworks_model import ControlStatus, Framework, rollup
from awsaudit.findings import Finding, Severity, Status
from awsaudit.snapshot import GLOBAL, CollectionError
from awsaudit.suppressions import Suppression, apply_suppressions
from awsaudit.wellformed import wellformed

REPORT_SCHEMA = "awsaudit.findings/2"


class ReportStatus(StrEnum):
    """What a report shows: the check's judgement, or SUPPRESSED over it."""

    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    MANUAL = "MANUAL"
    SUPPRESSED = "SUPPRESSED"


_REPORTED = {status: ReportStatus(status.value) for status in Status}


@dataclass(frozen=True)
class ControlRef:
    framework: str  # id@version
    framework_title: str
    control: str


@dataclass(frozen=True)
class CheckInfo:
    id: str
    title: str
    severity: Severity
    service: str
    rationale: str
    remediation: str
    references: tuple[str, ...]
    controls: tuple[ControlRef, ...]

    @cached_property
    def standards(self) -> tuple[str, ...]:
        """Titles of the frameworks this check serves (computed once: reports ask per finding)."""
        return tuple(sorted({ref.framework_title for ref in self.controls}))

    @cached_property
    def requirements(self) -> tuple[str, ...]:
        """``<framework title> <control id>`` for every control this check serves."""
        return tuple(f"{ref.framework_title} {ref.control}" for ref in self.controls)

    @cached_property
    def in_cis(self) -> bool:
        return any(ref.framework.startswith("cis-") for ref in self.controls)

    @classmethod
    def unregistered(cls, check_id: str, severity: Severity) -> CheckInfo:
        """For findings of a check not (or no longer) registered, e.g. from an older findings file."""
        return cls(check_id, check_id, severity, check_id.partition(".")[0], "", "", (), ())


@dataclass(frozen=True)
class ReportFinding:
    finding: Finding
    check: CheckInfo
    suppression: Suppression | None

    @property
    def status(self) -> ReportStatus:
        if self.suppression is not None:
            return ReportStatus.SUPPRESSED
        return _REPORTED[self.finding.status]

    @property
    def original_status(self) -> Status:
        return self.finding.status


@dataclass(frozen=True)
class ControlReport:
    id: str
    title: str
    section: str
    level: int | None
    automated: bool
    checks: tuple[str, ...]
    status: ControlStatus
    counts: Mapping[str, int]
    # The framework calls the control manual, and awsaudit judged it fully anyway.
    automated_here: bool = False
    # Shown beside the status in every format, e.g. "manual in CIS, automated here".
    note: str = ""


@dataclass(frozen=True)
class FrameworkReport:
    key: str
    title: str
    controls: tuple[ControlReport, ...]

    def counts(self) -> dict[ControlStatus, int]:
        tally = dict.fromkeys(ControlStatus, 0)
        for control in self.controls:
            tally[control.status] += 1
        return tally

    def automated_here(self) -> tuple[ControlReport, ...]:
        """The controls the framework leaves to a person that awsaudit judged (PASS or FAIL) itself."""
        return tuple(c for c in self.controls if c.automated_here)

    def pass_rate(self) -> float | None:
        """Passing share of the controls that were judged PASS or FAIL."""
        tally = self.counts()
        judged = tally[ControlStatus.PASS] + tally[ControlStatus.FAIL]
        return None if judged == 0 else tally[ControlStatus.PASS] / judged


@dataclass(frozen=True)
class ExpiredSuppression:
    suppression: Suppression
    resurfaced: int  # findings it would still match: they are reported with their own status again


@dataclass(frozen=True)
class ChangedFinding:
    """A finding that started or stopped failing since the previous scan."""

    change: str  # new, regressed or resolved (see awsaudit.history.findings_diff)
    finding_id: str
    check_id: str
    severity: Severity
    region: str
    resource: str
    message: str


@dataclass(frozen=True)
class SinceLastScan:
    previous_scan_id: int
    previous_collected_at: datetime
    counts: Mapping[str, int]  # by change: new, regressed, resolved, unchanged, suppressed, unverified
    findings: tuple[ChangedFinding, ...]  # the new, regressed and resolved ones, worst first


@dataclass(frozen=True)
class HistoryPoint:
    """One recorded scan of the account, for the trend chart."""

    scan_id: int
    collected_at: datetime
    pass_rates: Mapping[str, float | None]  # by framework key
    failing: Mapping[Severity, int]  # unsuppressed FAIL findings


@dataclass(frozen=True)
class ReportHistory:
    """What the history store knows about this audit's past; filled from the store, not the audit."""

    since_last_scan: SinceLastScan | None
    trend: tuple[HistoryPoint, ...]  # oldest first, this scan last
    trend_note: str | None = None  # scans left out of the trend for judging another selection


@dataclass(frozen=True)
class ReportModel:
    tool_version: str
    account_id: str
    partition: str
    caller_arn: str
    collected_at: datetime
    collection_seconds: float
    regions: tuple[str, ...]
    frameworks: tuple[FrameworkReport, ...]
    checks: Mapping[str, CheckInfo]  # the selected checks, by id
    findings: tuple[ReportFinding, ...]
    errors: tuple[CollectionError, ...]
    expired_suppressions: tuple[ExpiredSuppression, ...]
    history: ReportHistory | None = None
    below_severity: int = 0  # findings left out by --severity (their evidence lowered them below it)
    min_severity: Severity | None = None  # --severity, when given
    organization_page: str | None = None  # in an organization run: the relative link to its page

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted({self.account_id, *(f.finding.account_id for f in self.findings)}))

    @property
    def collected_at_iso(self) -> str:
        return self.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def home_region(self) -> str:
        """Where account-wide (``global``) findings are filed for services that need a region."""
        return self.regions[0] if self.regions else "us-east-1"

    def region_of(self, finding: Finding) -> str:
        return self.home_region if finding.region == GLOBAL else finding.region

    def status_counts(self) -> dict[ReportStatus, int]:
        tally = dict.fromkeys(ReportStatus, 0)
        for item in self.findings:
            tally[item.status] += 1
        return tally


def _check_info(meta: CheckMeta, controls: tuple[ControlRef, ...]) -> CheckInfo:
    return CheckInfo(
        id=meta.id,
        title=meta.title,
        severity=meta.severity,
        service=meta.service,
        rationale=meta.rationale,
        remediation=meta.remediation,
        references=meta.references,
        controls=controls,
    )


def _control_refs(frameworks: Sequence[Framework]) -> dict[str, tuple[ControlRef, ...]]:
    refs: dict[str, list[ControlRef]] = {}
    for framework in frameworks:
        for control in framework.controls:
            for check_id in control.checks:
                refs.setdefault(check_id, []).append(ControlRef(framework.key, framework.title, control.id))
    return {check_id: tuple(found) for check_id, found in refs.items()}


def automated_here_note(framework: Framework) -> str:
    """The note beside a control the framework leaves to a person but awsaudit judged."""
    short = "CIS" if framework.id.startswith("cis-") else f"the {framework.id}"
    return f"manual in {short}, automated here"


def _framework_report(
    framework: Framework, counted: list[Finding], suppressed: list[Finding], evaluated: set[str]
) -> FrameworkReport:
    """Suppressed findings are accepted risks: they do not drive a control's status but stay counted."""
    suppressed_by_check: dict[str, int] = {}
    for finding in suppressed:
        suppressed_by_check[finding.check_id] = suppressed_by_check.get(finding.check_id, 0) + 1
    controls = []
    for result in rollup(framework, counted, evaluated, all_checks()):
        counts = dict(result.counts)
        hidden = sum(suppressed_by_check.get(c, 0) for c in result.control.checks if c in evaluated)
        if hidden:
            counts[ReportStatus.SUPPRESSED.value] = hidden
        control = result.control
        controls.append(
            ControlReport(
                control.id,
                control.title,
                control.section,
                control.level,
                control.automated,
                control.checks,
                result.status,
                counts,
                result.automated_here,
                automated_here_note(framework) if result.automated_here else "",
            )
        )
    return FrameworkReport(framework.key, framework.title, tuple(controls))


def _representable(result: AuditResult) -> AuditResult:
    """The audited data made representable once, here, for every format, the store and the terminal:
    lone surrogates become U+FFFD, NaN and infinities strings (awsaudit.wellformed)."""
    seconds = result.collection_seconds
    return replace(
        result,
        snapshot_account=wellformed(result.snapshot_account),
        caller_arn=wellformed(result.caller_arn),
        partition=wellformed(result.partition),
        regions=wellformed(result.regions),
        findings=wellformed(result.findings),
        errors=wellformed(result.errors),
        # A duration that is not a number is unknown; 0 keeps the field a number in every format.
        collection_seconds=seconds if math.isfinite(seconds) else 0.0,
    )


def build_report_model(result: AuditResult, suppressions: Sequence[Suppression] = ()) -> ReportModel:
    """Join findings with their check metadata, apply suppressions and roll up per framework."""
    result = _representable(result)
    collected_at = datetime.fromisoformat(result.collected_at.replace("Z", "+00:00"))
    frameworks = result.selection.frameworks
    refs = _control_refs(frameworks)
    registry = {c.id: c for c in result.selection.checks}
    checks = {c.id: _check_info(c, refs.get(c.id, ())) for c in sorted(registry.values(), key=lambda c: c.id)}
    if any(f.check_id not in checks for f in result.findings):
        registry = all_checks()

    def info(finding: Finding) -> CheckInfo:
        if finding.check_id in checks:
            return checks[finding.check_id]
        meta = registry.get(finding.check_id)
        if meta is None:
            return CheckInfo.unregistered(finding.check_id, finding.severity)
        return _check_info(meta, refs.get(meta.id, ()))

    ordered = sorted(result.findings, key=Finding.sort_key)
    outcome = apply_suppressions(ordered, suppressions, collected_at)
    findings = tuple(
        ReportFinding(finding, info(finding), applied)
        for finding, applied in zip(ordered, outcome.applied, strict=True)
    )
    counted = [f.finding for f in findings if f.suppression is None]
    suppressed = [f.finding for f in findings if f.suppression is not None]
    evaluated = set(checks)
    return ReportModel(
        tool_version=result.tool_version,
        account_id=result.snapshot_account,
        partition=result.partition,
        caller_arn=result.caller_arn,
        collected_at=collected_at,
        collection_seconds=result.collection_seconds,
        regions=tuple(result.regions),
        frameworks=tuple(_framework_report(f, counted, suppressed, evaluated) for f in frameworks),
        checks=checks,
        findings=findings,
        errors=tuple(result.errors),
        expired_suppressions=tuple(
            ExpiredSuppression(s, outcome.resurfaced.get(s.entry, 0)) for s in outcome.expired
        ),
        below_severity=result.below_severity,
        min_severity=result.selection.min_severity,
    )

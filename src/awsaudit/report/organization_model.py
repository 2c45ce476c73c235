"""The organization summary as a value: every account's statuses after organization resolution, the
organization checks' own result, and the rollups the reports show (built by awsaudit.organization.summary)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from awsaudit.accounts import AccountOutcome, AccountTarget, OrganizationStructure
from awsaudit.audit import AuditResult, Selection
from awsaudit.checks.registry import CheckMeta
from awsaudit.findings import Finding, Severity, Status

ORGANIZATION_REPORT_FILE = "organization-report.html"
# How an account's report (<output>/<account-id>/) and the organization checks' report
# (<output>/organization/) reach the organization page: relative, so a moved output folder still works.
ORGANIZATION_PAGE_FROM_REPORTS = f"../{ORGANIZATION_REPORT_FILE}"


@dataclass(frozen=True)
class AccountRow:
    """One account in the organization summary, with its checks' statuses after organization resolution."""

    target: AccountTarget
    outcome: AccountOutcome
    statuses: Mapping[str, str]  # check id -> worst status ("" = judged nothing)
    resolved: Mapping[str, str]  # check id -> how an organization-level fact decided it
    controls: Mapping[str, Mapping[str, str]]  # framework key -> control id -> status

    def failing(self, checks: Mapping[str, CheckMeta]) -> list[str]:
        return sorted(c for c, s in self.statuses.items() if s == Status.FAIL.value and c in checks)

    def badness(self, checks: Mapping[str, CheckMeta]) -> tuple[int, ...]:
        """Sort key, worst first: not scanned, then failing checks by severity, then UNKNOWNs."""
        by_severity = Counter(checks[c].severity for c in self.failing(checks))
        unknown = sum(1 for s in self.statuses.values() if s == Status.UNKNOWN.value)
        return (
            int(not self.outcome.scanned),
            *(by_severity[s] for s in sorted(Severity, key=lambda s: -s.rank)),
            unknown,
        )


@dataclass(frozen=True)
class OrganizationSummary:
    structure: OrganizationStructure
    selection: Selection
    rows: tuple[AccountRow, ...]
    organization_result: AuditResult  # the organization checks over the organization-level snapshot
    not_scanned: tuple[AccountTarget, ...]  # inactive or outside the requested scope
    scan_id: str
    started_at: datetime
    seconds: float

    @property
    def organization_findings(self) -> tuple[Finding, ...]:
        return self.organization_result.findings

    @property
    def checks(self) -> dict[str, CheckMeta]:
        return {meta.id: meta for meta in self.selection.checks}

    def worst_rows(self, limit: int = 10) -> list[AccountRow]:
        checks = self.checks
        ranked = sorted(self.rows, key=lambda r: (*(-v for v in r.badness(checks)), r.target.account_id))
        return [r for r in ranked if any(r.badness(checks))][:limit]

    def status_counts(self) -> Counter[str]:
        return Counter(row.outcome.status.value for row in self.rows)

    def unit_rollup(self) -> list[dict[str, Any]]:
        """Per root and OU (nested accounts included): accounts, how many were scanned, failing checks."""
        names = self.structure.unit_names()
        rollups = []
        for unit_id, name in names.items():
            rows = [r for r in self.rows if unit_id in r.target.ou_path]
            if not rows:
                continue
            failing: Counter[str] = Counter()
            for row in rows:
                failing.update(row.failing(self.checks))
            rollups.append(
                {
                    "id": unit_id,
                    "name": name,
                    "accounts": len(rows),
                    "scanned": sum(1 for r in rows if r.outcome.scanned),
                    "not_scanned": sorted(r.target.account_id for r in rows if not r.outcome.scanned),
                    "findings": dict(sum((Counter(r.outcome.counts) for r in rows), Counter()).most_common()),
                    "failing_checks": dict(failing.most_common()),
                }
            )
        return rollups


def account_of(finding: Finding) -> str:
    """Organization findings name the member account they judge in their resource ARN."""
    parts = finding.resource.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else finding.account_id


def not_scanned_reason(account: AccountTarget) -> str:
    return "outside the requested scope" if account.active else f"account status {account.status}"

"""Judge the organization from the accounts' outcomes: organization checks, per-account and per-OU rollups.

Everything here is pure and small: it reads the outcomes (counts, worst status per check, a few
facts), never the accounts' snapshots. An account that was not scanned has every check UNKNOWN,
so none of its controls can show PASS.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from awsaudit import __version__
from awsaudit.audit import AuditResult, Selection, evaluate
from awsaudit.checks.organizations.organization_wide import MEMBERS, ORGANIZATION, UNITS
from awsaudit.checks.registry import CheckMeta
from awsaudit.compliance.frameworks_model import rollup
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Severity, Status
from awsaudit.organization.model import AccountOutcome, AccountTarget, OrganizationStructure
from awsaudit.report.json_layout import json_document
from awsaudit.snapshot import GLOBAL, Account, Snapshot, save, write_private_atomic

SUMMARY_SCHEMA = "awsaudit.organization-summary/1"
SUMMARY_FILE = "organization-summary.json"
ORGANIZATION_DIR = "organization"
ORGANIZATION_WIDE_MODULE = "awsaudit.checks.organizations.organization_wide"
# An account-level check a member fails only for lack of something the organization provides instead:
# a member capped by a linked-account budget in the management account needs no budget of its own.
SATISFIED_BY_ORGANIZATION = {"budgets.budget_with_alert": "organizations.member_budgets"}
# Judged from the organization's lists, which only the management account (or a delegated
# administrator) may read: every account of the organization takes the management account's verdict.
MANAGEMENT_JUDGED = ("organizations.scp_guardrails", "organizations.delegated_administrators")


def is_organization_wide(meta: CheckMeta) -> bool:
    return getattr(meta.function, "__module__", "") == ORGANIZATION_WIDE_MODULE


def organization_snapshot(
    structure: OrganizationStructure,
    targets: Sequence[AccountTarget],
    outcomes: Sequence[AccountOutcome],
    role_arn_of: Mapping[str, str],
    collected_at: datetime,
    caller_arn: str,
) -> Snapshot:
    """The organization-level data the organization checks judge, in the snapshot format."""
    by_id = {o.account_id: o for o in outcomes}
    members = []
    for target in targets:
        outcome = by_id[target.account_id]
        facts = outcome.facts
        members.append(
            {
                "Id": target.account_id,
                "Name": target.name,
                "Email": target.email,
                "Status": target.status,
                "ParentId": target.parent_id,
                "OuPath": list(target.ou_path),
                "Management": target.account_id == structure.management_account_id,
                "AuditRole": role_arn_of.get(target.account_id),
                "Scan": {
                    "Status": outcome.status.value,
                    "Reason": outcome.reason,
                    "ErrorCode": outcome.error_code,
                    "CredentialsSource": outcome.credentials_source,
                },
                "Budgets": facts.get("budgets"),
                "BudgetsReason": facts.get("budgets_reason")
                or (None if outcome.scanned else f"account not scanned: {outcome.reason}"),
            }
        )
    snapshot = Snapshot(
        account=Account(structure.management_account_id, structure.partition, caller_arn),
        collected_at=collected_at,
        regions=[],
        tool_version=__version__,
        requested=[f"{ORGANIZATION}/{MEMBERS}", f"{ORGANIZATION}/{UNITS}", f"{ORGANIZATION}/Organization"],
    )
    snapshot.set(ORGANIZATION, GLOBAL, "Organization", dict(structure.organization))
    snapshot.set(
        ORGANIZATION,
        GLOBAL,
        UNITS,
        [{"Id": u.id, "Name": u.name, "ParentId": u.parent_id} for u in structure.units],
    )
    snapshot.set(ORGANIZATION, GLOBAL, MEMBERS, members)
    return snapshot


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


def summarize(
    structure: OrganizationStructure,
    selection: Selection,
    config: AuditConfig,
    targets: Sequence[AccountTarget],
    outcomes: Sequence[AccountOutcome],
    *,
    role_arn_of: Mapping[str, str],
    scan_id: str,
    started_at: datetime,
    seconds: float,
    caller_arn: str = "",
) -> tuple[OrganizationSummary, Snapshot]:
    """Run the organization checks and roll every account's statuses up to controls."""
    snapshot = organization_snapshot(structure, targets, outcomes, role_arn_of, started_at, caller_arn)
    organization_checks = tuple(meta for meta in selection.checks if is_organization_wide(meta))
    result = evaluate(snapshot, Selection(selection.frameworks, organization_checks), config)
    findings = result.findings
    by_member: dict[str, list[Finding]] = {}
    for finding in findings:
        by_member.setdefault(_account_of(finding), []).append(finding)
    by_id = {o.account_id: o for o in outcomes}
    account_checks = [m.id for m in selection.checks if not is_organization_wide(m)]
    rows = []
    for target in targets:
        outcome = by_id[target.account_id]
        statuses, resolved = _statuses(outcome, account_checks, by_id, structure.management_account_id)
        for check_id, status in _worst_by_check(by_member.get(target.account_id, [])).items():
            statuses[check_id] = status
        for account_check, organization_check in SATISFIED_BY_ORGANIZATION.items():
            if statuses.get(account_check) == "FAIL" and statuses.get(organization_check) == "PASS":
                statuses[account_check] = "PASS"
                resolved[account_check] = f"satisfied at organization level: {organization_check} passes"
        rows.append(
            AccountRow(target, outcome, statuses, resolved, _controls(selection, target.account_id, statuses))
        )
    in_scope = {t.account_id for t in targets}
    summary = OrganizationSummary(
        structure=structure,
        selection=selection,
        rows=tuple(rows),
        organization_result=result,
        not_scanned=tuple(a for a in structure.accounts if a.account_id not in in_scope),
        scan_id=scan_id,
        started_at=started_at,
        seconds=seconds,
    )
    return summary, snapshot


def _account_of(finding: Finding) -> str:
    """Organization findings name the member account they judge in their resource ARN."""
    parts = finding.resource.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else finding.account_id


def _worst_by_check(findings: Sequence[Finding]) -> dict[str, str]:
    order = (Status.FAIL, Status.UNKNOWN, Status.MANUAL, Status.PASS)
    worst: dict[str, str] = {}
    for finding in findings:
        current = worst.get(finding.check_id)
        if current is None or order.index(finding.status) < order.index(Status(current)):
            worst[finding.check_id] = finding.status.value
    return worst


def _statuses(
    outcome: AccountOutcome,
    account_checks: Sequence[str],
    outcomes: Mapping[str, AccountOutcome],
    management_account_id: str,
) -> tuple[dict[str, str], dict[str, str]]:
    """The account's check statuses; checks it deferred to another scanned account take that account's."""
    if not outcome.scanned:
        return dict.fromkeys(account_checks, Status.UNKNOWN.value), {}
    statuses = {c: outcome.check_statuses.get(c, Status.UNKNOWN.value) for c in account_checks}
    resolved = {}
    deferred = dict(outcome.deferred)
    if outcome.account_id != management_account_id:
        deferred.update({c: management_account_id for c in MANAGEMENT_JUDGED if c in statuses})
    for check_id, owner in deferred.items():
        decider = outcomes.get(owner)
        if decider is None or not decider.scanned:
            resolved[check_id] = f"decided in account {owner}, which was not scanned"
            continue
        verdict = decider.check_statuses.get(check_id) or Status.UNKNOWN.value
        statuses[check_id] = verdict
        resolved[check_id] = f"decided in account {owner}: {verdict}"
    return statuses, resolved


def _controls(
    selection: Selection, account_id: str, statuses: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    # One representative finding per judged check lets the frameworks' own rollup decide each control.
    findings = [
        Finding(check_id, Status(status), Severity.INFO, account_id, GLOBAL, check_id, "")
        for check_id, status in statuses.items()
        if status
    ]
    evaluated = set(statuses)
    return {
        framework.key: {r.control.id: r.status.value for r in rollup(framework, findings, evaluated)}
        for framework in selection.frameworks
    }


# ------------------------------------------------------------------ writing
def summary_document(summary: OrganizationSummary) -> dict[str, Any]:
    structure = summary.structure
    names = structure.unit_names()
    return {
        "schema": SUMMARY_SCHEMA,
        "tool_version": __version__,
        "scan_id": summary.scan_id,
        "started_at": summary.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(summary.seconds, 3),
        "organization": {
            "id": structure.organization_id,
            "management_account": structure.management_account_id,
            "caller_account": structure.caller_account_id,
        },
        "frameworks": [f.key for f in summary.selection.frameworks],
        "accounts_by_status": dict(summary.status_counts()),
        "accounts": [
            {
                "id": row.target.account_id,
                "name": row.target.name,
                "ou_path": [{"id": u, "name": names.get(u, u)} for u in row.target.ou_path],
                "status": row.outcome.status.value,
                "reason": row.outcome.reason,
                "credentials": row.outcome.credentials_source,
                "findings": dict(row.outcome.counts),
                "collection_errors": row.outcome.collection_errors,
                "api_calls": row.outcome.api_calls,
                "seconds": round(row.outcome.seconds, 3),
                "files": list(row.outcome.files),
                "checks": dict(sorted(row.statuses.items())),
                "resolved_by_organization": dict(row.resolved),
                "controls": {key: dict(controls) for key, controls in row.controls.items()},
            }
            for row in summary.rows
        ],
        "not_scanned": [
            {"id": a.account_id, "name": a.name, "status": a.status, "reason": not_scanned_reason(a)}
            for a in summary.not_scanned
        ],
        "organizational_units": summary.unit_rollup(),
        "worst_accounts": [row.target.account_id for row in summary.worst_rows()],
        "organization_findings": [
            {
                "id": f.id,
                "check_id": f.check_id,
                "status": f.status.value,
                "severity": f.severity.value,
                "account_id": _account_of(f),
                "resource": f.resource,
                "message": f.message,
                "evidence": dict(f.evidence),
            }
            for f in summary.organization_findings
        ],
    }


def not_scanned_reason(account: AccountTarget) -> str:
    return "outside the requested scope" if account.active else f"account status {account.status}"


def write_summary(summary: OrganizationSummary, snapshot: Snapshot, output_dir: Path) -> list[Path]:
    """``organization-summary.json`` and the organization-level snapshot (re-evaluable offline)."""
    target = output_dir / SUMMARY_FILE
    write_private_atomic(target, json_document(summary_document(summary)))
    return [target, save(snapshot, output_dir / ORGANIZATION_DIR / "snapshot.json.gz")]

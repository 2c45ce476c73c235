"""Judge the organization from the accounts' outcomes: organization checks, per-account and per-OU rollups.

Everything here is pure and small: it reads the outcomes (counts, worst status per check, a few
facts), never the accounts' snapshots. An account that was not scanned has every check UNKNOWN,
so none of its controls can show PASS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from awsaudit import __version__
from awsaudit.accounts import AccountOutcome, AccountTarget, OrganizationStructure
from awsaudit.audit import Selection, evaluate
from awsaudit.checks.organizations.organization_wide import MEMBERS, ORGANIZATION, UNITS
from awsaudit.checks.registry import CheckMeta, all_checks
from awsaudit.compliance.frameworks_model import rollup
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Severity, Status
from awsaudit.redaction import redact_bytes
from awsaudit.report.organization_json import render_organization_summary
from awsaudit.report.organization_model import AccountRow, OrganizationSummary, account_of
from awsaudit.snapshot import GLOBAL, Account, Snapshot, save, write_private_atomic

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
    result = evaluate(
        snapshot, Selection(selection.frameworks, organization_checks, selection.min_severity), config
    )
    findings = result.findings
    by_member: dict[str, list[Finding]] = {}
    for finding in findings:
        by_member.setdefault(account_of(finding), []).append(finding)
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
        # A member that judged the check itself (from the organization context) keeps its verdict.
        deferred.update(
            {
                c: management_account_id
                for c in MANAGEMENT_JUDGED
                if c in statuses and statuses[c] in ("", Status.UNKNOWN.value)
            }
        )
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
        framework.key: {
            r.control.id: r.status.value for r in rollup(framework, findings, evaluated, all_checks())
        }
        for framework in selection.frameworks
    }


# ------------------------------------------------------------------ writing
def write_summary(summary: OrganizationSummary, snapshot: Snapshot, output_dir: Path) -> list[Path]:
    """``organization-summary.json`` and the organization-level snapshot (re-evaluable offline)."""
    target = output_dir / SUMMARY_FILE
    write_private_atomic(target, redact_bytes(render_organization_summary(summary)))
    return [target, save(snapshot, output_dir / ORGANIZATION_DIR / "snapshot.json.gz")]

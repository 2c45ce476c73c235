"""Pure extraction of the little an organization verdict needs from one account's scan.

The per-account task keeps only these (a few hundred bytes) once the account's snapshot and
findings are on disk, so the driver's memory does not grow with the accounts' sizes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from awsaudit.analyze.organization.context import budget_linked_accounts
from awsaudit.findings import Finding, Status
from awsaudit.report.model import ReportModel, ReportStatus
from awsaudit.snapshot import GLOBAL, NotCollected, Snapshot, resource_field

_WORST_FIRST = (Status.FAIL, Status.UNKNOWN, Status.MANUAL, Status.PASS)
_ORGANIZATION_TRAIL_ELSEWHERE = "organization_trail_elsewhere"


def worst_status(statuses: Iterable[Status]) -> Status | None:
    present = set(statuses)
    return next((s for s in _WORST_FIRST if s in present), None)


def check_statuses(model: ReportModel) -> dict[str, str]:
    """Worst unsuppressed status per selected check; "" for a check that ran and judged nothing."""
    by_check: dict[str, list[Status]] = {check_id: [] for check_id in model.checks}
    for item in model.findings:
        if item.status is not ReportStatus.SUPPRESSED:
            by_check.setdefault(item.finding.check_id, []).append(item.finding.status)
    return {check_id: (worst.value if (worst := worst_status(s)) else "") for check_id, s in by_check.items()}


def deferred_checks(findings: Iterable[Finding], account_id: str) -> dict[str, str]:
    """Checks this account left UNKNOWN because another account holds what decides them.

    A member covered by an organization trail sees the trail but not the log group, metric filters
    and alarms, which live in the trail owner's account.
    """
    deferred: dict[str, str] = {}
    for finding in findings:
        if finding.status is not Status.UNKNOWN:
            continue
        owner = _owner_elsewhere(finding.evidence, account_id)
        if owner is not None:
            deferred[finding.check_id] = owner
    return deferred


def _owner_elsewhere(evidence: Mapping[str, Any], account_id: str) -> str | None:
    if evidence.get("outcome") == _ORGANIZATION_TRAIL_ELSEWHERE:
        for trail in evidence.get("trails") or []:
            owner = trail.get("owner_account")
            if trail.get("organization_trail") and owner and owner != account_id:
                return str(owner)
    return None


def budget_facts(snapshot: Snapshot) -> dict[str, Any]:
    """Each budget's name, whether it alerts, and the linked accounts it is restricted to."""
    try:
        budgets = snapshot.dataset("budgets", GLOBAL, "Budgets")
    except NotCollected as absent:
        return {"budgets": None, "budgets_reason": absent.reason}
    facts = []
    for budget in budgets:
        try:
            notified: bool | None = bool(
                resource_field(budget, "Notifications", service="budgets", region=GLOBAL)
            )
        except NotCollected:
            notified = None
        linked = budget_linked_accounts(budget)
        facts.append(
            {
                "BudgetName": str(budget.get("BudgetName")),
                "Notified": notified,
                "LinkedAccounts": None if linked is None else sorted(linked),
            }
        )
    return {"budgets": facts}

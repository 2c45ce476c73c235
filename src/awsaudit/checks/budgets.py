"""Budgets check: a budget with an alert watches the account's spend."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.analyze.organization.context import (
    budget_linked_accounts,
    context_of_snapshot,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, check
from awsaudit.findings import Severity


@check(
    id="budgets.budget_with_alert",
    title="A budget with an alert limits the cost of misuse",
    severity=Severity.MEDIUM,
    needs=[Needs("budgets", "Budgets")],  # and the organization context, when a scan hands it over
    rationale=(
        "A budget alert is often the first sign of stolen credentials mining cryptocurrency or of a runaway "
        "resource; without one the bill is the alert."
    ),
    remediation=(
        "aws budgets create-budget --account-id <account-id> --budget file://budget.json "
        "--notifications-with-subscribers file://notifications.json "
        "(notifications.json: a Notification with Threshold and a Subscribers list of EMAIL or SNS addresses)"
    ),
    references=["https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-create.html"],
)
def budget_with_alert(ctx: CheckContext) -> Iterator[Result]:
    # AWS refuses a budget notification without at least one subscriber, so a
    # notification is an alert that reaches someone.
    alerting: dict[str, list[dict[str, Any]]] = {}
    for_others: dict[str, list[str]] = {}
    budgets = ctx.global_dataset("budgets", "Budgets")
    for budget in budgets:
        name = str(budget.get("BudgetName"))
        linked = budget_linked_accounts(budget)
        if linked is not None and ctx.account_id not in linked:
            # A management-account budget filtered to member accounts caps their cost, not this account's.
            for_others[name] = sorted(linked)
            continue
        for notification in budget.get("Notifications") or []:
            alerting.setdefault(name, []).append(_alert_evidence(notification))
    evidence: dict[str, Any] = {
        "budgets": sorted(str(b.get("BudgetName")) for b in budgets),
        "alerts": alerting,
    }
    if for_others:
        evidence["budgets_for_linked_accounts"] = for_others
    context = context_of_snapshot(ctx.snapshot)
    capping = None if context is None else context.budgets_capping(ctx.account_id)
    if context is not None:
        evidence["organization_budgets_capping_account"] = capping
        evidence["organization_budgets_reason"] = context.linked_budgets.reason
    if alerting:
        names = ", ".join(sorted(alerting))
        yield ctx.passed(ctx.account_arn(), f"Budget alerts are set: {names}", evidence)
    elif capping and context is not None:
        yield ctx.passed(
            ctx.account_arn(),
            f"Capped by linked-account budget(s) in the management account {context.management_account}: "
            f"{', '.join(capping)}",
            evidence,
        )
    elif len(budgets) > len(for_others):
        yield ctx.failed(ctx.account_arn(), "Budgets exist but none has an alert (notification)", evidence)
    elif for_others:
        yield ctx.failed(
            ctx.account_arn(),
            "The account has no budget of its own, only budgets for linked accounts",
            evidence,
        )
    else:
        yield ctx.failed(ctx.account_arn(), "The account has no budget", evidence)


def _alert_evidence(notification: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "NotificationType": notification.get("NotificationType"),
        "ComparisonOperator": notification.get("ComparisonOperator"),
        "Threshold": notification.get("Threshold"),
        "ThresholdType": notification.get("ThresholdType"),
    }

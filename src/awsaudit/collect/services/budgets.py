"""Budgets: every budget of the account with its notifications and their subscribers."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset


def _notifications(ctx: CallContext, budget_name: str) -> list[dict[str, Any]]:
    notifications: list[dict[str, Any]] = ctx.paginate(
        "describe_notifications_for_budget", "Notifications", AccountId=ctx.account_id, BudgetName=budget_name
    )
    for notification in notifications:
        # A notification without subscribers alerts nobody; a budget typically has one or two.
        notification["Subscribers"] = ctx.paginate(
            "describe_subscribers_for_notification",
            "Subscribers",
            AccountId=ctx.account_id,
            BudgetName=budget_name,
            Notification=notification,
        )
    return notifications


def _budget_detail(ctx: CallContext, budget: dict[str, Any]) -> None:
    attach(budget, "Notifications", lambda: _notifications(ctx, budget["BudgetName"]))


@dataset("budgets", "Budgets", regional=False, actions=["budgets:ViewBudget"], detail=_budget_detail)
def budgets(ctx: CallContext) -> list[Any]:
    """Every Budget; each gets ``Notifications``, each notification its ``Subscribers``."""
    return ctx.paginate("describe_budgets", "Budgets", AccountId=ctx.account_id)

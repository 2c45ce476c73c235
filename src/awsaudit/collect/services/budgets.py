"""Budgets: every budget of the account with its notifications.

Budgets has answered "none" with NotFoundException rather than an empty list (an account
without budgets, a budget without notifications); for our own account id that is data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.registry import dataset


def _none_if_not_found(fetch: Callable[[], list[Any]]) -> list[Any]:
    try:
        return fetch()
    except ClientError as exc:
        if describe_failure(exc)[1] == "NotFoundException":
            return []
        raise


def _budget_detail(ctx: CallContext, budget: dict[str, Any]) -> None:
    names = {"AccountId": ctx.account_id, "BudgetName": budget["BudgetName"]}
    attach(
        budget,
        "Notifications",
        lambda: _none_if_not_found(
            lambda: ctx.paginate("describe_notifications_for_budget", "Notifications", **names)
        ),
    )


@dataset("budgets", "Budgets", regional=False, actions=["budgets:ViewBudget"], detail=_budget_detail)
def budgets(ctx: CallContext) -> list[Any]:
    """Every Budget, each with its ``Notifications``."""
    return _none_if_not_found(lambda: ctx.paginate("describe_budgets", "Budgets", AccountId=ctx.account_id))

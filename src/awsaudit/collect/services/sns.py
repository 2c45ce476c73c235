"""SNS: subscriptions, to tell whether an alarm's topic reaches anyone."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset


@dataset("sns", "Subscriptions", regional=True, actions=["sns:ListSubscriptions"])
def subscriptions(ctx: CallContext) -> list[Any]:
    """Every subscription; ``SubscriptionArn`` reads ``PendingConfirmation`` until confirmed."""
    return ctx.paginate("list_subscriptions", "Subscriptions")

"""Security Hub: whether the region's hub is enabled, and the standards it runs."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext, without_metadata
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.registry import dataset


@dataset("securityhub", "Hub", regional=True, actions=["securityhub:DescribeHub"])
def hub(ctx: CallContext) -> dict[str, Any]:
    """{"Enabled": true, HubArn, ...} or {"Enabled": false} when the account is not subscribed here."""
    try:
        response = ctx.client.describe_hub()
    except ClientError as exc:
        # AWS's answer for "not subscribed"; a missing permission is AccessDeniedException instead.
        if describe_failure(exc)[1] == "InvalidAccessException":
            return {"Enabled": False}
        raise
    return {"Enabled": True, **without_metadata(response)}


@dataset("securityhub", "EnabledStandards", regional=True, actions=["securityhub:GetEnabledStandards"])
def enabled_standards(ctx: CallContext) -> list[dict[str, Any]]:
    """{StandardsArn, StandardsStatus} per subscribed standard; [] where the hub is not enabled."""
    try:
        subscriptions = ctx.paginate("get_enabled_standards", "StandardsSubscriptions")
    except ClientError as exc:
        if describe_failure(exc)[1] == "InvalidAccessException":
            return []
        raise
    return [
        {key: s.get(key) for key in ("StandardsArn", "StandardsSubscriptionArn", "StandardsStatus")}
        for s in subscriptions
    ]

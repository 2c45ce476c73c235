"""CloudWatch Logs check: resource policies admit neither everyone nor unpinned outsiders (CIS 2.21)."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.exposure import judge_kind, kind, policy_check

RESOURCE_POLICY_NOT_EXPOSED = kind("logs.resource_policy_not_exposed")


@policy_check(RESOURCE_POLICY_NOT_EXPOSED)
def resource_policy_not_exposed(ctx: CheckContext) -> Iterator[Result]:
    return judge_kind(ctx, RESOURCE_POLICY_NOT_EXPOSED)

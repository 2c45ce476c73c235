"""SQS check: queue policies admit neither everyone nor unpinned outsiders (CIS 2.21)."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.exposure import judge_kind, kind, policy_check

QUEUE_NOT_EXPOSED = kind("sqs.queue_not_exposed")


@policy_check(QUEUE_NOT_EXPOSED)
def queue_not_exposed(ctx: CheckContext) -> Iterator[Result]:
    return judge_kind(ctx, QUEUE_NOT_EXPOSED)

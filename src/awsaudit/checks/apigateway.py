"""API Gateway check: REST API policies admit neither everyone nor unpinned outsiders (CIS 2.21)."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.exposure import judge_kind, kind, policy_check

REST_API_NOT_EXPOSED = kind("apigateway.rest_api_not_exposed")


@policy_check(REST_API_NOT_EXPOSED)
def rest_api_not_exposed(ctx: CheckContext) -> Iterator[Result]:
    return judge_kind(ctx, REST_API_NOT_EXPOSED)

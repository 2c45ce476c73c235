"""OpenSearch check: domain access policies admit neither everyone nor unpinned outsiders (CIS 2.21)."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.exposure import judge_kind, kind, policy_check

DOMAIN_NOT_EXPOSED = kind("opensearch.domain_not_exposed")


@policy_check(DOMAIN_NOT_EXPOSED)
def domain_not_exposed(ctx: CheckContext) -> Iterator[Result]:
    return judge_kind(ctx, DOMAIN_NOT_EXPOSED)

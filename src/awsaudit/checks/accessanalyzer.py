"""IAM Access Analyzer check: an analyzer watches external access in every region."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

_EXTERNAL_ACCESS_TYPES = frozenset({"ACCOUNT", "ORGANIZATION"})


@check(
    id="accessanalyzer.enabled",
    title="IAM Access Analyzer watches for external access in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("accessanalyzer", "Analyzers", regional=True)],
    rationale=(
        "An external-access analyzer reports resources (buckets, keys, roles, queues...) shared outside the "
        "account or organization; it works per region."
    ),
    remediation="aws accessanalyzer create-analyzer --analyzer-name <name> --type ACCOUNT --region <region>",
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-getting-started.html"],
)
def access_analyzer_enabled(ctx: CheckContext) -> Iterator[Result]:
    analyzers = ctx.dataset("accessanalyzer", "Analyzers")
    evidence = {"analyzers": [{k: a.get(k) for k in ("name", "type", "status")} for a in analyzers]}
    active = [
        str(a.get("name"))
        for a in analyzers
        if a.get("status") == "ACTIVE" and a.get("type") in _EXTERNAL_ACCESS_TYPES
    ]
    if active:
        yield ctx.passed(
            ctx.scope_arn(), f"Active external-access analyzer in {ctx.region}: {', '.join(active)}", evidence
        )
    else:
        yield ctx.failed(ctx.scope_arn(), f"No active external-access analyzer in {ctx.region}", evidence)

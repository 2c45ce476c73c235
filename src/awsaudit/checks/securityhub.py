"""Security Hub check: enabled in every region."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity


@check(
    id="securityhub.enabled",
    title="Security Hub is enabled in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("securityhub", "Hub", regional=True)],
    rationale="Security Hub gathers findings from AWS security services and runs continuous control checks.",
    remediation="aws securityhub enable-security-hub --region <region> --enable-default-standards",
    references=["https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-v2-enable.html"],
)
def securityhub_enabled(ctx: CheckContext) -> Iterator[Result]:
    hub = ctx.dataset("securityhub", "Hub")
    evidence = {
        "Enabled": hub.get("Enabled"),
        "HubArn": hub.get("HubArn"),
        "SubscribedAt": hub.get("SubscribedAt"),
    }
    if hub.get("Enabled") is True:
        yield ctx.passed(ctx.scope_arn(), f"Security Hub is enabled in {ctx.region}", evidence)
    else:
        yield ctx.failed(ctx.scope_arn(), f"Security Hub is not enabled in {ctx.region}", evidence)

"""Security Hub check: enabled in every region; its evidence lists the standards it runs."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected


@check(
    id="securityhub.enabled",
    title="Security Hub is enabled in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[
        Needs("securityhub", "Hub", regional=True),
        Needs("securityhub", "EnabledStandards", regional=True, optional=True),
    ],
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
        "EnabledStandards": _enabled_standards(ctx),
    }
    if hub.get("Enabled") is True:
        yield ctx.passed(ctx.scope_arn(), f"Security Hub is enabled in {ctx.region}", evidence)
    else:
        yield ctx.failed(ctx.scope_arn(), f"Security Hub is not enabled in {ctx.region}", evidence)


def _enabled_standards(ctx: CheckContext) -> list[str] | dict[str, str]:
    """The standards the hub runs (evidence only: the verdict is whether the hub is on)."""
    try:
        subscriptions = ctx.dataset("securityhub", "EnabledStandards")
    except NotCollected as missing:
        return {"not_collected": missing.reason}
    return sorted(
        str(s.get("StandardsArn"))
        for s in subscriptions
        if s.get("StandardsStatus") in ("READY", "INCOMPLETE")
    )

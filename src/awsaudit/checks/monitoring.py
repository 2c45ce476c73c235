"""Monitoring checks: Security Hub and CloudWatch alarm actions (guide G4, CIS v7 section 5)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

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


@check(
    id="cloudwatch.alarm_actions",
    title="CloudWatch alarms notify someone when they fire",
    severity=Severity.LOW,
    scope=Scope.REGION,
    needs=[Needs("cloudwatch", "MetricAlarms", regional=True)],
    rationale=(
        "An alarm with actions disabled or without an alarm action changes state without anyone knowing."
    ),
    remediation=(
        "aws cloudwatch enable-alarm-actions --alarm-names <alarm>; add a target with "
        "aws cloudwatch put-metric-alarm --alarm-name <alarm> ... --alarm-actions <sns-topic-arn>"
    ),
    references=["https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html"],
)
def alarm_actions(ctx: CheckContext) -> Iterator[Result]:
    def resource(alarm: Mapping[str, Any]) -> str:
        return str(alarm["AlarmArn"])

    def judge(alarm: Mapping[str, Any]) -> Result:
        name = alarm.get("AlarmName", resource(alarm))
        actions = list(alarm.get("AlarmActions") or [])
        evidence = {"ActionsEnabled": alarm.get("ActionsEnabled"), "AlarmActions": actions}
        problems = []
        if alarm.get("ActionsEnabled") is not True:
            problems.append("its actions are disabled")
        if not actions:
            problems.append("it has no alarm action")
        if problems:
            return ctx.failed(
                resource(alarm), f"Alarm {name} notifies no one: {' and '.join(problems)}", evidence
            )
        return ctx.passed(resource(alarm), f"Alarm {name} triggers {', '.join(actions)}", evidence)

    return ctx.each(ctx.dataset("cloudwatch", "MetricAlarms"), resource, judge)

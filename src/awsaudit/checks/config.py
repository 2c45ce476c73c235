"""AWS Config check: a recorder records all resources in every region."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity


@check(
    id="config.recorder_enabled",
    title="AWS Config records all resource types in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[
        Needs("config", "ConfigurationRecorders", regional=True),
        Needs("config", "ConfigurationRecorderStatus", regional=True),
        Needs("config", "DeliveryChannels", regional=True),
    ],
    rationale=(
        "Config's resource history answers what changed, when, and what the account looked like before."
    ),
    remediation=(
        "aws configservice put-configuration-recorder --configuration-recorder "
        "name=default,roleARN=<role-arn> "
        "--recording-group allSupported=true,includeGlobalResourceTypes=true; "
        "aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<bucket>; "
        "aws configservice start-configuration-recorder --configuration-recorder-name default"
    ),
    references=[
        "https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html",
    ],
)
def recorder_enabled(ctx: CheckContext) -> Iterator[Result]:
    recorders = ctx.dataset("config", "ConfigurationRecorders")
    statuses = {s.get("name"): s for s in ctx.dataset("config", "ConfigurationRecorderStatus")}
    channels = [c.get("name") for c in ctx.dataset("config", "DeliveryChannels")]
    judged = []
    for recorder in recorders:
        status = statuses.get(recorder.get("name")) or {}
        group = recorder.get("recordingGroup") or {}
        strategy = (group.get("recordingStrategy") or {}).get("useOnly")
        problems = []
        if status.get("recording") is not True:
            problems.append("not recording")
        if group.get("allSupported") is not True and strategy != "ALL_SUPPORTED_RESOURCE_TYPES":
            problems.append("does not record all supported resource types")
        judged.append(
            {
                "name": recorder.get("name"),
                "recordingGroup": group,
                "recording": status.get("recording"),
                "lastStatus": status.get("lastStatus"),
                "problems": problems,
            }
        )
    evidence = {"recorders": judged, "delivery_channels": channels}
    good = [r for r in judged if not r["problems"]]
    if good and channels:
        yield ctx.passed(
            ctx.scope_arn(),
            f"Config recorder {good[0]['name']} records all resources in {ctx.region}",
            evidence,
        )
        return
    problems = [f"{r['name']}: {', '.join(r['problems'])}" for r in judged] or ["no configuration recorder"]
    if not channels:
        problems.append("no delivery channel")
    yield ctx.failed(
        ctx.scope_arn(),
        f"AWS Config is not fully recording in {ctx.region} ({'; '.join(problems)})",
        evidence,
    )

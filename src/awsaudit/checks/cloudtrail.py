"""CloudTrail checks (CIS 4): trails that record everything, are protected, and deliver their logs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from awsaudit.analyze.logmonitor.trails import Access, SelectorError, parse_selectors
from awsaudit.analyze.s3.access import PolicyError
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, check
from awsaudit.checks.s3 import (
    ACCOUNT_BLOCK,
    BUCKET_ACCESS,
    account_block_public_access,
    bucket_access_verdict,
    buckets_with,
)
from awsaudit.errors import AwsauditError
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected

TRAILS = Needs("cloudtrail", "Trails", regional=True)
CLOUDTRAIL_DOCS = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide"
CLOUDWATCH_DELIVERY_MAX_AGE = timedelta(days=1)


class MalformedValue(AwsauditError, ValueError):
    """A collected value does not have the shape AWS documents (e.g. an unreadable timestamp)."""


@dataclass
class TrailInventory:
    """Every trail of the account (once, however many regions report it) and the regions that failed."""

    trails: list[Mapping[str, Any]] = field(default_factory=list)
    missing: list[NotCollected] = field(default_factory=list)


def trail_inventory(ctx: CheckContext) -> TrailInventory:
    inventory = TrailInventory()
    seen: set[str] = set()
    for region in ctx.snapshot.regions:
        try:
            trails = ctx.dataset("cloudtrail", "Trails", region=region)
        except NotCollected as missing:
            inventory.missing.append(missing)
            continue
        for trail in trails:
            if trail["TrailARN"] not in seen:
                seen.add(trail["TrailARN"])
                inventory.trails.append(trail)
    return inventory


def trail_arn(trail: Mapping[str, Any]) -> str:
    return str(trail["TrailARN"])


def trail_region(trail: Mapping[str, Any]) -> str:
    return str(trail.get("HomeRegion") or trail_arn(trail).split(":")[3])


def _missing_region_results(ctx: CheckContext, inventory: TrailInventory) -> Iterator[Result]:
    for missing in inventory.missing:
        yield ctx.unknown(
            f"arn:{ctx.partition}:cloudtrail:{missing.region}:{ctx.account_id}:account",
            f"Cannot judge the trails of {missing.region}: Trails not collected ({missing.reason})",
            {
                "missing": {
                    "service": missing.service,
                    "region": missing.region,
                    "dataset": missing.dataset,
                    "reason": missing.reason,
                }
            },
            region=missing.region,
        )


def _each_trail(ctx: CheckContext, judge: Callable[[Mapping[str, Any]], Result]) -> Iterator[Result]:
    # With no trail at all there is nothing to judge here; cloudtrail.multi_region_logging reports it.
    inventory = trail_inventory(ctx)
    yield from _missing_region_results(ctx, inventory)
    yield from ctx.each(inventory.trails, trail_arn, judge, region_of=trail_region)


def _trail_shortcomings(trail: Mapping[str, Any], ctx: CheckContext) -> list[str]:
    """Why the trail is not a multi-region trail that is logging (NotCollected when unknowable)."""
    problems = []
    if trail.get("IsMultiRegionTrail") is not True:
        problems.append("not multi-region")
    if (ctx.field(trail, "Status", service="cloudtrail") or {}).get("IsLogging") is not True:
        problems.append("not logging")
    return problems


@dataclass(frozen=True)
class TrailRequirement:
    """What one "at least one trail records X" check asks of a trail beyond being multi-region and logging."""

    check_id: str
    title: str
    severity: Severity
    what: str
    rationale: str
    remediation: str
    references: tuple[str, ...]
    recorded: Callable[[CheckContext, Mapping[str, Any]], frozenset[Access]]
    wanted: frozenset[Access]


def _management(_ctx: CheckContext, selectors: Mapping[str, Any]) -> frozenset[Access]:
    return parse_selectors(selectors).management_events()


def _s3_objects(ctx: CheckContext, selectors: Mapping[str, Any]) -> frozenset[Access]:
    return parse_selectors(selectors).s3_object_events(ctx.partition)


TRAIL_REQUIREMENTS = (
    TrailRequirement(
        "cloudtrail.multi_region_logging",
        "A multi-region CloudTrail trail is logging read and write management events",
        Severity.HIGH,
        "management events",
        "Without a logging multi-region trail, API activity in some regions leaves no audit record.",
        "aws cloudtrail create-trail --name <trail> --s3-bucket-name <bucket> --is-multi-region-trail; "
        "aws cloudtrail put-event-selectors --trail-name <trail> --event-selectors "
        '\'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'; '
        "aws cloudtrail start-logging --name <trail>",
        (
            f"{CLOUDTRAIL_DOCS}/receive-cloudtrail-log-files-from-multiple-regions.html",
            f"{CLOUDTRAIL_DOCS}/logging-management-events-with-cloudtrail.html",
        ),
        _management,
        frozenset({Access.READ, Access.WRITE}),
    ),
    TrailRequirement(
        "cloudtrail.s3_object_write_logging",
        "S3 object-level write events are logged for all buckets",
        Severity.LOW,
        "S3 object write events for all buckets",
        "Object-level write events show who changed or deleted which object, for investigations.",
        "aws cloudtrail put-event-selectors --trail-name <trail> --event-selectors "
        '\'[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true,'
        '"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]\'',
        (f"{CLOUDTRAIL_DOCS}/logging-data-events-with-cloudtrail.html",),
        _s3_objects,
        frozenset({Access.WRITE}),
    ),
    TrailRequirement(
        "cloudtrail.s3_object_read_logging",
        "S3 object-level read events are logged for all buckets",
        Severity.LOW,
        "S3 object read events for all buckets",
        "Object-level read events show who read which object, to scope a data exposure.",
        "aws cloudtrail put-event-selectors --trail-name <trail> --event-selectors "
        '\'[{"ReadWriteType":"ReadOnly","IncludeManagementEvents":true,'
        '"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]\'',
        (f"{CLOUDTRAIL_DOCS}/logging-data-events-with-cloudtrail.html",),
        _s3_objects,
        frozenset({Access.READ}),
    ),
)


def _register_trail_requirement(requirement: TrailRequirement) -> None:
    def judge_account(ctx: CheckContext) -> Iterator[Result]:
        inventory = trail_inventory(ctx)
        judged: list[dict[str, Any]] = []
        unjudged: list[dict[str, Any]] = []
        for trail in inventory.trails:
            entry: dict[str, Any] = {
                "trail": trail_arn(trail),
                "organization_trail": trail.get("IsOrganizationTrail"),
            }
            try:
                problems = _trail_shortcomings(trail, ctx)
                selectors = ctx.field(trail, "EventSelectors", service="cloudtrail")
                recorded = requirement.recorded(ctx, selectors)
            except (NotCollected, SelectorError) as error:
                unjudged.append({**entry, "reason": str(error)})
                continue
            problems += [
                f"does not record {a.value} {requirement.what}" for a in sorted(requirement.wanted - recorded)
            ]
            judged.append({**entry, "shortcomings": problems})
        qualifying = [t for t in judged if not t["shortcomings"]]
        evidence: dict[str, Any] = {"trails": judged}
        if unjudged or inventory.missing:
            evidence["not_judged"] = unjudged + [
                {"region": m.region, "reason": m.reason} for m in inventory.missing
            ]
        if qualifying:
            names = ", ".join(t["trail"] for t in qualifying)
            yield ctx.passed(
                ctx.account_arn(), f"Multi-region logging trail records {requirement.what}: {names}", evidence
            )
        elif unjudged or inventory.missing:
            yield ctx.unknown(
                ctx.account_arn(),
                f"No judged trail records {requirement.what}, and some trails could not be judged",
                evidence,
            )
        elif not judged:
            yield ctx.failed(ctx.account_arn(), "No CloudTrail trail exists", evidence)
        else:
            summary = "; ".join(f"{t['trail']}: {', '.join(t['shortcomings'])}" for t in judged)
            yield ctx.failed(
                ctx.account_arn(),
                f"No multi-region logging trail records {requirement.what} ({summary})",
                evidence,
            )

    check(
        id=requirement.check_id,
        title=requirement.title,
        severity=requirement.severity,
        needs=[TRAILS],
        rationale=requirement.rationale,
        remediation=requirement.remediation,
        references=requirement.references,
    )(judge_account)


for _requirement in TRAIL_REQUIREMENTS:
    _register_trail_requirement(_requirement)


@dataclass(frozen=True)
class TrailSetting:
    """One per-trail setting that must be on: the field that holds it and how each verdict reads."""

    check_id: str
    title: str
    field: str
    on: str  # "Trail <name> {on}"
    off: str  # "Trail <name> {off}"
    is_on: Callable[[Any], bool]
    rationale: str
    remediation: str
    reference: str


TRAIL_SETTINGS = (
    TrailSetting(
        "cloudtrail.log_file_validation",
        "CloudTrail log file integrity validation is on",
        "LogFileValidationEnabled",
        "validates its log files",
        "does not validate its log files",
        lambda value: value is True,
        "Signed digest files prove that delivered log files were not changed or deleted afterwards.",
        "aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
        f"{CLOUDTRAIL_DOCS}/cloudtrail-log-file-validation-enabling.html",
    ),
    TrailSetting(
        "cloudtrail.kms_encryption",
        "CloudTrail logs are encrypted with a KMS key",
        "KmsKeyId",
        "encrypts logs with KMS",
        "logs are not encrypted with KMS",
        bool,  # on when a key is named
        "SSE-KMS adds a key policy between a reader of the log bucket and the log contents.",
        "aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn> (the key policy must allow "
        "CloudTrail)",
        f"{CLOUDTRAIL_DOCS}/encrypting-cloudtrail-log-files-with-aws-kms.html",
    ),
)


def _register_trail_setting(setting: TrailSetting) -> None:
    def judge_account(ctx: CheckContext) -> Iterator[Result]:
        def judge(trail: Mapping[str, Any]) -> Result:
            value = trail.get(setting.field)
            on = setting.is_on(value)
            verdict, wording = (ctx.passed, setting.on) if on else (ctx.failed, setting.off)
            return verdict(
                trail_arn(trail),
                f"Trail {trail['Name']} {wording}",
                {setting.field: value},
                region=trail_region(trail),
            )

        return _each_trail(ctx, judge)

    check(
        id=setting.check_id,
        title=setting.title,
        severity=Severity.MEDIUM,
        needs=[TRAILS],
        rationale=setting.rationale,
        remediation=setting.remediation,
        references=[setting.reference],
    )(judge_account)


for _setting in TRAIL_SETTINGS:
    _register_trail_setting(_setting)


@check(
    id="cloudtrail.cloudwatch_logs_delivery",
    title="CloudTrail trails deliver to CloudWatch Logs",
    severity=Severity.MEDIUM,
    needs=[TRAILS],
    rationale="Delivery to CloudWatch Logs is what metric filters and alarms on API activity are built on.",
    remediation=(
        "aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <log-group-arn> "
        "--cloud-watch-logs-role-arn <role-arn>"
    ),
    references=[f"{CLOUDTRAIL_DOCS}/send-cloudtrail-events-to-cloudwatch-logs.html"],
)
def cloudwatch_logs_delivery(ctx: CheckContext) -> Iterator[Result]:
    def judge(trail: Mapping[str, Any]) -> Result:
        arn, region, name = trail_arn(trail), trail_region(trail), trail["Name"]
        group = trail.get("CloudWatchLogsLogGroupArn")
        evidence: dict[str, Any] = {"CloudWatchLogsLogGroupArn": group}
        if not group:
            return ctx.failed(
                arn, f"Trail {name} does not deliver to CloudWatch Logs", evidence, region=region
            )
        status = ctx.field(trail, "Status", service="cloudtrail") or {}
        delivered = status.get("LatestCloudWatchLogsDeliveryTime")
        evidence["LatestCloudWatchLogsDeliveryTime"] = delivered
        evidence["LatestCloudWatchLogsDeliveryError"] = status.get("LatestCloudWatchLogsDeliveryError")
        if delivered is not None:
            try:
                age = ctx.snapshot.collected_at - parse_time(delivered)
            except MalformedValue as error:
                return ctx.unknown(arn, f"Trail {name}: {error}", evidence, region=region)
            if age > CLOUDWATCH_DELIVERY_MAX_AGE:
                return ctx.failed(
                    arn,
                    f"Trail {name} last delivered to CloudWatch Logs {age.days} days before collection",
                    evidence,
                    region=region,
                )
        return ctx.passed(arn, f"Trail {name} delivers to {group}", evidence, region=region)

    return _each_trail(ctx, judge)


def parse_time(value: Any) -> datetime:
    """An ISO-8601 timestamp with or without microseconds, 'Z' or an offset; naive means UTC."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MalformedValue(f"unreadable timestamp {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _each_trail_bucket(
    ctx: CheckContext, judge: Callable[[Mapping[str, Any], list[str]], Result]
) -> Iterator[Result]:
    """Judge each distinct trail bucket once; a bucket not owned by this account is UNKNOWN."""
    inventory = trail_inventory(ctx)
    yield from _missing_region_results(ctx, inventory)
    buckets = {b["Name"]: b for b in ctx.global_dataset("s3", "Buckets")}
    trails_by_bucket: dict[str, list[str]] = {}
    for trail in inventory.trails:
        trails_by_bucket.setdefault(str(trail["S3BucketName"]), []).append(trail_arn(trail))
    items = sorted(trails_by_bucket.items())

    def resource(item: tuple[str, list[str]]) -> str:
        return f"arn:{ctx.partition}:s3:::{item[0]}"

    def judge_item(item: tuple[str, list[str]]) -> Result:
        name, trails = item
        if name not in buckets:
            return ctx.unknown(
                resource(item),
                f"Trail bucket {name} is not in this account's bucket list (another account's bucket)",
                {"bucket": name, "trails": trails},
            )
        return judge(buckets[name], trails)

    yield from ctx.each(items, resource, judge_item)


@check(
    id="cloudtrail.bucket_access_logging",
    title="The CloudTrail bucket has server access logging",
    severity=Severity.LOW,
    needs=[TRAILS, buckets_with("Logging")],
    rationale="Access logs on the trail bucket show who read or tried to tamper with the audit trail.",
    remediation=(
        "aws s3api put-bucket-logging --bucket <trail-bucket> --bucket-logging-status "
        '\'{"LoggingEnabled":{"TargetBucket":"<log-bucket>","TargetPrefix":"<prefix>/"}}\''
    ),
    references=["https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html"],
)
def bucket_access_logging(ctx: CheckContext) -> Iterator[Result]:
    def judge(bucket: Mapping[str, Any], trails: list[str]) -> Result:
        logging = ctx.field(bucket, "Logging", service="s3")
        enabled = logging.get("LoggingEnabled", logging) if isinstance(logging, Mapping) else logging
        evidence = {"trails": trails, "LoggingEnabled": enabled}
        arn = f"arn:{ctx.partition}:s3:::{bucket['Name']}"
        if not enabled:
            return ctx.failed(arn, f"Trail bucket {bucket['Name']} has no server access logging", evidence)
        target = enabled.get("TargetBucket") if isinstance(enabled, Mapping) else None
        if not isinstance(target, str) or not target:
            # Logging is on, or something else: only a named target bucket shows where logs go.
            return ctx.unknown(
                arn,
                f"Trail bucket {bucket['Name']}: its server access logging setting cannot be read",
                evidence,
            )
        return ctx.passed(arn, f"Trail bucket {bucket['Name']} logs access to {target}", evidence)

    return _each_trail_bucket(ctx, judge)


@check(
    id="cloudtrail.bucket_not_public",
    title="The CloudTrail bucket is not publicly accessible",
    severity=Severity.CRITICAL,
    needs=[TRAILS, BUCKET_ACCESS, ACCOUNT_BLOCK],
    rationale=(
        "A public trail bucket hands the account's whole API history to anyone, and may let them erase it."
    ),
    remediation=(
        "aws s3api put-public-access-block --bucket <trail-bucket> --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true; "
        "remove public ACL grants and policy statements"
    ),
    references=[f"{CLOUDTRAIL_DOCS}/create-s3-bucket-policy-for-cloudtrail.html"],
)
def bucket_not_public(ctx: CheckContext) -> Iterator[Result]:
    account = account_block_public_access(ctx)

    def judge(bucket: Mapping[str, Any], trails: list[str]) -> Result:
        arn = f"arn:{ctx.partition}:s3:::{bucket['Name']}"
        try:
            verdict = bucket_access_verdict(ctx, bucket, account)
        except PolicyError as error:
            return ctx.unknown(
                arn, f"Trail bucket {bucket['Name']} cannot be judged: {error}", {"trails": trails}
            )
        evidence = {"trails": trails, **verdict.as_evidence()}
        if verdict.public:
            return ctx.failed(
                arn, f"Trail bucket {bucket['Name']} is public: {'; '.join(verdict.reasons)}", evidence
            )
        return ctx.passed(arn, f"Trail bucket {bucket['Name']} is not public", evidence)

    return _each_trail_bucket(ctx, judge)

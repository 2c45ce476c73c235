"""The 15 CIS monitoring checks on hand-built snapshots: a complete chain, then one broken link at a time."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from awsaudit.analyze.logmonitor import CIS_VERSIONS, CONTROL_IDS, evaluate_filter
from awsaudit.checks.cloudwatch import MONITORED_EVENTS, MonitoredEvents, remediation
from awsaudit.checks.registry import all_checks
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Status
from awsaudit.snapshot import Snapshot
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run

HOME = "us-east-1"
OTHER = "eu-west-1"
ACCOUNT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
TRAIL_ARN = f"arn:aws:cloudtrail:{HOME}:{ACCOUNT_ID}:trail/main"
TOPIC = f"arn:aws:sns:{HOME}:{ACCOUNT_ID}:security-alerts"
LOG_GROUP = "CloudTrail/main"
CONTROLS = {control.control_id: control for control in MONITORED_EVENTS}
SG = "security_group_changes"
# CIS v3.0.0 / v4.0.1 text, from before ModifySecurityGroupRules joined the list in v5.0.0.
SG_V4_PATTERN = (
    "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
    "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
    "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"
)


def trail(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Name": "main",
        "TrailARN": TRAIL_ARN,
        "HomeRegion": HOME,
        "IsMultiRegionTrail": True,
        "IsOrganizationTrail": False,
        "S3BucketName": "audit-trail-logs",
        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{HOME}:{ACCOUNT_ID}:log-group:{LOG_GROUP}:*",
        "CloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/CloudTrailToLogs",
        "Status": {"IsLogging": True},
        "EventSelectors": {
            "TrailARN": TRAIL_ARN,
            "EventSelectors": [
                {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}
            ],
        },
    }
    entry.update(changes)
    return entry


def metric_filter(control: MonitoredEvents, pattern: str | None = None) -> dict[str, Any]:
    return {
        "filterName": control.metric_name,
        "filterPattern": control.filter_pattern if pattern is None else pattern,
        "logGroupName": LOG_GROUP,
        "metricTransformations": [
            {"metricName": control.metric_name, "metricNamespace": "CISBenchmark", "metricValue": "1"}
        ],
    }


def alarm(control: MonitoredEvents, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "AlarmName": control.metric_name,
        "AlarmArn": f"arn:aws:cloudwatch:{HOME}:{ACCOUNT_ID}:alarm:{control.metric_name}",
        "ActionsEnabled": True,
        "AlarmActions": [TOPIC],
        "MetricName": control.metric_name,
        "Namespace": "CISBenchmark",
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
    }
    entry.update(changes)
    return entry


def subscription(arn: str = f"{TOPIC}:0f3c5e4a-1b2c-4d5e-8f90-123456789abc") -> dict[str, Any]:
    return {
        "SubscriptionArn": arn,
        "Owner": ACCOUNT_ID,
        "Protocol": "email",
        "Endpoint": "secops@example.com",
        "TopicArn": TOPIC,
    }


def complete_chain(control: MonitoredEvents) -> dict[str, Any]:
    return {
        "Trails": [trail()],
        "MetricFilters": [metric_filter(control)],
        "MetricAlarms": [alarm(control)],
        "Subscriptions": [subscription()],
    }


def empty_region() -> dict[str, Any]:
    return {"Trails": [], "MetricFilters": [], "MetricAlarms": [], "Subscriptions": []}


SERVICE_OF = {
    "Trails": "cloudtrail",
    "MetricFilters": "logs",
    "MetricAlarms": "cloudwatch",
    "Subscriptions": "sns",
}


def builder(regions: dict[str, dict[str, Any]]) -> SnapshotBuilder:
    """A snapshot of the given regions; a dataset left out of a region was not collected."""
    snapshot = SnapshotBuilder(regions=tuple(regions))
    for region, datasets in regions.items():
        for name, value in datasets.items():
            snapshot.with_dataset(SERVICE_OF[name], name, value, region=region)
    return snapshot


def judge(
    control_id: str,
    regions: dict[str, dict[str, Any]],
    cis_version: str = "7.0.0",
    snapshot: Snapshot | None = None,
) -> Finding:
    (finding,) = run(
        snapshot or builder(regions).build(),
        CONTROLS[control_id].check_id,
        AuditConfig(cis_version=cis_version),
    )
    return finding


def two_regions(home: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {HOME: home, OTHER: empty_region()}


# ------------------------------------------------------------------ definition


def test_one_check_per_cis_control_referenced_by_the_frameworks() -> None:
    ids = {f"cloudwatch.monitoring_{control}" for control in CONTROL_IDS}
    registered = {check_id for check_id in all_checks() if check_id.startswith("cloudwatch.monitoring_")}
    assert registered == ids
    frameworks = resources.files("awsaudit.compliance").joinpath("frameworks")
    referenced = "\n".join(f.read_text() for f in frameworks.iterdir() if f.name.endswith(".yaml"))
    assert all(check_id in referenced for check_id in ids)
    meta = all_checks()["cloudwatch.monitoring_root_account_usage"]
    assert {(n.key, n.regional) for n in meta.needs} == {
        ("cloudtrail/Trails", True),
        ("logs/MetricFilters", True),
        ("cloudwatch/MetricAlarms", True),
        ("sns/Subscriptions", True),
    }


@pytest.mark.parametrize("cis_version", CIS_VERSIONS)
@pytest.mark.parametrize("control", MONITORED_EVENTS, ids=lambda c: c.control_id)
def test_remediation_pattern_satisfies_the_control(control: MonitoredEvents, cis_version: str) -> None:
    verdict = evaluate_filter(control.filter_pattern, control.control_id, cis_version)
    assert verdict.satisfied, verdict.summary
    assert len(control.filter_pattern) <= 1024  # CloudWatch's limit for a filter pattern
    assert "'" not in control.filter_pattern  # the remediation quotes it for the shell


def test_remediation_is_cis_alarm_as_cli_commands() -> None:
    text = remediation(CONTROLS[SG])
    assert f"--filter-pattern '{CONTROLS[SG].filter_pattern}'" in text
    assert "metricName=SecurityGroupChanges,metricNamespace=CISBenchmark,metricValue=1" in text
    assert (
        "--statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold "
        "--evaluation-periods 1 --alarm-actions <topic-arn>"
    ) in text
    assert "aws sns create-topic" in text and "aws sns subscribe" in text
    assert all_checks()[CONTROLS[SG].check_id].remediation == text


# ------------------------------------------------------------- every control


@pytest.mark.parametrize("control", MONITORED_EVENTS, ids=lambda c: c.control_id)
def test_complete_chain_passes(control: MonitoredEvents) -> None:
    finding = judge(control.control_id, two_regions(complete_chain(control)))
    assert (finding.status, finding.resource) == (Status.PASS, ACCOUNT_ARN)
    assert TOPIC in finding.message and "secops@example.com" in finding.message
    evidence = json.loads(json.dumps(finding.evidence))
    assert evidence["outcome"] == "satisfied"
    assert evidence["cis_id"].startswith("5.")
    chain = evidence["chains"][0]
    assert chain["trail"] == TRAIL_ARN
    assert chain["log_group"] == {"region": HOME, "name": LOG_GROUP}
    assert chain["metric_filters"][0]["pattern"] == control.filter_pattern
    assert chain["metric_filters"][0]["status"] == "satisfied"
    watched = chain["metrics"][0]["alarms"][0]
    assert watched["alarm"].endswith(f":alarm:{control.metric_name}")
    assert watched["topics"][0] == {
        "topic": TOPIC,
        "confirmed_subscriptions": 1,
        "unconfirmed_subscriptions": 0,
    }


@pytest.mark.parametrize("control", MONITORED_EVENTS, ids=lambda c: c.control_id)
def test_filter_of_another_control_fails_naming_the_missed_events(control: MonitoredEvents) -> None:
    other = MONITORED_EVENTS[(MONITORED_EVENTS.index(control) + 1) % len(MONITORED_EVENTS)]
    home = complete_chain(control)
    home["MetricFilters"] = [metric_filter(control, other.filter_pattern)]
    finding = judge(control.control_id, two_regions(home))
    assert (finding.status, finding.resource) == (Status.FAIL, ACCOUNT_ARN)
    assert finding.message.startswith(f"Monitoring of {control.subject} is broken at the metric filter: ")
    assert "misses" in finding.message
    assert finding.evidence["broken_link"] == "metric_filter"
    assert finding.evidence["chains"][0]["metric_filters"][0]["missed"]


@pytest.mark.parametrize("control", MONITORED_EVENTS, ids=lambda c: c.control_id)
def test_filters_not_collected_in_the_log_group_region_is_unknown(control: MonitoredEvents) -> None:
    home = complete_chain(control)
    del home["MetricFilters"]
    snapshot = (
        builder(two_regions(home))
        .with_error("logs", "MetricFilters", region=HOME, operation="DescribeMetricFilters")
        .build()
    )
    finding = judge(control.control_id, {}, snapshot=snapshot)
    assert finding.status is Status.UNKNOWN
    assert f"metric filters were not collected in {HOME}" in finding.message
    assert finding.evidence["not_collected"] == [
        {
            "region": HOME,
            "dataset": "logs/MetricFilters",
            "reason": "DescribeMetricFilters failed with AccessDenied: denied by test",
        }
    ]


# ------------------------------------------------------ filters, by meaning


@pytest.mark.parametrize(
    ("control_id", "pattern", "named"),
    [
        # Security Hub's form has no exclusions: it alerts on log delivery and HeadBucket.
        (
            "unauthorized_api_calls",
            '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
            "also matches GetBucketAcl",
        ),
        ("root_account_usage", '{ $.userIdentity.type = "Root" }', "also matches"),
        ("console_signin_without_mfa", '{ $.eventName = "ConsoleLogin" }', "also matches ConsoleLogin"),
        (
            "console_auth_failures",
            '{ $.errorMessage = "Failed authentication" && $.eventName = Login }',
            "misses",
        ),
        (
            "kms_cmk_disable_or_deletion",
            "{ ($.eventName = DisableKey) && ($.eventName = ScheduleKeyDeletion) }",
            "misses DisableKey",
        ),
        ("cloudtrail_config_changes", "{ $.eventName = StopLogging }", "misses CreateTrail"),
        (SG, SG_V4_PATTERN, "misses ModifySecurityGroupRules"),
    ],
)
def test_wrong_filter_fails_by_what_it_matches(control_id: str, pattern: str, named: str) -> None:
    home = complete_chain(CONTROLS[control_id])
    home["MetricFilters"] = [metric_filter(CONTROLS[control_id], pattern)]
    finding = judge(control_id, two_regions(home))
    assert finding.status is Status.FAIL
    assert named in finding.message


def test_reworded_filter_passes() -> None:
    reordered = (
        '{$.eventName="ModifySecurityGroupRules"||$.eventName="DeleteSecurityGroup"||'
        '$.eventName="CreateSecurityGroup"||$.eventName="RevokeSecurityGroupEgress"||'
        '$.eventName="RevokeSecurityGroupIngress"||$.eventName="AuthorizeSecurityGroupEgress"||'
        '$.eventName="AuthorizeSecurityGroupIngress"}'
    )
    home = complete_chain(CONTROLS[SG])
    home["MetricFilters"] = [metric_filter(CONTROLS[SG], reordered)]
    assert judge(SG, two_regions(home)).status is Status.PASS


@pytest.mark.parametrize(
    ("cis_version", "expected"), [("3.0.0", Status.PASS), ("5.0.0", Status.FAIL), ("7.0.0", Status.FAIL)]
)
def test_cis_version_decides_the_security_group_event_list(cis_version: str, expected: Status) -> None:
    home = complete_chain(CONTROLS[SG])
    home["MetricFilters"] = [metric_filter(CONTROLS[SG], SG_V4_PATTERN)]
    finding = judge(SG, two_regions(home), cis_version=cis_version)
    assert finding.status is expected
    assert finding.evidence["cis_version"] == cis_version
    assert finding.evidence["cis_id"] == ("4.10" if cis_version != "7.0.0" else "5.10")


def test_unparseable_filter_is_unknown_with_the_parse_error() -> None:
    home = complete_chain(CONTROLS[SG])
    home["MetricFilters"] = [metric_filter(CONTROLS[SG], "{ $.eventName = ")]
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.UNKNOWN
    assert "cannot be judged" in finding.message and "invalid filter pattern" in finding.message


# ------------------------------------------------------------ trail link


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"IsMultiRegionTrail": False}, "not a multi-region trail"),
        ({"Status": {"IsLogging": False}}, "not logging"),
        (
            {"EventSelectors": {"EventSelectors": [], "AdvancedEventSelectors": []}},
            "records no management events",
        ),
        ({"CloudWatchLogsLogGroupArn": None}, "does not deliver to CloudWatch Logs"),
    ],
)
def test_unqualified_trail_fails_at_the_trail(changes: dict[str, Any], named: str) -> None:
    home = complete_chain(CONTROLS[SG])
    home["Trails"] = [trail(**changes)]
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.FAIL
    assert "broken at the trail" in finding.message and named in finding.message
    assert finding.evidence["broken_link"] == "trail"


def test_no_trail_at_all_fails() -> None:
    home = complete_chain(CONTROLS[SG])
    home["Trails"] = []
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.FAIL
    assert "no CloudTrail trail" in finding.message


def test_failed_trail_status_call_is_unknown_with_its_reason() -> None:
    failed = trail()
    del failed["Status"]
    failed["_errors"] = {"Status": {"operation": "GetTrailStatus", "code": "AccessDenied", "message": "no"}}
    home = complete_chain(CONTROLS[SG])
    home["Trails"] = [failed]
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.UNKNOWN
    assert "trail status" in finding.message
    assert {
        "region": HOME,
        "dataset": f"cloudtrail/Trails Status of {TRAIL_ARN}",
        "reason": "GetTrailStatus failed with AccessDenied: no",
    } in finding.evidence["not_collected"]


def test_trails_missing_elsewhere_do_not_matter_once_a_chain_is_complete() -> None:
    other = empty_region()
    del other["Trails"]
    finding = judge(SG, {HOME: complete_chain(CONTROLS[SG]), OTHER: other})
    assert finding.status is Status.PASS


def test_trails_missing_elsewhere_make_a_broken_chain_unknown() -> None:
    home = complete_chain(CONTROLS[SG])
    home["Trails"] = []
    other = empty_region()
    del other["Trails"]
    finding = judge(SG, {HOME: home, OTHER: other})
    assert finding.status is Status.UNKNOWN
    assert f"trails were not collected in {OTHER}" in finding.message
    assert finding.evidence["not_collected"][0]["dataset"] == "cloudtrail/Trails"


def test_organization_trail_of_another_account_is_unknown_naming_where_to_verify() -> None:
    management = "999988887777"
    org_arn = f"arn:aws:cloudtrail:{HOME}:{management}:trail/org-trail"
    org_trail = trail(
        Name="org-trail",
        TrailARN=org_arn,
        IsOrganizationTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{HOME}:{management}:log-group:org:*",
    )
    # A member account cannot read the status or selectors of the management account's trail.
    for subcall in ("Status", "EventSelectors"):
        del org_trail[subcall]
    home = empty_region()
    home["Trails"] = [org_trail]
    finding = judge(SG, two_regions(home))
    assert (finding.status, finding.resource) == (Status.UNKNOWN, ACCOUNT_ARN)
    assert f"covered by organization trail {org_arn}, verify in account {management}" in finding.message
    assert finding.evidence["outcome"] == "organization_trail_elsewhere"


# ------------------------------------------------ alarm, action, subscription


@pytest.mark.parametrize(
    ("changes", "link", "named"),
    [
        ({"Namespace": "Other"}, "alarm", "no alarm watches metric CISBenchmark/SecurityGroupChanges"),
        ({"ComparisonOperator": "LessThanThreshold"}, "alarm", "alarm SecurityGroupChanges"),
        ({"AlarmActions": []}, "alarm action", "has no alarm action"),
        ({"ActionsEnabled": False}, "alarm action", "actions disabled"),
        ({"AlarmActions": ["arn:aws:automate:us-east-1:ec2:stop"]}, "alarm action", "notifies no SNS topic"),
    ],
)
def test_alarm_problems_fail_at_their_link(changes: dict[str, Any], link: str, named: str) -> None:
    home = complete_chain(CONTROLS[SG])
    home["MetricAlarms"] = [alarm(CONTROLS[SG], **changes)]
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.FAIL
    assert f"broken at the {link}: " in finding.message and named in finding.message


@pytest.mark.parametrize(
    "subscriptions", [[], [subscription("PendingConfirmation")]], ids=["none", "pending"]
)
def test_topic_without_confirmed_subscription_fails(subscriptions: list[dict[str, Any]]) -> None:
    home = complete_chain(CONTROLS[SG])
    home["Subscriptions"] = subscriptions
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.FAIL
    assert "broken at the subscription" in finding.message
    assert "has no confirmed subscription" in finding.message


def test_alarms_missing_where_no_log_group_lives_do_not_matter() -> None:
    other = empty_region()
    del other["MetricAlarms"]
    del other["Subscriptions"]
    finding = judge(SG, {HOME: complete_chain(CONTROLS[SG]), OTHER: other})
    assert finding.status is Status.PASS


def test_alarms_missing_in_the_log_group_region_are_unknown() -> None:
    home = complete_chain(CONTROLS[SG])
    del home["MetricAlarms"]
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.UNKNOWN
    assert f"alarms were not collected in {HOME}" in finding.message
    assert finding.evidence["broken_link"] == "alarm"


# ------------------------------------------------------------- bad input


def test_malformed_dataset_is_unknown_with_a_clear_reason() -> None:
    home = complete_chain(CONTROLS[SG])
    home["MetricAlarms"] = {"MetricAlarms": []}
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.UNKNOWN
    assert f"cloudwatch/MetricAlarms in {HOME} is not a list of objects" in finding.message


def test_no_collected_region_is_unknown() -> None:
    finding = judge(SG, {})
    assert (finding.status, finding.resource) == (Status.UNKNOWN, ACCOUNT_ARN)
    assert "no region was collected" in finding.message


# ------------------------------------------------ unreadable pieces on the chain


def _unreadable_piece(piece: str) -> tuple[str, dict[str, Any]]:
    """(dataset, a record of it that cannot be read) for each piece of the chain."""
    control = CONTROLS[SG]
    no_group = {k: v for k, v in metric_filter(control).items() if k != "logGroupName"}
    no_pattern = {k: v for k, v in metric_filter(control).items() if k != "filterPattern"}
    no_metric = {**metric_filter(control), "metricTransformations": None}
    no_watched = {k: v for k, v in alarm(control).items() if k not in ("MetricName", "Namespace")}
    return {
        "filter's log group": ("MetricFilters", no_group),
        "filter's pattern": ("MetricFilters", no_pattern),
        "filter's metric": ("MetricFilters", no_metric),
        "alarm's metric": ("MetricAlarms", no_watched),
        "alarm's actions flag": ("MetricAlarms", alarm(control, ActionsEnabled="true")),
        "alarm's periods": ("MetricAlarms", alarm(control, EvaluationPeriods="1")),
        "alarm's threshold": ("MetricAlarms", alarm(control, Threshold=float("nan"))),
        "subscription's topic": ("Subscriptions", {**subscription(), "TopicArn": None}),
        "subscription's state": ("Subscriptions", {**subscription(), "SubscriptionArn": None}),
    }[piece]


PIECES = [
    "filter's log group",
    "filter's pattern",
    "filter's metric",
    "alarm's metric",
    "alarm's actions flag",
    "alarm's periods",
    "alarm's threshold",
    "subscription's topic",
    "subscription's state",
]
NAMED = {
    "filter's log group": "names no readable log group",
    "filter's pattern": "filterPattern is missing or not text",
    "filter's metric": "metricTransformations cannot be read",
    "alarm's metric": "the metric it watches cannot be read",
    "alarm's actions flag": "its actions cannot be read",
    "alarm's periods": "EvaluationPeriods '1'",
    "alarm's threshold": "threshold nan is not judged",
    "subscription's topic": "cannot be read (TopicArn or SubscriptionArn)",
    "subscription's state": "cannot be read (TopicArn or SubscriptionArn)",
}


@pytest.mark.parametrize("piece", PIECES)
def test_an_unreadable_piece_in_place_of_the_one_that_completes_the_chain_is_unknown(piece: str) -> None:
    dataset, record = _unreadable_piece(piece)
    home = complete_chain(CONTROLS[SG])
    home[dataset] = [record]
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.UNKNOWN, finding.message
    assert NAMED[piece] in finding.message


@pytest.mark.parametrize("piece", PIECES)
def test_an_unreadable_piece_beside_a_complete_chain_does_not_matter(piece: str) -> None:
    dataset, record = _unreadable_piece(piece)
    home = complete_chain(CONTROLS[SG])
    home[dataset] = [*home[dataset], record]
    assert judge(SG, two_regions(home)).status is Status.PASS


def test_an_unreadable_piece_beside_a_broken_chain_is_unknown_not_fail() -> None:
    dataset, record = _unreadable_piece("alarm's metric")
    home = complete_chain(CONTROLS[SG])
    home[dataset] = [alarm(CONTROLS[SG], ActionsEnabled=False), record]
    finding = judge(SG, two_regions(home))
    assert finding.status is Status.UNKNOWN and "may watch" in finding.message

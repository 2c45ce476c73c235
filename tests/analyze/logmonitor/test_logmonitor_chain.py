"""The trail → log group → filter → alarm → SNS → subscription chain, one broken link at a time."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from awsaudit.analyze.logmonitor import (
    CONTROL_IDS,
    ChainOutcome,
    ControlAssessment,
    RegionMonitoringData,
    assess_control,
    assess_monitoring,
)
from awsaudit.analyze.logmonitor.trails import parse_log_group_arn

ACCOUNT = "111122223333"
HOME = "us-east-1"
TRAIL_ARN = f"arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/main"
TOPIC = f"arn:aws:sns:{HOME}:{ACCOUNT}:security-alerts"
CONTROL = "cloudtrail_config_changes"
PATTERN = (
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
    "($.eventName = StartLogging) || ($.eventName = StopLogging) }"
)


def good_region() -> dict[str, Any]:
    return {
        "trails": [
            {
                "Name": "main",
                "TrailARN": TRAIL_ARN,
                "HomeRegion": HOME,
                "IsMultiRegionTrail": True,
                "IsOrganizationTrail": False,
                "S3BucketName": "audit-trail-logs",
                "LogFileValidationEnabled": True,
                "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:CloudTrail/main:*",
                "CloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/CloudTrailToLogs",
                "Status": {"IsLogging": True, "LatestDeliveryTime": "2026-11-02T10:00:00Z"},
                "EventSelectors": {
                    "TrailARN": TRAIL_ARN,
                    "EventSelectors": [
                        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
                         "ExcludeManagementEventSources": []}
                    ],
                },
            }
        ],
        "metric_filters": [
            {
                "filterName": "cloudtrail-changes",
                "filterPattern": PATTERN,
                "logGroupName": "CloudTrail/main",
                "metricTransformations": [
                    {"metricName": "CloudTrailChanges", "metricNamespace": "CISBenchmark", "metricValue": "1"}
                ],
            }
        ],
        "alarms": [
            {
                "AlarmName": "cloudtrail-changes",
                "AlarmArn": f"arn:aws:cloudwatch:{HOME}:{ACCOUNT}:alarm:cloudtrail-changes",
                "ActionsEnabled": True,
                "AlarmActions": [TOPIC],
                "MetricName": "CloudTrailChanges",
                "Namespace": "CISBenchmark",
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            }
        ],
        "subscriptions": [
            {
                "SubscriptionArn": f"{TOPIC}:0f3c5e4a-1b2c-4d5e-8f90-123456789abc",
                "Owner": ACCOUNT,
                "Protocol": "email",
                "Endpoint": "secops@example.com",
                "TopicArn": TOPIC,
            }
        ],
    }  # fmt: skip


def assess(
    region: dict[str, Any],
    control: str = CONTROL,
    others: dict[str, dict[str, Any]] | None = None,
) -> ControlAssessment:
    regions = {HOME: RegionMonitoringData(**region)}
    regions.update({name: RegionMonitoringData(**data) for name, data in (others or {}).items()})
    return assess_control(control, "7.0.0", ACCOUNT, regions)


def empty_region() -> dict[str, Any]:
    return {"trails": [], "metric_filters": [], "alarms": [], "subscriptions": []}


def trail(region: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = region["trails"][0]
    return result


def alarm(region: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = region["alarms"][0]
    return result


def test_complete_chain_is_satisfied_with_json_evidence() -> None:
    result = assess(good_region(), others={"eu-west-1": empty_region()})
    assert result.outcome is ChainOutcome.SATISFIED
    assert result.broken_link is None
    assert TOPIC in result.reason and "secops@example.com" in result.reason
    evidence = json.loads(json.dumps(result.evidence))
    chain = evidence["chains"][0]
    assert chain["log_group"] == {"region": HOME, "name": "CloudTrail/main"}
    assert chain["metric_filters"][0]["status"] == "satisfied"
    assert chain["metrics"][0]["alarms"][0]["topics"][0]["confirmed_subscriptions"] == 1


def test_all_controls_assessed_at_once() -> None:
    results = assess_monitoring(ACCOUNT, "7.0.0", {HOME: RegionMonitoringData(**good_region())})
    assert set(results) == set(CONTROL_IDS)
    assert results[CONTROL].outcome is ChainOutcome.SATISFIED
    assert results["vpc_changes"].outcome is ChainOutcome.BROKEN
    assert results["vpc_changes"].broken_link == "metric_filter"


def transformation(region: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = region["metric_filters"][0]["metricTransformations"][0]
    return result


def broken(mutate: Any, *, control: str = CONTROL) -> Any:
    region = good_region()
    mutate(region)
    return assess(region, control=control)


@pytest.mark.parametrize(
    ("mutate", "link", "phrase"),
    [
        (lambda r: trail(r).update(IsMultiRegionTrail=False), "trail", "not a multi-region trail"),
        (lambda r: trail(r)["Status"].update(IsLogging=False), "trail", "not logging"),
        (
            lambda r: trail(r).update(EventSelectors={"EventSelectors": []}),
            "trail",
            "records no management events",
        ),
        (
            lambda r: trail(r)["EventSelectors"]["EventSelectors"][0].update(ReadWriteType="WriteOnly"),
            "trail",
            "records only write management events",
        ),
        (
            lambda r: trail(r)["EventSelectors"]["EventSelectors"][0].update(IncludeManagementEvents=False),
            "trail",
            "records no management events",
        ),
        (lambda r: trail(r).pop("CloudWatchLogsLogGroupArn"), "trail", "does not deliver to CloudWatch Logs"),
        (
            lambda r: trail(r).update(CloudWatchLogsLogGroupArn="arn:aws:s3:::bucket"),
            "trail",
            "is not a log group ARN",
        ),
        (
            lambda r: r["metric_filters"][0].update(logGroupName="Other"),
            "metric_filter",
            "has no metric filters",
        ),
        (
            lambda r: r["metric_filters"][0].update(filterPattern="{ $.eventName = CreateTrail }"),
            "metric_filter",
            "misses UpdateTrail",
        ),
        (
            lambda r: r["metric_filters"][0].update(filterPattern=PATTERN.replace("||", "&&")),
            "metric_filter",
            "misses CreateTrail",
        ),
        (lambda r: r["metric_filters"][0].update(metricTransformations=[]), "alarm", "publishes no metric"),
        (lambda r: alarm(r).update(Namespace="LogMetrics"), "alarm", "no alarm watches metric CISBenchmark/"),
        (lambda r: alarm(r).update(MetricName="Other"), "alarm", "no alarm watches metric"),
        (lambda r: alarm(r).update(Threshold=2.0), "alarm", "one event gives 1, which is not >= threshold 2"),
        (lambda r: alarm(r).update(ComparisonOperator="GreaterThanThreshold"), "alarm", "not > threshold 1"),
        (
            lambda r: alarm(r).update(ComparisonOperator="LessThanThreshold"),
            "alarm",
            "fires when events are absent",
        ),
        (lambda r: alarm(r).update(EvaluationPeriods=3), "alarm", "needs 3 breaching datapoints"),
        (lambda r: alarm(r).update(EvaluationPeriods=3, DatapointsToAlarm=2), "alarm", "needs 2 breaching"),
        (
            lambda r: (alarm(r).update(Statistic="Average"), transformation(r).update(defaultValue=0)),
            "alarm",
            "Average is diluted",
        ),
        (
            lambda r: alarm(r).update(Dimensions=[{"Name": "Account", "Value": ACCOUNT}]),
            "alarm",
            "dimensions the metric filter never publishes",
        ),
        (
            lambda r: (alarm(r).update(Statistic="SampleCount"), transformation(r).update(defaultValue=0)),
            "alarm",
            "the alarm stays in ALARM",
        ),
        (
            lambda r: (alarm(r).update(Threshold=0), transformation(r).update(defaultValue=0)),
            "alarm",
            "periods without matching events give 0",
        ),
        (lambda r: alarm(r).update(ActionsEnabled=False), "alarm_action", "actions disabled"),
        (lambda r: alarm(r).update(AlarmActions=[]), "alarm_action", "has no alarm action"),
        (
            lambda r: alarm(r).update(AlarmActions=[f"arn:aws:ssm:{HOME}:{ACCOUNT}:opsitem:3"]),
            "alarm_action",
            "notifies no SNS topic",
        ),
        (
            lambda r: r["subscriptions"][0].update(SubscriptionArn="PendingConfirmation"),
            "subscription",
            "has no confirmed subscription (1 pending confirmation)",
        ),
        (lambda r: r.update(subscriptions=[]), "subscription", "has no confirmed subscription"),
    ],
)
def test_each_broken_link_is_named(mutate: Any, link: str, phrase: str) -> None:
    result = broken(mutate)
    assert result.outcome is ChainOutcome.BROKEN
    assert result.broken_link == link
    assert phrase in result.reason
    json.dumps(result.evidence)


def test_sane_alarm_variants_are_accepted() -> None:
    variants: list[dict[str, Any]] = [
        {"Statistic": "SampleCount"},
        {"Statistic": "Maximum", "Threshold": 0.5},
        {"ComparisonOperator": "GreaterThanThreshold", "Threshold": 0.0},
        {"EvaluationPeriods": 5, "DatapointsToAlarm": 1},
        {"Statistic": "Average"},
        {"Threshold": 1.0, "_default": 0},
        {"Statistic": "Maximum", "_default": 0},
    ]
    for change in variants:
        region = good_region()
        if "_default" in change:
            transformation(region)["defaultValue"] = change.pop("_default")
        alarm(region).update(change)
        assert assess(region).outcome is ChainOutcome.SATISFIED, change


def test_metric_math_alarm_returning_the_metric_is_judged() -> None:
    region = good_region()
    plain = alarm(region)
    for key in ("MetricName", "Namespace", "Statistic", "Period"):
        plain.pop(key)
    plain["Metrics"] = [
        {
            "Id": "m1",
            "ReturnData": True,
            "MetricStat": {
                "Metric": {"Namespace": "CISBenchmark", "MetricName": "CloudTrailChanges", "Dimensions": []},
                "Period": 300,
                "Stat": "Sum",
            },
        }
    ]
    assert assess(region).outcome is ChainOutcome.SATISFIED
    plain["Metrics"][0]["ReturnData"] = False
    plain["Metrics"].append({"Id": "e1", "Expression": "m1 * 2", "ReturnData": True})
    result = assess(region)
    assert result.outcome is ChainOutcome.UNDETERMINED
    assert "metric-math expression" in result.reason


@pytest.mark.parametrize(
    ("mutate", "phrase"),
    [
        (
            lambda r: r["metric_filters"][0].update(filterPattern="{ $.eventName = "),
            "cannot be judged: invalid filter",
        ),
        (lambda r: trail(r).pop("EventSelectors"), "not collected: event selectors"),
        (lambda r: trail(r).pop("Status"), "not collected: trail status"),
        (lambda r: r.update(metric_filters=None), "metric filters were not collected"),
        (lambda r: r.update(alarms=None), "alarms were not collected"),
        (lambda r: r.update(subscriptions=None), "SNS subscriptions were not collected"),
        (lambda r: alarm(r).update(ExtendedStatistic="p99", Statistic=None), "statistic 'p99' is not judged"),
        (
            lambda r: alarm(r).update(AlarmActions=["arn:aws:sns:us-east-1:999988887777:central"]),
            "belongs to account 999988887777",
        ),
        (
            lambda r: transformation(r).update(metricValue="$.count"),
            "taken from the event",
        ),
    ],
)
def test_unknowable_links_are_undetermined_not_failed(mutate: Any, phrase: str) -> None:
    result = broken(mutate)
    assert result.outcome is ChainOutcome.UNDETERMINED
    assert phrase in result.reason


def test_trails_not_collected_anywhere_is_undetermined() -> None:
    region = empty_region()
    region["trails"] = None
    result = assess(region)
    assert result.outcome is ChainOutcome.UNDETERMINED
    assert result.reason == f"trails were not collected in {HOME}"


def test_no_trail_at_all_fails() -> None:
    result = assess(empty_region())
    assert result.outcome is ChainOutcome.BROKEN
    assert result.reason == "no CloudTrail trail in this account"


def test_organization_trail_of_another_account_is_reported_as_such() -> None:
    org_region = empty_region()
    org_trail = copy.deepcopy(trail(good_region()))
    org_trail.update(
        TrailARN=f"arn:aws:cloudtrail:{HOME}:999988887777:trail/org-trail",
        Name="org-trail",
        IsOrganizationTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{HOME}:999988887777:log-group:org-trail:*",
    )
    org_trail.pop("EventSelectors")
    org_region["trails"] = [org_trail]
    result = assess(org_region)
    assert result.outcome is ChainOutcome.ORGANIZATION_TRAIL_ELSEWHERE
    assert result.reason == (
        f"covered by organization trail arn:aws:cloudtrail:{HOME}:999988887777:trail/org-trail, "
        "verify in account 999988887777"
    )


def test_local_complete_chain_wins_over_organization_trail() -> None:
    region = good_region()
    org_trail = copy.deepcopy(trail(region))
    org_trail.update(TrailARN=f"arn:aws:cloudtrail:{HOME}:999988887777:trail/org", IsOrganizationTrail=True)
    region["trails"].append(org_trail)
    assert assess(region).outcome is ChainOutcome.SATISFIED


def test_advanced_event_selectors_count() -> None:
    region = good_region()
    management = {"Field": "eventCategory", "Equals": ["Management"]}
    trail(region)["EventSelectors"] = {
        "AdvancedEventSelectors": [{"Name": "Management events", "FieldSelectors": [management]}]
    }
    assert assess(region).outcome is ChainOutcome.SATISFIED
    trail(region)["EventSelectors"]["AdvancedEventSelectors"][0]["FieldSelectors"] = [
        management,
        {"Field": "readOnly", "Equals": ["false"]},
    ]
    result = assess(region)
    assert result.outcome is ChainOutcome.BROKEN and "records only write management events" in result.reason


def test_excluded_kms_events_break_only_the_kms_control() -> None:
    region = good_region()
    trail(region)["EventSelectors"] = {
        "AdvancedEventSelectors": [
            {
                "Name": "Management without KMS",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Management"]},
                    {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]},
                ],
            }
        ]
    }
    assert assess(region).outcome is ChainOutcome.SATISFIED
    kms = assess(region, control="kms_cmk_disable_or_deletion")
    assert kms.outcome is ChainOutcome.BROKEN
    assert "does not record management events from kms.amazonaws.com" in kms.reason
    basic = good_region()
    trail(basic)["EventSelectors"]["EventSelectors"][0]["ExcludeManagementEventSources"] = [
        "kms.amazonaws.com"
    ]
    assert "kms.amazonaws.com" in assess(basic, control="kms_cmk_disable_or_deletion").reason


def test_log_group_in_another_region_is_followed_there() -> None:
    home = good_region()
    remote = empty_region()
    for key in ("metric_filters", "alarms", "subscriptions"):
        remote[key] = home[key]
        home[key] = []
    topic = TOPIC.replace(HOME, "eu-west-1")
    remote["alarms"][0]["AlarmActions"] = [topic]
    remote["subscriptions"][0].update(TopicArn=topic, SubscriptionArn=topic + ":abc")
    trail(home)["CloudWatchLogsLogGroupArn"] = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:CloudTrail/main"
    assert assess(home, others={"eu-west-1": remote}).outcome is ChainOutcome.SATISFIED
    assert assess(home).outcome is ChainOutcome.UNDETERMINED


def test_the_broken_link_reported_is_the_furthest_reached() -> None:
    region = good_region()
    second = copy.deepcopy(trail(region))
    second.update(Name="regional", TrailARN=TRAIL_ARN.replace("main", "regional"), IsMultiRegionTrail=False)
    region["trails"].append(second)
    region["subscriptions"] = []
    result = assess(region)
    assert result.broken_link == "subscription"
    assert [t["problems"] for t in result.evidence["trails"]] == [[], ["not a multi-region trail"]]


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:CloudTrail/main:*", (HOME, ACCOUNT, "CloudTrail/main")),
        (
            f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:aws-cloudtrail-logs-1",
            (HOME, ACCOUNT, "aws-cloudtrail-logs-1"),
        ),
        ("arn:aws:logs:us-east-1:1:log-group:", None),
        ("not-an-arn", None),
    ],
)
def test_parse_log_group_arn(arn: str, expected: tuple[str, str, str] | None) -> None:
    parsed = parse_log_group_arn(arn)
    assert (None if parsed is None else (parsed.region, parsed.account_id, parsed.name)) == expected

"""CloudTrail, CloudWatch Logs/alarms, SNS, Config, Security Hub and GuardDuty, collected from the lab."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot
from tests.collect.support import ACCOUNT, HOME, OTHER, collect_lab, lab_client

DATASETS = [
    "cloudtrail/Trails",
    "logs/MetricFilters",
    "cloudwatch/MetricAlarms",
    "sns/Subscriptions",
    "config/ConfigurationRecorders",
    "config/ConfigurationRecorderStatus",
    "config/DeliveryChannels",
    "securityhub/Hub",
    "guardduty/Detectors",
]
# The CIS root-account-usage filter; its text must come back unchanged.
ROOT_USAGE_PATTERN = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS'
    ' && $.eventType != "AwsServiceEvent" }'
)
DATA_EVENTS = {
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
}
ADVANCED = [
    {
        "Name": "management",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
    }
]


def _build(lab: Lab) -> None:
    lab_client(lab, "s3").create_bucket(Bucket="trail-archive")
    log_group_arn = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:trail-events:*"
    logs = lab_client(lab, "logs")
    logs.create_log_group(logGroupName="trail-events")
    home_trails = lab_client(lab, "cloudtrail", HOME)
    home_trails.create_trail(
        Name="account-trail",
        S3BucketName="trail-archive",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=log_group_arn,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/trail-to-logs",
    )
    home_trails.start_logging(Name="account-trail")
    home_trails.put_event_selectors(TrailName="account-trail", EventSelectors=[DATA_EVENTS])
    other_trails = lab_client(lab, "cloudtrail", OTHER)
    other_trails.create_trail(Name="regional-trail", S3BucketName="trail-archive")
    other_trails.put_event_selectors(TrailName="regional-trail", AdvancedEventSelectors=ADVANCED)

    logs.put_metric_filter(
        logGroupName="trail-events",
        filterName="root-usage",
        filterPattern=ROOT_USAGE_PATTERN,
        metricTransformations=[{"metricName": "RootUsage", "metricNamespace": "CIS", "metricValue": "1"}],
    )
    topic = lab_client(lab, "sns").create_topic(Name="security-alerts")["TopicArn"]
    lab_client(lab, "sns").subscribe(TopicArn=topic, Protocol="email", Endpoint="secops@example.com")
    lab_client(lab, "cloudwatch").put_metric_alarm(
        AlarmName="root-usage",
        MetricName="RootUsage",
        Namespace="CIS",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic],
    )

    config = lab_client(lab, "config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "trail-archive"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")

    lab_client(lab, "securityhub", HOME).enable_security_hub()
    lab_client(lab, "guardduty", OTHER).create_detector(Enable=True)


@pytest.fixture(scope="module")
def snapshot(clean_lab: Lab) -> Snapshot:
    _build(clean_lab)
    return collect_lab(clean_lab, datasets=DATASETS, regions=(HOME, OTHER))


def _data(snapshot: Snapshot, service: str, name: str, region: str = HOME) -> Any:
    return snapshot.dataset(service, region, name)


def test_nothing_fails(snapshot: Snapshot) -> None:
    assert snapshot.errors == []


def test_each_trail_is_listed_once_in_its_home_region(snapshot: Snapshot) -> None:
    home = [t["Name"] for t in _data(snapshot, "cloudtrail", "Trails")]
    other = [t["Name"] for t in _data(snapshot, "cloudtrail", "Trails", OTHER)]
    assert (home, other) == (["account-trail"], ["regional-trail"])


def test_trail_configuration_status_and_selectors(snapshot: Snapshot) -> None:
    trail = _data(snapshot, "cloudtrail", "Trails")[0]
    assert trail["IsMultiRegionTrail"] is True
    assert trail["LogFileValidationEnabled"] is True
    assert trail["CloudWatchLogsLogGroupArn"].endswith(":log-group:trail-events:*")
    assert trail["Status"]["IsLogging"] is True
    assert trail["EventSelectors"]["EventSelectors"] == [DATA_EVENTS]
    regional = _data(snapshot, "cloudtrail", "Trails", OTHER)[0]
    assert regional["Status"]["IsLogging"] is False
    assert regional["EventSelectors"]["AdvancedEventSelectors"] == ADVANCED


def test_metric_filter_pattern_and_alarm(snapshot: Snapshot) -> None:
    (metric_filter,) = _data(snapshot, "logs", "MetricFilters")
    assert metric_filter["filterPattern"] == ROOT_USAGE_PATTERN
    assert metric_filter["metricTransformations"][0]["metricName"] == "RootUsage"
    (alarm,) = _data(snapshot, "cloudwatch", "MetricAlarms")
    assert (alarm["MetricName"], alarm["Namespace"]) == ("RootUsage", "CIS")
    assert alarm["AlarmActions"][0].endswith(":security-alerts")
    (subscription,) = _data(snapshot, "sns", "Subscriptions")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "secops@example.com")
    assert subscription["TopicArn"] == alarm["AlarmActions"][0]
    assert _data(snapshot, "logs", "MetricFilters", OTHER) == []


def test_config_recorder_status_and_channel_per_region(snapshot: Snapshot) -> None:
    (recorder,) = _data(snapshot, "config", "ConfigurationRecorders")
    assert recorder["recordingGroup"]["allSupported"] is True
    (status,) = _data(snapshot, "config", "ConfigurationRecorderStatus")
    assert status["recording"] is True
    (channel,) = _data(snapshot, "config", "DeliveryChannels")
    assert channel["s3BucketName"] == "trail-archive"
    assert _data(snapshot, "config", "ConfigurationRecorders", OTHER) == []


def test_security_hub_not_enabled_is_data(snapshot: Snapshot) -> None:
    hub = _data(snapshot, "securityhub", "Hub")
    assert hub["Enabled"] is True and hub["HubArn"].startswith("arn:aws:securityhub:us-east-1:")
    assert _data(snapshot, "securityhub", "Hub", OTHER) == {"Enabled": False}


def test_guardduty_detector_with_its_settings(snapshot: Snapshot) -> None:
    (detector,) = _data(snapshot, "guardduty", "Detectors", OTHER)
    assert detector["Detector"]["Status"] == "ENABLED"
    assert set(detector) == {
        "DetectorId",
        "Detector",
        "Administrator",
        "OrganizationConfiguration",
        "SevereFindings",
    }
    assert detector["Administrator"] is None and detector["OrganizationConfiguration"] is None
    assert detector["SevereFindings"] == {"Count": 0, "Findings": []}
    assert _data(snapshot, "guardduty", "Detectors") == []


def test_narrowed_collection_keeps_a_multi_region_trail_homed_elsewhere(
    snapshot: Snapshot, clean_lab: Lab
) -> None:
    """Collecting only eu-west-1 must still see the multi-region trail homed in us-east-1, once."""
    narrowed = collect_lab(clean_lab, datasets=["cloudtrail/Trails"], regions=(OTHER,))
    names = sorted(t["Name"] for t in narrowed.dataset("cloudtrail", OTHER, "Trails"))
    assert names == ["account-trail", "regional-trail"]
    adopted = next(t for t in narrowed.dataset("cloudtrail", OTHER, "Trails") if t["Name"] == "account-trail")
    assert adopted["HomeRegion"] == HOME
    assert adopted["Status"]["IsLogging"] is True

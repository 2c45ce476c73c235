"""The monitoring chain built through boto3 in the lab, collected, and judged: one broken link at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from awsaudit.checks.cloudwatch import MONITORED_EVENTS, MonitoredEvents
from awsaudit.checks.registry import all_checks
from awsaudit.checks.runner import run_checks
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Status
from awsaudit.lab.server import LAB_ACCOUNT_ID, Lab
from awsaudit.snapshot import Snapshot

pytestmark = pytest.mark.lab

HOME = "us-east-1"
REGIONS = (HOME, "eu-west-1")
DATASETS = frozenset(
    {"cloudtrail/Trails", "logs/MetricFilters", "cloudwatch/MetricAlarms", "sns/Subscriptions"}
)
LOG_GROUP = "CloudTrail/main"
NAMESPACE = "CISBenchmark"
SG = next(control for control in MONITORED_EVENTS if control.control_id == "security_group_changes")
# CIS v3.0.0 / v4.0.1 text, before ModifySecurityGroupRules joined the list.
SG_V4_PATTERN = (
    "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
    "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
    "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"
)


@dataclass(frozen=True)
class ChainSetup:
    """What the scenario builds; the defaults make a complete chain for `controls`."""

    controls: tuple[MonitoredEvents, ...] = (SG,)
    multi_region: bool = True
    start_logging: bool = True
    management_selectors: bool = True
    deliver_to_logs: bool = True
    filter_pattern: str | None = None  # None: the control's own remediation pattern
    metric_filters: bool = True
    alarm_namespace: str = NAMESPACE
    alarm_actions: bool = True
    subscribe: bool = True


class LabClients:
    """One boto3 client per service for the whole module: clients outlive `lab.reset()`."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self._session: Any = boto3.Session(region_name=HOME)
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self.lab.endpoint_url)
        return self._clients[service]


@pytest.fixture(scope="module")
def client(lab: Lab) -> LabClients:
    return LabClients(lab)


def build_and_collect(client: LabClients, setup: ChainSetup) -> Snapshot:
    lab = client.lab
    lab.reset()
    client("s3").create_bucket(Bucket="audit-trail-logs")
    client("logs").create_log_group(logGroupName=LOG_GROUP)
    trails = client("cloudtrail")
    delivery = (
        {
            "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{HOME}:{LAB_ACCOUNT_ID}:log-group:{LOG_GROUP}:*",
            "CloudWatchLogsRoleArn": f"arn:aws:iam::{LAB_ACCOUNT_ID}:role/CloudTrailToLogs",
        }
        if setup.deliver_to_logs
        else {}
    )
    trails.create_trail(
        Name="main", S3BucketName="audit-trail-logs", IsMultiRegionTrail=setup.multi_region, **delivery
    )
    if setup.start_logging:
        trails.start_logging(Name="main")
    if setup.management_selectors:
        trails.put_event_selectors(
            TrailName="main", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
        )
    topic = client("sns").create_topic(Name="security-alerts")["TopicArn"]
    if setup.subscribe:
        client("sns").subscribe(TopicArn=topic, Protocol="email", Endpoint="secops@example.com")
    for control in setup.controls:
        if setup.metric_filters:
            client("logs").put_metric_filter(
                logGroupName=LOG_GROUP,
                filterName=control.metric_name,
                filterPattern=setup.filter_pattern or control.filter_pattern,
                metricTransformations=[
                    {"metricName": control.metric_name, "metricNamespace": NAMESPACE, "metricValue": "1"}
                ],
            )
        client("cloudwatch").put_metric_alarm(
            AlarmName=control.metric_name,
            MetricName=control.metric_name,
            Namespace=setup.alarm_namespace,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[topic] if setup.alarm_actions else [],
        )
    options = CollectOptions(
        regions=REGIONS, endpoint_url=lab.endpoint_url, client_hooks=lab.client_hooks(), datasets=DATASETS
    )
    snapshot = collect(boto3.Session(region_name=HOME), options)
    assert snapshot.errors == []
    return snapshot


def judge(snapshot: Snapshot, control: MonitoredEvents, cis_version: str = "7.0.0") -> Finding:
    config = AuditConfig(cis_version=cis_version)
    (finding,) = run_checks(snapshot, [all_checks()[control.check_id]], config)
    return finding


def test_complete_chains_pass_for_every_control(client: LabClients) -> None:
    snapshot = build_and_collect(client, ChainSetup(controls=MONITORED_EVENTS))
    findings = {control.control_id: judge(snapshot, control) for control in MONITORED_EVENTS}
    assert {control: f.status for control, f in findings.items()} == {
        control.control_id: Status.PASS for control in MONITORED_EVENTS
    }
    assert "secops@example.com" in findings["root_account_usage"].message


@pytest.mark.parametrize(
    ("setup", "link", "named"),
    [
        pytest.param(ChainSetup(multi_region=False), "trail", "not a multi-region trail", id="single-region"),
        pytest.param(ChainSetup(start_logging=False), "trail", "not logging", id="not-logging"),
        pytest.param(
            ChainSetup(management_selectors=False),
            "trail",
            "records no management events",
            id="default-empty-selectors",
        ),
        pytest.param(
            ChainSetup(deliver_to_logs=False),
            "trail",
            "does not deliver to CloudWatch Logs",
            id="no-logs-delivery",
        ),
        pytest.param(
            ChainSetup(metric_filters=False), "metric filter", "has no metric filters", id="no-filter"
        ),
        pytest.param(
            ChainSetup(alarm_namespace="CloudTrailMetrics"),
            "alarm",
            f"no alarm watches metric {NAMESPACE}/{SG.metric_name}",
            id="other-namespace",
        ),
        pytest.param(ChainSetup(alarm_actions=False), "alarm action", "has no alarm action", id="no-action"),
        pytest.param(ChainSetup(subscribe=False), "subscription", "no confirmed subscription", id="no-sub"),
    ],
)
def test_each_broken_link_fails_naming_it(
    client: LabClients, setup: ChainSetup, link: str, named: str
) -> None:
    finding = judge(build_and_collect(client, setup), SG)
    assert finding.status is Status.FAIL
    assert f"broken at the {link}: " in finding.message
    assert named in finding.message


def test_subset_filter_fails_except_under_the_cis_version_it_was_written_for(client: LabClients) -> None:
    snapshot = build_and_collect(client, ChainSetup(filter_pattern=SG_V4_PATTERN))
    current = judge(snapshot, SG, cis_version="7.0.0")
    assert current.status is Status.FAIL
    assert "broken at the metric filter: " in current.message
    assert "misses ModifySecurityGroupRules" in current.message
    assert judge(snapshot, SG, cis_version="3.0.0").status is Status.PASS

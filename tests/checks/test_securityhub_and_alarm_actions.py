"""Monitoring checks (Security Hub, CloudWatch alarm actions) on hand-built snapshots."""

from __future__ import annotations

from typing import Any

from awsaudit.findings import Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run, statuses

REGIONS = ("eu-west-1", "us-east-1")


def hub_arn(region: str) -> str:
    return f"arn:aws:securityhub:{region}:{ACCOUNT_ID}:account"


def test_security_hub_is_judged_per_region() -> None:
    snapshot = (
        SnapshotBuilder(regions=REGIONS)
        .with_dataset(
            "securityhub",
            "Hub",
            {
                "Enabled": True,
                "HubArn": f"arn:aws:securityhub:eu-west-1:{ACCOUNT_ID}:hub/default",
                "SubscribedAt": "2026-01-01T00:00:00.000Z",
            },
            region="eu-west-1",
        )
        .with_dataset("securityhub", "Hub", {"Enabled": False}, region="us-east-1")
        .build()
    )
    findings = run(snapshot, "securityhub.enabled")
    assert statuses(findings) == {hub_arn("eu-west-1"): Status.PASS, hub_arn("us-east-1"): Status.FAIL}
    assert {f.region for f in findings} == set(REGIONS)
    assert (
        next(f for f in findings if f.status is Status.FAIL).message
        == "Security Hub is not enabled in us-east-1"
    )


def test_security_hub_unknown_in_a_region_that_was_not_collected() -> None:
    snapshot = (
        SnapshotBuilder(regions=REGIONS)
        .with_dataset("securityhub", "Hub", {"Enabled": True}, region="eu-west-1")
        .with_error("securityhub", "Hub", region="us-east-1", operation="DescribeHub")
        .build()
    )
    assert statuses(run(snapshot, "securityhub.enabled")) == {
        hub_arn("eu-west-1"): Status.PASS,
        hub_arn("us-east-1"): Status.UNKNOWN,
    }


def alarm(name: str, enabled: bool = True, actions: list[str] | None = None) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT_ID}:alarm:{name}",
        "ActionsEnabled": enabled,
        "AlarmActions": [f"arn:aws:sns:eu-west-1:{ACCOUNT_ID}:security"] if actions is None else actions,
        "MetricName": "UnauthorizedAPICalls",
        "Namespace": "CISBenchmark",
        "StateValue": "OK",
    }


def test_alarm_actions() -> None:
    alarms = [
        alarm("good"),
        alarm("muted", enabled=False),
        alarm("silent", actions=[]),
        alarm("both", False, []),
    ]
    snapshot = SnapshotBuilder().with_regional("cloudwatch", "MetricAlarms", alarms).build()
    findings = {f.resource.rsplit(":", 1)[1]: f for f in run(snapshot, "cloudwatch.alarm_actions")}
    assert {name: f.status for name, f in findings.items()} == {
        "good": Status.PASS,
        "muted": Status.FAIL,
        "silent": Status.FAIL,
        "both": Status.FAIL,
    }
    assert (
        findings["both"].message
        == "Alarm both notifies no one: its actions are disabled and it has no alarm action"
    )
    assert findings["good"].evidence == {
        "ActionsEnabled": True,
        "AlarmActions": [f"arn:aws:sns:eu-west-1:{ACCOUNT_ID}:security"],
    }


def test_alarm_actions_unknown_when_alarms_missing() -> None:
    snapshot = SnapshotBuilder().with_error("cloudwatch", "MetricAlarms", region="eu-west-1").build()
    (finding,) = run(snapshot, "cloudwatch.alarm_actions")
    assert finding.status is Status.UNKNOWN


def test_no_alarms_means_no_findings() -> None:
    snapshot = SnapshotBuilder().with_regional("cloudwatch", "MetricAlarms", []).build()
    assert run(snapshot, "cloudwatch.alarm_actions") == []


def test_security_hub_evidence_lists_the_enabled_standards() -> None:
    standards = [
        {
            "StandardsArn": "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/4.0.1",
            "StandardsStatus": "READY",
        },
        {"StandardsArn": "arn:aws:securityhub:::ruleset/cis/v/1.2.0", "StandardsStatus": "DELETING"},
    ]
    hub = {"Enabled": True, "HubArn": f"arn:aws:securityhub:eu-west-1:{ACCOUNT_ID}:hub/default"}
    snapshot = (
        SnapshotBuilder(regions=("eu-west-1",))
        .with_dataset("securityhub", "Hub", hub, region="eu-west-1")
        .with_dataset("securityhub", "EnabledStandards", standards, region="eu-west-1")
        .build()
    )
    (finding,) = run(snapshot, "securityhub.enabled")
    assert finding.status is Status.PASS
    assert finding.evidence["EnabledStandards"] == [
        "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/4.0.1"
    ]
    denied = (
        SnapshotBuilder(regions=("eu-west-1",))
        .with_dataset("securityhub", "Hub", hub, region="eu-west-1")
        .with_error("securityhub", "EnabledStandards", "eu-west-1")
        .build()
    )
    (finding,) = run(denied, "securityhub.enabled")
    assert finding.status is Status.PASS  # the standards are evidence, not the verdict
    assert "not_collected" in finding.evidence["EnabledStandards"]

"""GuardDuty, its findings, Access Analyzer findings, Macie and Inspector on hand-built snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.checks.guardduty import PROTECTION_FEATURES
from awsaudit.findings import Severity, Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run

REGION = "eu-west-1"
ALL_FEATURES = [{"Name": name, "Status": "ENABLED"} for name in PROTECTION_FEATURES]


def detector(**fields: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "DetectorId": "d1",
        "Detector": {"Status": "ENABLED", "Features": ALL_FEATURES},
        "Administrator": None,
        "OrganizationConfiguration": None,
        "SevereFindings": {"Count": 0, "Findings": []},
    }
    value.update(fields)
    return value


def detectors(*entries: dict[str, Any]) -> SnapshotBuilder:
    return SnapshotBuilder().with_dataset("guardduty", "Detectors", list(entries), REGION)


def status(builder: SnapshotBuilder, check_id: str) -> list[Status]:
    return [f.status for f in run(builder.build(), check_id)]


def test_guardduty_enabled_pass_fail_unknown() -> None:
    assert status(detectors(detector()), "guardduty.enabled") == [Status.PASS]
    assert status(detectors(detector(Detector={"Status": "DISABLED"})), "guardduty.enabled") == [Status.FAIL]
    assert status(detectors(), "guardduty.enabled") == [Status.FAIL]
    denied = detector()
    del denied["Detector"]
    denied["_errors"] = {"Detector": {"operation": "GetDetector", "code": "AccessDenied"}}
    assert status(detectors(denied), "guardduty.enabled") == [Status.UNKNOWN]
    assert status(SnapshotBuilder().with_error("guardduty", "Detectors", REGION), "guardduty.enabled") == [
        Status.UNKNOWN
    ]


def test_protection_plans_list_what_is_missing() -> None:
    assert status(detectors(detector()), "guardduty.protection_plans") == [Status.PASS]
    partial = detector(Detector={"Status": "ENABLED", "Features": ALL_FEATURES[:2]})
    (finding,) = run(detectors(partial).build(), "guardduty.protection_plans")
    assert finding.status is Status.FAIL
    assert finding.evidence["missing"] == [
        "RDS Protection",
        "Lambda Protection",
        "Malware Protection for EC2",
    ]
    legacy = detector(
        Detector={
            "Status": "ENABLED",
            "Features": ALL_FEATURES[2:4],
            "DataSources": {
                "S3Logs": {"Status": "ENABLED"},
                "Kubernetes": {"AuditLogs": {"Status": "ENABLED"}},
                "MalwareProtection": {"ScanEc2InstanceWithFindings": {"EbsVolumes": {"Status": "ENABLED"}}},
            },
        }
    )
    assert status(detectors(legacy), "guardduty.protection_plans") == [Status.PASS]


def organization(builder: SnapshotBuilder, member: bool = True) -> SnapshotBuilder:
    value = (
        {"Organization": {"Id": "o-1", "MasterAccountId": "999988887777"}}
        if member
        else {"Organization": None}
    )
    return builder.with_dataset("organizations", "Organization", value)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (detector(Administrator={"AccountId": "999988887777", "RelationshipStatus": "Enabled"}), Status.PASS),
        (detector(OrganizationConfiguration={"AutoEnableOrganizationMembers": "ALL"}), Status.PASS),
        (detector(OrganizationConfiguration={"AutoEnableOrganizationMembers": "NONE"}), Status.FAIL),
        (detector(Administrator={"AccountId": "999988887777", "RelationshipStatus": "Removed"}), Status.FAIL),
        (detector(), Status.FAIL),
    ],
)
def test_organization_management(entry: dict[str, Any], expected: Status) -> None:
    assert status(organization(detectors(entry)), "guardduty.organization_managed") == [expected]


def test_organization_management_outside_an_organization_or_unknown() -> None:
    assert status(organization(detectors(detector()), member=False), "guardduty.organization_managed") == []
    assert status(detectors(detector()), "guardduty.organization_managed") == [Status.UNKNOWN]


def test_severe_findings_fail_with_their_resources() -> None:
    findings = {
        "Count": 2,
        "Findings": [
            {"Id": "f1", "Type": "Backdoor:EC2/C&CActivity.B", "Severity": 8.0, "Resource": "i-1"},
            {"Id": "f2", "Type": "CryptoCurrency:EC2/BitcoinTool.B", "Severity": 9.5, "Resource": "i-2"},
        ],
    }
    (finding,) = run(detectors(detector(SevereFindings=findings)).build(), "guardduty.no_severe_findings")
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.CRITICAL)
    assert finding.evidence["resources"] == ["i-1", "i-2"]
    assert status(detectors(detector()), "guardduty.no_severe_findings") == [Status.PASS]
    assert status(detectors(), "guardduty.no_severe_findings") == []
    denied = detector()
    del denied["SevereFindings"]
    denied["_errors"] = {"SevereFindings": {"operation": "ListFindings", "code": "AccessDenied"}}
    assert status(detectors(denied), "guardduty.no_severe_findings") == [Status.UNKNOWN]


def analyzers(*findings: dict[str, Any], denied: bool = False) -> SnapshotBuilder:
    analyzer: dict[str, Any] = {
        "arn": f"arn:aws:access-analyzer:{REGION}:{ACCOUNT_ID}:analyzer/a",
        "type": "ACCOUNT",
        "status": "ACTIVE",
    }
    if denied:
        analyzer["_errors"] = {"ActiveFindings": {"operation": "ListFindings", "code": "AccessDenied"}}
    else:
        analyzer["ActiveFindings"] = list(findings)
    return SnapshotBuilder().with_dataset("accessanalyzer", "Analyzers", [analyzer], REGION)


def test_access_analyzer_findings() -> None:
    check_id = "accessanalyzer.no_active_external_findings"
    public = {"id": "1", "resource": "arn:aws:s3:::open", "isPublic": True}
    shared = {"id": "2", "resource": "arn:aws:kms:eu-west-1:1:key/k", "isPublic": False}
    (finding,) = run(analyzers(public, shared).build(), check_id)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.HIGH)
    assert finding.evidence["resources"] == ["arn:aws:kms:eu-west-1:1:key/k", "arn:aws:s3:::open"]
    (finding,) = run(analyzers(shared).build(), check_id)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.MEDIUM)
    assert status(analyzers(), check_id) == [Status.PASS]
    assert status(analyzers(denied=True), check_id) == [Status.UNKNOWN]


def macie(
    session: str, automated: str = "DISABLED", jobs: list[dict[str, Any]] | None = None
) -> SnapshotBuilder:
    state: dict[str, Any] = {"Session": {"status": session}}
    if session == "ENABLED":
        state.update({"AutomatedDiscovery": {"status": automated}, "ClassificationJobs": jobs or []})
    buckets = [
        {"Name": "a", "Region": REGION},
        {"Name": "b", "Region": REGION},
        {"Name": "c", "Region": "us-east-1"},
    ]
    return (
        SnapshotBuilder()
        .with_dataset("macie2", "Macie", state, REGION)
        .with_dataset("s3", "Buckets", buckets)
    )


def job(*buckets: str, status_: str = "IDLE", criteria: bool = False) -> dict[str, Any]:
    value: dict[str, Any] = {"jobId": "j", "jobStatus": status_}
    if criteria:
        value["bucketCriteria"] = {"includes": {}}
    else:
        value["bucketDefinitions"] = [{"accountId": ACCOUNT_ID, "buckets": list(buckets)}]
    return value


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        (macie("DISABLED"), Status.FAIL),
        (macie("ENABLED", automated="ENABLED"), Status.PASS),
        (macie("ENABLED"), Status.FAIL),
        (macie("ENABLED", jobs=[job("a", "b")]), Status.PASS),
        (macie("ENABLED", jobs=[job("a")]), Status.FAIL),
        (macie("ENABLED", jobs=[job("a", "b", status_="CANCELLED")]), Status.FAIL),
        (macie("ENABLED", jobs=[job(criteria=True)]), Status.PASS),
    ],
)
def test_macie_discovery(builder: SnapshotBuilder, expected: Status) -> None:
    assert status(builder, "macie.sensitive_data_discovery") == [expected]


def test_macie_unknown_when_denied() -> None:
    builder = SnapshotBuilder().with_error("macie2", "Macie", REGION).with_dataset("s3", "Buckets", [])
    assert status(builder, "macie.sensitive_data_discovery") == [Status.UNKNOWN]


def inspector(value: dict[str, Any]) -> SnapshotBuilder:
    return SnapshotBuilder().with_dataset("inspector2", "AccountStatus", value, REGION)


def test_inspector_enabled() -> None:
    def scanning(ec2: str, ecr: str, lam: str) -> dict[str, Any]:
        return {"resourceState": {"ec2": {"status": ec2}, "ecr": {"status": ecr}, "lambda": {"status": lam}}}

    assert status(inspector(scanning("ENABLED", "ENABLED", "ENABLED")), "inspector.enabled") == [Status.PASS]
    (finding,) = run(inspector(scanning("ENABLED", "DISABLED", "DISABLED")).build(), "inspector.enabled")
    assert finding.status is Status.FAIL and "ECR, Lambda" in finding.message
    assert status(inspector({}), "inspector.enabled") == [Status.UNKNOWN]
    assert status(
        SnapshotBuilder().with_error("inspector2", "AccountStatus", REGION), "inspector.enabled"
    ) == [Status.UNKNOWN]

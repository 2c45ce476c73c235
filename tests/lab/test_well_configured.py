"""The well-configured account: what it plants as good is in the collected snapshot."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsaudit.analyze.logmonitor.verdict import evaluate_filter
from awsaudit.audit import evaluate, select
from awsaudit.config import AuditConfig
from awsaudit.findings import Status
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import Lab
from awsaudit.report.model import build_report_model
from awsaudit.snapshot import GLOBAL, Snapshot

from .conftest import build_and_collect

pytestmark = pytest.mark.lab

REGIONS = ("eu-west-1", "us-east-1")


@pytest.fixture(scope="module")
def scenario(lab: Lab) -> tuple[BuiltScenario, Snapshot]:
    return build_and_collect(lab, "well-configured")


@pytest.fixture(scope="module")
def snapshot(scenario: tuple[BuiltScenario, Snapshot]) -> Snapshot:
    return scenario[1]


def test_plants_no_problem(scenario: tuple[BuiltScenario, Snapshot]) -> None:
    built, _ = scenario
    assert built.planted == frozenset()
    assert built.regions == REGIONS


def test_member_of_an_organization(snapshot: Snapshot) -> None:
    organization = snapshot.dataset("organizations", GLOBAL, "Organization")["Organization"]
    assert organization["MasterAccountId"] == "111111111111"
    assert snapshot.account.account_id == "123456789012"


def test_account_governance(snapshot: Snapshot) -> None:
    assert snapshot.dataset("account", GLOBAL, "AlternateContacts")["SECURITY"]["EmailAddress"]
    (budget,) = snapshot.dataset("budgets", GLOBAL, "Budgets")
    assert budget["Notifications"]
    policy = snapshot.dataset("iam", GLOBAL, "PasswordPolicy")["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] >= 14 and policy["PasswordReusePrevention"] == 24
    assert all(
        policy[flag]
        for flag in (
            "RequireSymbols",
            "RequireNumbers",
            "RequireUppercaseCharacters",
            "RequireLowercaseCharacters",
        )
    )


def test_root_and_users(snapshot: Snapshot) -> None:
    summary = snapshot.dataset("iam", GLOBAL, "AccountSummary")
    assert (summary["AccountMFAEnabled"], summary["AccountAccessKeysPresent"]) == (1, 0)
    assert not any(
        d["SerialNumber"].endswith(":mfa/root-account-mfa-device")
        for d in snapshot.dataset("iam", GLOBAL, "VirtualMFADevices")
    )
    rows = {row["user"]: row for row in snapshot.dataset("iam", GLOBAL, "CredentialReport")["Rows"]}
    assert rows["<root_account>"]["mfa_active"] == "true"
    assert rows["alice"]["mfa_active"] == "true"
    details = snapshot.dataset("iam", GLOBAL, "AccountAuthorizationDetails")
    for user in details["UserDetailList"]:
        assert user["GroupList"] and not user["AttachedManagedPolicies"] and not user.get("UserPolicyList")
    support = next(r for r in details["RoleDetailList"] if r["RoleName"] == "aws-support")
    assert support["AttachedManagedPolicies"][0]["PolicyArn"] == "arn:aws:iam::aws:policy/AWSSupportAccess"


def _bucket_list(snapshot: Snapshot) -> list[dict[str, Any]]:
    buckets: list[dict[str, Any]] = snapshot.dataset("s3", GLOBAL, "Buckets")
    return buckets


def test_buckets_private_encrypted_tls_only_mfa_delete(snapshot: Snapshot) -> None:
    account_block = snapshot.dataset("s3control", GLOBAL, "AccountPublicAccessBlock")[
        "PublicAccessBlockConfiguration"
    ]
    assert all(account_block.values())
    buckets = _bucket_list(snapshot)
    assert len(buckets) == 3
    for bucket in buckets:
        assert all(bucket["PublicAccessBlock"].values()), bucket["Name"]
        assert bucket["Encryption"] is not None
        assert bucket["Versioning"] == {"Status": "Enabled", "MFADelete": "Enabled"}
        deny = [s for s in json.loads(bucket["Policy"])["Statement"] if s["Effect"] == "Deny"]
        assert deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_trail_with_monitoring(snapshot: Snapshot) -> None:
    (trail,) = snapshot.dataset("cloudtrail", "us-east-1", "Trails")
    assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"] and trail["KmsKeyId"]
    assert trail["Status"]["IsLogging"] is True
    (selector,) = trail["EventSelectors"]["EventSelectors"]
    assert selector["DataResources"] == [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]
    trail_bucket = next(b for b in _bucket_list(snapshot) if b["Name"] == trail["S3BucketName"])
    assert trail_bucket["Logging"] is not None
    filters = snapshot.dataset("logs", "us-east-1", "MetricFilters")
    satisfied = {
        f["filterName"].removeprefix("cis-")
        for f in filters
        if evaluate_filter(f["filterPattern"], f["filterName"].removeprefix("cis-"), "7.0.0").satisfied
    }
    assert len(satisfied) == 15
    alarms = snapshot.dataset("cloudwatch", "us-east-1", "MetricAlarms")
    assert len(alarms) == 15 and all(a["ActionsEnabled"] and a["AlarmActions"] for a in alarms)
    (subscription,) = snapshot.dataset("sns", "us-east-1", "Subscriptions")
    assert subscription["SubscriptionArn"] != "PendingConfirmation"


@pytest.mark.parametrize("region", REGIONS)
def test_regional_guardrails(snapshot: Snapshot, region: str) -> None:
    (status,) = snapshot.dataset("config", region, "ConfigurationRecorderStatus")
    assert status["recording"] is True
    (recorder,) = snapshot.dataset("config", region, "ConfigurationRecorders")
    assert recorder["recordingGroup"]["allSupported"] is True
    assert snapshot.dataset("config", region, "DeliveryChannels")
    assert snapshot.dataset("securityhub", region, "Hub")["Enabled"] is True
    assert snapshot.dataset("ec2", region, "EbsEncryptionByDefault")["EbsEncryptionByDefault"] is True
    assert [a["status"] for a in snapshot.dataset("accessanalyzer", region, "Analyzers")] == ["ACTIVE"]
    for key in snapshot.dataset("kms", region, "Keys"):
        if key["KeyMetadata"]["KeyManager"] == "CUSTOMER":
            assert key["KeyRotationEnabled"] is True


@pytest.mark.parametrize("region", REGIONS)
def test_every_vpc_logged_and_locked_down(snapshot: Snapshot, region: str) -> None:
    vpcs = {v["VpcId"] for v in snapshot.dataset("ec2", region, "Vpcs")}
    logged = {
        f["ResourceId"] for f in snapshot.dataset("ec2", region, "FlowLogs") if f["FlowLogStatus"] == "ACTIVE"
    }
    assert vpcs and vpcs <= logged
    for group in snapshot.dataset("ec2", region, "SecurityGroups"):
        if group["GroupName"] == "default":
            assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == []
    for acl in snapshot.dataset("ec2", region, "NetworkAcls"):
        inbound = sorted((e for e in acl["Entries"] if not e["Egress"]), key=lambda e: e["RuleNumber"])
        ssh_rule = next(e for e in inbound if e["Protocol"] in ("6", "-1") and _covers(e, 22))
        assert ssh_rule["RuleAction"] == "deny", acl["NetworkAclId"]


def _covers(entry: dict[str, Any], port: int) -> bool:
    ports = entry.get("PortRange")
    return ports is None or ports["From"] <= port <= ports["To"]


def test_workloads_hardened(snapshot: Snapshot) -> None:
    (instance,) = snapshot.dataset("ec2", "us-east-1", "Instances")
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert instance["IamInstanceProfile"]["Arn"].endswith(":instance-profile/app-instance")
    (database,) = snapshot.dataset("rds", "us-east-1", "DBInstances")
    assert database["StorageEncrypted"] and database["MultiAZ"] and database["AutoMinorVersionUpgrade"]
    assert database["PubliclyAccessible"] is False
    (file_system,) = snapshot.dataset("efs", "us-east-1", "FileSystems")
    assert file_system["Encrypted"] is True
    ssh = next(
        g for g in snapshot.dataset("ec2", "us-east-1", "SecurityGroups") if g["GroupName"] == "bastion-ssh"
    )
    assert ssh["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.20.0.0/16"}]


def test_compliance_rows_pass_where_their_checks_pass(snapshot: Snapshot) -> None:
    """A control CIS calls manual reads PASS (with the note) when awsaudit judged it and it passed."""
    model = build_report_model(evaluate(snapshot, select(), AuditConfig()))
    statuses: dict[str, set[Status]] = {}
    for item in model.findings:
        statuses.setdefault(item.finding.check_id, set()).add(item.finding.status)
    judged_here = 0
    for framework in model.frameworks:
        for control in framework.controls:
            ran = [c for c in control.checks if c in model.checks]
            if ran and all(statuses.get(c, {Status.PASS}) == {Status.PASS} for c in ran):
                assert control.status.value == "PASS", (framework.key, control.id)
                judged_here += control.automated_here
                if framework.key.startswith("cis-"):
                    expected = "manual in CIS, automated here" if control.automated_here else ""
                    assert control.note == expected
    monitoring = [
        c
        for f in model.frameworks
        if f.key == "cis-aws-foundations@7.0.0"
        for c in f.controls
        if all(check.startswith("cloudwatch.monitoring_") for check in c.checks) and c.checks
    ]
    assert monitoring and all(c.status.value == "PASS" for c in monitoring)
    assert judged_here >= 13

"""The misconfigured account: its planted problems are in the collected snapshot as raw AWS data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from awsaudit.lab.scenarios import BuiltScenario, Planted
from awsaudit.lab.server import Lab
from awsaudit.snapshot import GLOBAL, Snapshot

from .conftest import build_and_collect

pytestmark = pytest.mark.lab

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


@pytest.fixture(scope="module")
def scenario(lab: Lab) -> tuple[BuiltScenario, Snapshot]:
    return build_and_collect(lab, "misconfigured")


@pytest.fixture(scope="module")
def snapshot(scenario: tuple[BuiltScenario, Snapshot]) -> Snapshot:
    return scenario[1]


@pytest.fixture(scope="module")
def planted(scenario: tuple[BuiltScenario, Snapshot]) -> frozenset[Planted]:
    return scenario[0].planted


def _resources(planted: frozenset[Planted], check_id: str) -> set[str]:
    return {p.resource for p in planted if p.check_id == check_id}


def _report_row(snapshot: Snapshot, user: str) -> dict[str, str]:
    rows = snapshot.dataset("iam", GLOBAL, "CredentialReport")["Rows"]
    return next(row for row in rows if row["user"] == user)


def test_two_regions_and_every_dataset_collected(scenario: tuple[BuiltScenario, Snapshot]) -> None:
    built, snapshot = scenario
    assert built.regions == ("eu-west-1", "us-east-1")
    assert snapshot.regions == ["eu-west-1", "us-east-1"]
    unexpected = [e for e in snapshot.errors if e.service != "organizations"]  # not in an organization
    assert unexpected == []


def test_root_state_is_in_summary_and_report(snapshot: Snapshot, planted: frozenset[Planted]) -> None:
    summary = snapshot.dataset("iam", GLOBAL, "AccountSummary")
    assert (summary["AccountMFAEnabled"], summary["AccountAccessKeysPresent"]) == (0, 1)
    root = _report_row(snapshot, "<root_account>")
    assert root["arn"] == ROOT
    assert root["access_key_1_active"] == "true"
    assert root["mfa_active"] == "false"
    assert _resources(planted, "iam.root_access_keys") == {ROOT}


def test_aged_and_doubled_keys(snapshot: Snapshot, planted: frozenset[Planted]) -> None:
    carol = _report_row(snapshot, "carol")
    assert _age_days(snapshot, carol["access_key_1_last_rotated"]) == pytest.approx(400, abs=1)
    assert _age_days(snapshot, carol["access_key_1_last_used_date"]) == pytest.approx(200, abs=1)
    dave = _report_row(snapshot, "dave")
    assert (dave["access_key_1_active"], dave["access_key_2_active"]) == ("true", "true")
    assert _resources(planted, "iam.one_active_key") == {dave["arn"]}
    alice = _report_row(snapshot, "alice")
    assert (alice["password_enabled"], alice["mfa_active"]) == ("true", "false")


def _age_days(snapshot: Snapshot, timestamp: str) -> float:
    return (snapshot.collected_at - datetime.fromisoformat(timestamp)).total_seconds() / 86400


def test_weak_password_policy(snapshot: Snapshot) -> None:
    policy = snapshot.dataset("iam", GLOBAL, "PasswordPolicy")["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 8
    assert "PasswordReusePrevention" not in policy


def test_user_policies_and_cloudshell_role(snapshot: Snapshot, planted: frozenset[Planted]) -> None:
    details = snapshot.dataset("iam", GLOBAL, "AccountAuthorizationDetails")
    erin = next(u for u in details["UserDetailList"] if u["UserName"] == "erin")
    assert [p["PolicyName"] for p in erin["AttachedManagedPolicies"]] == ["AdminEverything"]
    assert [p["PolicyName"] for p in erin["UserPolicyList"]] == ["read-reports"]
    role = next(r for r in details["RoleDetailList"] if r["RoleName"] == "ops-console")
    assert [p["PolicyArn"] for p in role["AttachedManagedPolicies"]] == [
        "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"
    ]
    # Judged by effect: the AWSCloudShellFullAccess role and the two administrators.
    assert _resources(planted, "iam.cloudshell_full_access") == {
        role["Arn"],
        erin["Arn"],
        f"arn:aws:iam::{ACCOUNT}:role/batch-runner",
    }
    pat = next(u for u in details["UserDetailList"] if u["UserName"] == "pat")
    assert pat["Arn"] in _resources(planted, "iam.privilege_escalation")
    sso = next(r for r in details["RoleDetailList"] if r["RoleName"] == "corp-sso")
    assert "Condition" not in json.dumps(sso["AssumeRolePolicyDocument"])
    assert sso["Arn"] in _resources(planted, "iam.external_trust")


def test_open_security_groups(snapshot: Snapshot, planted: frozenset[Planted]) -> None:
    groups = {g["GroupName"]: g for g in snapshot.dataset("ec2", "us-east-1", "SecurityGroups")}
    remote = groups["remote-admin"]
    ssh = next(rule for rule in remote["IpPermissions"] if rule.get("FromPort") == 22)
    assert {r["CidrIp"] for r in ssh["IpRanges"]} == {"0.0.0.0/0"}
    assert {r["CidrIpv6"] for r in ssh["Ipv6Ranges"]} == {"::/0"}
    arn = f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{remote['GroupId']}"
    assert arn in _resources(planted, "ec2.sg_admin_ports_ipv6")
    cifs = groups["file-share"]["IpPermissions"][0]
    assert (cifs["FromPort"], cifs["IpRanges"][0]["CidrIp"]) == (445, "0.0.0.0/0")


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_moto_defaults_planted_in_both_regions(
    snapshot: Snapshot, planted: frozenset[Planted], region: str
) -> None:
    default = next(
        g for g in snapshot.dataset("ec2", region, "SecurityGroups") if g["GroupName"] == "default"
    )
    assert default["IpPermissionsEgress"], "the default group keeps its allow-all egress rule"
    arn = f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/{default['GroupId']}"
    assert arn in _resources(planted, "ec2.default_sg_restricts_all")
    acl = next(a for a in snapshot.dataset("ec2", region, "NetworkAcls") if a["IsDefault"])
    allow_all = [
        e for e in acl["Entries"] if not e["Egress"] and e["RuleAction"] == "allow" and e["Protocol"] == "-1"
    ]
    assert allow_all and allow_all[0]["CidrBlock"] == "0.0.0.0/0"
    assert f"arn:aws:ec2:{region}:{ACCOUNT}:network-acl/{acl['NetworkAclId']}" in _resources(
        planted, "ec2.nacl_admin_ports"
    )
    assert snapshot.dataset("ec2", region, "FlowLogs") == []
    assert snapshot.dataset("ec2", region, "EbsEncryptionByDefault")["EbsEncryptionByDefault"] is False
    assert snapshot.dataset("accessanalyzer", region, "Analyzers") == []
    assert snapshot.dataset("securityhub", region, "Hub")["Enabled"] is False


def _bucket(snapshot: Snapshot, name: str) -> dict[str, Any]:
    return next(b for b in snapshot.dataset("s3", GLOBAL, "Buckets") if b["Name"] == name)


def test_public_buckets(snapshot: Snapshot, planted: frozenset[Planted]) -> None:
    grants = _bucket(snapshot, "misconf-public-assets")["Acl"]["Grants"]
    assert any(
        g["Grantee"].get("URI", "").endswith("/global/AllUsers") and g["Permission"] == "READ" for g in grants
    )
    shared = _bucket(snapshot, "misconf-shared-data")
    assert json.loads(shared["Policy"])["Statement"][0]["Principal"] == "*"
    assert shared["PublicAccessBlock"] is None
    assert _resources(planted, "s3.bucket_public_access") == {
        "arn:aws:s3:::misconf-public-assets",
        "arn:aws:s3:::misconf-shared-data",
    }
    assert _bucket(snapshot, "misconf-public-assets")["Encryption"] is None


def test_trail_is_single_region_without_protection(snapshot: Snapshot) -> None:
    (trail,) = snapshot.dataset("cloudtrail", "us-east-1", "Trails")
    assert trail["IsMultiRegionTrail"] is False
    assert trail["LogFileValidationEnabled"] is False
    assert "KmsKeyId" not in trail and "CloudWatchLogsLogGroupArn" not in trail
    assert snapshot.dataset("cloudtrail", "eu-west-1", "Trails") == []


def test_config_only_in_home_region(snapshot: Snapshot) -> None:
    assert snapshot.dataset("config", "us-east-1", "ConfigurationRecorderStatus")[0]["recording"] is True
    assert snapshot.dataset("config", "eu-west-1", "ConfigurationRecorders") == []


def test_database_and_workload_flaws(snapshot: Snapshot, planted: frozenset[Planted]) -> None:
    (database,) = snapshot.dataset("rds", "eu-west-1", "DBInstances")
    assert (database["StorageEncrypted"], database["PubliclyAccessible"], database["MultiAZ"]) == (
        False,
        True,
        False,
    )
    assert _resources(planted, "rds.instance_not_public") == {database["DBInstanceArn"]}
    (instance,) = snapshot.dataset("ec2", "us-east-1", "Instances")
    assert instance["MetadataOptions"]["HttpTokens"] == "optional"
    assert "IamInstanceProfile" not in instance
    keys = snapshot.dataset("kms", "us-east-1", "Keys")
    (key,) = [k for k in keys if k["KeyMetadata"]["Description"] == "application secrets"]
    assert key["KeyRotationEnabled"] is False
    assert _resources(planted, "kms.key_rotation") == {key["KeyMetadata"]["Arn"]}


def test_every_planted_resource_exists_in_the_snapshot(
    snapshot: Snapshot, planted: frozenset[Planted]
) -> None:
    text = json.dumps(snapshot.datasets)
    scope_suffix = ":account"
    for item in planted:
        if item.resource == ROOT or item.resource.endswith(scope_suffix):
            continue
        identifier = item.resource.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        assert identifier in text, item


def test_each_policy_kind_fails_its_public_item_and_passes_its_pinned_one(snapshot: Snapshot) -> None:
    from awsaudit.analyze.resource_policy.kinds import KINDS
    from awsaudit.audit import evaluate, select
    from awsaudit.config import AuditConfig
    from awsaudit.findings import Status

    kinds = [kind.check_id for kind in KINDS]
    result = evaluate(snapshot, select(include=kinds), AuditConfig())
    # KMS keys and REST APIs carry ids in their ARNs: they are told apart by description and name.
    labels = {
        k["KeyMetadata"]["Arn"]: k["KeyMetadata"]["Description"]
        for k in snapshot.dataset("kms", "us-east-1", "Keys")
    }
    for api in snapshot.dataset("apigateway", "us-east-1", "RestApis"):
        labels[f"arn:aws:apigateway:us-east-1::/restapis/{api['id']}"] = api["name"]
    verdicts: dict[str, dict[str, Status]] = {}
    for finding in result.findings:
        label = labels.get(finding.resource, finding.resource)
        if "exposure" not in label:
            continue  # the scenario's other keys, topics and buses
        item = "public" if "public" in label or "anyone" in label else "pinned"
        verdicts.setdefault(finding.check_id, {})[item] = finding.status
    assert verdicts == {check: {"public": Status.FAIL, "pinned": Status.PASS} for check in kinds}

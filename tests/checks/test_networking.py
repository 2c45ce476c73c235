"""Networking checks (EBS default encryption, security groups, NACLs, IMDSv2) on hand-built snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Severity, Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run, statuses
from tests.checks.test_sg_rules import entry, permission

REGION = "eu-west-1"


def sg_arn(group_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT_ID}:security-group/{group_id}"


def group(
    group_id: str, *inbound: dict[str, Any], name: str | None = None, egress: list[Any] | None = None
) -> dict[str, Any]:
    return {
        "GroupId": group_id,
        "GroupName": name or f"name-{group_id}",
        "Description": "test",
        "OwnerId": ACCOUNT_ID,
        "VpcId": "vpc-1",
        "IpPermissions": list(inbound),
        "IpPermissionsEgress": [permission("-1", None, v4=("0.0.0.0/0",))] if egress is None else egress,
    }


def interface(*group_ids: str) -> dict[str, Any]:
    return {
        "NetworkInterfaceId": "eni-1",
        "Groups": [{"GroupId": g, "GroupName": f"name-{g}"} for g in group_ids],
    }


def ec2(*groups: dict[str, Any], attached: tuple[str, ...] | None = None) -> SnapshotBuilder:
    in_use = [g["GroupId"] for g in groups] if attached is None else list(attached)
    return (
        SnapshotBuilder()
        .with_regional("ec2", "SecurityGroups", list(groups))
        .with_regional("ec2", "NetworkInterfaces", [interface(*in_use)])
    )


def judge(
    check_id: str, *groups: dict[str, Any], config: AuditConfig | None = None, **kw: Any
) -> list[Finding]:
    return run(ec2(*groups, **kw).build(), check_id, config)


def by_group(findings: list[Finding]) -> dict[str, Status]:
    return {f.resource.rsplit("/", 1)[1]: f.status for f in findings}


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


# -------------------------------------------------------- EBS default encryption


def test_ebs_default_encryption() -> None:
    snapshot = (
        SnapshotBuilder(regions=("eu-west-1", "us-east-1", "ap-south-1"))
        .with_dataset("ec2", "EbsEncryptionByDefault", {"EbsEncryptionByDefault": True}, region="eu-west-1")
        .with_dataset("ec2", "EbsEncryptionByDefault", {"EbsEncryptionByDefault": False}, region="us-east-1")
        .with_error("ec2", "EbsEncryptionByDefault", region="ap-south-1")
        .build()
    )
    assert {f.region: f.status for f in run(snapshot, "ec2.ebs_default_encryption")} == {
        "eu-west-1": Status.PASS,
        "us-east-1": Status.FAIL,
        "ap-south-1": Status.UNKNOWN,
    }


# ------------------------------------------------------ internet-exposure family


def test_ipv4_admin_port_exposure() -> None:
    findings = judge(
        "ec2.sg_admin_ports_ipv4",
        group("sg-ssh", permission("tcp", (22, 22), v4=("0.0.0.0/0",))),
        group("sg-all", permission("-1", None, v4=("0.0.0.0/0",))),
        group("sg-range", permission("tcp", (3000, 3400), v4=("0.0.0.0/0",))),
        group("sg-web", permission("tcp", (443, 443), v4=("0.0.0.0/0",))),
        group("sg-office", permission("tcp", (22, 22), v4=("203.0.113.0/24",))),
        group("sg-v6", permission("tcp", (22, 22), v6=("::/0",))),
    )
    assert by_group(findings) == {
        "sg-ssh": Status.FAIL,
        "sg-all": Status.FAIL,
        "sg-range": Status.FAIL,
        "sg-web": Status.PASS,
        "sg-office": Status.PASS,
        "sg-v6": Status.PASS,
    }
    ranged = next(f for f in findings if f.resource == sg_arn("sg-range"))
    assert ranged.message == (
        "Security group sg-range (name-sg-range) admits the internet to port 3306 from 0.0.0.0/0, 3389 from "
        "0.0.0.0/0"
    )
    assert ranged.evidence["findings"][0]["rules"] == [permission("tcp", (3000, 3400), v4=("0.0.0.0/0",))]


def test_ipv6_admin_port_exposure() -> None:
    findings = judge(
        "ec2.sg_admin_ports_ipv6",
        group("sg-v6", permission("6", (22, 22), v6=("::/0",))),
        group("sg-v4", permission("tcp", (22, 22), v4=("0.0.0.0/0",))),
    )
    assert by_group(findings) == {"sg-v6": Status.FAIL, "sg-v4": Status.PASS}


def test_split_internet_ranges_are_exposure() -> None:
    halves = group("sg-halves", permission(v4=("0.0.0.0/1",)), permission(v4=("128.0.0.0/1",)))
    assert by_group(judge("ec2.sg_admin_ports_ipv4", halves)) == {"sg-halves": Status.FAIL}


def test_cifs_from_either_internet() -> None:
    findings = judge(
        "ec2.sg_cifs_restricted",
        group("sg-v4", permission("tcp", (445, 445), v4=("0.0.0.0/0",))),
        group("sg-v6", permission("tcp", (400, 500), v6=("::/0",))),
        group("sg-ssh", permission("tcp", (22, 22), v4=("0.0.0.0/0",))),
    )
    assert by_group(findings) == {"sg-v4": Status.FAIL, "sg-v6": Status.FAIL, "sg-ssh": Status.PASS}


def test_unattached_group_still_fails_at_low_severity() -> None:
    open_ssh = permission("tcp", (22, 22), v4=("0.0.0.0/0",))
    findings = judge(
        "ec2.sg_admin_ports_ipv4",
        group("sg-used", open_ssh),
        group("sg-idle", open_ssh),
        attached=("sg-used",),
    )
    severities = {f.resource.rsplit("/", 1)[1]: (f.status, f.severity) for f in findings}
    assert severities == {"sg-used": (Status.FAIL, Severity.HIGH), "sg-idle": (Status.FAIL, Severity.LOW)}
    idle = next(f for f in findings if f.resource == sg_arn("sg-idle"))
    assert (
        idle.evidence["attached_to_interfaces"] is False
        and "attached to no network interface" in idle.message
    )


def test_configured_ports_drive_the_check_and_cis_ports_stay() -> None:
    config = AuditConfig(admin_ports=(8080,))
    findings = judge(
        "ec2.sg_admin_ports_ipv4",
        group("sg-8080", permission("tcp", (8080, 8080), v4=("0.0.0.0/0",))),
        group("sg-mysql", permission("tcp", (3306, 3306), v4=("0.0.0.0/0",))),
        group("sg-rdp", permission("tcp", (3389, 3389), v4=("0.0.0.0/0",))),
        config=config,
    )
    assert by_group(findings) == {"sg-8080": Status.FAIL, "sg-mysql": Status.PASS, "sg-rdp": Status.FAIL}


@pytest.mark.parametrize(
    "check_id",
    [
        "ec2.sg_admin_ports_ipv4",
        "ec2.sg_admin_ports_ipv6",
        "ec2.sg_cifs_restricted",
        "ec2.sg_admin_ports_trusted_cidrs",
    ],
)
def test_exposure_checks_handle_missing_data_and_bad_rules(check_id: str) -> None:
    missing_enis = (
        SnapshotBuilder()
        .with_regional("ec2", "SecurityGroups", [group("sg-1")])
        .with_error("ec2", "NetworkInterfaces", region=REGION)
        .build()
    )
    assert only(run(missing_enis, check_id)).status is Status.UNKNOWN
    bad = group("sg-bad", {"IpProtocol": "tcp", "FromPort": 30, "ToPort": 20, "IpRanges": []})
    findings = judge(check_id, bad, group("sg-ok"))
    assert by_group(findings) == {"sg-bad": Status.UNKNOWN, "sg-ok": Status.PASS}
    assert "port range 30-20 is invalid" in next(f for f in findings if f.status is Status.UNKNOWN).message


# ------------------------------------------------------------- trusted CIDRs


def test_without_trusted_cidrs_only_private_ranges_are_trusted() -> None:
    findings = judge(
        "ec2.sg_admin_ports_trusted_cidrs",
        group("sg-private", permission(v4=("10.1.0.0/16", "192.168.0.0/24"), v6=("fd00::/8",))),
        group("sg-public", permission(v4=("198.51.100.7/32",))),
        group("sg-ref", permission(groups=("sg-bastion",))),
    )
    assert by_group(findings) == {"sg-private": Status.PASS, "sg-public": Status.FAIL, "sg-ref": Status.PASS}
    public = next(f for f in findings if f.status is Status.FAIL)
    assert public.evidence["trusted_cidrs"][:3] == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def test_configured_trusted_cidrs_replace_the_private_default() -> None:
    config = AuditConfig(trusted_cidrs=("203.0.113.0/24",))
    findings = judge(
        "ec2.sg_admin_ports_trusted_cidrs",
        group("sg-office", permission(v4=("203.0.113.128/25",))),
        group("sg-wider", permission(v4=("203.0.112.0/23",))),
        group("sg-private", permission(v4=("10.0.0.0/8",))),
        group("sg-web", permission("tcp", (443, 443), v4=("0.0.0.0/0",))),
        config=config,
    )
    assert by_group(findings) == {
        "sg-office": Status.PASS,
        "sg-wider": Status.FAIL,
        "sg-private": Status.FAIL,
        "sg-web": Status.PASS,
    }


# --------------------------------------------------------- default security group


def test_default_security_group_must_have_no_rules() -> None:
    findings = judge(
        "ec2.default_sg_restricts_all",
        group("sg-d1", name="default", egress=[]),
        group("sg-d2", permission(groups=("sg-d2",)), name="default"),
        group("sg-d3", name="default"),
        group("sg-other", permission(v4=("0.0.0.0/0",))),
    )
    assert by_group(findings) == {"sg-d1": Status.PASS, "sg-d2": Status.FAIL, "sg-d3": Status.FAIL}
    assert next(f for f in findings if f.resource == sg_arn("sg-d2")).message == (
        "Default security group sg-d2 of vpc-1 has 1 inbound and 1 outbound rules"
    )


def test_default_security_group_unknown_without_groups() -> None:
    snapshot = SnapshotBuilder().with_error("ec2", "SecurityGroups", region=REGION).build()
    assert only(run(snapshot, "ec2.default_sg_restricts_all")).status is Status.UNKNOWN


# --------------------------------------------------------------- network ACLs


def acl(acl_id: str, *entries: dict[str, Any]) -> dict[str, Any]:
    default_deny = [entry(32767, "deny", "0.0.0.0/0", "-1", None), entry(32767, "deny", "::/0", "-1", None)]
    egress = [entry(100, "allow", "0.0.0.0/0", "-1", None, egress=True)]
    return {
        "NetworkAclId": acl_id,
        "VpcId": "vpc-1",
        "IsDefault": False,
        "Associations": [
            {"NetworkAclAssociationId": "aclassoc-1", "NetworkAclId": acl_id, "SubnetId": "subnet-1"}
        ],
        "Entries": [*entries, *default_deny, *egress],
    }


def nacls(*acls: dict[str, Any], config: AuditConfig | None = None) -> dict[str, Status]:
    snapshot = SnapshotBuilder().with_regional("ec2", "NetworkAcls", list(acls)).build()
    return {f.resource.rsplit("/", 1)[1]: f.status for f in run(snapshot, "ec2.nacl_admin_ports", config)}


def test_nacl_rule_order_decides() -> None:
    assert nacls(
        acl("acl-open", entry(100, "allow", "0.0.0.0/0", "-1", None)),
        acl(
            "acl-denied-first",
            entry(90, "deny", "0.0.0.0/0", "6", (0, 65535)),
            entry(100, "allow", "0.0.0.0/0", "-1", None),
        ),
        acl(
            "acl-allowed-first",
            entry(100, "allow", "0.0.0.0/0", "6", (22, 22)),
            entry(110, "deny", "0.0.0.0/0", "-1", None),
        ),
        acl("acl-web", entry(100, "allow", "0.0.0.0/0", "6", (443, 443))),
        acl("acl-v6", entry(100, "allow", "::/0", "6", (3389, 3389))),
        acl("acl-office", entry(100, "allow", "203.0.113.0/24", "-1", None)),
    ) == {
        "acl-open": Status.FAIL,
        "acl-denied-first": Status.PASS,
        "acl-allowed-first": Status.FAIL,
        "acl-web": Status.PASS,
        "acl-v6": Status.FAIL,
        "acl-office": Status.PASS,
    }


def test_nacl_judges_ssh_and_rdp_even_if_not_configured() -> None:
    only_redis = AuditConfig(admin_ports=(6379,))
    assert nacls(acl("acl-ssh", entry(100, "allow", "0.0.0.0/0", "6", (22, 22))), config=only_redis) == {
        "acl-ssh": Status.FAIL
    }


def test_nacl_evidence_and_bad_entries() -> None:
    snapshot = (
        SnapshotBuilder()
        .with_regional(
            "ec2",
            "NetworkAcls",
            [
                acl("acl-open", entry(100, "allow", "0.0.0.0/0", "6", (22, 22))),
                acl("acl-bad", {"RuleNumber": 5, "Protocol": "6", "RuleAction": "allow", "Egress": False}),
            ],
        )
        .build()
    )
    findings = {f.resource.rsplit("/", 1)[1]: f for f in run(snapshot, "ec2.nacl_admin_ports")}
    assert findings["acl-bad"].status is Status.UNKNOWN
    opened = findings["acl-open"]
    assert opened.message == "Network ACL acl-open admits the internet to port 22 from 0.0.0.0/0"
    assert opened.evidence["subnets"] == ["subnet-1"]
    assert opened.evidence["admissions"][0]["allow_entries"][0]["RuleNumber"] == 100


def test_nacl_unknown_when_not_collected() -> None:
    snapshot = SnapshotBuilder().with_error("ec2", "NetworkAcls", region=REGION).build()
    assert only(run(snapshot, "ec2.nacl_admin_ports")).status is Status.UNKNOWN


# --------------------------------------------------------------------- IMDSv2


def instance(instance_id: str, state: str = "running", **options: str) -> dict[str, Any]:
    metadata = {
        "State": "applied",
        "HttpTokens": "required",
        "HttpEndpoint": "enabled",
        "HttpPutResponseHopLimit": 2,
    }
    metadata.update(options)
    return {"InstanceId": instance_id, "State": {"Code": 16, "Name": state}, "MetadataOptions": metadata}


def test_imdsv2_required() -> None:
    no_options = instance("i-none")
    del no_options["MetadataOptions"]
    instances = [
        instance("i-v2"),
        instance("i-v1", HttpTokens="optional"),
        instance("i-off", HttpTokens="optional", HttpEndpoint="disabled"),
        instance("i-stopped", "stopped", HttpTokens="optional"),
        instance("i-gone", "terminated", HttpTokens="optional"),
        no_options,
    ]
    snapshot = SnapshotBuilder().with_regional("ec2", "Instances", instances).build()
    findings = run(snapshot, "ec2.imdsv2_required")
    assert {f.resource.rsplit("/", 1)[1]: f.status for f in findings} == {
        "i-v2": Status.PASS,
        "i-v1": Status.FAIL,
        "i-off": Status.PASS,
        "i-stopped": Status.FAIL,
        "i-none": Status.UNKNOWN,
    }
    assert f"arn:aws:ec2:{REGION}:{ACCOUNT_ID}:instance/i-v1" in statuses(findings)


def test_imdsv2_unknown_when_instances_missing() -> None:
    snapshot = SnapshotBuilder().with_error("ec2", "Instances", region=REGION).build()
    assert only(run(snapshot, "ec2.imdsv2_required")).status is Status.UNKNOWN

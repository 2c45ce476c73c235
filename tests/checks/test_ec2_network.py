"""Networking checks (EBS encryption, security groups, NACLs, exposure, IMDSv2) on hand-built snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.checks.registry import all_checks
from awsaudit.checks.runner import run_checks
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Severity, Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run, statuses

REGION = "eu-west-1"
VPC = "vpc-1"
PUBLIC_SUBNET = "subnet-public"
PRIVATE_SUBNET = "subnet-private"
IGW = "igw-1"


def sg_arn(group_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT_ID}:security-group/{group_id}"


def eni_arn(interface_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT_ID}:network-interface/{interface_id}"


# ------------------------------------------------------------ record builders


def permission(
    protocol: str = "tcp",
    ports: tuple[int, int] | None = (22, 22),
    v4: tuple[str, ...] = (),
    v6: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    prefix_lists: tuple[str, ...] = (),
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "IpProtocol": protocol,
        "IpRanges": [{"CidrIp": c} for c in v4],
        "Ipv6Ranges": [{"CidrIpv6": c} for c in v6],
        "UserIdGroupPairs": [{"GroupId": g, "UserId": ACCOUNT_ID} for g in groups],
        "PrefixListIds": [{"PrefixListId": p} for p in prefix_lists],
    }
    if ports is not None:
        raw["FromPort"], raw["ToPort"] = ports
    return raw


def entry(
    number: int,
    action: str,
    cidr: str,
    protocol: str = "6",
    ports: tuple[int, int] | None = (22, 22),
    egress: bool = False,
) -> dict[str, Any]:
    raw: dict[str, Any] = {"RuleNumber": number, "Protocol": protocol, "RuleAction": action, "Egress": egress}
    raw["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
    if ports is not None:
        raw["PortRange"] = {"From": ports[0], "To": ports[1]}
    return raw


def group(
    group_id: str, *inbound: dict[str, Any], name: str | None = None, egress: list[Any] | None = None
) -> dict[str, Any]:
    return {
        "GroupId": group_id,
        "GroupName": name or f"name-{group_id}",
        "Description": "test",
        "OwnerId": ACCOUNT_ID,
        "VpcId": VPC,
        "IpPermissions": list(inbound),
        "IpPermissionsEgress": [permission("-1", None, v4=("0.0.0.0/0",))] if egress is None else egress,
    }


def interface(
    interface_id: str,
    *group_ids: str,
    subnet: str = PRIVATE_SUBNET,
    public_ip: str | None = None,
    ipv6: tuple[str, ...] = (),
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "NetworkInterfaceId": interface_id,
        "SubnetId": subnet,
        "VpcId": VPC,
        "InterfaceType": "interface",
        "Description": "",
        "Attachment": {"InstanceId": f"i-{interface_id.removeprefix('eni-')}"},
        "Groups": [{"GroupId": g, "GroupName": f"name-{g}"} for g in group_ids],
        "Ipv6Addresses": [{"Ipv6Address": a} for a in ipv6],
        "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.10", "Primary": True}],
    }
    if public_ip is not None:
        record["Association"] = {"PublicIp": public_ip, "IpOwnerId": "amazon"}
    return record


def acl(acl_id: str, *entries: dict[str, Any], subnets: tuple[str, ...] = ("subnet-1",)) -> dict[str, Any]:
    default_deny = [entry(32767, "deny", "0.0.0.0/0", "-1", None), entry(32767, "deny", "::/0", "-1", None)]
    egress = [
        entry(100, "allow", "0.0.0.0/0", "-1", None, egress=True),
        entry(101, "allow", "::/0", "-1", None, egress=True),
    ]
    return {
        "NetworkAclId": acl_id,
        "VpcId": VPC,
        "IsDefault": False,
        "Associations": [{"NetworkAclId": acl_id, "SubnetId": s} for s in subnets],
        "Entries": [*entries, *default_deny, *egress],
    }


OPEN_ACL_ENTRIES = (entry(100, "allow", "0.0.0.0/0", "-1", None), entry(101, "allow", "::/0", "-1", None))


def routing(acl_entries: tuple[dict[str, Any], ...] = OPEN_ACL_ENTRIES) -> dict[str, Any]:
    """A VPC whose public subnet routes 0.0.0.0/0 and ::/0 to an attached internet gateway and whose
    private subnet uses the local-only main table; one NACL on both subnets."""
    local = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}
    return {
        "Subnets": [{"SubnetId": s, "VpcId": VPC} for s in (PUBLIC_SUBNET, PRIVATE_SUBNET)],
        "RouteTables": [
            {"RouteTableId": "rtb-main", "VpcId": VPC, "Associations": [{"Main": True}], "Routes": [local]},
            {
                "RouteTableId": "rtb-public",
                "VpcId": VPC,
                "Associations": [{"Main": False, "SubnetId": PUBLIC_SUBNET}],
                "Routes": [
                    local,
                    {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW, "State": "active"},
                    {"DestinationIpv6CidrBlock": "::/0", "GatewayId": IGW, "State": "active"},
                ],
            },
        ],
        "InternetGateways": [
            {"InternetGatewayId": IGW, "Attachments": [{"VpcId": VPC, "State": "available"}]}
        ],
        "NetworkAcls": [acl("acl-1", *acl_entries, subnets=(PUBLIC_SUBNET, PRIVATE_SUBNET))],
    }


def network(
    groups: list[dict[str, Any]],
    interfaces: list[dict[str, Any]],
    *,
    with_routing: bool = True,
    prefix_lists: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> SnapshotBuilder:
    datasets: dict[str, Any] = {
        "SecurityGroups": groups,
        "NetworkInterfaces": interfaces,
        "ManagedPrefixLists": prefix_lists or [],
    }
    if with_routing:
        datasets.update(routing())
    datasets.update(overrides)
    builder = SnapshotBuilder()
    for name, value in datasets.items():
        builder.with_regional("ec2", name, value)
    return builder


def ec2(*groups: dict[str, Any], attached: tuple[str, ...] | None = None) -> SnapshotBuilder:
    """Groups and one private interface using them (or the `attached` ones); no routing collected."""
    in_use = [g["GroupId"] for g in groups] if attached is None else list(attached)
    return network(list(groups), [interface("eni-1", *in_use)], with_routing=False)


def judge(
    check_id: str, *groups: dict[str, Any], config: AuditConfig | None = None, **kw: Any
) -> list[Finding]:
    return run(ec2(*groups, **kw).build(), check_id, config)


def by_id(findings: list[Finding]) -> dict[str, Status]:
    return {f.resource.rsplit("/", 1)[1]: f.status for f in findings}


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def finding(findings: list[Finding], resource_id: str) -> Finding:
    return next(f for f in findings if f.resource.rsplit("/", 1)[1] == resource_id)


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
    assert by_id(findings) == {
        "sg-ssh": Status.FAIL,
        "sg-all": Status.FAIL,
        "sg-range": Status.FAIL,
        "sg-web": Status.PASS,
        "sg-office": Status.PASS,
        "sg-v6": Status.PASS,
    }
    ranged = finding(findings, "sg-range")
    assert ranged.message == (
        "Security group sg-range (name-sg-range) admits the internet to port 3306, 3389 from 0.0.0.0/0"
    )
    assert ranged.evidence["findings"][0] == {
        "port": "3306",
        "source": "0.0.0.0/0",
        "rules": ["sg-range ingress tcp/3000-3400 from 0.0.0.0/0"],
    }


@pytest.mark.parametrize(
    ("rule", "open_ports"),
    [
        (permission("tcp", (22, 22), v4=("0.0.0.0/0",)), {"22"}),
        (permission("6", (20, 25), v4=("0.0.0.0/0",)), {"22"}),
        (permission("udp", (3389, 3389), v4=("0.0.0.0/0",)), {"3389/udp"}),
        (permission("17", (0, 65535), v4=("0.0.0.0/0",)), {"22/udp", "3389/udp"}),
        (permission("-1", None, v4=("0.0.0.0/0",)), {"22", "3389", "22/udp", "3389/udp"}),
        (permission("tcp", (23, 3388), v4=("0.0.0.0/0",)), set()),
        (permission("icmp", (-1, -1), v4=("0.0.0.0/0",)), set()),
        (permission("132", None, v4=("0.0.0.0/0",)), set()),
        (permission(v4=("0.0.0.0/1", "10.0.0.0/8"), groups=("sg-other",)), set()),
    ],
)
def test_protocols_and_inclusive_port_ranges(rule: dict[str, Any], open_ports: set[str]) -> None:
    config = AuditConfig(admin_ports=(22, 3389))
    findings = judge("ec2.sg_admin_ports_ipv4", group("sg-1", rule), config=config)
    assert {item["port"] for item in only(findings).evidence["findings"]} == open_ports


def test_ipv6_admin_port_exposure() -> None:
    findings = judge(
        "ec2.sg_admin_ports_ipv6",
        group("sg-v6", permission("6", (22, 22), v6=("::/0",))),
        group("sg-v4", permission("tcp", (22, 22), v4=("0.0.0.0/0",))),
    )
    assert by_id(findings) == {"sg-v6": Status.FAIL, "sg-v4": Status.PASS}


def test_split_internet_ranges_are_exposure() -> None:
    halves = group("sg-halves", permission(v4=("0.0.0.0/1",)), permission("-1", None, v4=("128.0.0.0/1",)))
    findings = judge("ec2.sg_admin_ports_ipv4", halves)
    assert by_id(findings) == {"sg-halves": Status.FAIL}
    assert finding(findings, "sg-halves").evidence["findings"][0]["rules"] == [
        "sg-halves ingress tcp/22 from 0.0.0.0/1",
        "sg-halves ingress all from 128.0.0.0/1",
    ]


def test_cifs_from_either_internet() -> None:
    findings = judge(
        "ec2.sg_cifs_restricted",
        group("sg-v4", permission("tcp", (445, 445), v4=("0.0.0.0/0",))),
        group("sg-v6", permission("tcp", (400, 500), v6=("::/0",))),
        group("sg-ssh", permission("tcp", (22, 22), v4=("0.0.0.0/0",))),
        group("sg-all", permission("-1", None, v4=("0.0.0.0/0",), v6=("::/0",))),
    )
    assert by_id(findings) == {
        "sg-v4": Status.FAIL,
        "sg-v6": Status.FAIL,
        "sg-ssh": Status.PASS,
        "sg-all": Status.FAIL,
    }
    assert finding(findings, "sg-all").message == (
        "Security group sg-all (name-sg-all) admits the internet to port 445 (tcp, udp) "
        "from 0.0.0.0/0 and ::/0"
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
    assert by_id(findings) == {"sg-8080": Status.FAIL, "sg-mysql": Status.PASS, "sg-rdp": Status.FAIL}


def test_prefix_lists_count_with_their_collected_entries() -> None:
    lists: list[dict[str, Any]] = [
        {"PrefixListId": "pl-world", "PrefixListName": "world", "Entries": [{"Cidr": "0.0.0.0/0"}]},
        {"PrefixListId": "pl-aws", "PrefixListName": "com.amazonaws.ec2-instance-connect"},
    ]
    snapshot = network(
        [
            group("sg-world", permission(prefix_lists=("pl-world",))),
            group("sg-aws", permission(prefix_lists=("pl-aws",))),
        ],
        [interface("eni-1", "sg-world", "sg-aws")],
        with_routing=False,
        prefix_lists=lists,
    ).build()
    # An uncollected list is unknown, never taken as the internet.
    assert by_id(run(snapshot, "ec2.sg_admin_ports_ipv4")) == {"sg-world": Status.FAIL, "sg-aws": Status.PASS}
    trusted = run(snapshot, "ec2.sg_admin_ports_trusted_cidrs")
    assert by_id(trusted) == {"sg-world": Status.FAIL, "sg-aws": Status.UNKNOWN}
    assert "prefix list pl-aws whose entries were not collected" in finding(trusted, "sg-aws").message


# ------------------------------------------------------ severity by reachability


OPEN_SSH = permission("tcp", (22, 22), v4=("0.0.0.0/0",))


def test_severity_follows_real_reachability() -> None:
    snapshot = network(
        [group("sg-public", OPEN_SSH), group("sg-private", OPEN_SSH), group("sg-idle", OPEN_SSH)],
        [
            interface("eni-web", "sg-public", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10"),
            interface("eni-db", "sg-private", subnet=PRIVATE_SUBNET, public_ip="203.0.113.20"),
        ],
    ).build()
    findings = run(snapshot, "ec2.sg_admin_ports_ipv4")
    assert {f.resource.rsplit("/", 1)[1]: (f.status, f.severity) for f in findings} == {
        "sg-public": (Status.FAIL, Severity.CRITICAL),
        "sg-private": (Status.FAIL, Severity.HIGH),
        "sg-idle": (Status.FAIL, Severity.LOW),
    }
    public = finding(findings, "sg-public")
    assert public.message.endswith("; reachable from the internet (1 path(s))")
    (path,) = public.evidence["reachable_paths"]
    assert path.startswith(
        "eni-web of instance i-web: 203.0.113.10 → rtb-public: 0.0.0.0/0 -> igw-1 → acl-1 "
    )
    assert path.endswith("→ sg-public ingress tcp/22 from 0.0.0.0/0")
    assert finding(findings, "sg-private").evidence["not_reachable"] == [
        "eni-db of instance i-db: IPv4 route: rtb-main: no route for 0.0.0.0/0 to an internet gateway"
    ]
    idle = finding(findings, "sg-idle")
    assert (
        idle.evidence["attached_to_interfaces"] is False
        and "attached to no network interface" in idle.message
    )


def test_ipv4_rule_is_not_critical_through_an_ipv6_path() -> None:
    snapshot = network(
        [group("sg-both", OPEN_SSH, permission(v6=("::/0",)))],
        [interface("eni-v6", "sg-both", subnet=PUBLIC_SUBNET, ipv6=("2600:1f18::10",))],
    ).build()
    assert only(run(snapshot, "ec2.sg_admin_ports_ipv4")).severity is Severity.HIGH
    v6 = only(run(snapshot, "ec2.sg_admin_ports_ipv6"))
    assert v6.severity is Severity.CRITICAL
    assert v6.evidence["reachable_paths"][0].startswith("eni-v6 of instance i-v6: 2600:1f18::10 → ")


def test_severity_stays_default_when_reachability_is_unknown() -> None:
    without_routing = run(ec2(group("sg-1", OPEN_SSH)).build(), "ec2.sg_cifs_restricted")
    assert only(without_routing).status is Status.PASS
    public = interface("eni-1", "sg-1", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10")
    snapshot = network([group("sg-1", OPEN_SSH)], [public], with_routing=False).build()
    result = only(run(snapshot, "ec2.sg_admin_ports_ipv4"))
    assert (result.status, result.severity) == (Status.FAIL, Severity.HIGH)
    assert any("route table is not in the snapshot" in r for r in result.evidence["reachability_unknown"])
    assert result.evidence["not_collected"] == [
        "ec2/Subnets",
        "ec2/RouteTables",
        "ec2/InternetGateways",
        "ec2/NetworkAcls",
    ]


def test_unreadable_interface_keeps_attachment_unknown() -> None:
    bad = {"NetworkInterfaceId": "eni-bad", "Groups": [{"GroupId": "sg-1"}], "Association": {"PublicIp": "x"}}
    snapshot = network([group("sg-1", OPEN_SSH)], [bad]).build()
    result = only(run(snapshot, "ec2.sg_admin_ports_ipv4"))
    assert (result.status, result.severity) == (Status.FAIL, Severity.HIGH)
    assert result.evidence["attached_to_interfaces"] is None


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
    for missing in ("NetworkInterfaces", "ManagedPrefixLists"):
        builder = ec2(group("sg-1", OPEN_SSH))
        del builder.snapshot.datasets["ec2"][REGION][missing]
        builder.with_error("ec2", missing, region=REGION)
        assert only(run(builder.build(), check_id)).status is Status.UNKNOWN
    bad = group("sg-bad", {"IpProtocol": "tcp", "FromPort": 30, "ToPort": 20, "IpRanges": []})
    findings = judge(check_id, bad, group("sg-ok"))
    assert by_id(findings) == {"sg-bad": Status.UNKNOWN, "sg-ok": Status.PASS}
    assert "invalid port range 30-20" in finding(findings, "sg-bad").message


# ------------------------------------------------------------- trusted CIDRs


def test_without_trusted_cidrs_only_private_ranges_are_trusted() -> None:
    findings = judge(
        "ec2.sg_admin_ports_trusted_cidrs",
        group("sg-private", permission(v4=("10.1.0.0/16", "192.168.0.0/24"), v6=("fd00::/8",))),
        group("sg-public", permission(v4=("198.51.100.7/32",))),
        group("sg-ref", permission(groups=("sg-bastion",))),
    )
    assert by_id(findings) == {"sg-private": Status.PASS, "sg-public": Status.FAIL, "sg-ref": Status.PASS}
    public = finding(findings, "sg-public")
    assert public.evidence["trusted_cidrs"][:3] == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    assert public.evidence["findings"] == [
        {"port": "22", "source": "198.51.100.7/32", "rule": "sg-public ingress tcp/22 from 198.51.100.7/32"}
    ]


def test_configured_trusted_cidrs_replace_the_private_default() -> None:
    config = AuditConfig(trusted_cidrs=("203.0.113.0/24",))
    findings = judge(
        "ec2.sg_admin_ports_trusted_cidrs",
        group("sg-office", permission(v4=("203.0.113.128/25",))),
        group("sg-host", permission(v4=("203.0.113.7/32",))),
        group("sg-wider", permission(v4=("203.0.112.0/23",))),
        group("sg-private", permission(v4=("10.0.0.0/8",))),
        group("sg-halves", permission(v4=("0.0.0.0/1",)), permission(v4=("128.0.0.0/1",))),
        group("sg-web", permission("tcp", (443, 443), v4=("0.0.0.0/0",))),
        config=config,
    )
    assert by_id(findings) == {
        "sg-office": Status.PASS,
        "sg-host": Status.PASS,
        "sg-wider": Status.FAIL,
        "sg-private": Status.FAIL,
        "sg-halves": Status.FAIL,
        "sg-web": Status.PASS,
    }


def test_untrusted_world_open_group_is_critical_when_reachable() -> None:
    snapshot = network(
        [group("sg-public", OPEN_SSH)],
        [interface("eni-web", "sg-public", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10")],
    ).build()
    result = only(run(snapshot, "ec2.sg_admin_ports_trusted_cidrs"))
    assert (result.status, result.severity) == (Status.FAIL, Severity.CRITICAL)


# --------------------------------------------------------- default security group


def test_default_security_group_must_have_no_rules() -> None:
    findings = judge(
        "ec2.default_sg_restricts_all",
        group("sg-d1", name="default", egress=[]),
        group("sg-d2", permission(groups=("sg-d2",)), name="default"),
        group("sg-d3", name="default"),
        group("sg-other", permission(v4=("0.0.0.0/0",))),
        group("sg-d4", {"IpProtocol": "tcp", "FromPort": 30, "ToPort": 20}, name="default"),
    )
    assert by_id(findings) == {
        "sg-d1": Status.PASS,
        "sg-d2": Status.FAIL,
        "sg-d3": Status.FAIL,
        "sg-d4": Status.UNKNOWN,
    }
    d2 = finding(findings, "sg-d2")
    assert d2.message == "Default security group sg-d2 of vpc-1 has 1 inbound and 1 outbound rules"
    assert d2.evidence["inbound"] == ["sg-d2 ingress tcp/22 from 111122223333/sg-d2"]
    assert d2.evidence["outbound"] == ["sg-d2 egress all to 0.0.0.0/0"]


def test_default_security_group_unknown_without_groups() -> None:
    snapshot = SnapshotBuilder().with_error("ec2", "SecurityGroups", region=REGION).build()
    assert only(run(snapshot, "ec2.default_sg_restricts_all")).status is Status.UNKNOWN


# --------------------------------------------------------------- network ACLs


def nacls(*acls: dict[str, Any], config: AuditConfig | None = None) -> list[Finding]:
    snapshot = SnapshotBuilder().with_regional("ec2", "NetworkAcls", list(acls)).build()
    return run(snapshot, "ec2.nacl_admin_ports", config)


def test_nacl_rule_order_decides() -> None:
    assert by_id(
        nacls(
            acl("acl-open", entry(100, "allow", "0.0.0.0/0", "-1", None)),
            acl(
                "acl-denied-first",
                entry(90, "deny", "0.0.0.0/0", "-1", None),
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
            acl("acl-any-port", entry(100, "allow", "0.0.0.0/0", "6", None)),
        )
    ) == {
        "acl-open": Status.FAIL,
        "acl-denied-first": Status.PASS,
        "acl-allowed-first": Status.FAIL,
        "acl-web": Status.PASS,
        "acl-v6": Status.FAIL,
        "acl-office": Status.PASS,
        "acl-any-port": Status.FAIL,
    }


def test_nacl_tcp_deny_leaves_udp_admitted() -> None:
    # A deny of every TCP port ahead of "allow all" still lets UDP 22/3389 (RDP over UDP) in.
    findings = nacls(
        acl(
            "acl-tcp-denied",
            entry(90, "deny", "0.0.0.0/0", "6", (0, 65535)),
            entry(100, "allow", "0.0.0.0/0", "-1", None),
        ),
        config=AuditConfig(admin_ports=(22,)),
    )
    assert only(findings).message == (
        "Network ACL acl-tcp-denied admits the internet to port 22/udp, 3389/udp from 0.0.0.0/0"
    )


def test_nacl_partial_deny_is_an_exception_not_a_fix() -> None:
    findings = nacls(acl("acl-1", entry(90, "deny", "0.0.0.0/1", "6"), entry(100, "allow", "0.0.0.0/0", "6")))
    admission = only(findings).evidence["admissions"][0]
    assert admission == {
        "port": "22",
        "source": "0.0.0.0/0",
        "allow_entries": ["inbound rule 100 allow tcp/22 0.0.0.0/0"],
        "except": ["0.0.0.0/1"],
    }


def test_nacl_judges_ssh_and_rdp_even_if_not_configured() -> None:
    only_redis = AuditConfig(admin_ports=(6379,))
    findings = nacls(acl("acl-ssh", entry(100, "allow", "0.0.0.0/0", "6", (22, 22))), config=only_redis)
    assert by_id(findings) == {"acl-ssh": Status.FAIL}


def test_nacl_evidence_and_bad_entries() -> None:
    findings = nacls(
        acl("acl-open", entry(100, "allow", "0.0.0.0/0", "6", (22, 22))),
        acl("acl-bad", {"RuleNumber": 5, "Protocol": "6", "RuleAction": "allow", "Egress": False}),
    )
    assert finding(findings, "acl-bad").status is Status.UNKNOWN
    opened = finding(findings, "acl-open")
    assert opened.message == "Network ACL acl-open admits the internet to port 22 from 0.0.0.0/0"
    assert opened.evidence["subnets"] == ["subnet-1"]
    assert opened.evidence["admissions"][0]["allow_entries"] == ["inbound rule 100 allow tcp/22 0.0.0.0/0"]


def test_nacl_unknown_when_not_collected() -> None:
    snapshot = SnapshotBuilder().with_error("ec2", "NetworkAcls", region=REGION).build()
    assert only(run(snapshot, "ec2.nacl_admin_ports")).status is Status.UNKNOWN


# ------------------------------------------------------- internet-exposed interfaces


EXPOSED = "ec2.internet_exposed_interfaces"


def test_public_instance_with_open_ssh_is_exposed_with_the_path() -> None:
    snapshot = network(
        [group("sg-ssh", OPEN_SSH)],
        [
            interface("eni-web", "sg-ssh", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10"),
            interface("eni-db", "sg-ssh", subnet=PRIVATE_SUBNET, public_ip="203.0.113.20"),
            interface("eni-nopublic", "sg-ssh", subnet=PUBLIC_SUBNET),
        ],
    ).build()
    findings = run(snapshot, EXPOSED)
    assert statuses(findings) == {
        eni_arn("eni-web"): Status.FAIL,
        eni_arn("eni-db"): Status.PASS,
        eni_arn("eni-nopublic"): Status.PASS,
    }
    web = finding(findings, "eni-web")
    assert web.severity is Severity.CRITICAL
    assert (
        web.message == "Network interface eni-web of instance i-web is reachable from the internet on tcp/22"
    )
    (exposed,) = web.evidence["exposed"]
    assert (exposed["port"], exposed["version"]) == (22, 4)
    assert exposed["path"].startswith(
        "203.0.113.10 → rtb-public: 0.0.0.0/0 -> igw-1 → acl-1 inbound rule 100"
    )
    assert web.evidence["InstanceId"] == "i-web"
    db = finding(findings, "eni-db")
    assert db.message.endswith(
        "rtb-main: no route for 0.0.0.0/0 to an internet gateway; IPv6 address: no global IPv6 address"
    )
    assert finding(findings, "eni-nopublic").message.endswith(
        "IPv4 address: no public IPv4 address; IPv6 address: no global IPv6 address"
    )


def test_the_interface_check_and_group_grading_share_one_exposure_analysis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import awsaudit.checks.ec2 as ec2_checks

    computed: list[tuple[tuple[int, ...], int]] = []

    def counted(region: Any, ports: Any, protocol: int) -> Any:
        computed.append((tuple(ports), protocol))
        return exposure(region, ports, protocol)

    exposure = ec2_checks.exposure
    monkeypatch.setattr(ec2_checks, "exposure", counted)
    snapshot = network(
        [group("sg-ssh", OPEN_SSH)],
        [interface("eni-web", "sg-ssh", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10")],
    ).build()
    checks = [all_checks()[EXPOSED], all_checks()["ec2.sg_admin_ports_ipv4"]]
    findings = run_checks(snapshot, checks, AuditConfig())
    assert {f.check_id: f.severity for f in findings if f.status is Status.FAIL} == {
        EXPOSED: Severity.CRITICAL,
        "ec2.sg_admin_ports_ipv4": Severity.CRITICAL,
    }
    assert computed == [(AuditConfig().admin_ports, 6)]


def test_nacl_deny_in_front_of_an_open_group_is_not_exposed() -> None:
    deny_ssh = (entry(50, "deny", "0.0.0.0/0", "6", (22, 22)), *OPEN_ACL_ENTRIES)
    datasets = routing(deny_ssh)
    snapshot = network(
        [group("sg-ssh", OPEN_SSH)],
        [interface("eni-web", "sg-ssh", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10")],
        NetworkAcls=datasets["NetworkAcls"],
    ).build()
    result = only(run(snapshot, EXPOSED))
    assert result.status is Status.PASS
    assert any(
        "denied by inbound rule 50 deny tcp/22 0.0.0.0/0" in reason
        for reason in result.evidence["not_exposed"]
    )


def test_ipv6_only_exposure() -> None:
    snapshot = network(
        [group("sg-v6", permission(v6=("::/0",)))],
        [interface("eni-v6", "sg-v6", subnet=PUBLIC_SUBNET, ipv6=("2600:1f18::10",))],
    ).build()
    result = only(run(snapshot, EXPOSED))
    assert result.status is Status.FAIL
    assert [(e["port"], e["version"]) for e in result.evidence["exposed"]] == [(22, 6)]


def test_uncollected_prefix_list_makes_the_interface_unknown() -> None:
    snapshot = network(
        [group("sg-pl", permission(prefix_lists=("pl-aws",)))],
        [interface("eni-web", "sg-pl", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10")],
        prefix_lists=[{"PrefixListId": "pl-aws", "PrefixListName": "aws-managed"}],
    ).build()
    result = only(run(snapshot, EXPOSED, AuditConfig(admin_ports=(22,))))
    assert result.status is Status.UNKNOWN
    assert "prefix list entries not collected" in result.message


def test_only_configured_admin_ports_are_judged() -> None:
    snapshot = network(
        [group("sg-ssh", OPEN_SSH)],
        [interface("eni-web", "sg-ssh", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10")],
    ).build()
    assert only(run(snapshot, EXPOSED, AuditConfig(admin_ports=(3306,)))).status is Status.PASS


@pytest.mark.parametrize(
    "missing", ["NetworkInterfaces", "SecurityGroups", "RouteTables", "InternetGateways", "NetworkAcls"]
)
def test_missing_dataset_makes_the_region_unknown(missing: str) -> None:
    builder = network([group("sg-ssh", OPEN_SSH)], [interface("eni-db", "sg-ssh")])
    del builder.snapshot.datasets["ec2"][REGION][missing]
    builder.with_error("ec2", missing, region=REGION)
    result = only(run(builder.build(), EXPOSED))
    assert (result.status, result.resource) == (Status.UNKNOWN, f"arn:aws:ec2:{REGION}:{ACCOUNT_ID}:account")


def test_unreadable_records() -> None:
    bad_interface = {"NetworkInterfaceId": "eni-bad", "Association": {"PublicIp": "not-an-ip"}}
    snapshot = network([group("sg-ssh", OPEN_SSH)], [bad_interface, interface("eni-db", "sg-ssh")]).build()
    assert by_id(run(snapshot, EXPOSED)) == {"eni-bad": Status.UNKNOWN, "eni-db": Status.PASS}
    bad_table = {"RouteTableId": "rtb-bad", "VpcId": VPC, "Associations": [], "Routes": [{"GatewayId": IGW}]}
    snapshot = network(
        [group("sg-ssh", OPEN_SSH)], [interface("eni-db", "sg-ssh")], RouteTables=[bad_table]
    ).build()
    result = only(run(snapshot, EXPOSED))
    assert result.status is Status.UNKNOWN and "route without a destination" in result.message


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
    assert by_id(findings) == {
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


def _two_vpcs(**broken: dict[str, Any]) -> SnapshotBuilder:
    """vpc-1 (the usual routing) plus vpc-2 with its own public subnet, table and ACL; `broken` replaces
    vpc-2's route table or ACL record."""
    datasets = routing()
    other_table = {
        "RouteTableId": "rtb-2",
        "VpcId": "vpc-2",
        "Associations": [{"Main": True}],
        "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-2", "State": "active"}],
    }
    other_acl = {**acl("acl-2", *OPEN_ACL_ENTRIES, subnets=("subnet-2",)), "VpcId": "vpc-2"}
    datasets["Subnets"].append({"SubnetId": "subnet-2", "VpcId": "vpc-2"})
    datasets["RouteTables"].append(broken.get("RouteTables", other_table))
    datasets["NetworkAcls"].append(broken.get("NetworkAcls", other_acl))
    datasets["InternetGateways"].append(
        {"InternetGatewayId": "igw-2", "Attachments": [{"VpcId": "vpc-2", "State": "available"}]}
    )
    other = {
        **interface("eni-other", "sg-ssh", subnet="subnet-2", public_ip="198.51.100.7"),
        "VpcId": "vpc-2",
    }
    interfaces = [interface("eni-web", "sg-ssh", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10"), other]
    return network([group("sg-ssh", OPEN_SSH)], interfaces, with_routing=False, **datasets)


def test_exposure_of_two_vpcs_is_judged_in_each() -> None:
    assert by_id(run(_two_vpcs().build(), EXPOSED)) == {"eni-web": Status.FAIL, "eni-other": Status.FAIL}


@pytest.mark.parametrize(
    ("dataset", "record"),
    [
        # An ACL whose entries are missing would read as "deny everything": closed, a PASS.
        ("NetworkAcls", {"NetworkAclId": "acl-2", "VpcId": "vpc-2", "Associations": []}),
        # A route table without its routes would read as "no route to the internet".
        ("RouteTables", {"RouteTableId": "rtb-2", "VpcId": "vpc-2", "Associations": [{"Main": True}]}),
        ("RouteTables", {"RouteTableId": "rtb-2", "VpcId": "vpc-2", "Associations": [], "Routes": [{}]}),
    ],
)
def test_an_unreadable_path_record_makes_only_its_vpc_unknown(dataset: str, record: dict[str, Any]) -> None:
    findings = run(_two_vpcs(**{dataset: record}).build(), EXPOSED)
    assert by_id(findings) == {"eni-web": Status.FAIL, "eni-other": Status.UNKNOWN}
    other = finding(findings, "eni-other")
    assert f"{dataset} record cannot be read" in other.message and record.get("NetworkAclId", "rtb-2") in (
        other.message
    )


@pytest.mark.parametrize(
    ("dataset", "field"),
    [
        ("SecurityGroups", "IpPermissions"),
        ("NetworkInterfaces", "Groups"),
        ("InternetGateways", "Attachments"),
        ("NetworkAcls", "Entries"),
        ("RouteTables", "Routes"),
    ],
)
def test_a_list_aws_always_returns_is_never_read_as_empty(dataset: str, field: str) -> None:
    builder = network(
        [group("sg-ssh", OPEN_SSH)],
        [interface("eni-web", "sg-ssh", subnet=PUBLIC_SUBNET, public_ip="203.0.113.10")],
    )
    for record in builder.snapshot.datasets["ec2"][REGION][dataset]:
        record.pop(field, None)
    statuses_found = {f.status for f in run(builder.build(), EXPOSED)}
    assert Status.PASS not in statuses_found and Status.UNKNOWN in statuses_found

"""Network exposure through the real boto3 path: a VPC built in the lab, collected, then judged.

moto's default VPCs have no internet gateway, so the lab builds its own: an IPv4+IPv6 VPC, an attached
gateway, a public route table (0.0.0.0/0 and ::/0 to the gateway), a private subnet on the local-only
main table, and a subnet whose network ACL denies SSH ahead of "allow all".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv6Network
from typing import Any

import boto3
import pytest

from awsaudit.checks.registry import all_checks
from awsaudit.checks.runner import run_checks
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Severity, Status
from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot

pytestmark = pytest.mark.lab

REGION = "us-east-1"
AMI = "ami-12c6146b"
OFFICE = "203.0.113.0/24"
DATASETS = frozenset(
    f"ec2/{name}"
    for name in (
        "Subnets",
        "RouteTables",
        "InternetGateways",
        "NetworkAcls",
        "SecurityGroups",
        "NetworkInterfaces",
        "ManagedPrefixLists",
    )
)


@dataclass(frozen=True)
class Built:
    """Ids of what the scenario created: instances by role, security groups by purpose."""

    instances: dict[str, str]
    groups: dict[str, str]
    gateway_id: str


@dataclass(frozen=True)
class Audited:
    built: Built
    snapshot: Snapshot


def ssh_from(ec2: Any, vpc_id: str, name: str, *, cidr: str | None = None, cidr6: str | None = None) -> str:
    group_id: str = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    permission: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
    if cidr is not None:
        permission["IpRanges"] = [{"CidrIp": cidr}]
    if cidr6 is not None:
        permission["Ipv6Ranges"] = [{"CidrIpv6": cidr6}]
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[permission])
    return group_id


def launch(ec2: Any, subnet_id: str, group_id: str, *, public_ipv4: bool = True) -> str:
    interface = {
        "DeviceIndex": 0,
        "SubnetId": subnet_id,
        "Groups": [group_id],
        "AssociatePublicIpAddress": public_ipv4,
    }
    reservation = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[interface])
    instance_id: str = reservation["Instances"][0]["InstanceId"]
    return instance_id


def launch_ipv6_only(ec2: Any, subnet_id: str, group_id: str, address: str) -> str:
    """An instance whose only internet address is a global IPv6 one (no public IPv4)."""
    interface_id = ec2.create_network_interface(
        SubnetId=subnet_id, Groups=[group_id], Ipv6Addresses=[{"Ipv6Address": address}]
    )["NetworkInterface"]["NetworkInterfaceId"]
    reservation = ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": interface_id}],
    )
    instance_id: str = reservation["Instances"][0]["InstanceId"]
    return instance_id


def build(ec2: Any) -> Built:
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    ipv6_block = IPv6Network(vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])  # a /56
    ipv6_subnets = ipv6_block.subnets(new_prefix=64)
    gateway_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    public_table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id)
    ec2.create_route(RouteTableId=public_table, DestinationIpv6CidrBlock="::/0", GatewayId=gateway_id)

    def subnet(cidr: str, ipv6: IPv6Network) -> str:
        created = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, Ipv6CidrBlock=str(ipv6))
        subnet_id: str = created["Subnet"]["SubnetId"]
        return subnet_id

    public_ipv6 = next(ipv6_subnets)
    public = subnet("10.0.1.0/24", public_ipv6)
    private = subnet("10.0.2.0/24", next(ipv6_subnets))
    guarded = subnet("10.0.3.0/24", next(ipv6_subnets))
    for routed in (public, guarded):
        ec2.associate_route_table(RouteTableId=public_table, SubnetId=routed)

    # The default ACL of a real dual-stack VPC also allows ::/0 both ways; moto only writes the IPv4 entries.
    default_acl = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"][0]
    for egress in (False, True):
        ec2.create_network_acl_entry(
            NetworkAclId=default_acl["NetworkAclId"],
            RuleNumber=101,
            Protocol="-1",
            RuleAction="allow",
            Egress=egress,
            Ipv6CidrBlock="::/0",
        )
    guard = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    for number, action, ports, egress in (
        (50, "deny", {"From": 22, "To": 22}, False),
        (100, "allow", None, False),
        (100, "allow", None, True),
    ):
        entry: dict[str, Any] = {
            "NetworkAclId": guard,
            "RuleNumber": number,
            "Protocol": "6" if ports else "-1",
            "RuleAction": action,
            "Egress": egress,
            "CidrBlock": "0.0.0.0/0",
        }
        if ports:
            entry["PortRange"] = ports
        ec2.create_network_acl_entry(**entry)
    association = next(
        a["NetworkAclAssociationId"] for a in default_acl["Associations"] if a["SubnetId"] == guarded
    )
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=guard)

    groups = {
        "world": ssh_from(ec2, vpc_id, "ssh-world", cidr="0.0.0.0/0"),
        "ipv6": ssh_from(ec2, vpc_id, "ssh-ipv6", cidr6="::/0"),
        "office": ssh_from(ec2, vpc_id, "ssh-office", cidr=OFFICE),
        "idle": ssh_from(ec2, vpc_id, "ssh-idle", cidr="0.0.0.0/0"),
    }
    instances = {
        "public": launch(ec2, public, groups["world"]),
        "private": launch(ec2, private, groups["world"]),
        "guarded": launch(ec2, guarded, groups["world"]),
        "ipv6": launch_ipv6_only(ec2, public, groups["ipv6"], str(public_ipv6[16])),
        "office": launch(ec2, public, groups["office"]),
    }
    return Built(instances, groups, gateway_id)


@pytest.fixture(scope="module")
def audited(lab: Lab) -> Iterator[Audited]:
    lab.reset()
    built = build(boto3.client("ec2", region_name=REGION, endpoint_url=lab.endpoint_url))
    options = CollectOptions(
        regions=(REGION,),
        endpoint_url=lab.endpoint_url,
        client_hooks=lab.client_hooks(),
        datasets=DATASETS,
    )
    yield Audited(built, collect(boto3.Session(region_name=REGION), options))


def judge(audited: Audited, check_id: str, config: AuditConfig | None = None) -> list[Finding]:
    assert audited.snapshot.errors == []
    return run_checks(audited.snapshot, [all_checks()[check_id]], config or AuditConfig())


def by_instance(findings: list[Finding], built: Built) -> dict[str, Finding]:
    role_of = {instance_id: role for role, instance_id in built.instances.items()}
    return {role_of[f.evidence["InstanceId"]]: f for f in findings if f.evidence.get("InstanceId") in role_of}


def by_group(findings: list[Finding], built: Built) -> dict[str, Finding]:
    purpose_of = {group_id: purpose for purpose, group_id in built.groups.items()}
    return {purpose_of[g]: f for f in findings if (g := f.resource.rsplit("/", 1)[1]) in purpose_of}


def test_only_the_public_and_ipv6_instances_are_reachable(audited: Audited) -> None:
    findings = by_instance(judge(audited, "ec2.internet_exposed_interfaces"), audited.built)
    assert {role: f.status for role, f in findings.items()} == {
        "public": Status.FAIL,
        "private": Status.PASS,
        "guarded": Status.PASS,
        "ipv6": Status.FAIL,
        "office": Status.PASS,
    }
    public = findings["public"]
    assert public.severity is Severity.CRITICAL
    assert public.resource.startswith(f"arn:aws:ec2:{REGION}:123456789012:network-interface/eni-")
    ((port, version, path),) = [(e["port"], e["version"], e["path"]) for e in public.evidence["exposed"]]
    assert (port, version) == (22, 4)
    assert f"0.0.0.0/0 -> {audited.built.gateway_id}" in path
    assert path.endswith(f"{audited.built.groups['world']} ingress tcp/22 from 0.0.0.0/0")
    assert "no route for 0.0.0.0/0 to an internet gateway" in findings["private"].message
    assert "denied by inbound rule 50 deny tcp/22 0.0.0.0/0" in findings["guarded"].message
    assert [(e["port"], e["version"]) for e in findings["ipv6"].evidence["exposed"]] == [(22, 6)]
    assert "admit no tcp/22 from the whole IPv4 internet" in findings["office"].message


def test_security_group_severity_follows_reachability(audited: Audited) -> None:
    ipv4 = by_group(judge(audited, "ec2.sg_admin_ports_ipv4"), audited.built)
    assert {purpose: (f.status, f.severity) for purpose, f in ipv4.items()} == {
        "world": (Status.FAIL, Severity.CRITICAL),
        "ipv6": (Status.PASS, Severity.HIGH),
        "office": (Status.PASS, Severity.HIGH),
        "idle": (Status.FAIL, Severity.LOW),
    }
    (path,) = ipv4["world"].evidence["reachable_paths"]
    assert audited.built.instances["public"] in path
    ipv6 = by_group(judge(audited, "ec2.sg_admin_ports_ipv6"), audited.built)
    assert (ipv6["ipv6"].status, ipv6["ipv6"].severity) == (Status.FAIL, Severity.CRITICAL)


def test_trusted_cidr_only_admin_rule_passes(audited: Audited) -> None:
    config = AuditConfig(trusted_cidrs=(OFFICE,))
    findings = by_group(judge(audited, "ec2.sg_admin_ports_trusted_cidrs", config), audited.built)
    assert {purpose: f.status for purpose, f in findings.items()} == {
        "world": Status.FAIL,
        "ipv6": Status.FAIL,
        "office": Status.PASS,
        "idle": Status.FAIL,
    }
    assert findings["world"].severity is Severity.CRITICAL

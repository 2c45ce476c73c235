"""The `well_configured` scenario's networks: flow logs on every VPC, NACLs that deny the admin ports."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.config import DEFAULT_ADMIN_PORTS
from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.resources import (
    default_network_acl,
    default_security_group,
    vpc_ids,
)


def plant_private_network(account: LabAccount, region: str, flow_logs_role: str, *, app_vpc: bool) -> None:
    """Flow logs on every VPC (plus an application VPC where asked), closed default groups, NACL denies."""
    ec2 = account.client("ec2", region)
    if app_vpc:
        vpc_id = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.10.1.0/24", AvailabilityZone=f"{region}a")
    log_group = "vpc-flow-logs"
    account.client("logs", region).create_log_group(logGroupName=log_group)
    vpcs = vpc_ids(account, region)
    ec2.create_flow_logs(
        ResourceIds=vpcs,
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=log_group,
        DeliverLogsPermissionArn=flow_logs_role,
    )
    for vpc in vpcs:
        group = default_security_group(account, region, vpc)
        if group["IpPermissions"]:
            ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
        if group["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"]
            )
        _deny_admin_ports(account, region, default_network_acl(account, region, vpc))


def _deny_admin_ports(account: LabAccount, region: str, acl_id: str) -> None:
    """Put denies for every administration port ahead of the default NACL's allow-all rule (100)."""
    ec2 = account.client("ec2", region)
    rule = 10
    for low, high in _port_ranges(DEFAULT_ADMIN_PORTS):
        for protocol in ("6", "17"):  # TCP and UDP
            ec2.create_network_acl_entry(
                NetworkAclId=acl_id,
                RuleNumber=rule,
                Protocol=protocol,
                RuleAction="deny",
                Egress=False,
                CidrBlock="0.0.0.0/0",
                PortRange={"From": low, "To": high},
            )
            rule += 1


def _port_ranges(ports: tuple[int, ...]) -> Iterator[tuple[int, int]]:
    """Sorted ports merged into contiguous (from, to) ranges."""
    ordered = sorted(ports)
    start = previous = ordered[0]
    for port in ordered[1:]:
        if port != previous + 1:
            yield start, previous
            start = port
        previous = port
    yield start, previous

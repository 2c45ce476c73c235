"""Hand-built EC2 describe records (AWS field names) for network-analysis tests."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]

VPC = "vpc-1"
IGW = "igw-1"
PUBLIC_SUBNET = "subnet-public"
PRIVATE_SUBNET = "subnet-private"


def permission(
    protocol: str = "tcp",
    ports: tuple[int, int] | None = None,
    cidrs: tuple[str, ...] = (),
    cidrs6: tuple[str, ...] = (),
    prefix_lists: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
) -> Record:
    record: Record = {
        "IpProtocol": protocol,
        "IpRanges": [{"CidrIp": c} for c in cidrs],
        "Ipv6Ranges": [{"CidrIpv6": c} for c in cidrs6],
        "PrefixListIds": [{"PrefixListId": p} for p in prefix_lists],
        "UserIdGroupPairs": [{"GroupId": g, "UserId": "111122223333"} for g in groups],
    }
    if ports is not None:
        record["FromPort"], record["ToPort"] = ports
    return record


def security_group(
    group_id: str,
    ingress: list[Record] | None = None,
    egress: list[Record] | None = None,
    name: str | None = None,
) -> Record:
    return {
        "GroupId": group_id,
        "GroupName": name or group_id,
        "VpcId": VPC,
        "IpPermissions": ingress or [],
        "IpPermissionsEgress": egress if egress is not None else [permission("-1", cidrs=("0.0.0.0/0",))],
    }


def nacl_entry(
    number: int,
    action: str = "allow",
    *,
    egress: bool = False,
    protocol: str = "-1",
    cidr: str = "0.0.0.0/0",
    ports: tuple[int, int] | None = None,
) -> Record:
    record: Record = {"RuleNumber": number, "RuleAction": action, "Egress": egress, "Protocol": protocol}
    record["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
    if ports is not None:
        record["PortRange"] = {"From": ports[0], "To": ports[1]}
    return record


def default_deny_entries() -> list[Record]:
    """The `*` entries AWS appends to every network ACL."""
    return [
        nacl_entry(32767, "deny", egress=egress, cidr=cidr)
        for egress in (False, True)
        for cidr in ("0.0.0.0/0", "::/0")
    ]


def open_entries() -> list[Record]:
    """A default NACL's entries: allow everything both ways, both IP versions."""
    return [
        nacl_entry(number, egress=egress, cidr=cidr)
        for egress in (False, True)
        for number, cidr in ((100, "0.0.0.0/0"), (101, "::/0"))
    ] + default_deny_entries()


def network_acl(
    acl_id: str, entries: list[Record], subnets: tuple[str, ...], *, default: bool = False
) -> Record:
    return {
        "NetworkAclId": acl_id,
        "VpcId": VPC,
        "IsDefault": default,
        "Entries": entries,
        "Associations": [{"SubnetId": s, "NetworkAclId": acl_id} for s in subnets],
    }


def route(destination: str, target: str, state: str = "active") -> Record:
    key = "DestinationIpv6CidrBlock" if ":" in destination else "DestinationCidrBlock"
    target_key = "EgressOnlyInternetGatewayId" if target.startswith("eigw-") else "GatewayId"
    if target.startswith("nat-"):
        target_key = "NatGatewayId"
    return {key: destination, target_key: target, "State": state}


def interface(
    interface_id: str,
    subnet: str = PUBLIC_SUBNET,
    groups: tuple[str, ...] = ("sg-ssh",),
    public_ip: str | None = "203.0.113.10",
    ipv6: tuple[str, ...] = (),
    interface_type: str = "interface",
) -> Record:
    record: Record = {
        "NetworkInterfaceId": interface_id,
        "SubnetId": subnet,
        "VpcId": VPC,
        "Groups": [{"GroupId": g, "GroupName": g} for g in groups],
        "Ipv6Addresses": [{"Ipv6Address": a} for a in ipv6],
        "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.10", "Primary": True}],
        "InterfaceType": interface_type,
        "RequesterManaged": False,
        "Description": "",
        "Attachment": {"InstanceId": f"i-{interface_id}"},
    }
    if public_ip is not None:
        association = {"PublicIp": public_ip, "IpOwnerId": "amazon"}
        record["Association"] = association
        record["PrivateIpAddresses"][0]["Association"] = association
    return record


def lab_region() -> Record:
    """A VPC with a public subnet (routed to an attached internet gateway, IPv4 and IPv6), a private
    subnet (main table, local only), the default open NACL, and an instance in the public subnet
    whose group opens SSH to 0.0.0.0/0."""
    return {
        "Vpcs": [{"VpcId": VPC, "CidrBlock": "10.0.0.0/16", "IsDefault": False}],
        "Subnets": [
            {"SubnetId": PUBLIC_SUBNET, "VpcId": VPC, "CidrBlock": "10.0.1.0/24"},
            {"SubnetId": PRIVATE_SUBNET, "VpcId": VPC, "CidrBlock": "10.0.2.0/24"},
        ],
        "RouteTables": [
            {
                "RouteTableId": "rtb-main",
                "VpcId": VPC,
                "Associations": [{"Main": True, "RouteTableId": "rtb-main"}],
                "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}],
            },
            {
                "RouteTableId": "rtb-public",
                "VpcId": VPC,
                "Associations": [{"Main": False, "SubnetId": PUBLIC_SUBNET, "RouteTableId": "rtb-public"}],
                "Routes": [
                    {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                    route("0.0.0.0/0", IGW),
                    route("::/0", IGW),
                ],
            },
        ],
        "InternetGateways": [
            {"InternetGatewayId": IGW, "Attachments": [{"VpcId": VPC, "State": "available"}]}
        ],
        "NetworkAcls": [
            network_acl("acl-default", open_entries(), (PUBLIC_SUBNET, PRIVATE_SUBNET), default=True)
        ],
        "SecurityGroups": [
            security_group("sg-ssh", [permission("tcp", (22, 22), cidrs=("0.0.0.0/0",))]),
            security_group("sg-default", name="default"),
        ],
        "NetworkInterfaces": [interface("eni-public")],
        "ManagedPrefixLists": [],
    }

"""Reading describe-call records: associations, defaults, and clear errors on malformed data."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_network
from typing import Any

import pytest
from region_records import (
    PRIVATE_SUBNET,
    PUBLIC_SUBNET,
    interface,
    lab_region,
    nacl_entry,
    permission,
    security_group,
)

from awsaudit.analyze.network import (
    ICMP,
    GroupSource,
    NetworkDataError,
    PrefixListSource,
    Reach,
    TrafficMatch,
    internet_route,
    parse_region,
)


def test_associations_pick_explicit_table_else_main() -> None:
    region = parse_region(lab_region())
    explicit = region.route_table_for(PUBLIC_SUBNET, "vpc-1")
    main = region.route_table_for(PRIVATE_SUBNET, "vpc-1")
    assert explicit is not None and explicit.route_table_id == "rtb-public"
    assert main is not None and main.route_table_id == "rtb-main"
    assert region.route_table_for("subnet-elsewhere", "vpc-other") is None


def test_subnet_without_acl_association_uses_the_default_acl() -> None:
    data = lab_region()
    data["NetworkAcls"][0]["Associations"] = []
    acl = parse_region(data).acl_for(PUBLIC_SUBNET, "vpc-1")
    assert acl is not None and acl.acl_id == "acl-default"


def test_security_group_permissions_become_one_rule_per_source() -> None:
    record = security_group(
        "sg-1",
        [
            permission(
                "tcp",
                (22, 22),
                cidrs=("0.0.0.0/0",),
                cidrs6=("::/0",),
                prefix_lists=("pl-1",),
                groups=("sg-2",),
            )
        ],
    )
    rules = parse_region({"SecurityGroups": [record]}).security_groups["sg-1"].ingress
    assert [str(rule.source) for rule in rules] == ["0.0.0.0/0", "::/0", "pl-1", "111122223333/sg-2"]
    assert isinstance(rules[2].source, PrefixListSource)
    assert isinstance(rules[3].source, GroupSource)


def test_icmp_permission_reads_type_and_code_from_ports() -> None:
    record = security_group("sg-1", [permission("icmp", (8, -1), cidrs=("0.0.0.0/0",))])
    rule = parse_region({"SecurityGroups": [record]}).security_groups["sg-1"].ingress[0]
    assert rule.match == TrafficMatch(ICMP, icmp_type=8)


def test_nacl_entries_are_sorted_by_rule_number() -> None:
    data = lab_region()
    data["NetworkAcls"][0]["Entries"] = [nacl_entry(200), nacl_entry(32767, "deny"), nacl_entry(5, "deny")]
    entries = parse_region(data).network_acls["acl-default"].entries
    assert [e.rule_number for e in entries] == [5, 200, 32767]


def test_public_addresses_are_deduplicated() -> None:
    region = parse_region({"NetworkInterfaces": [interface("eni-1")]})
    assert region.interfaces[0].public_ipv4 == (IPv4Address("203.0.113.10"),)
    assert region.interfaces[0].instance_id == "i-eni-1"


def test_prefix_list_entries_absent_means_unknown() -> None:
    region = parse_region(
        {
            "ManagedPrefixLists": [
                {"PrefixListId": "pl-1"},
                {"PrefixListId": "pl-2", "Entries": [{"Cidr": "192.0.2.0/24"}]},
            ]
        }
    )
    assert region.prefix_lists["pl-1"].entries is None
    assert region.prefix_lists["pl-2"].entries == (ip_network("192.0.2.0/24"),)


def test_route_to_an_uncollected_prefix_list_is_unknown() -> None:
    data = lab_region()
    data["RouteTables"][0]["Routes"].append(
        {"DestinationPrefixListId": "pl-1", "GatewayId": "igw-1", "State": "active"}
    )
    region = parse_region(data)
    assert internet_route(region, region.route_tables["rtb-main"], 4).reach is Reach.UNKNOWN


def test_route_to_a_collected_prefix_list_covering_the_internet_is_open() -> None:
    data = lab_region()
    data["RouteTables"][0]["Routes"].append(
        {"DestinationPrefixListId": "pl-1", "GatewayId": "igw-1", "State": "active"}
    )
    data["ManagedPrefixLists"] = [
        {"PrefixListId": "pl-1", "Entries": [{"Cidr": "0.0.0.0/1"}, {"Cidr": "128.0.0.0/1"}]}
    ]
    region = parse_region(data)
    assert internet_route(region, region.route_tables["rtb-main"], 4).reach is Reach.OPEN
    assert internet_route(region, region.route_tables["rtb-main"], 6).reach is Reach.CLOSED


def malformed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = lab_region()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("SecurityGroups", 0, "IpPermissions", 0, "IpRanges", 0, "CidrIp"), "0.0.0.0/99", "invalid CIDR"),
        (("SecurityGroups", 0, "IpPermissions", 0, "FromPort"), 70000, "invalid port range"),
        (("SecurityGroups", 0, "IpPermissions", 0, "IpProtocol"), "tcpx", "invalid protocol"),
        (("SecurityGroups", 0, "IpPermissions"), "nope", "IpPermissions must be a list"),
        (("NetworkAcls", 0, "Entries", 0, "RuleAction"), "maybe", "RuleAction must be allow or deny"),
        (("NetworkAcls", 0, "Entries", 0, "RuleNumber"), None, "entry without a RuleNumber"),
        (("NetworkInterfaces", 0, "Association"), {"PublicIp": "not-an-ip"}, "invalid IPv4 address"),
        (("RouteTables", 0, "Routes"), [{"GatewayId": "local"}], "route without a destination"),
        (("Subnets",), {"SubnetId": "x"}, "Subnets: expected a list of records"),
        (("SecurityGroups", 0, "GroupId"), None, "security group: missing GroupId"),
    ],
)
def test_malformed_records_raise_one_clear_error(
    path: tuple[str | int, ...], value: Any, message: str
) -> None:
    with pytest.raises(NetworkDataError, match=message):
        parse_region(malformed(path, value))


def test_malformed_nested_nacl_records_raise_one_clear_error() -> None:
    data = lab_region()
    data["NetworkAcls"][0]["Entries"] = [nacl_entry(100, protocol="6") | {"PortRange": "22"}]
    with pytest.raises(NetworkDataError, match="acl-default rule 100: PortRange must be a record"):
        parse_region(data)
    data["NetworkAcls"][0]["Entries"] = [nacl_entry(100, protocol="1") | {"IcmpTypeCode": {"Type": 300}}]
    with pytest.raises(NetworkDataError, match="acl-default rule 100: invalid ICMP type/code 300"):
        parse_region(data)

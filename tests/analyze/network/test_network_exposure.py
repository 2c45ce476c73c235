"""Exposure scenarios on hand-built region data: address -> route -> NACL -> security group."""

from __future__ import annotations

from typing import Any

import pytest
from region_records import (
    IGW,
    PRIVATE_SUBNET,
    PUBLIC_SUBNET,
    default_deny_entries,
    interface,
    lab_region,
    nacl_entry,
    network_acl,
    permission,
    route,
    security_group,
)

from awsaudit.analyze.network import (
    UDP,
    Exposure,
    ExposureIndex,
    InterfaceExposure,
    Link,
    NotAnalysedError,
    PortExposure,
    exposure,
    parse_region,
)

PORTS = (22, 3389)


def analyse(region: dict[str, Any], ports: tuple[int, ...] = PORTS) -> dict[str, InterfaceExposure]:
    return {r.interface.interface_id: r for r in exposure(parse_region(region), ports)}


def ssh(region: dict[str, Any], interface_id: str = "eni-public") -> PortExposure:
    return analyse(region)[interface_id].port(22)


def public_routes(region: dict[str, Any]) -> list[dict[str, Any]]:
    routes: list[dict[str, Any]] = region["RouteTables"][1]["Routes"]
    return routes


def test_public_instance_with_ssh_open_is_exposed_with_the_path() -> None:
    result = ssh(lab_region())
    assert result.status is Exposure.EXPOSED
    ipv4 = result.paths[0]
    assert [step.link for step in ipv4.steps] == [
        Link.ADDRESS,
        Link.ROUTE,
        Link.NACL_INBOUND,
        Link.NACL_RETURN,
        Link.SECURITY_GROUP,
    ]
    details = [step.detail for step in ipv4.steps]
    assert details[0] == "public IPv4 address"
    assert details[1] == "rtb-public: 0.0.0.0/0 -> igw-1"
    assert "inbound rule 100 allow all 0.0.0.0/0" in details[2]
    assert details[4] == "sg-ssh ingress tcp/22 from 0.0.0.0/0"
    assert result.exposing_group_ids == {"sg-ssh"}
    assert result.reason is None


def test_closed_port_names_the_security_group() -> None:
    interface_result = analyse(lab_region())["eni-public"]
    assert [p.traffic.port for p in interface_result.exposed_ports] == [22]
    result = interface_result.port(3389)
    assert result.status is Exposure.NOT_EXPOSED
    assert "IPv4 security_group: sg-ssh admit no tcp/3389" in (result.reason or "")


def test_same_group_in_private_subnet_is_not_exposed() -> None:
    region = lab_region()
    region["NetworkInterfaces"] = [interface("eni-private", subnet=PRIVATE_SUBNET)]
    result = ssh(region, "eni-private")
    assert result.status is Exposure.NOT_EXPOSED
    assert "IPv4 route: rtb-main: no route for 0.0.0.0/0 to an internet gateway" in (result.reason or "")


def test_no_public_address_is_not_exposed() -> None:
    region = lab_region()
    region["NetworkInterfaces"] = [interface("eni-public", public_ip=None)]
    result = ssh(region)
    assert result.status is Exposure.NOT_EXPOSED
    assert result.reason == "IPv4 address: no public IPv4 address; IPv6 address: no global IPv6 address"


def test_public_ip_on_a_secondary_private_address_counts() -> None:
    region = lab_region()
    record = interface("eni-public", public_ip=None)
    record["PrivateIpAddresses"].append(
        {"PrivateIpAddress": "10.0.1.11", "Association": {"PublicIp": "192.0.2.9"}}
    )
    region["NetworkInterfaces"] = [record]
    assert ssh(region).status is Exposure.EXPOSED


def test_nacl_deny_in_front_of_open_group_is_not_exposed() -> None:
    region = lab_region()
    entries = [nacl_entry(90, "deny", protocol="6", ports=(22, 22)), nacl_entry(100)]
    entries += [nacl_entry(100, egress=True), *default_deny_entries()]
    region["NetworkAcls"].append(network_acl("acl-strict", entries, (PUBLIC_SUBNET,)))
    region["NetworkAcls"][0]["Associations"] = [{"SubnetId": PRIVATE_SUBNET}]
    result = ssh(region)
    assert result.status is Exposure.NOT_EXPOSED
    assert "IPv4 nacl_inbound: acl-strict denied by inbound rule 90 deny tcp/22 0.0.0.0/0" in (
        result.reason or ""
    )


def test_missing_return_path_is_not_exposed_and_reported() -> None:
    region = lab_region()
    entries = [
        nacl_entry(100),
        nacl_entry(100, egress=True, protocol="6", ports=(443, 443), cidr="10.0.0.0/8"),
    ]
    region["NetworkAcls"][0]["Entries"] = entries + default_deny_entries()
    result = ssh(region)
    assert result.status is Exposure.NOT_EXPOSED
    assert "IPv4 nacl_return: acl-default lets no tcp reply out to the internet" in (result.reason or "")


def test_udp_needs_no_return_path() -> None:
    region = lab_region()
    region["NetworkAcls"][0]["Entries"] = [nacl_entry(100), *default_deny_entries()]
    region["SecurityGroups"][0]["IpPermissions"] = [permission("udp", (500, 500), cidrs=("0.0.0.0/0",))]
    results = exposure(parse_region(region), [500], protocol=UDP)
    assert results[0].port(500).status is Exposure.EXPOSED
    assert Link.NACL_RETURN not in {step.link for step in results[0].port(500).paths[0].steps}


def test_ipv6_only_exposure() -> None:
    region = lab_region()
    region["NetworkInterfaces"] = [
        interface("eni-public", public_ip=None, ipv6=("2600:1f18:47b:5600::10",), groups=("sg-v6",))
    ]
    region["SecurityGroups"].append(security_group("sg-v6", [permission("tcp", (22, 22), cidrs6=("::/0",))]))
    result = ssh(region)
    assert result.status is Exposure.EXPOSED
    assert [p.status for p in result.paths] == [Exposure.NOT_EXPOSED, Exposure.EXPOSED]


def test_unique_local_ipv6_is_not_an_internet_address() -> None:
    region = lab_region()
    region["NetworkInterfaces"] = [interface("eni-public", public_ip=None, ipv6=("fd00::10",))]
    assert ssh(region).status is Exposure.NOT_EXPOSED


def test_ipv6_via_egress_only_gateway_is_not_exposed() -> None:
    region = lab_region()
    region["NetworkInterfaces"] = [
        interface("eni-public", public_ip=None, ipv6=("2600:1f18:47b:5600::10",), groups=("sg-v6",))
    ]
    region["SecurityGroups"].append(security_group("sg-v6", [permission("tcp", (22, 22), cidrs6=("::/0",))]))
    public_routes(region)[2] = route("::/0", "eigw-1")
    result = ssh(region)
    assert result.status is Exposure.NOT_EXPOSED
    assert "egress-only gateway" in (result.reason or "")


def test_trusted_cidr_only_admin_rule_is_not_exposed() -> None:
    region = lab_region()
    region["SecurityGroups"][0]["IpPermissions"] = [permission("tcp", (22, 22), cidrs=("198.51.100.7/32",))]
    assert ssh(region).status is Exposure.NOT_EXPOSED


def test_detached_internet_gateway_is_not_exposed() -> None:
    region = lab_region()
    region["InternetGateways"][0]["Attachments"] = []
    result = ssh(region)
    assert result.status is Exposure.NOT_EXPOSED
    assert "igw-1 is not attached to vpc-1" in (result.reason or "")


def test_blackhole_route_is_not_exposed() -> None:
    region = lab_region()
    public_routes(region)[1] = route("0.0.0.0/0", IGW, state="blackhole")
    result = ssh(region)
    assert result.status is Exposure.NOT_EXPOSED
    assert "0.0.0.0/0 -> igw-1 (blackhole) is a blackhole" in (result.reason or "")


def test_default_route_through_nat_is_not_exposed() -> None:
    region = lab_region()
    public_routes(region)[1] = route("0.0.0.0/0", "nat-1")
    assert ssh(region).status is Exposure.NOT_EXPOSED


def test_split_default_route_counts_as_internet_route() -> None:
    region = lab_region()
    public_routes(region)[1:2] = [route("0.0.0.0/1", IGW), route("128.0.0.0/1", IGW)]
    assert ssh(region).status is Exposure.EXPOSED


def test_more_specific_route_elsewhere_does_not_hide_the_default_route() -> None:
    region = lab_region()
    public_routes(region).append(route("198.51.100.0/24", "tgw-1"))
    assert ssh(region).status is Exposure.EXPOSED


def test_subnet_without_explicit_table_uses_the_main_table() -> None:
    region = lab_region()
    region["RouteTables"][0]["Routes"].append(route("0.0.0.0/0", IGW))
    region["NetworkInterfaces"] = [interface("eni-private", subnet=PRIVATE_SUBNET)]
    assert ssh(region, "eni-private").status is Exposure.EXPOSED


def test_uncollected_prefix_list_makes_exposure_unknown() -> None:
    region = lab_region()
    region["SecurityGroups"][0]["IpPermissions"] = [permission("tcp", (22, 22), prefix_lists=("pl-1",))]
    region["ManagedPrefixLists"] = [{"PrefixListId": "pl-1", "PrefixListName": "partners"}]
    result = ssh(region)
    assert result.status is Exposure.UNKNOWN
    assert "prefix list entries not collected" in (result.reason or "")


def test_unknown_does_not_override_a_missing_link() -> None:
    region = lab_region()
    region["SecurityGroups"][0]["IpPermissions"] = [permission("tcp", (22, 22), prefix_lists=("pl-1",))]
    region["NetworkInterfaces"] = [interface("eni-public", public_ip=None)]
    assert ssh(region).status is Exposure.NOT_EXPOSED


def test_uncollected_internet_gateways_make_exposure_unknown() -> None:
    region = lab_region()
    del region["InternetGateways"]
    assert ssh(region).status is Exposure.UNKNOWN


def test_group_missing_from_snapshot_is_unknown() -> None:
    region = lab_region()
    region["NetworkInterfaces"] = [interface("eni-public", groups=("sg-gone",))]
    assert ssh(region).status is Exposure.UNKNOWN


def test_open_rule_in_a_second_group_exposes_the_interface() -> None:
    region = lab_region()
    region["SecurityGroups"].append(security_group("sg-closed"))
    region["NetworkInterfaces"] = [interface("eni-public", groups=("sg-closed", "sg-ssh"))]
    assert ssh(region).exposing_group_ids == {"sg-ssh"}


def test_nat_gateway_interface_is_not_exposed() -> None:
    region = lab_region()
    region["NetworkInterfaces"] = [interface("eni-nat", groups=(), interface_type="nat_gateway")]
    assert ssh(region, "eni-nat").status is Exposure.NOT_EXPOSED


def test_interface_without_groups_is_unknown() -> None:
    region = lab_region()
    region["NetworkInterfaces"] = [interface("eni-nlb", groups=(), interface_type="network_load_balancer")]
    assert ssh(region, "eni-nlb").status is Exposure.UNKNOWN


def test_index_answers_attachment_and_real_reachability() -> None:
    region = lab_region()
    region["SecurityGroups"].append(
        security_group("sg-unused", [permission("tcp", (22, 22), cidrs=("0.0.0.0/0",))])
    )
    region["NetworkInterfaces"].append(
        interface("eni-private", subnet=PRIVATE_SUBNET, groups=("sg-ssh", "sg-default"))
    )
    index = ExposureIndex(exposure(parse_region(region), PORTS))
    assert index.is_attached("sg-ssh")
    assert not index.is_attached("sg-unused")
    assert index.group_reach("sg-ssh", 22).status is Exposure.EXPOSED
    assert index.group_reach("sg-ssh", 22).interface_ids == ("eni-public",)
    assert index.group_reach("sg-ssh", 3389).status is Exposure.NOT_EXPOSED
    assert index.group_reach("sg-default", 22).status is Exposure.NOT_EXPOSED
    assert index.group_reach("sg-unused", 22).status is Exposure.NOT_EXPOSED
    with pytest.raises(NotAnalysedError, match="port 443 was not analysed for eni-public"):
        index.group_reach("sg-ssh", 443)


def test_path_text_names_each_interfaces_own_address() -> None:
    region = lab_region()
    region["NetworkInterfaces"].append(interface("eni-twin", public_ip="198.51.100.20"))
    results = analyse(region)
    assert results["eni-twin"].port(22) is results["eni-public"].port(22)  # alike interfaces share results
    assert results["eni-twin"].path_text(22, 4) == (
        "198.51.100.20 → rtb-public: 0.0.0.0/0 -> igw-1 → acl-default inbound rule 100 allow all 0.0.0.0/0"
        " → acl-default replies to client ports 0-65535: outbound rule 100 allow all 0.0.0.0/0"
        " → sg-ssh ingress tcp/22 from 0.0.0.0/0"
    )
    assert results["eni-public"].path_text(22, 6).startswith("no global IPv6 address → ")

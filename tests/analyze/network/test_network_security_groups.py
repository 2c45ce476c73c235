"""Security-group rule semantics: internet admission, trusted ranges, attachment, default groups."""

from __future__ import annotations

from ipaddress import ip_network

from region_records import interface, lab_region, permission, security_group

from awsaudit.analyze.network import (
    TCP,
    UDP,
    PrefixList,
    Reach,
    SecurityGroup,
    Traffic,
    attached_group_ids,
    group_internet_open_ports,
    internet_admission,
    parse_region,
    unrestricted_default_groups,
    untrusted_sources,
)

ADMIN_PORTS = (22, 3389, 5432)
TRUSTED = (ip_network("198.51.100.0/24"), ip_network("2001:db8:100::/48"))


def group(*ingress: dict[str, object]) -> SecurityGroup:
    return parse_region({"SecurityGroups": [security_group("sg-1", list(ingress))]}).security_groups["sg-1"]


def open_ports(sg: SecurityGroup, prefix_lists: dict[str, PrefixList] | None = None) -> set[tuple[int, int]]:
    return {(p.port, p.version) for p in group_internet_open_ports(sg, ADMIN_PORTS, prefix_lists or {})}


def test_ssh_from_anywhere_is_open_over_ipv4_only() -> None:
    assert open_ports(group(permission("tcp", (22, 22), cidrs=("0.0.0.0/0",)))) == {(22, 4)}


def test_ipv6_anywhere_is_open_over_ipv6() -> None:
    assert open_ports(group(permission("tcp", (3389, 3389), cidrs6=("::/0",)))) == {(3389, 6)}


def test_all_protocols_open_every_port() -> None:
    sg = group(permission("-1", cidrs=("0.0.0.0/0",), cidrs6=("::/0",)))
    assert open_ports(sg) == {(p, v) for p in ADMIN_PORTS for v in (4, 6)}


def test_port_range_bounds_are_inclusive() -> None:
    assert open_ports(group(permission("tcp", (0, 22), cidrs=("0.0.0.0/0",)))) == {(22, 4)}
    assert open_ports(group(permission("tcp", (23, 3388), cidrs=("0.0.0.0/0",)))) == set()


def test_udp_rule_does_not_open_tcp() -> None:
    assert open_ports(group(permission("udp", (22, 22), cidrs=("0.0.0.0/0",)))) == set()


def test_internet_split_over_two_rules_is_the_internet() -> None:
    sg = group(
        permission("tcp", (22, 22), cidrs=("0.0.0.0/1",)),
        permission("tcp", (0, 1024), cidrs=("128.0.0.0/1",)),
    )
    admission = group_internet_open_ports(sg, [22], {})
    assert [len(a.rules) for a in admission] == [2]


def test_a_large_but_partial_range_is_not_the_internet() -> None:
    assert open_ports(group(permission("tcp", (22, 22), cidrs=("0.0.0.0/1", "128.0.0.0/2")))) == set()


def test_overlapping_rules_as_large_as_the_internet_are_not_the_internet() -> None:
    # Their sizes add up to the whole IPv4 space, their union is half of it.
    sg = group(
        permission("tcp", (22, 22), cidrs=("0.0.0.0/1",)),
        permission("tcp", (0, 1024), cidrs=("0.0.0.0/1",)),
    )
    assert open_ports(sg) == set()


def test_asked_ports_in_any_order_are_answered_by_port_each_time_asked() -> None:
    sg = group(permission("tcp", (20, 3389), cidrs=("0.0.0.0/0",)))
    found = group_internet_open_ports(sg, [3389, 22, 3389, 80, 8080], {})
    assert [(a.port, a.version) for a in found] == [(22, 4), (80, 4), (3389, 4), (3389, 4)]


def test_group_references_are_never_the_internet() -> None:
    assert open_ports(group(permission("tcp", (22, 22), groups=("sg-elb",)))) == set()


def test_collected_prefix_list_resolves_to_its_entries() -> None:
    sg = group(permission("tcp", (22, 22), prefix_lists=("pl-1",)))
    everything = {"pl-1": PrefixList("pl-1", "all", (ip_network("0.0.0.0/0"),))}
    office = {"pl-1": PrefixList("pl-1", "office", (ip_network("198.51.100.0/24"),))}
    assert open_ports(sg, everything) == {(22, 4)}
    assert open_ports(sg, office) == set()


def test_uncollected_prefix_list_is_unknown_not_open() -> None:
    sg = group(permission("tcp", (22, 22), prefix_lists=("pl-1",)))
    unknown = {"pl-1": PrefixList("pl-1", "unknown", None)}
    assert open_ports(sg, unknown) == set()
    assert open_ports(sg, {}) == set()
    assert internet_admission(sg.ingress, Traffic(TCP, 22), 4, unknown).reach is Reach.UNKNOWN


def test_admission_only_considers_matching_traffic() -> None:
    sg = group(permission("tcp", (22, 22), cidrs=("0.0.0.0/0",)))
    assert internet_admission(sg.ingress, Traffic(UDP, 22), 4, {}).reach is Reach.CLOSED


def test_a_host_inside_a_trusted_range_passes() -> None:
    sg = group(permission("tcp", (22, 22), cidrs=("198.51.100.7/32",), cidrs6=("2001:db8:100:5::/64",)))
    assert not any(untrusted_sources(rule, TRUSTED, {}) for rule in sg.ingress)


def test_sources_outside_trusted_ranges_are_named() -> None:
    sg = group(permission("tcp", (22, 22), cidrs=("198.51.100.0/23", "0.0.0.0/1", "128.0.0.0/1")))
    named = [n for rule in sg.ingress for n in untrusted_sources(rule, TRUSTED, {}).networks]
    assert named == [ip_network("198.51.100.0/23"), ip_network("0.0.0.0/1"), ip_network("128.0.0.0/1")]


def test_trusted_ranges_of_one_version_do_not_trust_the_other() -> None:
    sg = group(permission("tcp", (22, 22), cidrs6=("::/0",)))
    assert untrusted_sources(sg.ingress[0], (ip_network("0.0.0.0/0"),), {}).networks == (ip_network("::/0"),)


def test_untrusted_prefix_list_entries_and_unknown_lists() -> None:
    sg = group(permission("tcp", (22, 22), prefix_lists=("pl-known", "pl-unknown")))
    lists = {
        "pl-known": PrefixList("pl-known", "", (ip_network("198.51.100.0/25"), ip_network("192.0.2.0/24")))
    }
    results = [untrusted_sources(rule, TRUSTED, lists) for rule in sg.ingress]
    assert results[0].networks == (ip_network("192.0.2.0/24"),)
    assert results[1].unknown_prefix_lists == ("pl-unknown",)


def test_attachment_comes_from_interfaces() -> None:
    region = lab_region()
    region["NetworkInterfaces"].append(interface("eni-2", groups=("sg-ssh", "sg-web")))
    assert attached_group_ids(parse_region(region).interfaces) == {"sg-ssh", "sg-web"}


def test_default_group_with_any_rule_is_unrestricted() -> None:
    region = lab_region()
    found = unrestricted_default_groups(parse_region(region))
    assert [g.group_id for g in found] == ["sg-default"]  # its default egress rule counts


def test_default_group_without_rules_is_restricted() -> None:
    region = lab_region()
    region["SecurityGroups"] = [security_group("sg-default", [], [], name="default")]
    assert unrestricted_default_groups(parse_region(region)) == ()

"""Security-group and network-ACL rule semantics: protocols, port ranges, sources, rule order."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from awsaudit.checks.sg_rules import (
    AddressSpan,
    RuleError,
    acl_internet_admissions,
    covers,
    internet_exposures,
    normalise_protocol,
    parse_acl_entry,
    parse_permission,
    untrusted_sources,
)


def permission(
    protocol: str = "tcp",
    ports: tuple[int, int] | None = (22, 22),
    v4: tuple[str, ...] = (),
    v6: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "IpProtocol": protocol,
        "IpRanges": [{"CidrIp": c} for c in v4],
        "Ipv6Ranges": [{"CidrIpv6": c} for c in v6],
        "UserIdGroupPairs": [{"GroupId": g, "UserId": "111122223333"} for g in groups],
        "PrefixListIds": [],
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


def exposed_ports(
    *raws: dict[str, Any], ports: tuple[int, ...] = (22, 3389), versions: tuple[int, ...] = (4, 6)
) -> set[tuple[int, str]]:
    found = internet_exposures([parse_permission(r) for r in raws], ports, versions)
    return {(e.port, str(e.internet)) for e in found}


@pytest.mark.parametrize(
    ("spelling", "normal"),
    [
        ("-1", "all"),
        ("tcp", "tcp"),
        ("6", "tcp"),
        ("TCP", "tcp"),
        ("udp", "udp"),
        ("17", "udp"),
        ("icmp", "icmp"),
        ("58", "icmpv6"),
        ("132", "132"),
    ],
)
def test_protocol_spellings(spelling: str, normal: str) -> None:
    assert normalise_protocol(spelling) == normal


def test_unknown_protocol_is_a_rule_error() -> None:
    with pytest.raises(RuleError, match="unknown IP protocol 'gre'"):
        normalise_protocol("gre")


@pytest.mark.parametrize(
    ("raw", "open_ports"),
    [
        (permission("tcp", (22, 22), v4=("0.0.0.0/0",)), {22}),
        (permission("6", (20, 25), v4=("0.0.0.0/0",)), {22}),
        (permission("udp", (3389, 3389), v4=("0.0.0.0/0",)), {3389}),
        (permission("17", (0, 65535), v4=("0.0.0.0/0",)), {22, 3389}),
        (permission("-1", None, v4=("0.0.0.0/0",)), {22, 3389}),
        (permission("tcp", (23, 3388), v4=("0.0.0.0/0",)), set()),
        (permission("icmp", (-1, -1), v4=("0.0.0.0/0",)), set()),
        (permission("132", (22, 22), v4=("0.0.0.0/0",)), set()),
    ],
)
def test_protocol_and_inclusive_port_range(raw: dict[str, Any], open_ports: set[int]) -> None:
    assert {port for port, _ in exposed_ports(raw)} == open_ports


def test_ipv6_internet_is_reported_separately() -> None:
    assert exposed_ports(permission(v6=("::/0",))) == {(22, "::/0")}
    assert exposed_ports(permission(v6=("::/0",)), versions=(4,)) == set()


def test_split_ranges_that_together_cover_the_internet_count() -> None:
    halves = (permission(v4=("0.0.0.0/1",)), permission("-1", None, v4=("128.0.0.0/1",)))
    assert exposed_ports(*halves, ports=(22,)) == {(22, "0.0.0.0/0")}


def test_partial_internet_and_private_sources_do_not_count() -> None:
    assert exposed_ports(permission(v4=("0.0.0.0/1", "10.0.0.0/8")), permission(groups=("sg-1",))) == set()


def test_exposure_evidence_names_the_rules() -> None:
    raw = permission(v4=("0.0.0.0/0",))
    (exposure,) = internet_exposures([parse_permission(raw)], [22], [4])
    assert exposure.as_evidence() == {"port": 22, "source": "0.0.0.0/0", "rules": [raw]}


@pytest.mark.parametrize(
    "raw",
    [
        permission("tcp", None, v4=("0.0.0.0/0",)),
        permission("tcp", (30, 20)),
        permission("tcp", (22, 70000)),
        permission(v4=("300.0.0.0/8",)),
        {"IpProtocol": "tcp", "FromPort": "x", "ToPort": 22},
    ],
)
def test_malformed_permissions_raise_rule_error(raw: dict[str, Any]) -> None:
    with pytest.raises(RuleError):
        parse_permission(raw)


def test_covers_merges_adjacent_blocks() -> None:
    nets = [ipaddress.ip_network(c) for c in ("10.0.0.0/16", "10.1.0.0/16")]
    assert covers(nets, ipaddress.ip_network("10.0.0.0/15"))
    assert not covers(nets, ipaddress.ip_network("10.0.0.0/14"))
    assert not covers([ipaddress.ip_network("::/0")], ipaddress.ip_network("0.0.0.0/0"))


def test_address_span_arithmetic() -> None:
    whole = AddressSpan.of(ipaddress.ip_network("10.0.0.0/8"))
    hole = AddressSpan.of(ipaddress.ip_network("10.128.0.0/9"))
    assert [p.cidrs() for p in whole.minus(hole)] == [["10.0.0.0/9"]]
    assert whole.intersection(hole) == hole
    assert whole.intersection(AddressSpan.of(ipaddress.ip_network("11.0.0.0/8"))) is None


def test_untrusted_sources_use_the_trusted_list_and_ignore_group_references() -> None:
    trusted = [ipaddress.ip_network("203.0.113.0/24")]
    perms = [
        parse_permission(permission(v4=("203.0.113.10/32", "198.51.100.0/24"), groups=("sg-1",))),
        parse_permission(permission("tcp", (80, 80), v4=("0.0.0.0/0",))),
    ]
    found = untrusted_sources(perms, [22, 3389], trusted)
    assert [(u.port, str(u.source)) for u in found] == [(22, "198.51.100.0/24")]


# ------------------------------------------------------------------ NACLs


def admissions(*raws: dict[str, Any], ports: tuple[int, ...] = (22,)) -> list[tuple[int, str, list[str]]]:
    found = acl_internet_admissions([parse_acl_entry(r) for r in raws], ports)
    return [(a.port, str(a.internet), a.as_evidence()["admitted_sources"]) for a in found]


DEFAULT_DENY = (entry(32767, "deny", "0.0.0.0/0", "-1", None), entry(32768, "deny", "::/0", "-1", None))


def test_allow_all_from_the_internet_is_admitted() -> None:
    assert admissions(entry(100, "allow", "0.0.0.0/0", "-1", None), *DEFAULT_DENY) == [
        (22, "0.0.0.0/0", ["0.0.0.0/0"])
    ]


def test_lower_numbered_deny_wins_whatever_the_list_order() -> None:
    allow, deny = entry(200, "allow", "0.0.0.0/0"), entry(100, "deny", "0.0.0.0/0")
    assert admissions(allow, deny, *DEFAULT_DENY) == []


def test_allow_before_deny_is_admitted() -> None:
    assert admissions(entry(100, "allow", "0.0.0.0/0"), entry(200, "deny", "0.0.0.0/0"))[0][0] == 22


def test_partial_deny_leaves_the_rest_of_the_internet_admitted() -> None:
    found = admissions(entry(90, "deny", "0.0.0.0/1"), entry(100, "allow", "0.0.0.0/0"))
    assert found == [(22, "0.0.0.0/0", ["128.0.0.0/1"])]


def test_allow_from_a_trusted_range_only_is_not_internet_exposure() -> None:
    assert admissions(entry(100, "allow", "203.0.113.0/24"), *DEFAULT_DENY) == []


def test_egress_and_other_ports_are_ignored() -> None:
    assert (
        admissions(
            entry(100, "allow", "0.0.0.0/0", egress=True), entry(110, "allow", "0.0.0.0/0", ports=(80, 80))
        )
        == []
    )


def test_ipv6_allow_is_admitted() -> None:
    assert admissions(entry(100, "allow", "::/0", "17", (0, 65535)), ports=(3389,)) == [
        (3389, "::/0", ["::/0"])
    ]


def test_tcp_entry_without_port_range_covers_every_port() -> None:
    assert admissions(entry(100, "allow", "0.0.0.0/0", "6", None))[0][0] == 22


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"RuleNumber": 1, "Protocol": "6", "RuleAction": "maybe", "CidrBlock": "0.0.0.0/0"}, "RuleAction"),
        ({"RuleNumber": 1, "Protocol": "6", "RuleAction": "allow"}, "neither CidrBlock"),
        ({"Protocol": "6", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}, "RuleNumber"),
    ],
)
def test_malformed_acl_entries_raise_rule_error(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_acl_entry(raw)

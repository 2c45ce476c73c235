"""Network-ACL semantics: rule order, first match, explicit and default deny, stateless replies."""

from __future__ import annotations

from ipaddress import IPv4Network

from hypothesis import given
from hypothesis import strategies as st
from region_records import default_deny_entries, nacl_entry, network_acl, open_entries

from awsaudit.analyze.network import (
    ICMP,
    TCP,
    UDP,
    NetworkAcl,
    PortRange,
    Reach,
    RuleAction,
    Traffic,
    internet_decision,
    nacl_internet_open_ports,
    parse_region,
    return_path,
)

ADMIN_PORTS = (22, 3389)


def acl(*entries: dict[str, object]) -> NetworkAcl:
    return parse_acl(network_acl("acl-1", [*entries, *default_deny_entries()], ("subnet-1",)))


def parse_acl(record: dict[str, object]) -> NetworkAcl:
    return parse_region({"NetworkAcls": [record]}).network_acls["acl-1"]


def inbound(nacl: NetworkAcl, port: int = 22, version: int = 4) -> Reach:
    return internet_decision(nacl, Traffic(TCP, port), version, egress=False).reach


def test_allow_all_admits_any_port() -> None:
    nacl = parse_acl(network_acl("acl-1", open_entries(), ()))
    assert {(a.port, a.version) for a in nacl_internet_open_ports(nacl, ADMIN_PORTS)} == {
        (22, 4),
        (22, 6),
        (3389, 4),
        (3389, 6),
    }


def test_only_the_default_deny_admits_nothing() -> None:
    nacl = acl()
    decision = internet_decision(nacl, Traffic(TCP, 22), 4, egress=False)
    assert decision.reach is Reach.CLOSED
    assert [e.rule_number for e in decision.entries] == [32767]


def test_deny_before_allow_wins() -> None:
    nacl = acl(nacl_entry(90, "deny", protocol="6", ports=(22, 22)), nacl_entry(100))
    assert inbound(nacl, 22) is Reach.CLOSED
    assert inbound(nacl, 3389) is Reach.OPEN
    assert [a.port for a in nacl_internet_open_ports(nacl, ADMIN_PORTS)] == [3389]


def test_rule_number_not_list_order_decides() -> None:
    nacl = acl(nacl_entry(100), nacl_entry(90, "deny", protocol="6", ports=(22, 22)))
    assert inbound(nacl, 22) is Reach.CLOSED


def test_allow_before_deny_wins() -> None:
    nacl = acl(nacl_entry(80, protocol="6", ports=(22, 22)), nacl_entry(90, "deny"))
    assert inbound(nacl, 22) is Reach.OPEN


def test_trusted_range_only_is_not_the_internet() -> None:
    nacl = acl(nacl_entry(100, protocol="6", ports=(22, 22), cidr="198.51.100.0/24"))
    assert inbound(nacl, 22) is Reach.CLOSED


def test_deny_listed_range_is_an_exception_not_a_closure() -> None:
    nacl = acl(nacl_entry(50, "deny", cidr="192.0.2.0/24"), nacl_entry(100))
    decision = internet_decision(nacl, Traffic(TCP, 22), 4, egress=False)
    assert decision.reach is Reach.OPEN
    assert [e.rule_number for e in decision.exceptions] == [50]


def test_split_allows_cover_the_internet() -> None:
    nacl = acl(nacl_entry(100, cidr="0.0.0.0/1"), nacl_entry(110, cidr="128.0.0.0/1"))
    assert inbound(nacl, 22) is Reach.OPEN


def test_families_are_evaluated_separately() -> None:
    nacl = acl(nacl_entry(100, cidr="::/0"))
    assert inbound(nacl, 22, version=4) is Reach.CLOSED
    assert inbound(nacl, 22, version=6) is Reach.OPEN


def test_port_range_and_protocol_of_entries() -> None:
    nacl = acl(
        nacl_entry(100, protocol="6", ports=(1024, 65535)), nacl_entry(110, protocol="17", ports=(22, 22))
    )
    assert inbound(nacl, 22) is Reach.CLOSED
    assert inbound(nacl, 1024) is Reach.OPEN
    assert internet_decision(nacl, Traffic(UDP, 22), 4, egress=False).reach is Reach.OPEN


def test_replies_need_an_outbound_port_open_to_the_internet() -> None:
    nacl = acl(nacl_entry(100))
    result = return_path(nacl, 4)
    assert result.decision.reach is Reach.CLOSED
    assert result.ports is None


def test_conventional_ephemeral_range_is_a_return_path() -> None:
    nacl = acl(nacl_entry(100), nacl_entry(100, egress=True, protocol="6", ports=(1024, 65535)))
    result = return_path(nacl, 4)
    assert result.decision.reach is Reach.OPEN
    assert result.ports == PortRange(1024, 65535)


def test_one_open_client_port_is_enough_for_a_return_path() -> None:
    nacl = acl(
        nacl_entry(90, "deny", egress=True, protocol="6", ports=(0, 60000)),
        nacl_entry(100, egress=True, protocol="6", ports=(443, 61000)),
    )
    assert return_path(nacl, 4).ports == PortRange(60001, 61000)


def test_return_to_a_partial_range_is_no_return_path() -> None:
    nacl = acl(nacl_entry(100, egress=True, cidr="198.51.100.0/24"))
    assert return_path(nacl, 4).decision.reach is Reach.CLOSED


def test_icmp_entries_match_type_and_code() -> None:
    entry = nacl_entry(100, protocol="1")
    entry["IcmpTypeCode"] = {"Type": 8, "Code": -1}
    nacl = acl(entry)
    echo = Traffic(ICMP, icmp_type=8, icmp_code=0)
    unreachable = Traffic(ICMP, icmp_type=3, icmp_code=4)
    assert internet_decision(nacl, echo, 4, egress=False).reach is Reach.OPEN
    assert internet_decision(nacl, unreachable, 4, egress=False).reach is Reach.CLOSED


@st.composite
def coarse_entries(draw: st.DrawFn) -> list[dict[str, object]]:
    """Up to six entries over large IPv4 blocks (/0 to /3), so random NACLs often decide the whole space."""
    entries = []
    for number in draw(st.lists(st.integers(min_value=1, max_value=200), max_size=6, unique=True)):
        prefix = draw(st.integers(min_value=0, max_value=3))
        block = draw(st.integers(min_value=0, max_value=2**prefix - 1))
        cidr = str(IPv4Network((block << (32 - prefix), prefix)))
        entries.append(nacl_entry(number, draw(st.sampled_from(["allow", "deny"])), cidr=cidr))
    return entries


def first_match_allows(nacl: NetworkAcl, address: int) -> bool:
    """The per-packet oracle: the first entry (by rule number) containing the address decides."""
    for entry in nacl.entries_for(egress=False, version=4):
        network = entry.network
        if int(network.network_address) <= address <= int(network.broadcast_address):
            return entry.action is RuleAction.ALLOW
    return False


@given(coarse_entries())
def test_internet_decision_agrees_with_first_match_per_address(entries: list[dict[str, object]]) -> None:
    nacl = acl(*entries)
    # Every entry is a /0-/3 block, so each /3 block is decided uniformly: its first address stands for it.
    verdicts = {first_match_allows(nacl, block << 29) for block in range(8)}
    reach = inbound(nacl)
    if verdicts == {True}:
        assert reach is Reach.OPEN
    if verdicts == {False}:
        assert reach is Reach.CLOSED

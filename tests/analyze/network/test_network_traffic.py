"""Protocols, port ranges and rule traffic matching (unit and property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsaudit.analyze.network import (
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    TCP,
    UDP,
    NetworkDataError,
    PortRange,
    Traffic,
    TrafficMatch,
)
from awsaudit.analyze.network.traffic import parse_protocol, port_range

ports = st.integers(min_value=0, max_value=65535)


@st.composite
def port_ranges(draw: st.DrawFn) -> PortRange:
    first, last = sorted((draw(ports), draw(ports)))
    return PortRange(first, last)


@given(port_ranges(), port_ranges())
def test_port_range_covers_means_superset(outer: PortRange, inner: PortRange) -> None:
    expected = outer.first <= inner.first and inner.last <= outer.last
    assert outer.covers(inner) == expected
    if expected:
        assert all(outer.contains(p) for p in (inner.first, inner.last, (inner.first + inner.last) // 2))


@given(port_ranges(), ports)
def test_tcp_match_admits_exactly_the_inclusive_range(ports_: PortRange, port: int) -> None:
    assert TrafficMatch(TCP, ports_).admits(Traffic(TCP, port)) == (ports_.first <= port <= ports_.last)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-1", ALL_PROTOCOLS),
        ("tcp", TCP),
        ("6", TCP),
        ("UDP", UDP),
        ("icmpv6", ICMPV6),
        ("58", ICMPV6),
        ("50", 50),
    ],
)
def test_protocols_by_name_or_number(value: str, expected: int) -> None:
    assert parse_protocol(value, "test") == expected


@pytest.mark.parametrize("value", ["tcpp", "256", "-2", None, ""])
def test_bad_protocols_are_rejected(value: object) -> None:
    with pytest.raises(NetworkDataError, match="invalid protocol"):
        parse_protocol(value, "sg-1")


def test_all_protocols_admit_everything() -> None:
    match = TrafficMatch(ALL_PROTOCOLS)
    assert match.admits(Traffic(TCP, 22))
    assert match.admits(Traffic(UDP, 53))
    assert match.admits(Traffic(ICMP, icmp_type=8, icmp_code=0))


def test_protocol_must_agree() -> None:
    assert not TrafficMatch(UDP, PortRange(22, 22)).admits(Traffic(TCP, 22))
    assert not TrafficMatch(ICMP).admits(Traffic(ICMPV6, icmp_type=128, icmp_code=0))


def test_icmp_type_and_code_with_any() -> None:
    echo = Traffic(ICMP, icmp_type=8, icmp_code=0)
    assert TrafficMatch(ICMP).admits(echo)
    assert TrafficMatch(ICMP, icmp_type=8).admits(echo)
    assert not TrafficMatch(ICMP, icmp_type=0).admits(echo)
    assert not TrafficMatch(ICMP, icmp_type=8, icmp_code=1).admits(echo)


def test_other_protocols_match_whole() -> None:
    assert TrafficMatch(50).admits(Traffic(50))
    assert not TrafficMatch(50).admits(Traffic(51))


def test_port_range_reads_minus_one_and_absence_as_all_ports() -> None:
    assert port_range(-1, -1, "x") == PortRange(0, 65535)
    assert port_range(None, None, "x") == PortRange(0, 65535)
    assert port_range(1024, 65535, "x") == PortRange(1024, 65535)


@pytest.mark.parametrize(("first", "last"), [(100, 22), (0, 70000), ("22", 22), (True, 22)])
def test_bad_port_ranges_are_rejected(first: object, last: object) -> None:
    with pytest.raises(NetworkDataError, match="sg-1: invalid port range"):
        port_range(first, last, "sg-1")


def test_ported_traffic_needs_a_port() -> None:
    with pytest.raises(NetworkDataError, match="needs a port"):
        Traffic(TCP)
    with pytest.raises(NetworkDataError, match="one protocol"):
        Traffic(ALL_PROTOCOLS)

"""CIDR sets: containment, union coverage of the internet, remainders (unit and property tests)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsaudit.analyze.network import AddressSet, NetworkDataError, covers_internet, parse_network

# Property tests work inside 10.0.0.0/24 so that brute force over its 256 addresses is the oracle.
BASE = int(IPv4Network("10.0.0.0/24").network_address)


@st.composite
def small_networks(draw: st.DrawFn) -> IPv4Network:
    prefix = draw(st.integers(min_value=24, max_value=32))
    offset = draw(st.integers(min_value=0, max_value=255)) >> (32 - prefix) << (32 - prefix)
    return IPv4Network((BASE + offset, prefix))


def addresses(networks: list[IPv4Network]) -> set[int]:
    return {int(a) for n in networks for a in (n.network_address + i for i in range(n.num_addresses))}


@given(st.lists(small_networks(), max_size=8), small_networks())
def test_contains_agrees_with_brute_force(networks: list[IPv4Network], target: IPv4Network) -> None:
    assert AddressSet.of(networks, 4).contains(target) == (addresses([target]) <= addresses(networks))


@given(st.lists(small_networks(), max_size=8), small_networks())
def test_outside_is_exactly_the_uncovered_part(networks: list[IPv4Network], target: IPv4Network) -> None:
    remainder = AddressSet.of(networks, 4).outside(target)
    assert addresses(list(remainder)) == addresses([target]) - addresses(networks)


@given(st.lists(small_networks(), max_size=8))
def test_networks_round_trip_the_same_addresses(networks: list[IPv4Network]) -> None:
    merged = AddressSet.of(networks, 4)
    assert addresses(list(merged.networks())) == addresses(networks)
    assert AddressSet.of(merged.networks(), 4) == merged


@st.composite
def partitions_of_the_internet(draw: st.DrawFn) -> list[IPv4Network]:
    """0.0.0.0/0 split at random into disjoint CIDRs."""
    pieces = [IPv4Network("0.0.0.0/0")]
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        index = draw(st.integers(min_value=0, max_value=len(pieces) - 1))
        if pieces[index].prefixlen < 32:
            pieces[index : index + 1] = list(pieces[index].subnets())
    return pieces


@given(partitions_of_the_internet(), st.data())
def test_a_partition_covers_the_internet_and_loses_it_without_any_piece(
    pieces: list[IPv4Network], data: st.DataObject
) -> None:
    assert covers_internet(pieces)
    if len(pieces) > 1:
        dropped = data.draw(st.integers(min_value=0, max_value=len(pieces) - 1))
        assert not covers_internet(pieces[:dropped] + pieces[dropped + 1 :])


def test_split_halves_are_the_internet() -> None:
    assert covers_internet([IPv4Network("0.0.0.0/1"), IPv4Network("128.0.0.0/1")])
    assert covers_internet([IPv6Network("::/1"), IPv6Network("8000::/1")])


def test_overlapping_networks_cover_their_union() -> None:
    assert covers_internet([IPv4Network("0.0.0.0/1"), IPv4Network("64.0.0.0/2"), IPv4Network("128.0.0.0/1")])
    assert not covers_internet([IPv4Network("0.0.0.0/1"), IPv4Network("128.0.0.0/2")])


def test_an_ipv6_set_does_not_cover_ipv4() -> None:
    assert not AddressSet.of([IPv6Network("::/0")], 4).covers_internet()
    assert not AddressSet.of([IPv6Network("::/0")], 6).contains(IPv4Network("10.0.0.0/8"))


def test_outside_names_the_uncovered_ranges() -> None:
    trusted = AddressSet.of([IPv4Network("10.0.0.0/9")], 4)
    assert trusted.outside(IPv4Network("10.0.0.0/8")) == (IPv4Network("10.128.0.0/9"),)


def test_parse_network_tolerates_host_bits_and_rejects_garbage() -> None:
    assert parse_network("10.0.0.5/24", "test") == ip_network("10.0.0.0/24")
    with pytest.raises(NetworkDataError, match=r"invalid CIDR '10\.0\.0\.0/33'"):
        parse_network("10.0.0.0/33", "test")
    with pytest.raises(NetworkDataError, match="must be a string"):
        parse_network(None, "test")

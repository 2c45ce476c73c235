"""Sets of IP addresses as merged integer intervals: union, containment, remainder, "the internet".

A set covers "the internet" when it holds every address of its family (0.0.0.0/0 or ::/0), however the
CIDRs that make it up are split (0.0.0.0/1 + 128.0.0.0/1 is the internet).
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from awsaudit.analyze.network.errors import NetworkDataError
from awsaudit.errors import quoted

IPNetwork = IPv4Network | IPv6Network

INTERNET_V4 = IPv4Network("0.0.0.0/0")
INTERNET_V6 = IPv6Network("::/0")


def internet(version: int) -> IPNetwork:
    """The whole address space of an IP version (4 or 6)."""
    return INTERNET_V4 if version == 4 else INTERNET_V6


def parse_network(value: object, where: str) -> IPNetwork:
    """Parse a CIDR as AWS writes it; host bits are tolerated because AWS masks them itself."""
    if not isinstance(value, str):
        raise NetworkDataError(f"{where}: CIDR must be a string, got {quoted(value)}")
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise NetworkDataError(f"{where}: invalid CIDR {quoted(value)}") from None


def _bounds(network: IPNetwork) -> tuple[int, int]:
    return int(network.network_address), int(network.broadcast_address)


@dataclass(frozen=True, slots=True)
class AddressSet:
    """Addresses of one IP version, kept as sorted, disjoint, non-adjacent inclusive integer intervals."""

    version: int
    intervals: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, networks: Iterable[IPNetwork], version: int) -> AddressSet:
        """The union of the networks of `version`; networks of the other version are ignored."""
        spans = sorted(_bounds(n) for n in networks if n.version == version)
        merged: list[tuple[int, int]] = []
        for first, last in spans:
            if merged and first <= merged[-1][1] + 1:
                if last > merged[-1][1]:
                    merged[-1] = (merged[-1][0], last)
            else:
                merged.append((first, last))
        return cls(version, tuple(merged))

    def contains(self, network: IPNetwork) -> bool:
        """Whether every address of `network` is in the set."""
        if network.version != self.version or not self.intervals:
            return False
        first, last = _bounds(network)
        index = bisect.bisect_right(self.intervals, (first, 2**128)) - 1
        return index >= 0 and self.intervals[index][0] <= first and last <= self.intervals[index][1]

    def covers_internet(self) -> bool:
        """Whether the set holds the whole address space of its version."""
        return self.contains(internet(self.version))

    def union(self, networks: Iterable[IPNetwork]) -> AddressSet:
        return AddressSet.of([*self.networks(), *networks], self.version)

    def outside(self, network: IPNetwork) -> tuple[IPNetwork, ...]:
        """The parts of `network` that are not in the set, as CIDRs."""
        if network.version != self.version:
            return (network,)
        first, last = _bounds(network)
        gaps: list[tuple[int, int]] = []
        cursor = first
        for start, end in self.intervals:
            if end < cursor:
                continue
            if start > last:
                break
            if start > cursor:
                gaps.append((cursor, start - 1))
            cursor = end + 1
            if cursor > last:
                break
        if cursor <= last:
            gaps.append((cursor, last))
        return tuple(net for start, end in gaps for net in _summarize(self.version, start, end))

    def networks(self) -> tuple[IPNetwork, ...]:
        """The set as the fewest CIDRs."""
        return tuple(net for start, end in self.intervals for net in _summarize(self.version, start, end))


def _summarize(version: int, first: int, last: int) -> Iterator[IPNetwork]:
    if version == 4:
        yield from ipaddress.summarize_address_range(IPv4Address(first), IPv4Address(last))
    else:
        yield from ipaddress.summarize_address_range(IPv6Address(first), IPv6Address(last))


def covers_internet(networks: Iterable[IPNetwork]) -> bool:
    """Whether the networks together hold all of 0.0.0.0/0 or all of ::/0."""
    listed = list(networks)
    return AddressSet.of(listed, 4).covers_internet() or AddressSet.of(listed, 6).covers_internet()

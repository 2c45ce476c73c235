"""Protocols, port ranges and the traffic a security-group rule or network-ACL entry matches.

Protocols are IANA numbers; -1 means every protocol. Ports only restrict TCP and UDP; ICMP and ICMPv6
are restricted by type and code instead, and any other protocol is matched as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsaudit.analyze.network.errors import NetworkDataError
from awsaudit.errors import quoted

ALL_PROTOCOLS = -1
ICMP = 1
TCP = 6
UDP = 17
ICMPV6 = 58

PORTED_PROTOCOLS = frozenset({TCP, UDP})
ICMP_PROTOCOLS = frozenset({ICMP, ICMPV6})

_PROTOCOL_NAMES = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6, "all": ALL_PROTOCOLS}
_DISPLAY_NAMES = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6", ALL_PROTOCOLS: "all"}


def parse_protocol(value: object, where: str) -> int:
    """Read "-1", "tcp", "6", ... (security groups use names, network ACLs numbers) as a protocol number."""
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in _PROTOCOL_NAMES:
        return _PROTOCOL_NAMES[text]
    if text is not None and text.lstrip("-").isdigit():
        number = int(text)
        if number == ALL_PROTOCOLS or 0 <= number <= 255:
            return number
    raise NetworkDataError(f"{where}: invalid protocol {quoted(value)}")


def protocol_name(protocol: int) -> str:
    return _DISPLAY_NAMES.get(protocol, str(protocol))


@dataclass(frozen=True, slots=True, order=True)
class PortRange:
    """Ports `first` to `last`, both included."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if not 0 <= self.first <= self.last <= 65535:
            raise NetworkDataError(f"invalid port range {self.first}-{self.last}")

    def contains(self, port: int) -> bool:
        return self.first <= port <= self.last

    def covers(self, other: PortRange) -> bool:
        return self.first <= other.first and other.last <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


ALL_PORTS = PortRange(0, 65535)


def port_range(first: object, last: object, where: str) -> PortRange:
    """A TCP/UDP range from AWS's FromPort/ToPort; absent or -1 on both ends means every port."""
    if first in (None, -1) and last in (None, -1):
        return ALL_PORTS
    if not isinstance(first, int) or not isinstance(last, int) or isinstance(first, bool):
        raise NetworkDataError(f"{where}: invalid port range {quoted(first)}-{quoted(last)}")
    try:
        return PortRange(first, last)
    except NetworkDataError:
        raise NetworkDataError(f"{where}: invalid port range {quoted(first)}-{quoted(last)}") from None


@dataclass(frozen=True, slots=True)
class Traffic:
    """One kind of packet: a protocol and, for TCP/UDP, a destination port; for ICMP a type and code."""

    protocol: int
    port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None

    def __post_init__(self) -> None:
        if self.protocol in PORTED_PROTOCOLS and (self.port is None or not 0 <= self.port <= 65535):
            raise NetworkDataError(
                f"{protocol_name(self.protocol)} traffic needs a port, got {quoted(self.port)}"
            )
        if self.protocol == ALL_PROTOCOLS:
            raise NetworkDataError("traffic has one protocol; -1 only appears in rules")

    def __str__(self) -> str:
        if self.protocol in PORTED_PROTOCOLS:
            return f"{protocol_name(self.protocol)}/{self.port}"
        if self.protocol in ICMP_PROTOCOLS and self.icmp_type is not None:
            return f"{protocol_name(self.protocol)} type {self.icmp_type} code {self.icmp_code}"
        return protocol_name(self.protocol)


@dataclass(frozen=True, slots=True)
class TrafficMatch:
    """The protocol part of a rule. `icmp_type`/`icmp_code` None means any type/code."""

    protocol: int
    ports: PortRange = ALL_PORTS
    icmp_type: int | None = None
    icmp_code: int | None = None

    def admits(self, traffic: Traffic) -> bool:
        if self.protocol == ALL_PROTOCOLS:
            return True
        if self.protocol != traffic.protocol:
            return False
        if self.protocol in PORTED_PROTOCOLS:
            return traffic.port is not None and self.ports.contains(traffic.port)
        if self.protocol in ICMP_PROTOCOLS:
            return (self.icmp_type is None or self.icmp_type == traffic.icmp_type) and (
                self.icmp_code is None or self.icmp_code == traffic.icmp_code
            )
        return True

    def ports_for(self, protocol: int) -> PortRange | None:
        """The ports of `protocol` (TCP/UDP) this match admits, or None when it admits none of them."""
        if self.protocol == ALL_PROTOCOLS:
            return ALL_PORTS
        return self.ports if self.protocol == protocol else None

    def __str__(self) -> str:
        if self.protocol in PORTED_PROTOCOLS:
            return f"{protocol_name(self.protocol)}/{self.ports}"
        if self.protocol in ICMP_PROTOCOLS:
            kind = "any" if self.icmp_type is None else str(self.icmp_type)
            code = "any" if self.icmp_code is None else str(self.icmp_code)
            return f"{protocol_name(self.protocol)} type {kind} code {code}"
        return protocol_name(self.protocol)


def icmp_selector(value: object, where: str) -> int | None:
    """An ICMP type or code as AWS writes it: -1 (or absent) means any."""
    if value in (None, -1):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 255:
        return value
    raise NetworkDataError(f"{where}: invalid ICMP type/code {quoted(value)}")

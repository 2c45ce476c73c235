"""What a security-group permission or a network-ACL entry admits: protocol, port and source semantics.

Kept small and self-contained so the checks can later switch to the richer exposure analysis.
Shapes are those of ``DescribeSecurityGroups`` (``IpPermissions``) and ``DescribeNetworkAcls``
(``Entries``) as boto3 returns them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

INTERNET_V4 = ipaddress.IPv4Network("0.0.0.0/0")
INTERNET_V6 = ipaddress.IPv6Network("::/0")
PRIVATE_RANGES: tuple[Network, ...] = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
    ipaddress.IPv6Network("fc00::/7"),
)

ALL_PROTOCOLS = "all"
TCP = "tcp"
UDP = "udp"
# Names and numbers AWS accepts for the same protocol; both spellings occur in API answers.
_PROTOCOL_NAMES = {
    "-1": ALL_PROTOCOLS,
    "tcp": TCP,
    "6": TCP,
    "udp": UDP,
    "17": UDP,
    "icmp": "icmp",
    "1": "icmp",
    "icmpv6": "icmpv6",
    "58": "icmpv6",
}
_PORTED = {TCP, UDP}


class RuleError(ValueError):
    """A permission or ACL entry is malformed (unknown protocol, bad port range, bad CIDR)."""


@dataclass(frozen=True)
class PortRange:
    first: int
    last: int

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.first <= port <= self.last


@dataclass(frozen=True)
class Permission:
    """One inbound (or outbound) permission of a security group."""

    protocol: str
    ports: PortRange | None  # None: every port of the protocol
    cidrs: tuple[Network, ...]
    group_sources: tuple[str, ...]
    prefix_lists: tuple[str, ...]
    raw: Mapping[str, Any]

    def admits_port(self, port: int) -> bool:
        """True when TCP or UDP traffic to ``port`` matches this permission."""
        return admits_port(self.protocol, self.ports, port)


@dataclass(frozen=True)
class AclEntry:
    """One network-ACL entry."""

    rule_number: int
    allow: bool
    egress: bool
    protocol: str
    ports: PortRange | None
    cidr: Network
    raw: Mapping[str, Any]


def admits_port(protocol: str, ports: PortRange | None, port: int) -> bool:
    # Protocols other than TCP/UDP carry no ports an administration service listens on.
    if protocol == ALL_PROTOCOLS:
        return True
    return protocol in _PORTED and (ports is None or port in ports)


def normalise_protocol(value: object) -> str:
    """AWS protocol spelling (``-1``, ``tcp``, ``6`` ...) to ``all``/``tcp``/``udp``/``icmp``/number."""
    text = str(value).strip().lower()
    if text in _PROTOCOL_NAMES:
        return _PROTOCOL_NAMES[text]
    if text.isdigit() and 0 <= int(text) <= 255:
        return text
    raise RuleError(f"unknown IP protocol {value!r}")


def parse_network(text: object) -> Network:
    try:
        return ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        raise RuleError(f"{text!r} is not a CIDR block") from None


def parse_permission(raw: Mapping[str, Any]) -> Permission:
    """An ``IpPermissions`` item; RuleError when it cannot be read."""
    if not isinstance(raw, Mapping):
        raise RuleError(f"security group permission must be an object, got {type(raw).__name__}")
    protocol = normalise_protocol(raw.get("IpProtocol"))
    ports = _port_range(raw.get("FromPort"), raw.get("ToPort"), protocol) if protocol in _PORTED else None
    cidrs = [parse_network(r.get("CidrIp")) for r in raw.get("IpRanges") or []]
    cidrs += [parse_network(r.get("CidrIpv6")) for r in raw.get("Ipv6Ranges") or []]
    return Permission(
        protocol=protocol,
        ports=ports,
        cidrs=tuple(cidrs),
        group_sources=tuple(str(p.get("GroupId", "")) for p in raw.get("UserIdGroupPairs") or []),
        prefix_lists=tuple(str(p.get("PrefixListId", "")) for p in raw.get("PrefixListIds") or []),
        raw=raw,
    )


def parse_acl_entry(raw: Mapping[str, Any]) -> AclEntry:
    """A network-ACL ``Entries`` item; RuleError when it cannot be read."""
    if not isinstance(raw, Mapping):
        raise RuleError(f"network ACL entry must be an object, got {type(raw).__name__}")
    protocol = normalise_protocol(raw.get("Protocol"))
    port_range = raw.get("PortRange")
    ports = None
    if protocol in _PORTED and port_range is not None:
        ports = _port_range(port_range.get("From"), port_range.get("To"), protocol)
    action = str(raw.get("RuleAction", "")).lower()
    if action not in {"allow", "deny"}:
        raise RuleError(f"network ACL entry has RuleAction {raw.get('RuleAction')!r}, expected allow or deny")
    cidr = raw.get("CidrBlock") if raw.get("CidrBlock") is not None else raw.get("Ipv6CidrBlock")
    if cidr is None:
        raise RuleError(
            f"network ACL entry {raw.get('RuleNumber')!r} has neither CidrBlock nor Ipv6CidrBlock"
        )
    try:
        rule_number = int(raw["RuleNumber"])
    except (KeyError, TypeError, ValueError):
        raise RuleError(f"network ACL entry has no usable RuleNumber ({raw.get('RuleNumber')!r})") from None
    return AclEntry(
        rule_number, action == "allow", raw.get("Egress") is True, protocol, ports, parse_network(cidr), raw
    )


def _port_range(first: object, last: object, protocol: str) -> PortRange:
    if first is None or last is None:
        raise RuleError(f"{protocol} rule without a port range")
    try:
        low, high = int(str(first)), int(str(last))
    except ValueError:
        raise RuleError(f"{protocol} port range {first!r}-{last!r} is not numeric") from None
    if low == -1 and high == -1:
        return PortRange(0, 65535)
    if not (0 <= low <= high <= 65535):
        raise RuleError(f"{protocol} port range {low}-{high} is invalid")
    return PortRange(low, high)


# ---------------------------------------------------------------- address sets


@dataclass(frozen=True, order=True)
class AddressSpan:
    """An inclusive range of addresses of one IP version, as integers (any range, not only a CIDR)."""

    version: int
    first: int
    last: int

    @classmethod
    def of(cls, network: Network) -> AddressSpan:
        return cls(network.version, int(network.network_address), int(network.broadcast_address))

    def intersection(self, other: AddressSpan) -> AddressSpan | None:
        first, last = max(self.first, other.first), min(self.last, other.last)
        return (
            AddressSpan(self.version, first, last)
            if self.version == other.version and first <= last
            else None
        )

    def minus(self, other: AddressSpan) -> list[AddressSpan]:
        if self.intersection(other) is None:
            return [self]
        pieces = []
        if self.first < other.first:
            pieces.append(AddressSpan(self.version, self.first, other.first - 1))
        if other.last < self.last:
            pieces.append(AddressSpan(self.version, other.last + 1, self.last))
        return pieces

    def cidrs(self) -> list[str]:
        if self.version == 4:
            v4 = ipaddress.summarize_address_range(
                ipaddress.IPv4Address(self.first), ipaddress.IPv4Address(self.last)
            )
            return [str(n) for n in v4]
        v6 = ipaddress.summarize_address_range(
            ipaddress.IPv6Address(self.first), ipaddress.IPv6Address(self.last)
        )
        return [str(n) for n in v6]


def covers(networks: Iterable[Network], target: Network) -> bool:
    """Whether the networks together contain every address of ``target``."""
    wanted = AddressSpan.of(target)
    spans = sorted(AddressSpan.of(n) for n in networks if n.version == target.version)
    next_uncovered = wanted.first
    for span in spans:
        if span.first > next_uncovered:
            break
        next_uncovered = max(next_uncovered, span.last + 1)
    return next_uncovered > wanted.last


def internet_of(version: int) -> Network:
    return INTERNET_V4 if version == 4 else INTERNET_V6


# ------------------------------------------------------------ security groups


@dataclass(frozen=True)
class PortExposure:
    """Permissions whose sources together admit the whole internet (of one IP version) to a port."""

    port: int
    internet: Network
    permissions: tuple[Permission, ...]

    def as_evidence(self) -> dict[str, Any]:
        return {
            "port": self.port,
            "source": str(self.internet),
            "rules": [dict(p.raw) for p in self.permissions],
        }


def internet_exposures(
    permissions: Sequence[Permission], ports: Iterable[int], versions: Iterable[int]
) -> list[PortExposure]:
    """For each port and IP version, the permissions that open it to every address on the internet."""
    exposures = []
    for port in sorted(set(ports)):
        admitting = [p for p in permissions if p.admits_port(port)]
        for version in versions:
            internet = internet_of(version)
            contributing = [p for p in admitting if any(c.version == version for c in p.cidrs)]
            if covers((c for p in contributing for c in p.cidrs), internet):
                exposures.append(PortExposure(port, internet, tuple(contributing)))
    return exposures


@dataclass(frozen=True)
class UntrustedSource:
    port: int
    source: Network
    permission: Permission

    def as_evidence(self) -> dict[str, Any]:
        return {"port": self.port, "source": str(self.source), "rule": dict(self.permission.raw)}


def untrusted_sources(
    permissions: Sequence[Permission], ports: Iterable[int], trusted: Sequence[Network]
) -> list[UntrustedSource]:
    """CIDR sources admitted to a port that ``trusted`` does not fully contain.

    Security-group references are not CIDR sources and so are never reported.
    """
    found: list[UntrustedSource] = []
    for port in sorted(set(ports)):
        for permission in permissions:
            if not permission.admits_port(port):
                continue
            found.extend(
                UntrustedSource(port, cidr, permission)
                for cidr in permission.cidrs
                if not covers(trusted, cidr)
            )
    return found


# --------------------------------------------------------------- network ACLs


@dataclass(frozen=True)
class AclAdmission:
    """Inbound traffic from the internet to a port that a network ACL lets through."""

    port: int
    internet: Network
    admitted: tuple[AddressSpan, ...]
    allowing: tuple[AclEntry, ...]

    def as_evidence(self) -> dict[str, Any]:
        return {
            "port": self.port,
            "source": str(self.internet),
            "admitted_sources": [cidr for span in self.admitted for cidr in span.cidrs()],
            "allow_entries": [dict(e.raw) for e in self.allowing],
        }


def acl_internet_admissions(entries: Sequence[AclEntry], ports: Iterable[int]) -> list[AclAdmission]:
    """Ports whose inbound allow entries together name the whole internet and are not shadowed by denies.

    Entries are evaluated in RuleNumber order and the first matching entry decides a packet, so
    an allow entry only admits the addresses no lower-numbered entry for the port matched.
    """
    inbound = sorted((e for e in entries if not e.egress), key=lambda e: e.rule_number)
    admissions = []
    for port in sorted(set(ports)):
        matching = [e for e in inbound if admits_port(e.protocol, e.ports, port)]
        for version in (4, 6):
            internet = internet_of(version)
            family = [e for e in matching if e.cidr.version == version]
            allowing = [e for e in family if e.allow]
            if not covers((e.cidr for e in allowing), internet):
                continue
            unmatched = [AddressSpan.of(internet)]
            admitted: list[AddressSpan] = []
            for entry in family:
                matched = AddressSpan.of(entry.cidr)
                if entry.allow:
                    admitted.extend(i for i in (n.intersection(matched) for n in unmatched) if i is not None)
                unmatched = [piece for n in unmatched for piece in n.minus(matched)]
            if admitted:
                admissions.append(AclAdmission(port, internet, tuple(admitted), tuple(allowing)))
    return admissions

"""Security-group rule semantics: which rules admit the internet, or sources beyond trusted ranges.

Security groups only allow, and a packet is admitted when any rule of any group on the interface admits
it, so admission is the union of the matching rules' sources. A rule naming another security group
admits that group's members, never the internet. A prefix list counts with its collected entries; an
uncollected one is unknown and never taken as open.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from awsaudit.analyze.network.addresses import AddressSet, IPNetwork
from awsaudit.analyze.network.model import (
    CidrSource,
    NetworkInterface,
    PrefixList,
    PrefixListSource,
    RegionNetwork,
    SecurityGroup,
    SecurityGroupRule,
)
from awsaudit.analyze.network.prefix_lists import prefix_list_networks
from awsaudit.analyze.network.reach import Reach
from awsaudit.analyze.network.traffic import (
    PORTED_PROTOCOLS,
    TCP,
    Traffic,
    TrafficMatch,
)

# The first and last port a rule admits to the protocol asked about (unbounded for portless protocols).
_PortSpan = tuple[float, float]


def rule_networks(
    rule: SecurityGroupRule, prefix_lists: Mapping[str, PrefixList]
) -> tuple[IPNetwork, ...] | None:
    """The addresses a rule names: its CIDR, its prefix list's entries, nothing for a group reference;
    None when it names a prefix list whose entries are unknown."""
    source = rule.source
    if isinstance(source, CidrSource):
        return (source.network,)
    if isinstance(source, PrefixListSource):
        return prefix_list_networks(source.prefix_list_id, prefix_lists)
    return ()


@dataclass(frozen=True, slots=True)
class GroupAdmission:
    """Whether rules admit the whole internet (one IP version) to some traffic.

    `rules` are the evidence: for OPEN, every rule covering the internet on its own, else the rules
    whose sources together cover it; for
    UNKNOWN, the rules with an uncollected prefix list that might."""

    reach: Reach
    version: int
    rules: tuple[SecurityGroupRule, ...]


def internet_admission(
    rules: Iterable[SecurityGroupRule], traffic: Traffic, version: int, prefix_lists: Mapping[str, PrefixList]
) -> GroupAdmission:
    """Whether the matching rules admit every address of IP `version` (their union covers the internet)."""
    contributing: list[tuple[SecurityGroupRule, tuple[IPNetwork, ...]]] = []
    unknown: list[SecurityGroupRule] = []
    for rule in rules:
        if not rule.match.admits(traffic):
            continue
        networks = rule_networks(rule, prefix_lists)
        if networks is None:
            unknown.append(rule)
            continue
        of_version = tuple(n for n in networks if n.version == version)
        if of_version:
            contributing.append((rule, of_version))
    alone = tuple(
        rule for rule, networks in contributing if AddressSet.of(networks, version).covers_internet()
    )
    if alone:
        return GroupAdmission(Reach.OPEN, version, alone)
    if AddressSet.of((n for _, ns in contributing for n in ns), version).covers_internet():
        return GroupAdmission(Reach.OPEN, version, tuple(rule for rule, _ in contributing))
    if unknown:
        return GroupAdmission(Reach.UNKNOWN, version, tuple(unknown))
    return GroupAdmission(Reach.CLOSED, version, ())


@dataclass(frozen=True, slots=True)
class PortAdmission:
    """A port a security group opens to the whole internet over one IP version, with the rules doing it."""

    port: int
    version: int
    rules: tuple[SecurityGroupRule, ...]


def internet_open_ports(
    group: SecurityGroup, ports: Iterable[int], prefix_lists: Mapping[str, PrefixList], protocol: int = TCP
) -> tuple[PortAdmission, ...]:
    """The given ports that the group's inbound rules open to 0.0.0.0/0 or ::/0 (or sets covering them).

    Same verdicts as `internet_admission` port by port, but each rule's sources and ports are resolved
    once: this runs for every group, protocol and configured port. The ports and the protocol are
    validated first, as `Traffic` validates them."""
    asked = list(ports)
    span_of = _admitted_span(protocol, asked)
    spans = [(rule, span) for rule in group.ingress if (span := span_of(rule.match)) is not None]
    if not spans:
        return ()  # no rule admits the protocol (UDP, mostly)
    distinct = sorted(set(asked))  # the ports a rule admits are then one slice, found by bisection
    # Only rules admitting some of the asked ports can open one; unresolved prefix lists (None) never
    # make a port OPEN.
    spanned: list[tuple[SecurityGroupRule, tuple[IPNetwork, ...], list[int]]] = []
    for rule, (first, last) in spans:
        admitted = distinct[bisect.bisect_left(distinct, first) : bisect.bisect_right(distinct, last)]
        if admitted and (networks := rule_networks(rule, prefix_lists)) is not None:
            spanned.append((rule, networks, admitted))
    if not spanned:
        return ()
    found: list[PortAdmission] = []
    for version in (4, 6):
        sourced: list[tuple[SecurityGroupRule, tuple[IPNetwork, ...], bool, list[int]]] = []
        for rule, networks, admitted in spanned:
            of_version: tuple[IPNetwork, ...]
            if len(networks) == 1:  # the common case: a rule names one CIDR
                of_version = networks if networks[0].version == version else ()
            else:
                of_version = tuple(n for n in networks if n.version == version)
            if of_version:
                sourced.append((rule, of_version, _covers_internet(of_version, version), admitted))
        if not sourced or not (
            any(alone for _, _, alone, _ in sourced)
            or _union_covers_internet([n for _, ns, _, _ in sourced for n in ns], version)
        ):
            continue  # even every rule together does not admit the whole internet to any asked port
        # Each port's admitting rules, in rule order: one pass over the rules instead of one per port.
        admitting_by_port: dict[int, list[tuple[SecurityGroupRule, tuple[IPNetwork, ...], bool]]] = {}
        for rule, networks, alone, admitted in sourced:
            for port in admitted:
                admitting_by_port.setdefault(port, []).append((rule, networks, alone))
        for port in asked:
            admitting = admitting_by_port.get(port)
            if not admitting:
                continue
            alone_rules = tuple(rule for rule, _, alone in admitting if alone)
            if alone_rules:
                found.append(PortAdmission(port, version, alone_rules))
            elif _union_covers_internet([n for _, ns, _ in admitting for n in ns], version):
                found.append(PortAdmission(port, version, tuple(rule for rule, _, _ in admitting)))
    found.sort(key=lambda admission: (admission.port, admission.version))
    return tuple(found)


def _union_covers_internet(networks: Sequence[IPNetwork], version: int) -> bool:
    """`AddressSet.of(networks, version).covers_internet()` for networks all of `version`. Their sizes
    added up bound their union: a smaller sum cannot cover the internet, decided without building the set
    (the common case: a rule for the VPC's range, say, opens a port that no other rule does)."""
    bits = 32 if version == 4 else 128
    if sum(1 << (bits - network.prefixlen) for network in networks) < 1 << bits:
        return False
    return AddressSet.of(networks, version).covers_internet()


_PORT_NUMBERS = range(65536)


def _admitted_span(protocol: int, ports: Sequence[int]) -> Callable[[TrafficMatch], _PortSpan | None]:
    """The ports of `protocol` a rule admits, first and last (None: none), so each port is two comparisons.

    The same answers as `TrafficMatch.admits(Traffic(protocol, port))` for each port, which would build a
    `Traffic` per port and group: TCP and UDP compare the rule's port range; other protocols have no
    ports, so a rule admits every port or none. Ports are validated as `Traffic` would."""
    if protocol in PORTED_PROTOCOLS:
        if not all(map(_PORT_NUMBERS.__contains__, ports)):  # else every port is valid (one C call each)
            for port in ports:
                if not isinstance(port, int) or not 0 <= port <= 65535:
                    Traffic(protocol, port)  # refuses it, with the usual message

        def ported(match: TrafficMatch) -> _PortSpan | None:
            admitted = match.ports_for(protocol)
            return None if admitted is None else (admitted.first, admitted.last)

        return ported
    traffic = Traffic(protocol, ports[0]) if ports else None  # -1 is refused here, as Traffic refuses it

    def portless(match: TrafficMatch) -> _PortSpan | None:
        return (-math.inf, math.inf) if traffic is not None and match.admits(traffic) else None

    return portless


def _covers_internet(networks: tuple[IPNetwork, ...], version: int) -> bool:
    """`AddressSet.of(networks, version).covers_internet()` for networks all of `version`, without
    building the set in the common cases: one network covers it only if it is /0, and any /0 does."""
    if len(networks) == 1:
        return networks[0].prefixlen == 0
    return any(n.prefixlen == 0 for n in networks) or AddressSet.of(networks, version).covers_internet()


@dataclass(frozen=True, slots=True)
class UntrustedSources:
    """What a rule admits beyond the trusted ranges: named networks, and prefix lists that are unknown."""

    networks: tuple[IPNetwork, ...]
    unknown_prefix_lists: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.networks or self.unknown_prefix_lists)


@dataclass(frozen=True, slots=True)
class TrustedRanges:
    """The trusted networks as one address set per IP version, built once for every rule judged."""

    v4: AddressSet
    v6: AddressSet

    @classmethod
    def of(cls, networks: Sequence[IPNetwork]) -> TrustedRanges:
        return cls(AddressSet.of(networks, 4), AddressSet.of(networks, 6))

    def contains(self, network: IPNetwork) -> bool:
        return (self.v4 if network.version == 4 else self.v6).contains(network)


def untrusted_sources(
    rule: SecurityGroupRule,
    trusted: Sequence[IPNetwork] | TrustedRanges,
    prefix_lists: Mapping[str, PrefixList],
) -> UntrustedSources:
    """The rule's source networks not wholly inside the trusted ranges (a /32 inside a trusted /24 passes;
    0.0.0.0/1 + 128.0.0.0/1 does not). Group references admit members, not addresses: they pass."""
    networks = rule_networks(rule, prefix_lists)
    if networks is None:  # only a prefix list can be unresolved; its source text is its id
        return UntrustedSources((), (str(rule.source),))
    ranges = trusted if isinstance(trusted, TrustedRanges) else TrustedRanges.of(trusted)
    return UntrustedSources(tuple(n for n in networks if not ranges.contains(n)), ())


def attached_group_ids(interfaces: Iterable[NetworkInterface]) -> frozenset[str]:
    """Security groups in use by at least one network interface."""
    return frozenset(group_id for interface in interfaces for group_id in interface.group_ids)


def unrestricted_default_groups(region: RegionNetwork) -> tuple[SecurityGroup, ...]:
    """Default security groups with any inbound or outbound rule (CIS: the default group admits nothing)."""
    return tuple(g for g in region.security_groups.values() if g.is_default and (g.ingress or g.egress))

"""Network-ACL semantics: entries in rule-number order, first match wins, default deny, stateless returns.

A NACL "admits the internet" to some traffic when the allow entries that still decide something for it
(not wholly shadowed by earlier entries) together name every address of the IP version. Earlier deny
entries for part of the space (a deny-list of hostile ranges) are reported as exceptions; they do not
make the port private. A deny of the whole space ahead of the allow does: "deny 22 at rule 90, allow all
at rule 100" does not admit port 22.

NACLs are stateless, so a TCP connection also needs the outbound entries to let replies go back to the
client's port. A client picks its own source port, so one outbound port open to the whole internet is a
working return path; the strict reading (all of 1024-65535 open) would call reachable hosts unreachable.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from awsaudit.analyze.network.addresses import AddressSet, internet
from awsaudit.analyze.network.model import NaclEntry, NetworkAcl, RuleAction
from awsaudit.analyze.network.reach import Reach
from awsaudit.analyze.network.traffic import TCP, PortRange, Traffic


@dataclass(frozen=True, slots=True)
class NaclDecision:
    """How a NACL treats internet traffic of one IP version.

    OPEN: `entries` are the deciding allow entries, `exceptions` earlier denies carving ranges out.
    CLOSED: `entries` are the deny entries that decide (empty when only the implicit final deny does)."""

    reach: Reach
    version: int
    entries: tuple[NaclEntry, ...]
    exceptions: tuple[NaclEntry, ...] = ()


def internet_decision(acl: NetworkAcl, traffic: Traffic, version: int, *, egress: bool) -> NaclDecision:
    """Evaluate the NACL's inbound (or outbound) entries for `traffic` from (or to) any internet address."""
    decided = AddressSet(version)
    allows: list[NaclEntry] = []
    denies: list[NaclEntry] = []
    for entry in acl.entries_for(egress=egress, version=version):
        if not entry.match.admits(traffic) or decided.contains(entry.network):
            continue
        (allows if entry.action is RuleAction.ALLOW else denies).append(entry)
        decided = decided.union((entry.network,))
        if decided.covers_internet():
            break
    if allows and AddressSet.of((e.network for e in allows), version).covers_internet():
        return NaclDecision(Reach.OPEN, version, tuple(allows), tuple(denies))
    return NaclDecision(Reach.CLOSED, version, tuple(denies))


@dataclass(frozen=True, slots=True)
class ReturnPath:
    """Outbound NACL decision for replies to internet clients; `ports` is the client port range used."""

    decision: NaclDecision
    ports: PortRange | None


def return_path(acl: NetworkAcl, version: int, protocol: int = TCP) -> ReturnPath:
    """Whether replies of `protocol` can leave for every internet address on some client port."""
    bounds = {0, 65536}
    for entry in acl.entries_for(egress=True, version=version):
        ports = entry.match.ports_for(protocol)
        if ports is not None:
            bounds.update((ports.first, ports.last + 1))
    edges = sorted(bounds)
    closed = NaclDecision(Reach.CLOSED, version, ())
    for first, after in itertools.pairwise(edges):
        decision = internet_decision(acl, Traffic(protocol, first), version, egress=True)
        if decision.reach is Reach.OPEN:
            return ReturnPath(decision, PortRange(first, after - 1))
        if not closed.entries:
            closed = decision
    return ReturnPath(closed, None)


@dataclass(frozen=True, slots=True)
class NaclPortAdmission:
    """A port a NACL's inbound entries admit from the whole internet over one IP version."""

    port: int
    version: int
    entries: tuple[NaclEntry, ...]
    exceptions: tuple[NaclEntry, ...]


def internet_open_ports(
    acl: NetworkAcl, ports: Iterable[int], protocol: int = TCP
) -> tuple[NaclPortAdmission, ...]:
    """The given ports the NACL's inbound entries admit from the internet, rule order and denies applied."""
    found: list[NaclPortAdmission] = []
    for port in ports:
        for version in (4, 6):
            decision = internet_decision(acl, Traffic(protocol, port), version, egress=False)
            if decision.reach is Reach.OPEN:
                found.append(NaclPortAdmission(port, version, decision.entries, decision.exceptions))
    return tuple(found)


def describe_closed(decision: NaclDecision) -> str:
    """Why a CLOSED decision is closed, naming the deny entries or the implicit final deny."""
    if decision.entries:
        return "denied by " + ", ".join(str(e) for e in decision.entries)
    return f"no entry allows {internet(decision.version)} (default deny)"

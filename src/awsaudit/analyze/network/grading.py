"""Grading exposure for findings: openings a rule admits, reachability of a group, an interface's verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from awsaudit.analyze.network import (
    TCP,
    UDP,
    Exposure,
    ExposureIndex,
    FamilyPath,
    InterfaceExposure,
    Link,
    PortExposure,
    Reach,
    RegionNetwork,
    exposure,
)
from awsaudit.analyze.network.view import NetworkView, interface_label
from awsaudit.findings import Severity

# Rules and NACL entries for either transport count (CIS: TCP, UDP or all protocols).
RULE_PROTOCOLS = (TCP, UDP)


@dataclass(frozen=True, order=True)
class Opening:
    """A port a group opens (the whole internet, or an untrusted source) over one protocol and IP version."""

    port: int
    protocol: int
    version: int
    source: str

    @property
    def label(self) -> str:
        return str(self.port) if self.protocol == TCP else f"{self.port}/udp"


def describe_openings(openings: Iterable[Opening]) -> str:
    """Ports per source, sources with equal ports merged: 22, 3389 (tcp, udp) from 0.0.0.0/0 and ::/0."""
    by_source: dict[str, dict[int, set[int]]] = {}
    for opening in openings:
        by_source.setdefault(opening.source, {}).setdefault(opening.port, set()).add(opening.protocol)
    sources_by_ports: dict[str, list[str]] = {}
    for source, ports in sorted(by_source.items()):
        text = ", ".join(_port_label(port, protocols) for port, protocols in sorted(ports.items()))
        sources_by_ports.setdefault(text, []).append(source)
    return "; ".join(f"{text} from {' and '.join(sources)}" for text, sources in sources_by_ports.items())


def _port_label(port: int, protocols: set[int]) -> str:
    if protocols == {TCP}:
        return str(port)
    return f"{port}/udp" if protocols == {UDP} else f"{port} (tcp, udp)"


# A region's network, ports and protocol to each interface's exposure: `exposure`'s signature.
RegionExposure = Callable[[RegionNetwork, Iterable[int], int], tuple[InterfaceExposure, ...]]


class Reachability:
    """Grades a failing group by whether the internet really reaches the opened ports on its interfaces."""

    def __init__(self, view: NetworkView, ports: Iterable[int], exposures: RegionExposure = exposure) -> None:
        """`exposures`: `exposure`, or one that shares its results with other readers of the same region."""
        self._view = view
        self._ports = tuple(sorted(set(ports)))
        self._exposures = exposures
        self._indexes: dict[int, ExposureIndex] = {}

    def _index(self, protocol: int) -> ExposureIndex | None:
        if self._view.region is None:
            return None
        if protocol not in self._indexes:
            self._indexes[protocol] = ExposureIndex(self._exposures(self._view.region, self._ports, protocol))
        return self._indexes[protocol]

    def grade(
        self, group_id: str, openings: Iterable[Opening]
    ) -> tuple[Severity | None, str, dict[str, Any]]:
        """(severity override, message suffix, evidence) for a failing group."""
        if self._view.region is None:
            return None, "", {"attached_to_interfaces": None, "reachability": self._view.problem}
        index = self._index(TCP)
        assert index is not None  # the region exists
        if not index.is_attached(group_id):
            if self._view.interfaces.unreadable:
                unsure = "attachment unknown: some network interfaces cannot be read"
                return None, "", {"attached_to_interfaces": None, "reachability": unsure}
            unused = {"attached_to_interfaces": False, "reachability": "attached to no network interface"}
            return Severity.LOW, " (attached to no network interface)", unused
        paths: set[str] = set()
        undecided: set[str] = set()
        closed: set[str] = set()
        for opening in openings:
            for label, path, text, vpc_problem in self._paths(group_id, opening):
                if vpc_problem is not None:
                    undecided.add(f"{label}: the path data of its VPC cannot be read ({vpc_problem})")
                elif path.status is Exposure.EXPOSED and group_id in path.group_ids:
                    paths.add(f"{label}: {text}")
                elif path.status is Exposure.UNKNOWN:
                    undecided.add(f"{label}: {path.reason}")
                else:
                    closed.add(f"{label}: {path.reason or 'reachable, but through another group rule'}")
        if paths:
            evidence = {"attached_to_interfaces": True, "reachable_paths": sorted(paths)}
            return Severity.CRITICAL, f"; reachable from the internet ({len(paths)} path(s))", evidence
        if undecided:
            evidence = {"attached_to_interfaces": True, "reachability_unknown": sorted(undecided)}
            if self._view.not_collected:
                evidence["not_collected"] = list(self._view.not_collected)
            return None, "", evidence
        return None, "", {"attached_to_interfaces": True, "not_reachable": sorted(closed)}

    def _paths(self, group_id: str, opening: Opening) -> Iterator[tuple[str, FamilyPath, str, str | None]]:
        """(interface, path, path text, why its VPC's path data is unreadable or None) for the opening's IP
        version on each interface using the group."""
        index = self._index(opening.protocol)
        assert index is not None  # only called when the region exists
        for result in index.interfaces_with_group(group_id):
            for path in result.port(opening.port).paths:
                if path.version == opening.version:
                    text = result.path_text(opening.port, opening.version)
                    vpc_problem = self._view.vpc_problem(result.interface)
                    yield interface_label(result.interface), path, text, vpc_problem


@dataclass(frozen=True)
class PortsVerdict:
    """An interface's overall status, the ports that decide it, and why (for UNKNOWN and NOT_EXPOSED)."""

    status: Exposure
    ports: tuple[PortExposure, ...]
    reasons: dict[str, list[str]]
    summary: str


def ports_verdict(ports: tuple[PortExposure, ...]) -> PortsVerdict:
    by_status: dict[Exposure, list[PortExposure]] = {status: [] for status in Exposure}
    for port in ports:
        by_status[port.status].append(port)
    for status in (Exposure.EXPOSED, Exposure.UNKNOWN):
        if by_status[status]:
            deciding = tuple(by_status[status])
            reasons = _reasons(deciding) if status is Exposure.UNKNOWN else {}
            return PortsVerdict(status, deciding, reasons, ", ".join(str(p.traffic) for p in deciding))
    closed = tuple(by_status[Exposure.NOT_EXPOSED])
    return PortsVerdict(Exposure.NOT_EXPOSED, closed, _reasons(closed), _why_closed(closed))


def _why_closed(ports: Sequence[PortExposure]) -> str:
    """One line: the common missing link, else those of ports a security group opens (the near misses)."""
    reasons = _reasons(ports)
    if len(reasons) <= 1:
        return next(iter(reasons), "no admin ports are configured")
    near_misses = [p for p in ports if _opened_by_a_group(p)]
    shown = near_misses or list(ports[:1])
    summary = "; ".join(f"{p.traffic}: {p.reason}" for p in shown)
    if len(shown) < len(ports):
        summary += f" ({len(ports) - len(shown)} other ports closed, see evidence)"
    return summary


def _opened_by_a_group(port: PortExposure) -> bool:
    return any(
        step.link is Link.SECURITY_GROUP and step.reach is Reach.OPEN
        for path in port.paths
        for step in path.steps
    )


def _reasons(ports: Iterable[PortExposure]) -> dict[str, list[str]]:
    """Why each port is not exposed (or undecided), grouped: reason -> ports."""
    grouped: dict[str, list[str]] = {}
    for port in ports:
        grouped.setdefault(port.reason or "", []).append(str(port.traffic))
    return grouped

"""Exposure model: is a port of a network interface reachable from the internet, and by which path.

A port is EXPOSED over an IP version when every link holds: the interface has a public address of that
version; its subnet's route table sends the internet to an attached internet gateway; the subnet's NACL
admits the internet to the port and, for TCP, lets replies back out (a UDP datagram reaches the service
without one); a security group of the interface admits the internet to the port. Any missing link makes
it NOT_EXPOSED and is named; a link that depends on data the snapshot lacks makes it UNKNOWN.

"The internet" means every address (see `addresses`): a port open only to named ranges is not exposed
here; `security_groups.untrusted_sources` judges those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from awsaudit.analyze.network.errors import NotAnalysedError
from awsaudit.analyze.network.model import NetworkAcl, NetworkInterface, RegionNetwork
from awsaudit.analyze.network.nacls import describe_closed, internet_decision, return_path
from awsaudit.analyze.network.reach import Reach
from awsaudit.analyze.network.routes import internet_route
from awsaudit.analyze.network.security_groups import internet_admission
from awsaudit.analyze.network.traffic import TCP, Traffic, protocol_name


class Exposure(StrEnum):
    EXPOSED = "exposed"
    NOT_EXPOSED = "not_exposed"
    UNKNOWN = "unknown"


class Link(StrEnum):
    ADDRESS = "address"
    ROUTE = "route"
    NACL_INBOUND = "nacl_inbound"
    NACL_RETURN = "nacl_return"
    SECURITY_GROUP = "security_group"


@dataclass(frozen=True, slots=True)
class PathStep:
    """One link of the path with what lets the internet through it, or why it does not."""

    link: Link
    reach: Reach
    detail: str


@dataclass(frozen=True, slots=True)
class FamilyPath:
    """The path from the internet over one IP version; `group_ids` are the groups whose rules open it.

    `status` and `reason` are derived once at construction: the checks read them for every port of
    every interface."""

    version: int
    steps: tuple[PathStep, ...]
    group_ids: tuple[str, ...]
    status: Exposure = field(init=False)
    reason: str | None = field(init=False)  # the first missing link (else undecidable one); None if exposed

    def __post_init__(self) -> None:
        reaches = {step.reach for step in self.steps}
        if Reach.CLOSED in reaches:
            status = Exposure.NOT_EXPOSED
        else:
            status = Exposure.UNKNOWN if Reach.UNKNOWN in reaches else Exposure.EXPOSED
        reason = None
        for wanted in (Reach.CLOSED, Reach.UNKNOWN):
            step = next((step for step in self.steps if step.reach is wanted), None)
            if step is not None:
                reason = f"IPv{self.version} {step.link}: {step.detail}"
                break
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "reason", reason)


_RANK = {Exposure.EXPOSED: 2, Exposure.UNKNOWN: 1, Exposure.NOT_EXPOSED: 0}


@dataclass(frozen=True, slots=True)
class PortExposure:
    """Reachability of one port of one interface: exposed when any IP version's path is.

    Interfaces in the same subnet with the same groups and kinds of address share these results; the
    address step therefore says which kind of address, and `InterfaceExposure.path_text` names it."""

    traffic: Traffic
    paths: tuple[FamilyPath, ...]
    status: Exposure = field(init=False)
    reason: str | None = field(init=False)  # each IP version's missing link; None when exposed

    def __post_init__(self) -> None:
        status = max((p.status for p in self.paths), key=_RANK.__getitem__)
        reason = None
        if status is not Exposure.EXPOSED:
            reason = "; ".join(p.reason for p in self.paths if p.reason is not None and p.status is status)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "reason", reason)

    @property
    def exposing_group_ids(self) -> frozenset[str]:
        return frozenset(g for p in self.paths if p.status is Exposure.EXPOSED for g in p.group_ids)


@dataclass(frozen=True, slots=True)
class InterfaceExposure:
    interface: NetworkInterface
    ports: tuple[PortExposure, ...]

    def port(self, port: int) -> PortExposure:
        for result in self.ports:
            if result.traffic.port == port:
                return result
        raise NotAnalysedError(f"port {port} was not analysed for {self.interface.interface_id}")

    @property
    def exposed_ports(self) -> tuple[PortExposure, ...]:
        return tuple(p for p in self.ports if p.status is Exposure.EXPOSED)

    def path_text(self, port: int, version: int) -> str:
        """The evidence as one line: address → route → NACL inbound → NACL return → security group."""
        path = next(p for p in self.port(port).paths if p.version == version)
        addresses = self.interface.public_ipv4 if version == 4 else self.interface.ipv6
        parts = [
            ", ".join(map(str, addresses)) if step.link is Link.ADDRESS and addresses else step.detail
            for step in path.steps
        ]
        return " → ".join(parts)


def exposure(
    region: RegionNetwork, ports: Iterable[int], protocol: int = TCP
) -> tuple[InterfaceExposure, ...]:
    """Reachability from the internet of each port (of `protocol`) on every network interface."""
    traffics = tuple(Traffic(protocol, port) for port in dict.fromkeys(ports))
    evaluator = _Evaluator(region)
    return tuple(evaluator.interface(interface, traffics) for interface in region.interfaces)


_ADDRESS_STEPS = {
    (4, True): PathStep(Link.ADDRESS, Reach.OPEN, "public IPv4 address"),
    (4, False): PathStep(Link.ADDRESS, Reach.CLOSED, "no public IPv4 address"),
    (6, True): PathStep(Link.ADDRESS, Reach.OPEN, "global IPv6 address"),
    (6, False): PathStep(Link.ADDRESS, Reach.CLOSED, "no global IPv6 address"),
}


def _address_step(interface: NetworkInterface, version: int) -> PathStep:
    return _ADDRESS_STEPS[version, bool(interface.public_ipv4 if version == 4 else interface.ipv6)]


# What an interface's results depend on: subnet, VPC, groups, interface type, IPv4 and IPv6 address kinds.
_SharedKey = tuple[str | None, str | None, tuple[str, ...], str, Reach, Reach]

_NO_ACL = PathStep(Link.NACL_INBOUND, Reach.UNKNOWN, "the subnet's network ACL is not in the snapshot")


class _Evaluator:
    """Evaluates links once per subnet, NACL and group combination: cost grows with interfaces plus rules."""

    def __init__(self, region: RegionNetwork) -> None:
        self._region = region
        self._routes: dict[tuple[str | None, int], PathStep] = {}
        self._inbound: dict[tuple[str, Traffic, int], PathStep] = {}
        self._returns: dict[tuple[str, int, int], PathStep] = {}
        self._groups: dict[tuple[tuple[str, ...], Traffic, int], tuple[PathStep, tuple[str, ...]]] = {}
        self._shared: dict[_SharedKey, tuple[PortExposure, ...]] = {}

    def interface(self, interface: NetworkInterface, traffics: tuple[Traffic, ...]) -> InterfaceExposure:
        # Results depend on the subnet, the groups and which kinds of address exist, not on the addresses
        # themselves: interfaces alike share one immutable result, keeping time and memory near-linear.
        leading = {
            version: (_address_step(interface, version), self._route(interface, version))
            for version in (4, 6)
        }
        unreachable = all(
            any(step.reach is Reach.CLOSED for step in steps) for steps in leading.values()
        )  # then groups and type cannot matter (see _path), so far more interfaces share a result
        key = (
            interface.subnet_id,
            interface.vpc_id,
            () if unreachable else interface.group_ids,
            "" if unreachable else interface.interface_type,
            leading[4][0].reach,
            leading[6][0].reach,
        )
        if key not in self._shared:
            self._shared[key] = self._ports(interface, leading, traffics)
        return InterfaceExposure(interface, self._shared[key])

    def _ports(
        self,
        interface: NetworkInterface,
        leading: dict[int, tuple[PathStep, PathStep]],
        traffics: tuple[Traffic, ...],
    ) -> tuple[PortExposure, ...]:
        acl = self._acl(interface)
        return tuple(
            PortExposure(
                traffic,
                tuple(self._path(interface, acl, leading[version], traffic, version) for version in (4, 6)),
            )
            for traffic in traffics
        )

    def _path(
        self,
        interface: NetworkInterface,
        acl: NetworkAcl | None,
        leading: tuple[PathStep, PathStep],
        traffic: Traffic,
        version: int,
    ) -> FamilyPath:
        steps = list(leading)
        if any(step.reach is Reach.CLOSED for step in leading):
            # No public address or no route: the internet cannot reach the interface whatever the
            # ACL and groups say, and the missing link is already the first reason.
            return FamilyPath(version, tuple(steps), ())
        if acl is None:
            steps.append(_NO_ACL)
        else:
            steps.append(self._nacl_inbound(acl, traffic, version))
            if traffic.protocol == TCP:
                steps.append(self._nacl_return(acl, traffic.protocol, version))
        group_step, group_ids = self._security_groups(interface, traffic, version)
        steps.append(group_step)
        return FamilyPath(version, tuple(steps), group_ids)

    def _vpc_id(self, interface: NetworkInterface) -> str | None:
        subnet = self._region.subnets.get(interface.subnet_id or "")
        return subnet.vpc_id if subnet is not None else interface.vpc_id

    def _route(self, interface: NetworkInterface, version: int) -> PathStep:
        key = (interface.subnet_id, version)
        if key not in self._routes:
            table = None
            if interface.subnet_id is not None:
                table = self._region.route_table_for(interface.subnet_id, self._vpc_id(interface))
            if table is None:
                self._routes[key] = PathStep(
                    Link.ROUTE, Reach.UNKNOWN, "the subnet's route table is not in the snapshot"
                )
            else:
                decision = internet_route(self._region, table, version)
                self._routes[key] = PathStep(Link.ROUTE, decision.reach, decision.reason)
        return self._routes[key]

    def _acl(self, interface: NetworkInterface) -> NetworkAcl | None:
        if interface.subnet_id is None:
            return None
        return self._region.acl_for(interface.subnet_id, self._vpc_id(interface))

    def _nacl_inbound(self, acl: NetworkAcl, traffic: Traffic, version: int) -> PathStep:
        key = (acl.acl_id, traffic, version)
        if key not in self._inbound:
            decision = internet_decision(acl, traffic, version, egress=False)
            if decision.reach is Reach.OPEN:
                detail = f"{acl.acl_id} " + ", ".join(str(e) for e in decision.entries)
                if decision.exceptions:
                    detail += " (except " + ", ".join(str(e.network) for e in decision.exceptions) + ")"
            else:
                detail = f"{acl.acl_id} {describe_closed(decision)}"
            self._inbound[key] = PathStep(Link.NACL_INBOUND, decision.reach, detail)
        return self._inbound[key]

    def _nacl_return(self, acl: NetworkAcl, protocol: int, version: int) -> PathStep:
        key = (acl.acl_id, protocol, version)
        if key not in self._returns:
            result = return_path(acl, version, protocol)
            if result.ports is not None:
                entries = ", ".join(str(e) for e in result.decision.entries)
                detail = f"{acl.acl_id} replies to client ports {result.ports}: {entries}"
            else:
                name = protocol_name(protocol)
                detail = f"{acl.acl_id} lets no {name} reply out to the internet on any port: "
                detail += describe_closed(result.decision)
            self._returns[key] = PathStep(Link.NACL_RETURN, result.decision.reach, detail)
        return self._returns[key]

    def _security_groups(
        self, interface: NetworkInterface, traffic: Traffic, version: int
    ) -> tuple[PathStep, tuple[str, ...]]:
        key = (interface.group_ids, traffic, version)
        if key not in self._groups:
            self._groups[key] = self._evaluate_groups(interface, traffic, version)
        return self._groups[key]

    def _evaluate_groups(
        self, interface: NetworkInterface, traffic: Traffic, version: int
    ) -> tuple[PathStep, tuple[str, ...]]:
        if not interface.group_ids:
            if interface.interface_type == "nat_gateway":
                return PathStep(
                    Link.SECURITY_GROUP, Reach.CLOSED, "a NAT gateway accepts no inbound connections"
                ), ()
            detail = f"{interface.interface_type} interface has no security group; its service decides"
            return PathStep(Link.SECURITY_GROUP, Reach.UNKNOWN, detail), ()
        groups = self._region.security_groups
        known = [self._region.security_groups[g] for g in interface.group_ids if g in groups]
        missing = [g for g in interface.group_ids if g not in groups]
        rules = [rule for group in known for rule in group.ingress]
        admission = internet_admission(rules, traffic, version, self._region.prefix_lists)
        if admission.reach is Reach.OPEN:
            group_ids = tuple(dict.fromkeys(rule.group_id for rule in admission.rules))
            detail = ", ".join(str(rule) for rule in admission.rules)
            return PathStep(Link.SECURITY_GROUP, Reach.OPEN, detail), group_ids
        if admission.reach is Reach.UNKNOWN:
            detail = ", ".join(f"{rule} (prefix list entries not collected)" for rule in admission.rules)
            return PathStep(Link.SECURITY_GROUP, Reach.UNKNOWN, detail), ()
        if missing:
            detail = f"security group {', '.join(missing)} not in the snapshot"
            return PathStep(Link.SECURITY_GROUP, Reach.UNKNOWN, detail), ()
        detail = f"{', '.join(interface.group_ids)} admit no {traffic} from the whole IPv{version} internet"
        return PathStep(Link.SECURITY_GROUP, Reach.CLOSED, detail), ()


@dataclass(frozen=True, slots=True)
class GroupReach:
    """Whether a security group actually lets the internet reach a port, and on which interfaces."""

    status: Exposure
    interface_ids: tuple[str, ...]


class ExposureIndex:
    """Look-ups over exposure results by security group: attachment and real reachability of a port."""

    def __init__(self, results: Iterable[InterfaceExposure]) -> None:
        by_group: dict[str, list[InterfaceExposure]] = {}
        for result in results:
            for group_id in dict.fromkeys(result.interface.group_ids):
                by_group.setdefault(group_id, []).append(result)
        self._by_group = {group_id: tuple(found) for group_id, found in by_group.items()}

    def interfaces_with_group(self, group_id: str) -> tuple[InterfaceExposure, ...]:
        return self._by_group.get(group_id, ())

    def is_attached(self, group_id: str) -> bool:
        return group_id in self._by_group

    def group_reach(self, group_id: str, port: int) -> GroupReach:
        """EXPOSED when the group's own rules open `port` on an interface the internet can reach;
        UNKNOWN when some interface carrying it is undecidable; else NOT_EXPOSED."""
        carrying = self.interfaces_with_group(group_id)
        ports = [(result.interface.interface_id, result.port(port)) for result in carrying]
        exposed = tuple(i for i, p in ports if group_id in p.exposing_group_ids)
        if exposed:
            return GroupReach(Exposure.EXPOSED, exposed)
        unknown = tuple(i for i, p in ports if p.status is Exposure.UNKNOWN)
        if unknown:
            return GroupReach(Exposure.UNKNOWN, unknown)
        return GroupReach(Exposure.NOT_EXPOSED, ())

"""Whether a subnet's route table sends the internet to an internet gateway.

What matters for inbound reachability is where replies to an arbitrary internet address go: the routes
to an internet gateway must together cover 0.0.0.0/0 (or ::/0), normally as the default route, but
0.0.0.0/1 + 128.0.0.0/1 counts too. More specific routes elsewhere (VPN, peering) only divert those
ranges and do not make the subnet private. The gateway must be attached to the table's VPC and the
route not a blackhole. An egress-only internet gateway carries no inbound connections.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsaudit.analyze.network.addresses import AddressSet, IPNetwork, internet
from awsaudit.analyze.network.model import RegionNetwork, Route, RouteTable
from awsaudit.analyze.network.prefix_lists import prefix_list_networks
from awsaudit.analyze.network.reach import Reach


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """OPEN: `routes` to the gateway cover the internet. Otherwise `reason` names the missing link."""

    reach: Reach
    version: int
    routes: tuple[Route, ...]
    reason: str


def internet_route(region: RegionNetwork, table: RouteTable, version: int) -> RouteDecision:
    """Whether `table` routes every address of IP `version` to an internet gateway attached to its VPC."""
    usable: list[tuple[Route, tuple[IPNetwork, ...]]] = []
    unknown: list[Route] = []
    problems: list[str] = []
    for route in table.routes:
        if not route.target.startswith("igw-"):
            if route.target.startswith("eigw-") and route.destination == internet(version):
                problems.append(f"{route} is an egress-only gateway (outbound only)")
            continue
        networks = _destinations(region, route, version)
        if networks == ():
            continue
        state = _gateway_state(region, route.target, table.vpc_id)
        if not route.active:
            problems.append(f"{route} is a blackhole")
        elif state is Reach.CLOSED:
            problems.append(f"{route.target} is not attached to {table.vpc_id}")
        elif networks is None or state is Reach.UNKNOWN:
            unknown.append(route)
        else:
            usable.append((route, networks))
    covering = [route for route, networks in usable if AddressSet.of(networks, version).covers_internet()]
    if covering:
        return RouteDecision(
            Reach.OPEN, version, tuple(covering[:1]), f"{table.route_table_id}: {covering[0]}"
        )
    if AddressSet.of((n for _, ns in usable for n in ns), version).covers_internet():
        routes = tuple(route for route, _ in usable)
        return RouteDecision(
            Reach.OPEN, version, routes, f"{table.route_table_id}: " + ", ".join(str(r) for r in routes)
        )
    if unknown:
        reason = ", ".join(f"{r} cannot be resolved from the snapshot" for r in unknown)
        return RouteDecision(Reach.UNKNOWN, version, tuple(unknown), f"{table.route_table_id}: {reason}")
    reason = "; ".join(problems) or f"no route for {internet(version)} to an internet gateway"
    return RouteDecision(Reach.CLOSED, version, (), f"{table.route_table_id}: {reason}")


def _destinations(region: RegionNetwork, route: Route, version: int) -> tuple[IPNetwork, ...] | None:
    """The route's destinations of IP `version`; None when it targets an uncollected prefix list."""
    if route.destination is not None:
        return (route.destination,) if route.destination.version == version else ()
    if route.prefix_list_id is None:
        return ()
    networks = prefix_list_networks(route.prefix_list_id, region.prefix_lists)
    return None if networks is None else tuple(n for n in networks if n.version == version)


def _gateway_state(region: RegionNetwork, gateway_id: str, vpc_id: str) -> Reach:
    if region.internet_gateways is None or gateway_id not in region.internet_gateways:
        # A deleted gateway turns its routes into blackholes, so an active route to an unlisted
        # gateway means the gateway list is incomplete.
        return Reach.UNKNOWN
    return Reach.OPEN if vpc_id in region.internet_gateways[gateway_id].attached_vpc_ids else Reach.CLOSED

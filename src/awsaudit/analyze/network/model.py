"""Typed, immutable view of one region's VPC networking (security groups, NACLs, routes, interfaces)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address

from awsaudit.analyze.network.addresses import IPNetwork
from awsaudit.analyze.network.traffic import TrafficMatch


@dataclass(frozen=True, slots=True)
class CidrSource:
    network: IPNetwork

    def __str__(self) -> str:
        return str(self.network)


@dataclass(frozen=True, slots=True)
class PrefixListSource:
    prefix_list_id: str

    def __str__(self) -> str:
        return self.prefix_list_id


@dataclass(frozen=True, slots=True)
class GroupSource:
    """Another security group: its members, never the internet."""

    group_id: str
    user_id: str | None = None

    def __str__(self) -> str:
        return self.group_id if self.user_id is None else f"{self.user_id}/{self.group_id}"


RuleSource = CidrSource | PrefixListSource | GroupSource


@dataclass(frozen=True, slots=True)
class SecurityGroupRule:
    """One source (or destination, for egress) of one IpPermission of a security group."""

    group_id: str
    egress: bool
    match: TrafficMatch
    source: RuleSource

    def __str__(self) -> str:
        direction = "egress" if self.egress else "ingress"
        preposition = "to" if self.egress else "from"
        return f"{self.group_id} {direction} {self.match} {preposition} {self.source}"


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    group_id: str
    group_name: str
    vpc_id: str | None
    ingress: tuple[SecurityGroupRule, ...]
    egress: tuple[SecurityGroupRule, ...]

    @property
    def is_default(self) -> bool:
        return self.group_name == "default"


class RuleAction(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


DEFAULT_DENY_RULE_NUMBER = 32767


@dataclass(frozen=True, slots=True)
class NaclEntry:
    rule_number: int
    egress: bool
    action: RuleAction
    match: TrafficMatch
    network: IPNetwork

    def __str__(self) -> str:
        number = "*" if self.rule_number >= DEFAULT_DENY_RULE_NUMBER else str(self.rule_number)
        direction = "outbound" if self.egress else "inbound"
        return f"{direction} rule {number} {self.action} {self.match} {self.network}"


@dataclass(frozen=True, slots=True)
class NetworkAcl:
    acl_id: str
    vpc_id: str
    is_default: bool
    subnet_ids: tuple[str, ...]
    entries: tuple[NaclEntry, ...]
    """Sorted by rule number: the order AWS evaluates them in."""

    def entries_for(self, *, egress: bool, version: int) -> tuple[NaclEntry, ...]:
        return tuple(e for e in self.entries if e.egress == egress and e.network.version == version)


@dataclass(frozen=True, slots=True)
class Route:
    """A destination CIDR or prefix list and its target (gateway id, "local", NAT gateway id, ...)."""

    destination: IPNetwork | None
    prefix_list_id: str | None
    target: str
    active: bool

    def __str__(self) -> str:
        state = "" if self.active else " (blackhole)"
        return f"{self.destination or self.prefix_list_id} -> {self.target}{state}"


@dataclass(frozen=True, slots=True)
class RouteTable:
    route_table_id: str
    vpc_id: str
    is_main: bool
    subnet_ids: tuple[str, ...]
    routes: tuple[Route, ...]


@dataclass(frozen=True, slots=True)
class Subnet:
    subnet_id: str
    vpc_id: str


@dataclass(frozen=True, slots=True)
class InternetGateway:
    gateway_id: str
    attached_vpc_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class PrefixList:
    prefix_list_id: str
    name: str
    entries: tuple[IPNetwork, ...] | None
    """None when the entries were not collected: the list is then unknown, never assumed open."""


@dataclass(frozen=True, slots=True)
class NetworkInterface:
    interface_id: str
    subnet_id: str | None
    vpc_id: str | None
    group_ids: tuple[str, ...]
    public_ipv4: tuple[IPv4Address, ...]
    ipv6: tuple[IPv6Address, ...]
    """Globally routable IPv6 addresses only (unique-local ones cannot be reached from the internet)."""
    interface_type: str
    instance_id: str | None
    description: str


@dataclass(frozen=True, slots=True)
class RegionNetwork:
    """One region's networking, indexed by id. `None` collections mean the dataset was not collected."""

    subnets: Mapping[str, Subnet]
    route_tables: Mapping[str, RouteTable]
    internet_gateways: Mapping[str, InternetGateway] | None
    network_acls: Mapping[str, NetworkAcl]
    security_groups: Mapping[str, SecurityGroup]
    interfaces: tuple[NetworkInterface, ...]
    prefix_lists: Mapping[str, PrefixList]
    route_table_by_subnet: Mapping[str, str] = field(default_factory=dict)
    main_route_table_by_vpc: Mapping[str, str] = field(default_factory=dict)
    acl_by_subnet: Mapping[str, str] = field(default_factory=dict)
    default_acl_by_vpc: Mapping[str, str] = field(default_factory=dict)

    def route_table_for(self, subnet_id: str, vpc_id: str | None) -> RouteTable | None:
        """The subnet's explicitly associated route table, else its VPC's main table."""
        table_id = self.route_table_by_subnet.get(subnet_id)
        if table_id is None and vpc_id is not None:
            table_id = self.main_route_table_by_vpc.get(vpc_id)
        return None if table_id is None else self.route_tables[table_id]

    def acl_for(self, subnet_id: str, vpc_id: str | None) -> NetworkAcl | None:
        """The subnet's network ACL; a subnet without an explicit one uses its VPC's default ACL."""
        acl_id = self.acl_by_subnet.get(subnet_id)
        if acl_id is None and vpc_id is not None:
            acl_id = self.default_acl_by_vpc.get(vpc_id)
        return None if acl_id is None else self.network_acls[acl_id]

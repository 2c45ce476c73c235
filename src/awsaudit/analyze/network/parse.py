"""Build a `RegionNetwork` from the EC2 describe-call records of one region (AWS field names)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from ipaddress import IPv4Address, IPv6Address
from types import MappingProxyType
from typing import Any

from awsaudit.analyze.network.addresses import IPNetwork, parse_network
from awsaudit.analyze.network.errors import NetworkDataError
from awsaudit.analyze.network.model import (
    CidrSource,
    GroupSource,
    InternetGateway,
    NaclEntry,
    NetworkAcl,
    NetworkInterface,
    PrefixList,
    PrefixListSource,
    RegionNetwork,
    Route,
    RouteTable,
    RuleAction,
    RuleSource,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)
from awsaudit.analyze.network.traffic import (
    ICMP_PROTOCOLS,
    PORTED_PROTOCOLS,
    TrafficMatch,
    icmp_selector,
    parse_protocol,
    port_range,
)
from awsaudit.errors import quoted

Record = Mapping[str, Any]

# An attached internet gateway reports "available"; "attached" is accepted for older/other callers.
_ATTACHED_STATES = frozenset({"available", "attached"})


def _records(data: Mapping[str, Any], key: str) -> Sequence[Record] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(item, Mapping) for item in value):
        raise NetworkDataError(f"{key}: expected a list of records")
    return value


def _items(record: Record, key: str, where: str, *, required: bool = False) -> Iterable[Record]:
    """The records of a list field. `required`: AWS always returns the field (empty when there is nothing),
    and reading it as empty would close a path (no rule, no route, no association), so absent is an error."""
    if required and record.get(key) is None:
        raise NetworkDataError(f"{where}: {key} missing")
    value = record.get(key) or ()
    if not isinstance(value, list | tuple):
        raise NetworkDataError(f"{where}: {key} must be a list")
    # Called for every list of every rule: a list of plain dicts (what AWS returns) is handed back as it is.
    for item in value:
        if type(item) is not dict:
            return _checked_items(value, key, where)
    return value


def _checked_items(value: Iterable[object], key: str, where: str) -> Iterator[Record]:
    for item in value:
        if not isinstance(item, Mapping):
            raise NetworkDataError(f"{where}: {key} entries must be records")
        yield item


def _mapping(record: Record, key: str, where: str) -> Record:
    """A nested record; absent means empty (AWS omits PortRange/IcmpTypeCode for "all")."""
    value = record.get(key) or {}
    if not isinstance(value, Mapping):
        raise NetworkDataError(f"{where}: {key} must be a record")
    return value


def _text(record: Record, key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise NetworkDataError(f"{where}: missing {key}")
    return value


def _optional_text(record: Record, key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) and value else None


def parse_region(data: Mapping[str, Any]) -> RegionNetwork:
    """Index a region's `Subnets`, `RouteTables`, `InternetGateways`, `NetworkAcls`, `SecurityGroups`,
    `NetworkInterfaces` and `ManagedPrefixLists` (each a list of describe-call records)."""
    subnets = {s.subnet_id: s for s in map(_subnet, _records(data, "Subnets") or ())}
    route_tables = {t.route_table_id: t for t in map(_route_table, _records(data, "RouteTables") or ())}
    gateway_records = _records(data, "InternetGateways")
    gateways = None
    if gateway_records is not None:
        gateways = MappingProxyType({g.gateway_id: g for g in map(_internet_gateway, gateway_records)})
    acls = {a.acl_id: a for a in map(_network_acl, _records(data, "NetworkAcls") or ())}
    shared = _SharedParts()
    groups = {
        g.group_id: g for g in (_security_group(r, shared) for r in _records(data, "SecurityGroups") or ())
    }
    interfaces = tuple(map(_interface, _records(data, "NetworkInterfaces") or ()))
    prefix_lists = {
        p.prefix_list_id: p for p in map(_prefix_list, _records(data, "ManagedPrefixLists") or ())
    }
    return RegionNetwork(
        subnets=MappingProxyType(subnets),
        route_tables=MappingProxyType(route_tables),
        internet_gateways=gateways,
        network_acls=MappingProxyType(acls),
        security_groups=MappingProxyType(groups),
        interfaces=interfaces,
        prefix_lists=MappingProxyType(prefix_lists),
        route_table_by_subnet=MappingProxyType(
            {subnet: t.route_table_id for t in route_tables.values() for subnet in t.subnet_ids}
        ),
        main_route_table_by_vpc=MappingProxyType(
            {t.vpc_id: t.route_table_id for t in route_tables.values() if t.is_main}
        ),
        acl_by_subnet=MappingProxyType({subnet: a.acl_id for a in acls.values() for subnet in a.subnet_ids}),
        default_acl_by_vpc=MappingProxyType({a.vpc_id: a.acl_id for a in acls.values() if a.is_default}),
    )


def _subnet(record: Record) -> Subnet:
    subnet_id = _text(record, "SubnetId", "subnet")
    return Subnet(subnet_id, _text(record, "VpcId", subnet_id))


def _route_table(record: Record) -> RouteTable:
    table_id = _text(record, "RouteTableId", "route table")
    associations = list(_items(record, "Associations", table_id, required=True))
    return RouteTable(
        route_table_id=table_id,
        vpc_id=_text(record, "VpcId", table_id),
        is_main=any(a.get("Main") is True for a in associations),
        subnet_ids=tuple(s for a in associations if (s := _optional_text(a, "SubnetId"))),
        routes=tuple(_route(r, table_id) for r in _items(record, "Routes", table_id, required=True)),
    )


def _route(record: Record, where: str) -> Route:
    destination: IPNetwork | None = None
    for key in ("DestinationCidrBlock", "DestinationIpv6CidrBlock"):
        if record.get(key) is not None:
            destination = parse_network(record[key], f"{where} route")
    prefix_list_id = _optional_text(record, "DestinationPrefixListId")
    if destination is None and prefix_list_id is None:
        raise NetworkDataError(f"{where}: route without a destination")
    target = next(
        (
            value
            for key in (
                "GatewayId",
                "EgressOnlyInternetGatewayId",
                "NatGatewayId",
                "TransitGatewayId",
                "VpcPeeringConnectionId",
                "NetworkInterfaceId",
                "InstanceId",
                "CarrierGatewayId",
                "LocalGatewayId",
                "CoreNetworkArn",
            )
            if (value := _optional_text(record, key))
        ),
        "unknown target",
    )
    return Route(destination, prefix_list_id, target, active=record.get("State", "active") != "blackhole")


def _internet_gateway(record: Record) -> InternetGateway:
    gateway_id = _text(record, "InternetGatewayId", "internet gateway")
    attached = frozenset(
        vpc
        for a in _items(record, "Attachments", gateway_id, required=True)
        if a.get("State") in _ATTACHED_STATES and (vpc := _optional_text(a, "VpcId"))
    )
    return InternetGateway(gateway_id, attached)


def _network_acl(record: Record) -> NetworkAcl:
    acl_id = _text(record, "NetworkAclId", "network ACL")
    entries = sorted(
        (_nacl_entry(e, acl_id) for e in _items(record, "Entries", acl_id, required=True)),
        key=lambda entry: entry.rule_number,
    )
    return NetworkAcl(
        acl_id=acl_id,
        vpc_id=_text(record, "VpcId", acl_id),
        is_default=record.get("IsDefault") is True,
        subnet_ids=tuple(
            s
            for a in _items(record, "Associations", acl_id, required=True)
            if (s := _optional_text(a, "SubnetId"))
        ),
        entries=tuple(entries),
    )


def _nacl_entry(record: Record, acl_id: str) -> NaclEntry:
    number = record.get("RuleNumber")
    if not isinstance(number, int) or isinstance(number, bool):
        raise NetworkDataError(f"{acl_id}: entry without a RuleNumber")
    where = f"{acl_id} rule {number}"
    action = record.get("RuleAction")
    if action not in ("allow", "deny"):
        raise NetworkDataError(f"{where}: RuleAction must be allow or deny, got {quoted(action)}")
    cidr = record.get("CidrBlock", record.get("Ipv6CidrBlock"))
    protocol = parse_protocol(record.get("Protocol"), where)
    match = TrafficMatch(protocol)
    if protocol in PORTED_PROTOCOLS:
        ports = _mapping(record, "PortRange", where)
        match = TrafficMatch(protocol, port_range(ports.get("From"), ports.get("To"), where))
    elif protocol in ICMP_PROTOCOLS:
        icmp = _mapping(record, "IcmpTypeCode", where)
        match = TrafficMatch(
            protocol,
            icmp_type=icmp_selector(icmp.get("Type"), where),
            icmp_code=icmp_selector(icmp.get("Code"), where),
        )
    return NaclEntry(
        rule_number=number,
        egress=record.get("Egress") is True,
        action=RuleAction(action),
        match=match,
        network=parse_network(cidr, where),
    )


class _SharedParts:
    """Rule parts parsed once per `parse_region` call and shared by every rule that repeats them.

    Thousands of groups repeat a few CIDRs (0.0.0.0/0, the VPC's range) and protocol/port triples; the
    parts are immutable, so sharing them changes nothing but the time spent parsing."""

    def __init__(self) -> None:
        self.cidrs: dict[str, CidrSource] = {}
        self.matches: dict[tuple[object, ...], TrafficMatch] = {}


# Values a permission's protocol and ports can be keyed by; anything else (a hostile list) is parsed alone.
_KEYABLE = frozenset({str, int, bool, float, type(None)})


def _security_group(record: Record, shared: _SharedParts) -> SecurityGroup:
    group_id = _text(record, "GroupId", "security group")
    return SecurityGroup(
        group_id=group_id,
        group_name=_optional_text(record, "GroupName") or "",
        vpc_id=_optional_text(record, "VpcId"),
        ingress=_group_rules(record, "IpPermissions", group_id, shared, egress=False),
        egress=_group_rules(record, "IpPermissionsEgress", group_id, shared, egress=True),
    )


def _cidr_source(value: object, where: str, cidrs: dict[str, CidrSource]) -> CidrSource:
    """The source for a CIDR, shared by every rule naming the same text (sources are immutable)."""
    if not isinstance(value, str):
        return CidrSource(parse_network(value, where))  # refused with its message
    source = cidrs.get(value)
    if source is None:
        source = cidrs[value] = CidrSource(parse_network(value, where))
    return source


def _group_rules(
    record: Record, key: str, group_id: str, shared: _SharedParts, *, egress: bool
) -> tuple[SecurityGroupRule, ...]:
    rules: list[SecurityGroupRule] = []
    cidrs = shared.cidrs
    where = f"{group_id} {key}"
    for permission in _items(record, key, group_id, required=True):
        match = _shared_match(permission, where, shared.matches)
        sources: list[RuleSource] = []
        # A permission leaves most of its source lists empty: an empty or absent one (which `_items`
        # reads as no entries) is skipped unread.
        if permission.get("IpRanges"):
            sources += [
                _cidr_source(r.get("CidrIp"), where, cidrs) for r in _items(permission, "IpRanges", where)
            ]
        if permission.get("Ipv6Ranges"):
            sources += [
                _cidr_source(r.get("CidrIpv6"), where, cidrs) for r in _items(permission, "Ipv6Ranges", where)
            ]
        if permission.get("PrefixListIds"):
            sources += [
                PrefixListSource(_text(p, "PrefixListId", where))
                for p in _items(permission, "PrefixListIds", where)
            ]
        if permission.get("UserIdGroupPairs"):
            sources += [
                GroupSource(_text(p, "GroupId", where), _optional_text(p, "UserId"))
                for p in _items(permission, "UserIdGroupPairs", where)
            ]
        rules.extend(SecurityGroupRule(group_id, egress, match, source) for source in sources)
    return tuple(rules)


def _shared_match(
    permission: Record, where: str, matches: dict[tuple[object, ...], TrafficMatch]
) -> TrafficMatch:
    """`_permission_match`, parsed once per distinct (protocol, FromPort, ToPort), types included (1 and
    True are different keys: only one of them is a valid port)."""
    protocol, first, last = permission.get("IpProtocol"), permission.get("FromPort"), permission.get("ToPort")
    key = (protocol, first, last, type(protocol), type(first), type(last))
    if key[3] not in _KEYABLE or key[4] not in _KEYABLE or key[5] not in _KEYABLE:
        return _permission_match(permission, where)
    match = matches.get(key)
    if match is None:
        match = matches[key] = _permission_match(permission, where)  # errors are raised, never kept
    return match


def _permission_match(permission: Record, where: str) -> TrafficMatch:
    protocol = parse_protocol(permission.get("IpProtocol"), where)
    first, last = permission.get("FromPort"), permission.get("ToPort")
    if protocol in PORTED_PROTOCOLS:
        return TrafficMatch(protocol, port_range(first, last, where))
    if protocol in ICMP_PROTOCOLS:
        # Security groups put the ICMP type in FromPort and the code in ToPort.
        return TrafficMatch(
            protocol, icmp_type=icmp_selector(first, where), icmp_code=icmp_selector(last, where)
        )
    return TrafficMatch(protocol)


def _interface(record: Record) -> NetworkInterface:
    interface_id = _text(record, "NetworkInterfaceId", "network interface")
    public_ipv4: dict[IPv4Address, None] = {}
    associations = [record.get("Association")]
    # Empty or absent lists (which `_items` reads as no entries) are skipped unread: most interfaces have
    # no IPv6 address, many no secondary address.
    if record.get("PrivateIpAddresses"):
        associations += [p.get("Association") for p in _items(record, "PrivateIpAddresses", interface_id)]
    for association in associations:
        if isinstance(association, Mapping) and association.get("PublicIp"):
            public_ipv4[_ipv4(association["PublicIp"], interface_id)] = None
    ipv6: tuple[IPv6Address, ...] = ()
    if record.get("Ipv6Addresses"):
        ipv6 = tuple(
            address
            for a in _items(record, "Ipv6Addresses", interface_id)
            if (address := _ipv6(a.get("Ipv6Address"), interface_id)).is_global
        )
    attachment = record.get("Attachment")
    return NetworkInterface(
        interface_id=interface_id,
        subnet_id=_optional_text(record, "SubnetId"),
        vpc_id=_optional_text(record, "VpcId"),
        group_ids=tuple(
            _text(g, "GroupId", interface_id) for g in _items(record, "Groups", interface_id, required=True)
        ),
        public_ipv4=tuple(public_ipv4),
        ipv6=ipv6,
        interface_type=_optional_text(record, "InterfaceType") or "interface",
        instance_id=_optional_text(attachment, "InstanceId") if isinstance(attachment, Mapping) else None,
        description=_optional_text(record, "Description") or "",
    )


def _ipv4(value: object, where: str) -> IPv4Address:
    try:
        return IPv4Address(value if isinstance(value, str) else "")
    except ValueError:
        raise NetworkDataError(f"{where}: invalid IPv4 address {quoted(value)}") from None


def _ipv6(value: object, where: str) -> IPv6Address:
    try:
        return IPv6Address(value if isinstance(value, str) else "")
    except ValueError:
        raise NetworkDataError(f"{where}: invalid IPv6 address {quoted(value)}") from None


def _prefix_list(record: Record) -> PrefixList:
    list_id = _text(record, "PrefixListId", "managed prefix list")
    entries = record.get("Entries")
    networks = None
    if entries is not None:
        networks = tuple(parse_network(e.get("Cidr"), list_id) for e in _items(record, "Entries", list_id))
    return PrefixList(list_id, _optional_text(record, "PrefixListName") or "", networks)

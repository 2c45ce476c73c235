"""A region's network as the checks read it: datasets parsed into a model, unreadable records set apart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsaudit.analyze.network import (
    NetworkAcl,
    NetworkDataError,
    NetworkInterface,
    RegionNetwork,
    SecurityGroup,
    parse_region,
)


@dataclass(frozen=True)
class Readable:
    """Records of one dataset split into those the analysis can read and those it cannot (with why)."""

    records: tuple[Mapping[str, Any], ...]
    unreadable: tuple[tuple[Mapping[str, Any], str], ...]


def split_readable(key: str, records: Sequence[Mapping[str, Any]]) -> Readable:
    """Try each record alone, so that one malformed group or ACL makes only that resource UNKNOWN."""
    try:
        parse_region({key: records})
    except NetworkDataError:
        pass  # find which records are at fault
    else:
        return Readable(tuple(records), ())
    good: list[Mapping[str, Any]] = []
    bad: list[tuple[Mapping[str, Any], str]] = []
    for record in records:
        try:
            parse_region({key: [record]})
        except NetworkDataError as error:
            bad.append((record, str(error)))
        else:
            good.append(record)
    return Readable(tuple(good), tuple(bad))


def parse_groups(records: Iterable[Mapping[str, Any]]) -> Mapping[str, SecurityGroup]:
    return parse_region({"SecurityGroups": list(records)}).security_groups


def parse_acls(records: Iterable[Mapping[str, Any]]) -> Mapping[str, NetworkAcl]:
    return parse_region({"NetworkAcls": list(records)}).network_acls


@dataclass(frozen=True)
class NetworkView:
    """The region's model for exposure questions; `problem` says why there is none (data unreadable).

    `unknown_vpcs`: VPC id -> why its path data cannot be read (an unreadable subnet, route table or network
    ACL of that VPC, left out of the model): nothing in that VPC may be judged reachable or not."""

    region: RegionNetwork | None
    problem: str | None
    groups: Readable
    interfaces: Readable
    not_collected: tuple[str, ...]
    unknown_vpcs: Mapping[str, str] = field(default_factory=dict)

    def vpc_problem(self, interface: NetworkInterface) -> str | None:
        """Why the path data of the interface's VPC cannot be read, or None."""
        if not self.unknown_vpcs:
            return None
        vpc_id = interface.vpc_id
        subnet = self.region.subnets.get(interface.subnet_id or "") if self.region is not None else None
        if subnet is not None:
            vpc_id = subnet.vpc_id
        return self.unknown_vpcs.get(vpc_id or "")


# Path records whose loss can be confined to their VPC: leaving one out would otherwise swap in the VPC's
# main route table or default ACL, so every interface of that VPC is unknown instead.
_PER_VPC = ("Subnets", "RouteTables", "NetworkAcls")


def build_network_view(datasets: Mapping[str, Any], not_collected: Sequence[str]) -> NetworkView:
    """Parse a region's network from its datasets, by name. SecurityGroups, NetworkInterfaces and
    ManagedPrefixLists are required; a path dataset (Subnets, RouteTables, InternetGateways, NetworkAcls)
    that was not collected is absent and named in ``not_collected``, which the analysis reads as unknown
    links, never open.

    Unreadable security groups are left out (interfaces using them become unknown) and unreadable
    interfaces are reported apart; an unreadable subnet, route table or ACL that names its VPC is left out
    and makes that VPC unknown (`unknown_vpcs`); any other unreadable record leaves the whole region without
    a model."""
    data = dict(datasets)
    try:
        whole = parse_region(data)
    except NetworkDataError:
        pass  # leave out what can be left out, below
    else:
        readable = Readable(tuple(data["SecurityGroups"]), ()), Readable(tuple(data["NetworkInterfaces"]), ())
        return NetworkView(whole, None, *readable, tuple(not_collected))
    groups = split_readable("SecurityGroups", data["SecurityGroups"])
    interfaces = split_readable("NetworkInterfaces", data["NetworkInterfaces"])
    data["SecurityGroups"] = list(groups.records)
    data["NetworkInterfaces"] = list(interfaces.records)
    unknown_vpcs: dict[str, str] = {}
    for key in _PER_VPC:
        if not isinstance(data.get(key), list):
            continue  # not collected, or not a list: parse_region below says so
        path = split_readable(key, data[key])
        for record, error in path.unreadable:
            vpc_id = record.get("VpcId")
            if not isinstance(vpc_id, str) or not vpc_id:
                break  # cannot confine it: parse the whole dataset below and fail the region
            unknown_vpcs.setdefault(vpc_id, f"{key} record cannot be read: {error}")
        else:
            data[key] = list(path.records)
    try:
        region: RegionNetwork | None = parse_region(data)
        problem = None
    except NetworkDataError as error:
        region, problem = None, f"the region's network data cannot be read: {error}"
    return NetworkView(region, problem, groups, interfaces, tuple(not_collected), unknown_vpcs)


def interface_label(interface: NetworkInterface) -> str:
    if interface.instance_id:
        return f"{interface.interface_id} of instance {interface.instance_id}"
    owner = interface.description or interface.interface_type
    return f"{interface.interface_id} ({owner})" if owner else interface.interface_id

"""EC2 and VPC checks (G5, CIS 6): instances, security groups, network ACLs, exposure, flow logs.

This package module holds what the ec2 check modules share: their inputs and the region's network view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from awsaudit.analyze.network import InterfaceExposure, PrefixList, RegionNetwork, exposure, parse_region
from awsaudit.analyze.network.grading import RegionExposure
from awsaudit.analyze.network.view import NetworkView, build_network_view
from awsaudit.checks.context import CheckContext
from awsaudit.checks.registry import Needs
from awsaudit.config import AuditConfig
from awsaudit.snapshot import NotCollected

SECURITY_GROUPS = Needs("ec2", "SecurityGroups", regional=True)
NETWORK_INTERFACES = Needs("ec2", "NetworkInterfaces", regional=True)
PREFIX_LISTS = Needs("ec2", "ManagedPrefixLists", regional=True)
# The rest of the exposure model. The security-group checks judge rules without it and only use it to
# grade severity, so a missing one leaves reachability unknown instead of making the rule check UNKNOWN.
PATH_DATASETS = (
    Needs("ec2", "Subnets", regional=True, optional=True),
    Needs("ec2", "RouteTables", regional=True, optional=True),
    Needs("ec2", "InternetGateways", regional=True, optional=True),
    Needs("ec2", "NetworkAcls", regional=True, optional=True),
)
REQUIRED_PATH_DATASETS = tuple(Needs(n.service, n.dataset, regional=True) for n in PATH_DATASETS)
SG_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
# CIS names SSH and RDP explicitly; they are judged even when the configured list leaves them out.
CIS_ADMIN_PORTS = (22, 3389)


def ec2_arn(ctx: CheckContext, kind: str, resource_id: object) -> str:
    return f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:{kind}/{resource_id}"


def admin_ports(config: AuditConfig) -> tuple[int, ...]:
    return tuple(sorted({*config.admin_ports, *CIS_ADMIN_PORTS}))


def prefix_lists(ctx: CheckContext) -> Mapping[str, PrefixList]:
    return parse_region({"ManagedPrefixLists": ctx.dataset("ec2", "ManagedPrefixLists")}).prefix_lists


def network_view(ctx: CheckContext) -> NetworkView:
    """The region's network model, shared by the checks that ask for it. Groups, interfaces and prefix
    lists are required (missing: NotCollected); PATH_DATASETS are left out when missing."""

    def build() -> NetworkView:
        data: dict[str, Any] = {
            "SecurityGroups": ctx.dataset("ec2", "SecurityGroups"),
            "NetworkInterfaces": ctx.dataset("ec2", "NetworkInterfaces"),
            "ManagedPrefixLists": ctx.dataset("ec2", "ManagedPrefixLists"),
        }
        not_collected: list[str] = []
        for need in PATH_DATASETS:
            try:
                data[need.dataset] = ctx.dataset(need.service, need.dataset)
            except NotCollected:
                not_collected.append(need.key)
        return build_network_view(data, not_collected)

    return ctx.derived("network.view", build)


def shared_exposure(ctx: CheckContext) -> RegionExposure:
    """`exposure` for this scope's region, each port list and protocol computed once per evaluation: the
    interface check and the security-group checks' grading ask the same question of every interface."""

    def shared(region: RegionNetwork, ports: Iterable[int], protocol: int) -> tuple[InterfaceExposure, ...]:
        asked = tuple(dict.fromkeys(ports))  # what `exposure` judges, in its order
        key = f"network.exposure:{protocol}:" + ",".join(str(port) for port in asked)
        return ctx.derived(key, lambda: exposure(region, asked, protocol))

    return shared

"""Effective permissions of one principal: admin-equivalence and what it can do to IAM, data and logging."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from awsaudit.analyze.iam.account import Principal
from awsaudit.analyze.iam.catalog import ACCESS_LEVELS, PERMISSIONS_MANAGEMENT
from awsaudit.analyze.iam.escalation import Edge, EscalationGraph
from awsaudit.analyze.iam.profile import PermissionProfile

# Area -> (services, access levels worth reporting). Reading data matters (exfiltration); for IAM and logging
# only changes matter.
AREAS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {
        "iam": (("iam", "sts"), ("Write", PERMISSIONS_MANAGEMENT)),
        "data": (("s3", "kms"), ("Read", "Write", PERMISSIONS_MANAGEMENT)),
        "logging": (("cloudtrail", "config"), ("Write", PERMISSIONS_MANAGEMENT)),
    }
)


@dataclass(frozen=True, slots=True)
class AreaAccess:
    """Actions of one area allowed on at least some resource, by access level (policy_sentry's levels)."""

    area: str
    by_level: Mapping[str, tuple[str, ...]]
    conditional: tuple[str, ...]

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(action for actions in self.by_level.values() for action in actions)


@dataclass(frozen=True, slots=True)
class PrincipalPermissions:
    principal: Principal
    full_access: bool
    full_access_conditional: bool
    self_escalation: tuple[Edge, ...]
    areas: Mapping[str, AreaAccess]
    unknown_policies: tuple[str, ...]

    @property
    def admin_equivalent(self) -> bool:
        """Can do everything (possibly under conditions), or can grant itself everything."""
        return self.full_access_conditional or bool(self.self_escalation)


def area_access(profile: PermissionProfile, area: str) -> AreaAccess:
    catalog = profile.catalog
    services, levels = AREAS[area]
    service_mask = 0
    for service in services:
        service_mask |= catalog.service_mask(service)
    by_level: dict[str, tuple[str, ...]] = {}
    for level in ACCESS_LEVELS:
        if level in levels:
            names = catalog.names(profile.somewhere & service_mask & catalog.level_mask(level))
            if names:
                by_level[level] = names
    level_mask = 0
    for level in levels:
        level_mask |= catalog.level_mask(level)
    conditional = catalog.names(
        (profile.somewhere_conditional & ~profile.somewhere) & service_mask & level_mask
    )
    return AreaAccess(area=area, by_level=MappingProxyType(by_level), conditional=conditional)


def effective_permissions(graph: EscalationGraph, principal: Principal) -> PrincipalPermissions:
    profile = graph.analysis.profile_of[principal.arn]
    full, conditional = graph.admin_level(principal)
    return PrincipalPermissions(
        principal=principal,
        full_access=full,
        full_access_conditional=conditional,
        self_escalation=tuple(edge for edge in graph.grant_edges(principal, principal)),
        areas=MappingProxyType({area: area_access(profile, area) for area in AREAS}),
        unknown_policies=(
            *profile.context.unknown_policies,
            *filter(None, [profile.context.unknown_boundary]),
        ),
    )

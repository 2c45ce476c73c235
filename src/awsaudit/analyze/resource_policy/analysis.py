"""Who a resource policy admits, to do what, and the verdict: public, outside the organization, restricted.

Statement by statement, each principal an Allow names becomes a *grant*: an audience (everyone,
a service, a named account), narrowed by the pins of the statement's Condition, for the actions
of the resource's kind. A Deny that covers a grant's audience, resources and actions then takes
those actions away (unconditional), or pins them (a negated condition: "deny unless from o-1").
``NotPrincipal`` in an Allow admits everyone but the listed principals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from fnmatch import fnmatchcase
from typing import Any

from awsaudit.analyze.resource_policy.access import Actions, Capability, severe, statement_actions
from awsaudit.analyze.resource_policy.conditions import (
    Pin,
    PinKind,
    allow_pins,
    arn_account,
    deny_condition,
    organization_of_path,
)
from awsaudit.analyze.resource_policy.document import PolicyError, parse_policy, strings
from awsaudit.errors import quoted


class Reach(IntEnum):
    """How far a grant reaches, from the account itself to anyone (higher is wider)."""

    INSIDE = 0  # the account itself or its organization
    PINNED = 1  # fixed networks, named identities or resources whose owner is not stated
    SERVICE_UNPINNED = 2  # an AWS service acting for any account (confused deputy)
    OUTSIDE = 3  # named accounts or organizations outside the organization
    PUBLIC = 4  # any principal, authenticated or not

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True)
class Trust:
    """Who is inside: the account, its organization, and (when known) the organization's accounts."""

    account_id: str
    organization_id: str | None = None
    organization_accounts: frozenset[str] | None = None  # None: the member list was not collected

    def reach_of_account(self, account: str) -> Reach:
        if account == self.account_id:
            return Reach.INSIDE
        if self.organization_accounts is not None and account in self.organization_accounts:
            return Reach.INSIDE
        return Reach.OUTSIDE

    def reach_of_organization(self, organization_id: str) -> Reach:
        # Outside any organization, or when the account's organization is unknown, a named
        # organization cannot be shown to be the account's own.
        return Reach.INSIDE if organization_id == self.organization_id else Reach.OUTSIDE


@dataclass(frozen=True)
class Grant:
    """One principal an Allow admits, how far that reaches once pinned, and what it may do."""

    statement_index: int
    sid: str | None
    principal: str  # "*", a service name, an account or ARN
    reach: Reach
    actions: Actions
    pinned_by: tuple[str, ...] = ()
    denied_by: tuple[str, ...] = ()
    statement: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def label(self) -> str:
        return f"statement {quoted(self.sid)}" if self.sid else f"statement #{self.statement_index + 1}"

    def capabilities(self) -> frozenset[Capability]:
        return self.actions.capabilities()

    def as_evidence(self) -> dict[str, Any]:
        return {
            "statement": self.label(),
            "principal": self.principal,
            "reach": self.reach.label,
            "allows": sorted(c.value for c in self.capabilities()),
            "actions": self.actions.names(),
            "pinned_by": list(self.pinned_by),
            "narrowed_by_deny": list(self.denied_by),
        }


class Exposure(IntEnum):
    RESTRICTED = 0
    OUTSIDE_ORGANIZATION = 1
    PUBLIC = 2


@dataclass(frozen=True)
class PolicyVerdict:
    exposure: Exposure
    grants: tuple[Grant, ...]  # every grant that still allows something, widest first

    @property
    def exposed(self) -> tuple[Grant, ...]:
        floor = Reach.PUBLIC if self.exposure is Exposure.PUBLIC else Reach.SERVICE_UNPINNED
        return tuple(g for g in self.grants if g.reach >= floor)

    @property
    def capabilities(self) -> frozenset[Capability]:
        found: set[Capability] = set()
        for grant in self.exposed:
            found |= grant.capabilities()
        return frozenset(found)

    @property
    def severe(self) -> bool:
        """Whether the exposed grants let callers write, administer or decrypt (not only read)."""
        return severe(self.capabilities)

    def reasons(self) -> list[str]:
        return [
            f"{g.label()} lets {_who(g)} {', '.join(sorted(c.value for c in g.capabilities()))}"
            f" ({', '.join(g.actions.names(5))}{', ...' if len(g.actions.names()) > 5 else ''})"
            for g in self.exposed
        ]

    def as_evidence(self) -> dict[str, Any]:
        return {
            "exposure": self.exposure.name.lower(),
            "allows": sorted(c.value for c in self.capabilities),
            "grants": [g.as_evidence() for g in self.grants],
        }


def _who(grant: Grant) -> str:
    if grant.reach is Reach.PUBLIC:
        return "anyone"
    if grant.reach is Reach.SERVICE_UNPINNED:
        return f"service {grant.principal} acting for any account (no source pin)"
    return f"{grant.principal} (outside the organization)"


# ------------------------------------------------------------------ principals


@dataclass(frozen=True, slots=True)
class _Principal:
    value: str
    reach: Reach
    service: bool


def _principals(statement: Mapping[str, Any], trust: Trust) -> list[_Principal]:
    if "NotPrincipal" in statement:
        excluded = ", ".join(_principal_values(statement["NotPrincipal"]))
        return [_Principal(f"* except {excluded}", Reach.PUBLIC, False)]
    found = []
    principal = statement.get("Principal")
    if isinstance(principal, str):
        return [_Principal(principal, _reach_of_value("AWS", principal, trust), False)]
    for kind, value in _typed_principal_values(principal):
        found.append(_Principal(value, _reach_of_value(kind, value, trust), kind == "Service"))
    return found


def _typed_principal_values(principal: Any) -> list[tuple[str, str]]:
    if principal is None:
        return []
    if not isinstance(principal, Mapping):
        raise PolicyError(f"policy Principal must be a string or an object, got {type(principal).__name__}")
    return [(str(kind), value) for kind, values in principal.items() for value in strings(values)]


def _principal_values(principal: Any) -> list[str]:
    if isinstance(principal, str):
        return [principal]
    return [value for _, value in _typed_principal_values(principal)]


def principal_is_public(principal: Any) -> bool:
    """``*``, ``{"AWS": "*"}`` or any principal value containing a wildcard."""
    if principal is None:
        return False
    return any("*" in value for value in _principal_values(principal))


def _reach_of_value(kind: str, value: str, trust: Trust) -> Reach:
    if "*" in value:
        return Reach.PUBLIC
    if kind == "Service":
        return Reach.SERVICE_UNPINNED
    if kind == "AWS":
        account = value if value.isdigit() else arn_account(value)
        if account is not None:
            return trust.reach_of_account(account)
    # Federated and canonical users, and principals whose account cannot be read.
    return Reach.OUTSIDE


def _reach_of_pin(pin: Pin, trust: Trust) -> Reach:
    if pin.kind in (PinKind.NETWORK, PinKind.IP, PinKind.IDENTITY):
        return Reach.PINNED
    reaches = []
    for value in pin.values:
        if pin.kind is PinKind.ACCOUNT:
            reaches.append(trust.reach_of_account(value))
        elif pin.kind is PinKind.ARN:
            account = arn_account(value)
            reaches.append(Reach.PINNED if account is None else trust.reach_of_account(account))
        elif pin.kind is PinKind.ORGANIZATION:
            reaches.append(trust.reach_of_organization(value))
        else:
            reaches.append(trust.reach_of_organization(organization_of_path(value)))
    return max(reaches)


def _narrow(reach: Reach, service: bool, pins: Iterable[Pin], trust: Trust) -> tuple[Reach, tuple[str, ...]]:
    """The reach left once every pin that applies holds (conditions are ANDed)."""
    used = [pin for pin in pins if pin.applies_to_services or not service]
    if not used:
        return reach, ()
    narrowed = min([reach, *(_reach_of_pin(pin, trust) for pin in used)])
    if service and narrowed is Reach.SERVICE_UNPINNED:
        narrowed = Reach.INSIDE
    return narrowed, tuple(pin.label() for pin in used)


# ------------------------------------------------------------------ statements


@dataclass(frozen=True, slots=True)
class Admission:
    """One principal a statement names, and how far it reaches once the statement's pins hold."""

    principal: str
    reach: Reach
    pinned_by: tuple[str, ...]


def admissions(statement: Mapping[str, Any], trust: Trust) -> list[Admission]:
    """Who one statement admits, whatever its Effect and actions (its Condition narrows each)."""
    principals = _principals(statement, trust)
    pins = allow_pins(statement.get("Condition"))
    found = []
    for principal in principals:
        reach, pinned_by = _narrow(principal.reach, principal.service, pins, trust)
        found.append(Admission(principal.value, reach, pinned_by))
    return found


def statement_grants(
    statement: Mapping[str, Any], index: int, trust: Trust, services: Sequence[str]
) -> list[Grant]:
    """The grants of one Allow statement, before any Deny is applied ([] for a Deny)."""
    if statement.get("Effect") != "Allow":
        return []
    actions = _actions(statement, services)
    sid = str(statement["Sid"]) if statement.get("Sid") else None
    return [
        Grant(index, sid, a.principal, a.reach, actions, a.pinned_by, (), statement)
        for a in admissions(statement, trust)
    ]


def _actions(statement: Mapping[str, Any], services: Sequence[str]) -> Actions:
    if "NotAction" in statement:
        return statement_actions((), strings(statement["NotAction"]), services)
    return statement_actions(strings(statement.get("Action")), None, services)


# ----------------------------------------------------------------- the policy


def analyze_policy(policy: str | Mapping[str, Any], trust: Trust, services: Sequence[str]) -> PolicyVerdict:
    """The verdict on one resource policy; PolicyError when it cannot be read."""
    statements = parse_policy(policy)
    grants: list[Grant] = []
    denies = []
    for index, statement in enumerate(statements):
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f"statement #{index + 1} has Effect {quoted(effect)}")
        if effect == "Allow":
            grants.extend(statement_grants(statement, index, trust, services))
        else:
            denies.append((index, statement))
    for index, deny in denies:
        grants = [piece for grant in grants for piece in _apply_deny(grant, deny, index, trust, services)]
    live = sorted((g for g in grants if g.actions), key=lambda g: (-g.reach, g.statement_index))
    if any(g.reach is Reach.PUBLIC for g in live):
        exposure = Exposure.PUBLIC
    elif any(g.reach >= Reach.SERVICE_UNPINNED for g in live):
        exposure = Exposure.OUTSIDE_ORGANIZATION
    else:
        exposure = Exposure.RESTRICTED
    return PolicyVerdict(exposure, tuple(live))


def _apply_deny(
    grant: Grant, deny: Mapping[str, Any], index: int, trust: Trust, services: Sequence[str]
) -> list[Grant]:
    if grant.reach <= Reach.PINNED or not _deny_covers_resources(deny, grant.statement):
        return [grant]
    covered = grant.actions.intersect(_actions(deny, services))
    if not covered:
        return [grant]
    condition = deny_condition(deny.get("Condition"))
    label = f"statement {quoted(deny['Sid'])}" if deny.get("Sid") else f"statement #{index + 1}"
    if "NotPrincipal" in deny:
        # "Deny everyone except X" leaves the covered actions to X alone.
        if not condition.unconditional:
            return [grant]
        excluded = [
            _reach_of_value(kind, value, trust) for kind, value in _typed_values(deny["NotPrincipal"])
        ]
        escape = max(excluded, default=Reach.INSIDE)
        escape_label = f"{label} (NotPrincipal)"
    elif _deny_names_principal(deny, grant):
        if condition.unconditional:
            remainder = replace(grant, actions=grant.actions.minus(covered))
            return [replace(remainder, denied_by=(*grant.denied_by, label))]
        if not condition.escape_pins:
            return [grant]  # the Deny only bites on some requests
        # Denied unless one of the escape pins holds (its clauses are ANDed): the covered actions
        # reach only as far as the widest of them.
        escape = max(_reach_of_pin(pin, trust) for pin in condition.escape_pins)
        escape_label = f"{label} ({', '.join(p.label() for p in condition.escape_pins)})"
    else:
        return [grant]
    remainder = replace(grant, actions=grant.actions.minus(covered))
    pinned = replace(
        grant,
        reach=min(grant.reach, escape),
        actions=covered,
        denied_by=(*grant.denied_by, escape_label),
    )
    return [remainder, pinned]


def _typed_values(principal: Any) -> list[tuple[str, str]]:
    if isinstance(principal, str):
        return [("AWS", principal)]
    return _typed_principal_values(principal)


def _deny_names_principal(deny: Mapping[str, Any], grant: Grant) -> bool:
    values = _principal_values(deny.get("Principal"))
    return any("*" in value or value == grant.principal for value in values)


def _deny_covers_resources(deny: Mapping[str, Any], allow: Mapping[str, Any]) -> bool:
    if "NotResource" in deny:
        return False
    denied = strings(deny.get("Resource")) or ("*",)
    if "*" in denied:
        return True
    if "NotResource" in allow:
        return False
    allowed = strings(allow.get("Resource"))
    return bool(allowed) and all(any(fnmatchcase(a, d) for d in denied) for a in allowed)

"""AWS policy evaluation of one request: explicit deny, then SCPs, then resource policy or identity+boundary.

A resource argument is either a concrete ARN, `ALL_RESOURCES` ("on every resource", e.g. to judge `*:*`) or
`ANY_RESOURCE` ("on at least some resource", e.g. "who can create users at all").
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from awsaudit.analyze.iam.conditions import ConditionResult, judge_conditions
from awsaudit.analyze.iam.policy import Effect, Policy, PrincipalType, Statement
from awsaudit.analyze.iam.wildcard import matches

ALL_RESOURCES: Final = "*"
ANY_RESOURCE: Final = None


class Outcome(StrEnum):
    ALLOWED = "allowed"
    CONDITIONAL = "conditional"
    DENIED = "denied"
    NOT_ALLOWED = "not_allowed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one request, with the statements it rests on.

    `grants`: allow statements that let the request through. `conditions`: statements whose Condition the
    answer depends on (conditional allows, and conditional denies that might apply). `denials`: the explicit
    denies (for DENIED) or denies that cover only part of the resources asked about. `unknown_policies`:
    policies in force whose content the snapshot lacks; an ALLOWED answer still assumes they deny nothing.
    """

    outcome: Outcome
    grants: tuple[Statement, ...] = ()
    conditions: tuple[Statement, ...] = ()
    denials: tuple[Statement, ...] = ()
    unknown_policies: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """Allowed, possibly subject to conditions."""
        return self.outcome in (Outcome.ALLOWED, Outcome.CONDITIONAL)


@dataclass(frozen=True, slots=True)
class PermissionContext:
    """Everything that limits one principal: identity policies, permissions boundary and SCP levels.

    `scp_levels` has one entry per level of the organization (root, each OU, the account); a request must be
    allowed by some SCP at every level. An empty tuple means no SCPs apply (standalone account or management
    account). `unknown_policies` names attached policies whose documents are not available; when the boundary
    itself is unknown its ARN is listed in `unknown_boundary`.
    """

    identity: tuple[Policy, ...]
    boundary: Policy | None = None
    scp_levels: tuple[tuple[Policy, ...], ...] = ()
    unknown_policies: tuple[str, ...] = ()
    unknown_boundary: str | None = None


@dataclass(slots=True)
class _Layer:
    allows: list[Statement] = field(default_factory=list)
    conditional_allows: list[Statement] = field(default_factory=list)
    denies: list[Statement] = field(default_factory=list)
    conditional_denies: list[Statement] = field(default_factory=list)
    partial_denies: list[Statement] = field(default_factory=list)

    @property
    def allows_something(self) -> bool:
        return bool(self.allows or self.conditional_allows)


def _allow_applies(statement: Statement, resource: str | None) -> bool:
    if resource is ANY_RESOURCE:
        return True
    if resource == ALL_RESOURCES:
        return statement.covers_all_resources()
    return statement.matches_resource(resource)


def _sort(
    statements: Iterable[Statement],
    action: str,
    resource: str | None,
    layer: _Layer,
    request: Mapping[str, str],
) -> None:
    for statement in statements:
        if not statement.matches_action(action):
            continue
        conditional = statement.is_conditional
        if conditional and request:
            judged = judge_conditions(statement, request)
            if judged is ConditionResult.FAILS:
                continue
            conditional = judged is ConditionResult.UNKNOWN
        if statement.effect is Effect.ALLOW:
            if _allow_applies(statement, resource):
                (layer.conditional_allows if conditional else layer.allows).append(statement)
            continue
        if resource is None or resource == ALL_RESOURCES:
            if not statement.covers_all_resources():
                layer.partial_denies.append(statement)
                continue
        elif not statement.matches_resource(resource):
            continue
        (layer.conditional_denies if conditional else layer.denies).append(statement)


def principal_matches(statement: Statement, principal_arn: str, account_id: str) -> bool:
    """Whether a resource-policy statement names the caller: by ARN, by its account, or `*`."""
    hit = False
    for entry in statement.principals:
        if entry.type is PrincipalType.ANYONE or (entry.type is PrincipalType.AWS and entry.value == "*"):
            hit = True
        elif entry.type is PrincipalType.AWS:
            hit = entry.value in (account_id, f"arn:aws:iam::{account_id}:root") or matches(
                entry.value, principal_arn, ignore_case=False
            )
        if hit:
            break
    return hit != statement.not_principals


def evaluate(
    context: PermissionContext,
    action: str,
    resource: str | None,
    *,
    resource_policy: Policy | None = None,
    principal_arn: str = "",
    account_id: str = "",
    request: Mapping[str, str] | None = None,
) -> Decision:
    """Decide one request for one principal (see module docstring for `resource`).

    `request` gives condition keys whose value the request fixes (e.g. `iam:PassedToService`); conditions
    on those keys are evaluated, all others make the answer conditional.
    """
    known = {key.lower(): value for key, value in (request or {}).items()}
    identity = _Layer()
    for policy in context.identity:
        _sort(policy.statements, action, resource, identity, known)
    boundary = _Layer()
    if context.boundary is not None:
        _sort(context.boundary.statements, action, resource, boundary, known)
    scp_layers: list[_Layer] = []
    for level in context.scp_levels:
        layer = _Layer()
        for policy in level:
            _sort(policy.statements, action, resource, layer, known)
        scp_layers.append(layer)
    resource_layer = _Layer()
    if resource_policy is not None:
        named = (s for s in resource_policy.statements if principal_matches(s, principal_arn, account_id))
        _sort(named, action, resource, resource_layer, known)

    layers = [identity, boundary, resource_layer, *scp_layers]
    denials = tuple(statement for layer in layers for statement in layer.denies)
    if denials:
        return Decision(Outcome.DENIED, denials=denials)
    conditional_denies = [statement for layer in layers for statement in layer.conditional_denies]
    partial_denies = tuple(statement for layer in layers for statement in layer.partial_denies)
    unknown = (*context.unknown_policies, *([context.unknown_boundary] if context.unknown_boundary else []))

    if not all(layer.allows_something for layer in scp_layers):
        return Decision(Outcome.NOT_ALLOWED, unknown_policies=unknown)
    identity_path = identity.allows_something and (
        context.boundary is None or boundary.allows_something or context.unknown_boundary is not None
    )
    if resource_layer.allows_something:
        granting = [resource_layer, *scp_layers]
    elif identity_path and context.unknown_boundary is None:
        granting = [identity, *([boundary] if context.boundary is not None else []), *scp_layers]
    else:
        outcome = Outcome.UNKNOWN if (context.unknown_policies or identity_path) else Outcome.NOT_ALLOWED
        return Decision(outcome, unknown_policies=unknown)

    grants: list[Statement] = []
    conditions: list[Statement] = list(conditional_denies)
    for layer in granting:
        if layer.allows:
            grants.append(layer.allows[0])
        else:
            grants.extend(layer.conditional_allows)
            conditions.extend(layer.conditional_allows)
    return Decision(
        Outcome.CONDITIONAL if conditions else Outcome.ALLOWED,
        grants=tuple(grants),
        conditions=tuple(conditions),
        denials=partial_denies,
        unknown_policies=unknown,
    )

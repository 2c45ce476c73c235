"""Is a policy (or a set of policies held together) administrator-equivalent, and why?

A policy is admin-equivalent when it grants administrator power by effect, whatever it looks like:

- *full*: after its own denies it allows every action of the catalog on every resource (`*:*`, `NotAction`
  naming only actions that do not exist, statements that only together cover everything);
- *self-grant*: it lets a holder grant itself the rest: put or attach a policy on itself (the holder's user,
  role or group), or publish a new default version of the very policy it holds. `iam:*` is the usual case,
  and so is `Allow NotAction [a few actions]` on `*` when the few do not include these.

This judges the documents only; whether a principal escalates through other principals is the escalation
graph's question (`awsaudit.analyze.iam.escalation`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from awsaudit.analyze.iam.account import IamAccount, Principal, PrincipalKind
from awsaudit.analyze.iam.catalog import ActionCatalog, action_catalog
from awsaudit.analyze.iam.evaluation import PermissionContext, evaluate
from awsaudit.analyze.iam.policy import Effect, Policy, Statement, has_variables, resolve_variables
from awsaudit.analyze.iam.profile import PermissionProfile, statement_mask
from awsaudit.analyze.iam.recipes import ADMIN_POLICY_ARN, created_policy_arns, creation_grants
from awsaudit.analyze.iam.wildcard import matches_everything

# Up to this many withheld actions are listed by name; beyond, only their number and services.
MISSING_LISTED = 200
_PROBE_NAME = "awsaudit-any-holder"


class AdminKind(StrEnum):
    NONE = "none"
    FULL = "full"
    SELF_GRANT = "self-grant"


class HolderKind(StrEnum):
    USER = "user"
    ROLE = "role"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds the policy. `groups`: a user's group ARNs (a policy on a group's members can edit the group).
    `probe`: not a real entity but "any holder of this kind" (its ARN is a made-up name in the account)."""

    kind: HolderKind
    arn: str
    name: str
    groups: tuple[str, ...] = ()
    probe: bool = False

    @property
    def label(self) -> str:
        return f"any {self.kind.value}" if self.probe else f"{self.kind.value}/{self.name}"


@dataclass(frozen=True, slots=True)
class SelfGrant:
    """One way a holder can grant itself everything: `action` on `resource`, by `statements`."""

    holder: str
    action: str
    resource: str
    how: str
    statements: tuple[Statement, ...]
    conditions: tuple[Statement, ...]

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)


@dataclass(frozen=True, slots=True)
class AdminEquivalence:
    """The verdict on one policy or a set of policies held together.

    `statements`: the Allow statements that apply to every resource (for FULL) or that grant the self-grants.
    `missing`: actions not allowed on every resource, by name when at most MISSING_LISTED (else empty);
    `missing_count` and `missing_services` always. `literal`: some statement spells out `*` on `*`.
    """

    kind: AdminKind
    conditional: bool
    literal: bool
    policies: tuple[str, ...]
    statements: tuple[Statement, ...]
    missing: tuple[str, ...]
    missing_count: int
    missing_services: tuple[str, ...]
    self_grants: tuple[SelfGrant, ...]

    @property
    def admin_equivalent(self) -> bool:
        return self.kind is not AdminKind.NONE

    @property
    def reason(self) -> str:
        """One sentence: why the policy is (or is not) administrator-equivalent."""
        if self.kind is AdminKind.FULL:
            how = "spelled out as * on *" if self.literal else "by effect, without a literal *:*"
            return f"allows every action on every resource ({how})"
        if self.kind is AdminKind.SELF_GRANT:
            grant = next((g for g in self.self_grants if not g.conditional), self.self_grants[0])
            withheld = _withheld_text(self)
            return f"lets {grant.holder} {grant.how} ({grant.action}){withheld}"
        return f"does not grant administrator power{_withheld_text(self)}"


def _withheld_text(verdict: AdminEquivalence) -> str:
    if verdict.missing_count == 0:
        return ""
    if verdict.missing:
        shown = ", ".join(verdict.missing[:5])
        more = f" and {verdict.missing_count - 5} more" if verdict.missing_count > 5 else ""
        return f"; withholds {shown}{more}"
    if verdict.missing_services:
        return f"; withholds {verdict.missing_count} actions of {len(verdict.missing_services)} services"
    return f"; withholds {verdict.missing_count} actions"


def _is_literal(statement: Statement) -> bool:
    return (
        statement.effect is Effect.ALLOW
        and not statement.not_actions
        and any(matches_everything(action) for action in statement.actions)
        and statement.covers_all_resources()
    )


def probe_holders(account_id: str) -> tuple[Holder, ...]:
    """ "Any user", "any role", "any group" of the account: how an unattached policy would act if attached."""
    prefix = f"arn:aws:iam::{account_id}"
    return (
        Holder(HolderKind.USER, f"{prefix}:user/{_PROBE_NAME}", _PROBE_NAME, probe=True),
        Holder(HolderKind.ROLE, f"{prefix}:role/{_PROBE_NAME}", _PROBE_NAME, probe=True),
        Holder(HolderKind.GROUP, f"{prefix}:group/{_PROBE_NAME}", _PROBE_NAME, probe=True),
    )


def _edits(holder: Holder, policy_arn: str | None, account_id: str) -> list[tuple[str, str, str]]:
    """(action, resource, how) by which the holder could grant itself everything."""
    kind = {HolderKind.USER: "User", HolderKind.ROLE: "Role", HolderKind.GROUP: "Group"}[holder.kind]
    edits = [
        (f"iam:Put{kind}Policy", holder.arn, "write itself an inline policy granting everything"),
        (f"iam:Attach{kind}Policy", holder.arn, "attach AdministratorAccess to itself"),
    ]
    for group in holder.groups:
        edits.append(("iam:PutGroupPolicy", group, f"write an inline policy on its group {group}"))
        edits.append(("iam:AttachGroupPolicy", group, f"attach AdministratorAccess to its group {group}"))
    if holder.kind is HolderKind.GROUP:
        # Members of a group are users: what the policy lets a member do to its own user counts too.
        member = f"arn:aws:iam::{account_id}:user/{_PROBE_NAME}"
        edits.append(("iam:PutUserPolicy", member, "let any member write itself an inline policy"))
        edits.append(("iam:AttachUserPolicy", member, "let any member attach AdministratorAccess to itself"))
    if policy_arn is not None and ":aws:policy/" not in policy_arn:
        edits.append(
            ("iam:CreatePolicyVersion", policy_arn, "publish a new default version of this very policy")
        )
    return edits


def _for_holder(policies: Sequence[Policy], holder: Holder, account_id: str) -> tuple[Policy, ...]:
    values = {"aws:PrincipalAccount": account_id}
    if holder.kind is HolderKind.USER:
        values["aws:username"] = holder.name
    return tuple(resolve_variables(p, values) if has_variables(p) else p for p in policies)


def _self_grants(
    policies: Sequence[Policy], holders: Sequence[Holder], policy_arn: str | None, account_id: str
) -> list[SelfGrant]:
    found: list[SelfGrant] = []
    for holder in holders:
        context = PermissionContext(identity=_for_holder(policies, holder, account_id))
        creating = evaluate(context, "iam:CreatePolicy", None)
        created = created_policy_arns(creation_grants(context.identity)) if creating.allowed else ()
        attachable = (ADMIN_POLICY_ARN, *created)
        for action, resource, how in _edits(holder, policy_arn, account_id):
            decision = evaluate(context, action, resource)
            if ":Attach" in action:
                # The request names the policy: a condition on iam:PolicyARN is decided against
                # AdministratorAccess and any policy the holder may create itself.
                for attached in attachable:
                    decision = evaluate(context, action, resource, request={"iam:PolicyARN": attached})
                    if decision.allowed:
                        break
            if decision.allowed:
                found.append(
                    SelfGrant(holder.label, action, resource, how, decision.grants, decision.conditions)
                )
                break  # one way per holder is enough to show it
    return found


def admin_equivalence(
    policies: Sequence[Policy],
    *,
    holders: Sequence[Holder] = (),
    policy_arn: str | None = None,
    account_id: str,
    catalog: ActionCatalog | None = None,
) -> AdminEquivalence:
    """Judge `policies` held together (one policy, or everything a principal holds).

    `holders`: who holds them; empty means "any user, role or group of `account_id`". `policy_arn`: the
    managed policy judged, so that permission to publish a new version of itself counts as a self-grant.
    """
    resolved = catalog or action_catalog()
    profile = PermissionProfile(PermissionContext(identity=tuple(policies)), resolved)
    full, conditional_full = profile.admin_level()
    withheld = resolved.all_mask & ~profile.everywhere_conditional
    count = withheld.bit_count()
    names = resolved.names(withheld) if count <= MISSING_LISTED else ()
    everywhere = tuple(
        s for p in policies for s in p.statements if s.effect is Effect.ALLOW and s.covers_all_resources()
    )
    literal = any(_is_literal(s) for p in policies for s in p.statements)
    none = AdminEquivalence(
        kind=AdminKind.NONE,
        conditional=False,
        literal=literal,
        policies=tuple(p.name for p in policies),
        statements=(),
        missing=names,
        missing_count=count,
        missing_services=tuple(sorted({name.split(":", 1)[0] for name in names})),
        self_grants=(),
    )
    if conditional_full:
        return replace(none, kind=AdminKind.FULL, conditional=not full, statements=everywhere)
    grants = _self_grants(policies, holders or probe_holders(account_id), policy_arn, account_id)
    if not grants:
        return none
    return replace(
        none,
        missing_services=none.missing_services or resolved.services(withheld),
        kind=AdminKind.SELF_GRANT,
        conditional=all(grant.conditional for grant in grants),
        statements=tuple(dict.fromkeys(s for grant in grants for s in grant.statements)),
        self_grants=tuple(grants),
    )


def holders_of(account: IamAccount, policy_arn: str) -> tuple[Holder, ...]:
    """The users, roles and groups a managed policy is attached to (users with their groups)."""
    holders: list[Holder] = []
    for principal in account.principals:
        if policy_arn in principal.attached_policy_arns:
            holders.append(principal_holder(account, principal))
    for group in account.groups.values():
        if policy_arn in group.attached_policy_arns:
            holders.append(Holder(HolderKind.GROUP, group.arn, group.name))
    return tuple(holders)


def principal_holder(account: IamAccount, principal: Principal) -> Holder:
    kind = HolderKind.USER if principal.kind is PrincipalKind.USER else HolderKind.ROLE
    groups = tuple(group.arn for group in account.principal_groups(principal))
    return Holder(kind, principal.arn, principal.name, groups)


@dataclass(frozen=True, slots=True)
class JointAdmin:
    """A principal whose policies together allow every action on every resource though none does alone."""

    principal: Principal
    verdict: AdminEquivalence


def joint_admin_sets(
    account: IamAccount, alone: dict[str, AdminEquivalence], *, catalog: ActionCatalog | None = None
) -> tuple[JointAdmin, ...]:
    """Principals whose identity policies (own, groups', inline and managed) together grant every action on
    every resource while none of them does alone. `alone`: verdicts already made on single policies, by name.

    (A self-grant needs one statement allowing one action on the holder, so it always shows on a single
    policy; only the full grant can be split across policies.)"""
    resolved = catalog or action_catalog()
    everywhere_of: dict[int, int] = {}

    def everywhere(policy: Policy) -> int:
        known = everywhere_of.get(id(policy))
        if known is None:
            known = 0
            for statement in policy.statements:
                if statement.effect is Effect.ALLOW and statement.covers_all_resources():
                    known |= statement_mask(resolved, statement)
            everywhere_of[id(policy)] = known
        return known

    found: list[JointAdmin] = []
    cache: dict[tuple[int, ...], AdminEquivalence] = {}
    for principal in account.principals:
        identity = account.context(principal, with_boundary=False).identity
        if len(identity) < 2 or any(
            (verdict := alone.get(policy.name)) is not None and verdict.kind is AdminKind.FULL
            for policy in identity
        ):
            continue
        union = 0
        for policy in identity:
            union |= everywhere(policy)
        if union != resolved.all_mask:
            continue  # cheap pre-test: the allows do not even cover every action
        key = tuple(map(id, identity))
        verdict = cache.get(key)
        if verdict is None:
            verdict = admin_equivalence(
                identity,
                holders=(principal_holder(account, principal),),
                account_id=principal.account_id,
                catalog=resolved,
            )
            cache[key] = verdict
        if verdict.kind is AdminKind.FULL:
            found.append(JointAdmin(principal, verdict))
    return tuple(found)

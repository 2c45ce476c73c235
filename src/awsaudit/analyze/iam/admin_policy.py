"""Does one policy grant full administrative access? (CIS "no policy allows *:*", judged semantically.)"""

from dataclasses import dataclass
from enum import StrEnum

from awsaudit.analyze.iam.account import IamAccount
from awsaudit.analyze.iam.catalog import ActionCatalog, action_catalog
from awsaudit.analyze.iam.evaluation import PermissionContext
from awsaudit.analyze.iam.policy import Effect, Policy, Statement
from awsaudit.analyze.iam.profile import PermissionProfile
from awsaudit.analyze.iam.wildcard import matches_everything

CLOUDSHELL_FULL_ACCESS_ARN = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"


class AdminGrant(StrEnum):
    NONE = "none"
    FULL = "full"
    CONDITIONAL = "conditional"


@dataclass(frozen=True, slots=True)
class FullAdminVerdict:
    """`grant`: every action on every resource, with or without conditions. `literal`: a statement spells it
    out as `"Action": "*"` on `"Resource": "*"`; semantic equivalents (`iam:*` + `NotAction: iam:*` ...) have
    `literal` False. `statements`: the Allow statements that apply to all resources."""

    grant: AdminGrant
    literal: bool
    statements: tuple[Statement, ...]


def _is_literal(statement: Statement) -> bool:
    return (
        statement.effect is Effect.ALLOW
        and not statement.not_actions
        and any(matches_everything(action) for action in statement.actions)
        and statement.covers_all_resources()
    )


def full_admin_verdict(policy: Policy, *, catalog: ActionCatalog | None = None) -> FullAdminVerdict:
    profile = PermissionProfile(PermissionContext(identity=(policy,)), catalog or action_catalog())
    full, conditional = profile.admin_level()
    grant = AdminGrant.FULL if full else AdminGrant.CONDITIONAL if conditional else AdminGrant.NONE
    statements = tuple(s for s in policy.statements if s.effect is Effect.ALLOW and s.covers_all_resources())
    return FullAdminVerdict(
        grant=grant,
        literal=any(_is_literal(s) for s in policy.statements),
        statements=statements if grant is not AdminGrant.NONE else (),
    )


def grants_cloudshell_full_access(policy: Policy, *, catalog: ActionCatalog | None = None) -> bool:
    """Whether the document allows every CloudShell action everywhere (what AWSCloudShellFullAccess does)."""
    resolved = catalog or action_catalog()
    profile = PermissionProfile(PermissionContext(identity=(policy,)), resolved)
    service = resolved.service_mask("cloudshell")
    return bool(service) and profile.everywhere_conditional & service == service


def cloudshell_full_access_holders(account: IamAccount) -> tuple[str, ...]:
    """ARNs of the users, groups and roles with AWSCloudShellFullAccess attached."""
    holders = [p.arn for p in account.principals if CLOUDSHELL_FULL_ACCESS_ARN in p.attached_policy_arns]
    holders.extend(
        g.arn for g in account.groups.values() if CLOUDSHELL_FULL_ACCESS_ARN in g.attached_policy_arns
    )
    return tuple(holders)

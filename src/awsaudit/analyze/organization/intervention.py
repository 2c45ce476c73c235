"""Intervention capability (guide G1.4): can the security team act in this account in an emergency?

For each configured audit / break-glass role: does it exist, does its trust policy admit the
security account or the organization (another account only with ``aws:PrincipalOrgID`` pinned to
the organization), and can it perform the configured intervention actions — decided by the IAM
policy engine over the role's policies, boundary and the SCPs the account analysis carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from awsaudit.analyze.iam.account import IamAccount, Principal
from awsaudit.analyze.iam.evaluation import ANY_RESOURCE, Outcome, evaluate
from awsaudit.analyze.iam.trust import TrustGrant, TrustKind, account_of_principal, trust_grants

_ORG_KEYS = ("aws:principalorgid",)


@dataclass(frozen=True)
class TrustVerdict:
    principal: str
    accepted: bool
    reason: str


@dataclass(frozen=True)
class RoleCapability:
    name: str
    arn: str | None  # None: the role does not exist
    trusts: tuple[TrustVerdict, ...]
    actions: dict[str, Outcome]

    @property
    def exists(self) -> bool:
        return self.arn is not None

    @property
    def trusted(self) -> bool:
        return any(t.accepted for t in self.trusts)

    @property
    def unable(self) -> tuple[str, ...]:
        return tuple(a for a, o in self.actions.items() if o in (Outcome.DENIED, Outcome.NOT_ALLOWED))

    @property
    def undecided(self) -> tuple[str, ...]:
        return tuple(a for a, o in self.actions.items() if o is Outcome.UNKNOWN)


def _org_pinned(grant: TrustGrant, organization_id: str | None) -> bool:
    if organization_id is None:
        return False
    return any(
        c.key.lower() in _ORG_KEYS
        and c.operator.lower().split(":")[-1] in ("stringequals", "stringlike")
        and organization_id in c.values
        for c in grant.conditions
    )


def _judge_trust(
    grant: TrustGrant,
    security_account: str | None,
    management_account: str | None,
    organization_id: str | None,
) -> TrustVerdict:
    if grant.kind in (TrustKind.SERVICE, TrustKind.SAML, TrustKind.OIDC, TrustKind.SAME_ACCOUNT):
        return TrustVerdict(grant.principal, False, f"{grant.kind.value} trust: not the security team")
    account = account_of_principal(grant.principal)
    if account is not None and account == security_account:
        return TrustVerdict(grant.principal, True, f"the security account {account}")
    if account is not None and account == management_account:
        return TrustVerdict(grant.principal, True, f"the organization's management account {account}")
    if _org_pinned(grant, organization_id):
        return TrustVerdict(grant.principal, True, f"principals of organization {organization_id}")
    who = "anyone" if grant.kind is TrustKind.ANYONE else f"account {account}"
    return TrustVerdict(
        grant.principal, False, f"{who}: neither the security account nor pinned to the organization"
    )


def _find_role(account: IamAccount, name: str) -> Principal | None:
    path, _, bare = name.rpartition("/")
    for role in account.roles:
        if role.name == bare and (not path or f"/{path.strip('/')}/" in role.arn):
            return role
    return None


def intervention_capability(
    account: IamAccount,
    role_names: Sequence[str],
    actions: Sequence[str],
    *,
    security_account: str | None,
    management_account: str | None,
    organization_id: str | None,
) -> tuple[RoleCapability, ...]:
    capabilities = []
    for name in role_names:
        role = _find_role(account, name)
        if role is None:
            capabilities.append(RoleCapability(name, None, (), {}))
            continue
        trusts = tuple(
            _judge_trust(grant, security_account, management_account, organization_id)
            for grant in trust_grants(role.trust_policy, role.account_id)
        )
        context = account.context(role)
        outcomes = {action: evaluate(context, action, ANY_RESOURCE).outcome for action in actions}
        capabilities.append(RoleCapability(name, role.arn, trusts, outcomes))
    return tuple(capabilities)

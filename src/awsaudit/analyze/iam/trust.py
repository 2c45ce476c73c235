"""Who a role trusts: the grants and denies of its trust policy."""

from dataclasses import dataclass
from enum import StrEnum

from awsaudit.analyze.iam.policy import Condition, Effect, Policy, PrincipalEntry, PrincipalType, Statement

ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")

COGNITO_IDENTITY = "cognito-identity.amazonaws.com"


class TrustKind(StrEnum):
    SAME_ACCOUNT = "same-account"
    OTHER_ACCOUNT = "other-account"
    ANYONE = "anyone"
    SAML = "saml"
    OIDC = "oidc"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class TrustGrant:
    """One principal a role's trust policy lets in, with the statement and the conditions that apply."""

    kind: TrustKind
    principal: str
    statement: Statement

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return self.statement.conditions


def account_of_principal(value: str) -> str | None:
    """The account a principal entry belongs to: a bare account id or any IAM/STS ARN."""
    if value.isdigit() and len(value) == 12:
        return value
    parts = value.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] in ("iam", "sts"):
        return parts[4]
    return None


def _kind_of(entry: PrincipalEntry, own_account: str) -> TrustKind:
    if entry.type is PrincipalType.ANYONE or entry.value == "*":
        return TrustKind.ANYONE
    if entry.type is PrincipalType.SERVICE:
        return TrustKind.SERVICE
    if entry.type is PrincipalType.FEDERATED:
        return TrustKind.SAML if ":saml-provider/" in entry.value else TrustKind.OIDC
    account = account_of_principal(entry.value)
    return TrustKind.SAME_ACCOUNT if account == own_account else TrustKind.OTHER_ACCOUNT


def trust_grants(trust: Policy | None, own_account: str) -> tuple[TrustGrant, ...]:
    """The Allow entries of a trust policy that let a principal assume the role."""
    if trust is None:
        return ()
    grants: list[TrustGrant] = []
    for statement in trust.statements:
        if statement.effect is not Effect.ALLOW:
            continue
        if not any(statement.matches_action(action) for action in ASSUME_ACTIONS):
            continue
        if statement.not_principals:
            # "everyone except ..." is as open as "*".
            grants.append(TrustGrant(TrustKind.ANYONE, "*", statement))
            continue
        grants.extend(
            TrustGrant(_kind_of(entry, own_account), entry.value, statement) for entry in statement.principals
        )
    return tuple(grants)


def trust_denies(trust: Policy | None) -> tuple[Statement, ...]:
    return () if trust is None else tuple(s for s in trust.statements if s.effect is Effect.DENY)

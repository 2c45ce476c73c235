"""Who a role trusts, and the external-trust inventory of the audit guide (G2.4)."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from awsaudit.analyze.iam.account import IamAccount
from awsaudit.analyze.iam.policy import Condition, Effect, Policy, PrincipalEntry, PrincipalType, Statement

ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")

# Condition keys that tie a cross-account or public trust to a known caller (confused-deputy protections).
RESTRICTING_KEYS = frozenset(
    key.lower()
    for key in (
        "sts:ExternalId",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceIdentity",
        "aws:userid",
        "aws:username",
    )
)
COGNITO_IDENTITY = "cognito-identity.amazonaws.com"
# Negated and existence-only operators do not pin the caller down.
_WEAK_OPERATORS = ("stringnot", "arnnot", "null")


class TrustKind(StrEnum):
    SAME_ACCOUNT = "same-account"
    OTHER_ACCOUNT = "other-account"
    ANYONE = "anyone"
    SAML = "saml"
    OIDC = "oidc"
    SERVICE = "service"


class Verdict(StrEnum):
    OK = "ok"
    RISK = "risk"
    FAIL = "fail"


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


def _restricting(conditions: Iterable[Condition]) -> tuple[Condition, ...]:
    return tuple(
        condition
        for condition in conditions
        if condition.key.lower() in RESTRICTING_KEYS
        and not condition.operator.lower()
        .removeprefix("forallvalues:")
        .removeprefix("foranyvalue:")
        .startswith(_WEAK_OPERATORS)
    )


def _keys_for_provider(conditions: Iterable[Condition], provider: str, suffix: str) -> tuple[Condition, ...]:
    host = provider.split(":oidc-provider/", 1)[-1].lower()
    wanted = f"{host}:{suffix}"
    return tuple(
        condition
        for condition in conditions
        if condition.key.lower() == wanted
        and not condition.operator.lower().startswith(_WEAK_OPERATORS)
        and all(value.strip("*") for value in condition.values)
    )


@dataclass(frozen=True, slots=True)
class ExternalTrust:
    """One role trusted by something outside the account, and the audit verdict on it."""

    role_arn: str
    role_name: str
    grant: TrustGrant
    verdict: Verdict
    reason: str


def _judge(grant: TrustGrant) -> tuple[Verdict, str]:
    conditions = grant.conditions
    if grant.kind is TrustKind.OIDC and grant.principal == COGNITO_IDENTITY:
        if not _keys_for_provider(conditions, grant.principal, "aud"):
            return (
                Verdict.FAIL,
                "Cognito identity pools are trusted without an 'aud' condition naming the pool",
            )
        return Verdict.OK, "Cognito identity trust restricted to named identity pools"
    if grant.kind is TrustKind.OIDC:
        subject = _keys_for_provider(conditions, grant.principal, "sub")
        audience = _keys_for_provider(conditions, grant.principal, "aud")
        if not subject:
            return Verdict.FAIL, (
                f"OIDC provider {grant.principal} is trusted without a condition on its 'sub' claim: "
                "any identity of that provider (e.g. any repository of a CI service) can assume the role"
            )
        if not audience:
            return (
                Verdict.RISK,
                f"OIDC trust restricts 'sub' but not the audience ('aud') of {grant.principal}",
            )
        return Verdict.OK, f"OIDC trust restricted by sub {subject[0].values} and aud {audience[0].values}"
    if grant.kind is TrustKind.SAML:
        return (
            Verdict.OK,
            f"SAML federation through {grant.principal} (inventory: a deliberate risk decision)",
        )
    restricting = _restricting(conditions)
    who = (
        "anyone (*)" if grant.kind is TrustKind.ANYONE else f"account {account_of_principal(grant.principal)}"
    )
    if restricting:
        keys = ", ".join(sorted({condition.key for condition in restricting}))
        return Verdict.OK, f"trusts {who}, restricted by {keys}"
    if grant.kind is TrustKind.ANYONE:
        return Verdict.FAIL, "trusts any AWS principal (*) with no condition restricting the caller"
    return Verdict.RISK, f"trusts {who} with no ExternalId/organization/source condition"


def external_trusts(account: IamAccount) -> tuple[ExternalTrust, ...]:
    """Roles trusted by another account, by `*` or by a SAML/OIDC provider (services are not external)."""
    inventory: list[ExternalTrust] = []
    for role in account.roles:
        for grant in trust_grants(role.trust_policy, role.account_id):
            if grant.kind in (TrustKind.SAME_ACCOUNT, TrustKind.SERVICE):
                continue
            verdict, reason = _judge(grant)
            inventory.append(ExternalTrust(role.arn, role.name, grant, verdict, reason))
    return tuple(inventory)

"""The external-trust inventory of the audit guide (G2.4): roles trusted by other accounts, anyone, or a
SAML/OIDC provider, each with a verdict (federated grants judged by `awsaudit.analyze.iam.federation`)."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from awsaudit.analyze.iam.account import IamAccount
from awsaudit.analyze.iam.federation import FederationVerdict, Risk, judge_federated_grant
from awsaudit.analyze.iam.policy import Condition
from awsaudit.analyze.iam.trust import TrustGrant, TrustKind, account_of_principal, trust_grants

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
# Negated and existence-only operators do not pin the caller down.
_WEAK_OPERATORS = ("stringnot", "arnnot", "null")


class Verdict(StrEnum):
    OK = "ok"
    RISK = "risk"
    FAIL = "fail"


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


@dataclass(frozen=True, slots=True)
class ExternalTrust:
    """One role trusted by something outside the account, and the audit verdict on it."""

    role_arn: str
    role_name: str
    grant: TrustGrant
    verdict: Verdict
    reason: str
    federation: FederationVerdict | None = None


def _judge(grant: TrustGrant) -> tuple[Verdict, str]:
    restricting = _restricting(grant.conditions)
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
    """Roles trusted by another account, by `*` or by a SAML/OIDC provider (services are not external).
    Federated grants carry the federation verdict (what they admit, graded)."""
    inventory: list[ExternalTrust] = []
    for role in account.roles:
        for grant in trust_grants(role.trust_policy, role.account_id):
            if grant.kind in (TrustKind.SAME_ACCOUNT, TrustKind.SERVICE):
                continue
            federated = judge_federated_grant(role.arn, grant)
            if federated is not None:
                verdict = {Risk.NONE: Verdict.OK, Risk.HIGH: Verdict.FAIL}.get(federated.risk, Verdict.RISK)
                inventory.append(
                    ExternalTrust(role.arn, role.name, grant, verdict, federated.reason, federated)
                )
            else:
                verdict, reason = _judge(grant)
                inventory.append(ExternalTrust(role.arn, role.name, grant, verdict, reason))
    return tuple(inventory)

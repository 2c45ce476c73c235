"""Federated trusts judged by what they admit: which identities of a SAML or OIDC provider can assume a role.

An OIDC `sub` pattern that a wildcard lets every subject match (`*`, `repo:*`) is as open as no `sub`
condition at all. Patterns are graded by the scope they leave free, per provider:

- GitHub Actions: any repository / any repository of one organization / one repository, any branch / pinned;
- GitLab CI: any project / any project of one group / one project, any ref / pinned;
- Terraform Cloud: any organization / any workspace of one organization / one workspace, any phase / pinned;
- Bitbucket Pipelines (one workspace per provider): any repository / one repository, any step / pinned;
- EKS (IRSA, one cluster per provider): any service account / any of one namespace / one service account;
- Cognito identity pools: `aud` must pin the pool, `amr` tells guest from signed-in identities;
- SAML: `SAML:aud` must pin the audience, else assertions minted for any relying party are accepted.

A condition only restricts when its operator is positive (`StringEquals`, `StringLike`, not `...Not...`,
not `Null`) and not `ForAllValues:` (which a missing key satisfies). Values of one condition are alternatives
(the broadest counts); separate conditions on the same key all apply (the narrowest counts).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from awsaudit.analyze.iam.account import IamAccount
from awsaudit.analyze.iam.policy import Condition, Statement
from awsaudit.analyze.iam.trust import COGNITO_IDENTITY, TrustGrant, TrustKind, trust_grants
from awsaudit.analyze.iam.wildcard import has_wildcard


class Scope(IntEnum):
    """What a subject restriction admits, from widest to narrowest."""

    ANYONE = 1
    ONE_OWNER = 2
    ONE_PROJECT = 3
    PINNED = 4


class Risk(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class _Provider:
    name: str
    # Regular expressions on the literal part of a pattern (before its first wildcard): matching `owner`
    # means the owner is pinned, matching `project` means the project is pinned too.
    owner: str | None
    project: str | None
    admits: tuple[str, str, str, str]
    audience: tuple[str, ...] = ()
    # Without any subject restriction, how bad: a provider scoped to one tenant (Bitbucket workspace, EKS
    # cluster) admits fewer strangers than a public one.
    anyone_risk: Risk = Risk.HIGH


_GITHUB = _Provider(
    "GitHub Actions",
    r"repo:[^/]+/",
    r"repo:[^/]+/[^:]+:",
    (
        "any repository on GitHub",
        "any repository of one organization",
        "one repository, any branch, tag, environment or pull request",
        "one branch, tag or environment of one repository",
    ),
    ("sts.amazonaws.com",),
)
_GITLAB = _Provider(
    "GitLab CI",
    r"project_path:[^/:]+/",
    r"project_path:[^:]+:",
    (
        "any project of the GitLab instance",
        "any project of one group",
        "one project, any branch or tag",
        "one branch or tag of one project",
    ),
)
_TERRAFORM = _Provider(
    "Terraform Cloud",
    r"organization:[^:]+:",
    r"organization:[^:]+:project:[^:]+:workspace:[^:]+:",
    (
        "any Terraform Cloud organization",
        "any workspace of one organization",
        "one workspace, any run phase",
        "one run phase of one workspace",
    ),
    ("aws.workload.identity",),
)
_BITBUCKET = _Provider(
    "Bitbucket Pipelines",
    None,
    r"\{[^}]+\}",
    (
        "any repository of the Bitbucket workspace",
        "any repository of the Bitbucket workspace",
        "one repository, any pipeline step",
        "one pipeline step of one repository",
    ),
    anyone_risk=Risk.MEDIUM,
)
_EKS = _Provider(
    "EKS service accounts (IRSA)",
    r"system:serviceaccount:[^:]+:",
    None,
    (
        "any service account of the cluster",
        "any service account of one namespace",
        "one service account",
        "one service account",
    ),
    ("sts.amazonaws.com",),
)
_GENERIC = _Provider(
    "OIDC provider",
    None,
    None,
    ("any identity of the provider", "", "", "the identities named"),
)


def provider_of(principal: str) -> tuple[str, _Provider]:
    """The issuer host of an OIDC provider principal, and what we know of its subjects."""
    host = principal.split(":oidc-provider/", 1)[-1].lower()
    if host.startswith("token.actions.githubusercontent.com"):
        return host, _GITHUB
    if host.startswith("app.terraform.io"):
        return host, _TERRAFORM
    if host.startswith("api.bitbucket.org/"):
        return host, _BITBUCKET
    if re.match(r"oidc\.eks\.[a-z0-9-]+\.amazonaws\.com/id/", host):
        return host, _EKS
    if host == "gitlab.com" or host.startswith("gitlab."):
        return host, _GITLAB
    return host, _GENERIC


@dataclass(frozen=True, slots=True)
class FederationVerdict:
    """The verdict on one federated grant of a role's trust policy.

    `risk` NONE passes. `scope`/`admits`: what the subject restriction lets in. `patterns`: the restricting
    values found (sub for OIDC, SAML:aud for SAML), empty when there is none.
    """

    role_arn: str
    provider: str
    provider_kind: str
    statement: Statement
    risk: Risk
    scope: Scope | None
    admits: str
    patterns: tuple[str, ...]
    reason: str

    @property
    def passed(self) -> bool:
        return self.risk is Risk.NONE


def _positive(condition: Condition) -> bool:
    operator = condition.operator.lower()
    if operator.startswith("forallvalues:"):
        return False
    operator = operator.removeprefix("foranyvalue:")
    return not (operator.startswith("null") or "not" in operator)


def _restrictions(conditions: Iterable[Condition], key: str) -> list[Condition]:
    return [c for c in conditions if c.key.lower() == key and _positive(c) and c.values]


def _uses_wildcards(condition: Condition) -> bool:
    return "like" in condition.operator.lower()


def _scope_of_value(value: str, provider: _Provider, wildcards: bool) -> Scope:
    if not wildcards or not has_wildcard(value):
        return Scope.PINNED
    literal = re.split(r"[*?]", value, maxsplit=1)[0]
    if provider.project is not None and re.match(provider.project, literal):
        return Scope.ONE_PROJECT
    if provider.owner is not None and re.match(provider.owner, literal):
        return Scope.ONE_OWNER
    return Scope.ANYONE


def subject_scope(
    conditions: Iterable[Condition], key: str, provider: _Provider
) -> tuple[Scope, tuple[str, ...]]:
    """The scope the `key` restrictions admit, and their values (ANYONE and () when none restricts)."""
    restrictions = _restrictions(conditions, key)
    if not restrictions:
        return Scope.ANYONE, ()
    scopes = [
        min(_scope_of_value(value, provider, _uses_wildcards(c)) for value in c.values) for c in restrictions
    ]
    return max(scopes), tuple(value for c in restrictions for value in c.values)


def _pinned(conditions: Iterable[Condition], key: str) -> tuple[str, ...]:
    """Values of positive conditions on `key` that are more than wildcards."""
    return tuple(value for c in _restrictions(conditions, key) for value in c.values if value.strip("*?"))


_RISK_BY_SCOPE = {Scope.ONE_OWNER: Risk.MEDIUM, Scope.ONE_PROJECT: Risk.LOW, Scope.PINNED: Risk.NONE}


def _judge_oidc(role_arn: str, grant: TrustGrant) -> FederationVerdict:
    host, provider = provider_of(grant.principal)
    conditions = grant.conditions
    if grant.principal == COGNITO_IDENTITY:
        return _judge_cognito(role_arn, grant)
    scope, patterns = subject_scope(conditions, f"{host}:sub", provider)
    admits = provider.admits[scope - 1]
    audience = _pinned(conditions, f"{host}:aud")

    def verdict(risk: Risk, reason: str) -> FederationVerdict:
        return FederationVerdict(
            role_arn, grant.principal, provider.name, grant.statement, risk, scope, admits, patterns, reason
        )

    if scope is Scope.ANYONE:
        shown = f"'sub' pattern {', '.join(patterns)}" if patterns else "no condition on 'sub'"
        return verdict(
            provider.anyone_risk,
            f"{provider.name} ({host}) is trusted with {shown}: it admits {admits}",
        )
    if scope is not Scope.PINNED:
        return verdict(
            _RISK_BY_SCOPE[scope],
            f"{provider.name} 'sub' pattern {', '.join(patterns)} admits {admits}",
        )
    if not audience:
        return verdict(
            Risk.MEDIUM,
            f"{provider.name} trust pins 'sub' ({', '.join(patterns)}) but not the audience ('aud')",
        )
    if provider.audience and not set(a.lower() for a in audience) <= set(provider.audience):
        note = f"; audience {', '.join(audience)} (expected {', '.join(provider.audience)})"
    else:
        note = ""
    return verdict(Risk.NONE, f"{provider.name} trust limited to {admits}: sub {', '.join(patterns)}{note}")


def _judge_cognito(role_arn: str, grant: TrustGrant) -> FederationVerdict:
    conditions = grant.conditions
    pools = tuple(
        value
        for c in _restrictions(conditions, f"{COGNITO_IDENTITY}:aud")
        for value in c.values
        if not (_uses_wildcards(c) and has_wildcard(value))
    )
    amr = tuple(
        value.lower() for c in _restrictions(conditions, f"{COGNITO_IDENTITY}:amr") for value in c.values
    )

    def verdict(risk: Risk, scope: Scope, admits: str, reason: str) -> FederationVerdict:
        return FederationVerdict(
            role_arn,
            grant.principal,
            "Cognito identity pools",
            grant.statement,
            risk,
            scope,
            admits,
            pools,
            reason,
        )

    if not pools:
        return verdict(
            Risk.HIGH,
            Scope.ANYONE,
            "any Cognito identity pool",
            "Cognito identity pools are trusted without an 'aud' condition pinning the pool: "
            "an identity of any pool, in any account, can assume the role",
        )
    if not amr or any(has_wildcard(value) for value in amr):
        return verdict(
            Risk.MEDIUM,
            Scope.ONE_OWNER,
            "guest and signed-in identities of the pool",
            f"Cognito pool {', '.join(pools)} trusted without an 'amr' condition: unauthenticated "
            "(guest) identities can assume the role as well as signed-in ones",
        )
    if "unauthenticated" in amr:
        return verdict(
            Risk.LOW,
            Scope.ONE_PROJECT,
            "guest identities of the pool",
            f"Cognito pool {', '.join(pools)}: the role is for unauthenticated (guest) identities",
        )
    return verdict(
        Risk.NONE,
        Scope.PINNED,
        "signed-in identities of the pool",
        f"Cognito trust restricted to pool {', '.join(pools)}, amr {', '.join(amr)}",
    )


def _judge_saml(role_arn: str, grant: TrustGrant) -> FederationVerdict:
    audiences = _pinned(grant.conditions, "saml:aud")
    wildcard = [
        value
        for c in _restrictions(grant.conditions, "saml:aud")
        if _uses_wildcards(c)
        for value in c.values
        if has_wildcard(value)
    ]
    if audiences and not wildcard:
        return FederationVerdict(
            role_arn,
            grant.principal,
            "SAML",
            grant.statement,
            Risk.NONE,
            Scope.PINNED,
            "assertions for the named audience",
            audiences,
            f"SAML federation through {grant.principal}, audience pinned to {', '.join(audiences)}",
        )
    shown = f"'SAML:aud' pattern {', '.join(wildcard)}" if wildcard else "no 'SAML:aud' condition"
    return FederationVerdict(
        role_arn,
        grant.principal,
        "SAML",
        grant.statement,
        Risk.MEDIUM,
        Scope.ANYONE,
        "assertions minted for any relying party",
        tuple(wildcard),
        f"SAML federation through {grant.principal} with {shown}: "
        "it admits assertions the identity provider minted for any relying party",
    )


def judge_federated_grant(role_arn: str, grant: TrustGrant) -> FederationVerdict | None:
    """The verdict on one grant of a trust policy; None for grants that are not SAML or OIDC."""
    if grant.kind is TrustKind.SAML:
        return _judge_saml(role_arn, grant)
    if grant.kind is TrustKind.OIDC:
        return _judge_oidc(role_arn, grant)
    return None


def federation_verdicts(account: IamAccount) -> tuple[FederationVerdict, ...]:
    """Every SAML and OIDC grant of every role's trust policy, judged."""
    verdicts: list[FederationVerdict] = []
    for role in account.roles:
        for grant in trust_grants(role.trust_policy, role.account_id):
            verdict = judge_federated_grant(role.arn, grant)
            if verdict is not None:
                verdicts.append(verdict)
    return tuple(verdicts)

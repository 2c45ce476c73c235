"""Federated trusts judged by what their conditions admit, per provider, both directions."""

from typing import Any

import pytest
from iam_builders import ACCOUNT, AccountBuilder, doc

from awsaudit.analyze.iam import parse_authorization_details
from awsaudit.analyze.iam.federation import Risk, Scope, federation_verdicts

GITHUB = "token.actions.githubusercontent.com"
GITLAB = "gitlab.com"
TFC = "app.terraform.io"
BITBUCKET = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
EKS = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"
SAML = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"
COGNITO = "cognito-identity.amazonaws.com"


def _oidc(host: str, condition: dict[str, Any] | None) -> dict[str, Any]:
    principal = host if host == COGNITO else f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": principal},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition:
        statement["Condition"] = condition
    return doc(statement)


def _sub(host: str, pattern: str | list[str], aud: str | None = "sts.amazonaws.com") -> dict[str, Any]:
    condition: dict[str, Any] = {"StringLike": {f"{host}:sub": pattern}}
    if aud is not None:
        condition["StringEquals"] = {f"{host}:aud": aud}
    return _oidc(host, condition)


def _verdict(trust_policy: dict[str, Any]) -> Any:
    account = AccountBuilder()
    account.role("r", trust_policy)
    (verdict,) = federation_verdicts(parse_authorization_details(account.details()))
    return verdict


@pytest.mark.parametrize(
    ("trust_policy", "risk", "scope"),
    [
        # GitHub: no sub / wildcards leaving the organization free are as open as no sub.
        (_oidc(GITHUB, {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}), Risk.HIGH, Scope.ANYONE),
        (_sub(GITHUB, "*"), Risk.HIGH, Scope.ANYONE),
        (_sub(GITHUB, "repo:*"), Risk.HIGH, Scope.ANYONE),
        (_sub(GITHUB, "repo:acme*"), Risk.HIGH, Scope.ANYONE),
        (_sub(GITHUB, "repo:acme/*"), Risk.MEDIUM, Scope.ONE_OWNER),
        (_sub(GITHUB, "repo:acme/app*"), Risk.MEDIUM, Scope.ONE_OWNER),
        (_sub(GITHUB, "repo:acme/app:*"), Risk.LOW, Scope.ONE_PROJECT),
        (_sub(GITHUB, "repo:acme/app:ref:refs/heads/*"), Risk.LOW, Scope.ONE_PROJECT),
        (_sub(GITHUB, ["repo:acme/app:ref:refs/heads/main", "repo:*"]), Risk.HIGH, Scope.ANYONE),
        (_sub(GITHUB, "repo:acme/app:ref:refs/heads/main"), Risk.NONE, Scope.PINNED),
        (_sub(GITHUB, "repo:acme/app:environment:prod"), Risk.NONE, Scope.PINNED),
        (_sub(GITHUB, "repo:acme/app:ref:refs/heads/main", aud=None), Risk.MEDIUM, Scope.PINNED),
        (
            _oidc(
                GITHUB,
                {"StringNotLike": {f"{GITHUB}:sub": "repo:evil/*"}, "StringEquals": {f"{GITHUB}:aud": "x"}},
            ),
            Risk.HIGH,
            Scope.ANYONE,
        ),
        (
            _oidc(
                GITHUB, {"ForAllValues:StringEquals": {f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"}}
            ),
            Risk.HIGH,
            Scope.ANYONE,
        ),
        # StringEquals does not expand wildcards: "repo:acme/*" there is one literal subject.
        (
            _oidc(
                GITHUB,
                {"StringEquals": {f"{GITHUB}:sub": "repo:acme/*", f"{GITHUB}:aud": "sts.amazonaws.com"}},
            ),
            Risk.NONE,
            Scope.PINNED,
        ),
        # GitLab, Terraform Cloud, Bitbucket, EKS.
        (_sub(GITLAB, "project_path:*", aud="https://gitlab.com"), Risk.HIGH, Scope.ANYONE),
        (_sub(GITLAB, "project_path:acme/*", aud="https://gitlab.com"), Risk.MEDIUM, Scope.ONE_OWNER),
        (_sub(GITLAB, "project_path:acme/app:*", aud="https://gitlab.com"), Risk.LOW, Scope.ONE_PROJECT),
        (
            _sub(GITLAB, "project_path:acme/app:ref_type:branch:ref:main", aud="https://gitlab.com"),
            Risk.NONE,
            Scope.PINNED,
        ),
        (_sub(TFC, "organization:*", aud="aws.workload.identity"), Risk.HIGH, Scope.ANYONE),
        (_sub(TFC, "organization:acme:project:*", aud="aws.workload.identity"), Risk.MEDIUM, Scope.ONE_OWNER),
        (
            _sub(TFC, "organization:acme:project:p:workspace:w:run_phase:*", aud="aws.workload.identity"),
            Risk.LOW,
            Scope.ONE_PROJECT,
        ),
        (
            _sub(TFC, "organization:acme:project:p:workspace:w:run_phase:apply", aud="aws.workload.identity"),
            Risk.NONE,
            Scope.PINNED,
        ),
        (_oidc(BITBUCKET, None), Risk.MEDIUM, Scope.ANYONE),
        (
            _sub(BITBUCKET, "{repo-uuid}:*", aud="ari:cloud:bitbucket::workspace/w"),
            Risk.LOW,
            Scope.ONE_PROJECT,
        ),
        (_sub(EKS, "system:serviceaccount:*"), Risk.HIGH, Scope.ANYONE),
        (_sub(EKS, "system:serviceaccount:prod:*"), Risk.MEDIUM, Scope.ONE_OWNER),
        (_sub(EKS, "system:serviceaccount:prod:api"), Risk.NONE, Scope.PINNED),
        # Cognito: aud pins the pool, amr tells guests from signed-in identities.
        (_oidc(COGNITO, None), Risk.HIGH, Scope.ANYONE),
        (
            _oidc(COGNITO, {"StringEquals": {f"{COGNITO}:aud": "eu-west-1:pool"}}),
            Risk.MEDIUM,
            Scope.ONE_OWNER,
        ),
        (
            _oidc(
                COGNITO,
                {
                    "StringEquals": {f"{COGNITO}:aud": "eu-west-1:pool"},
                    "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"},
                },
            ),
            Risk.NONE,
            Scope.PINNED,
        ),
        # SAML: the audience must be pinned.
        (
            doc({"Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML"}),
            Risk.MEDIUM,
            Scope.ANYONE,
        ),
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": SAML},
                    "Action": "sts:AssumeRoleWithSAML",
                    "Condition": {"StringLike": {"SAML:aud": "*"}},
                }
            ),
            Risk.MEDIUM,
            Scope.ANYONE,
        ),
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": SAML},
                    "Action": "sts:AssumeRoleWithSAML",
                    "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                }
            ),
            Risk.NONE,
            Scope.PINNED,
        ),
    ],
)
def test_federated_trust_verdicts(trust_policy: dict[str, Any], risk: Risk, scope: Scope) -> None:
    verdict = _verdict(trust_policy)
    assert (verdict.risk, verdict.scope) == (risk, scope), verdict.reason
    assert verdict.passed is (risk is Risk.NONE)


def test_verdict_names_the_pattern_and_what_it_admits() -> None:
    verdict = _verdict(_sub(GITHUB, "repo:acme/*"))
    assert verdict.patterns == ("repo:acme/*",)
    assert verdict.admits == "any repository of one organization"
    assert "repo:acme/*" in verdict.reason and verdict.provider_kind == "GitHub Actions"

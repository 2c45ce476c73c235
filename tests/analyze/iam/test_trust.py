import pytest
from iam_builders import ACCOUNT, AccountBuilder, doc, trust

from awsaudit.analyze.iam import TrustKind, Verdict, external_trusts, parse_authorization_details

GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SAML = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"
OTHER = "arn:aws:iam::999999999999:root"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


@pytest.mark.parametrize(
    ("trust_policy", "kind", "verdict"),
    [
        (trust({"AWS": OTHER}), TrustKind.OTHER_ACCOUNT, Verdict.RISK),
        (
            trust({"AWS": "999999999999"}, Condition={"StringEquals": {"sts:ExternalId": "x1"}}),
            TrustKind.OTHER_ACCOUNT,
            Verdict.OK,
        ),
        (
            trust({"AWS": OTHER}, Condition={"StringNotEquals": {"sts:ExternalId": "x1"}}),
            TrustKind.OTHER_ACCOUNT,
            Verdict.RISK,
        ),
        (trust("*"), TrustKind.ANYONE, Verdict.FAIL),
        (
            trust({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
            TrustKind.ANYONE,
            Verdict.OK,
        ),
        (trust({"Federated": GITHUB}, WEB_IDENTITY), TrustKind.OIDC, Verdict.FAIL),
        (
            trust(
                {"Federated": GITHUB},
                WEB_IDENTITY,
                Condition={"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
            ),
            TrustKind.OIDC,
            Verdict.FAIL,
        ),
        (
            trust(
                {"Federated": GITHUB},
                WEB_IDENTITY,
                Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "*"}},
            ),
            TrustKind.OIDC,
            Verdict.FAIL,
        ),
        (
            trust(
                {"Federated": GITHUB},
                WEB_IDENTITY,
                Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}},
            ),
            TrustKind.OIDC,
            Verdict.RISK,
        ),
        (
            trust(
                {"Federated": GITHUB},
                WEB_IDENTITY,
                Condition={
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {
                        "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"
                    },
                },
            ),
            TrustKind.OIDC,
            Verdict.OK,
        ),
        (trust({"Federated": "cognito-identity.amazonaws.com"}, WEB_IDENTITY), TrustKind.OIDC, Verdict.FAIL),
        (trust({"Federated": SAML}, "sts:AssumeRoleWithSAML"), TrustKind.SAML, Verdict.RISK),
        (
            trust(
                {"Federated": SAML},
                "sts:AssumeRoleWithSAML",
                Condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            ),
            TrustKind.SAML,
            Verdict.OK,
        ),
        (
            doc({"Effect": "Allow", "NotPrincipal": {"AWS": OTHER}, "Action": "sts:AssumeRole"}),
            TrustKind.ANYONE,
            Verdict.FAIL,
        ),
    ],
)
def test_external_trust_verdicts(trust_policy: dict[str, object], kind: TrustKind, verdict: Verdict) -> None:
    account = AccountBuilder()
    account.role("r", trust_policy)
    (entry,) = external_trusts(parse_authorization_details(account.details()))
    assert (entry.grant.kind, entry.verdict) == (kind, verdict), entry.reason
    assert entry.role_name == "r"


def test_services_and_same_account_are_not_external(account: AccountBuilder) -> None:
    account.role("svc", trust({"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}))
    account.role("internal", trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    assert external_trusts(parse_authorization_details(account.details())) == ()

"""Effective-permission queries: CloudShell with file transfer, and AWS Support case management."""

from typing import Any

import pytest
from iam_builders import ACCOUNT, AccountBuilder, allow, deny, doc, role_arn, trust, user_arn

from awsaudit.analyze.iam import Outcome
from awsaudit.analyze.iam.capabilities import (
    CLOUDSHELL_FULL_ACCESS_ARN,
    SUPPORT_ACCESS_ARN,
    cloudshell_access,
    support_case_access,
)

ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def _with_aws_policy(account: AccountBuilder, arn: str, document: dict[str, Any]) -> None:
    account.policies.append(
        {
            "Arn": arn,
            "DefaultVersionId": "v1",
            "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True}],
        }
    )


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ({"attached": [CLOUDSHELL_FULL_ACCESS_ARN]}, (Outcome.ALLOWED, True)),
        ({"inline": {"p": doc(allow("cloudshell:*"))}}, (Outcome.ALLOWED, False)),
        ({"inline": {"p": doc(allow("*"))}}, (Outcome.ALLOWED, False)),
        ({"inline": {"p": doc(allow("cloudshell:*", Condition=MFA))}}, (Outcome.CONDITIONAL, False)),
        ({"attached": [f"arn:aws:iam::{ACCOUNT}:policy/missing"]}, (Outcome.UNKNOWN, False)),
        # Look-alikes without file transfer, or with it denied.
        ({"inline": {"p": doc(allow(["cloudshell:CreateEnvironment", "cloudshell:CreateSession"]))}}, None),
        ({"attached": [CLOUDSHELL_FULL_ACCESS_ARN], "inline": {"d": doc(deny("cloudshell:GetFile*"))}}, None),
        ({"inline": {"p": doc(allow("s3:*"))}}, None),
    ],
)
def test_cloudshell_access_by_effect(setup: dict[str, Any], expected: tuple[Outcome, bool] | None) -> None:
    account = AccountBuilder()
    _with_aws_policy(account, CLOUDSHELL_FULL_ACCESS_ARN, doc(allow("cloudshell:*")))
    account.user("u", **setup)
    found = {c.principal.arn: c for c in cloudshell_access(account.graph())}
    if expected is None:
        assert user_arn("u") not in found
    else:
        entry = found[user_arn("u")]
        assert (entry.outcome, entry.granted_by(CLOUDSHELL_FULL_ACCESS_ARN)) == expected


def test_support_roles_and_users() -> None:
    account = AccountBuilder()
    _with_aws_policy(account, SUPPORT_ACCESS_ARN, doc(allow("support:*")))
    account.role("support", trust(ROOT), attached=[SUPPORT_ACCESS_ARN])
    account.role("custom-support", trust(ROOT), inline={"p": doc(allow("support:*Case*"))})
    account.role("service-only", trust({"Service": "lambda.amazonaws.com"}), attached=[SUPPORT_ACCESS_ARN])
    account.role("reader", trust(ROOT), inline={"p": doc(allow("support:Describe*"))})
    account.user("helpdesk", attached=[SUPPORT_ACCESS_ARN])
    access = support_case_access(account.graph())
    roles, users = access.roles, access.users
    assert access.trust_unknown == ()
    assert [r.capability.principal.arn for r in roles] == [role_arn("custom-support"), role_arn("support")]
    assert roles[1].capability.granted_by(SUPPORT_ACCESS_ARN)
    assert not roles[0].capability.granted_by(SUPPORT_ACCESS_ARN)
    assert [u.principal.arn for u in users] == [user_arn("helpdesk")]

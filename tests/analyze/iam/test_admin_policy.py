from typing import Any

import pytest
from iam_builders import ADMIN_POLICY_ARN, AccountBuilder, allow, deny, doc

from awsaudit.analyze.iam import (
    CLOUDSHELL_FULL_ACCESS_ARN,
    AdminGrant,
    cloudshell_full_access_holders,
    full_admin_verdict,
    grants_cloudshell_full_access,
    parse_authorization_details,
    parse_policy,
)

MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@pytest.mark.parametrize(
    ("document", "grant", "literal"),
    [
        (doc(allow("*")), AdminGrant.FULL, True),
        (doc(allow("*:*")), AdminGrant.FULL, False),
        (
            doc(allow("iam:*"), {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            AdminGrant.FULL,
            False,
        ),
        (
            doc(
                {"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "*"}, allow("s3:DeleteBucket")
            ),
            AdminGrant.FULL,
            False,
        ),
        (doc(allow("*", Condition=MFA)), AdminGrant.CONDITIONAL, True),
        (doc(allow("*"), deny("iam:*")), AdminGrant.NONE, True),
        (
            doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}),
            AdminGrant.NONE,
            False,
        ),
        (doc(allow("*", "arn:aws:s3:::*")), AdminGrant.NONE, False),
        (doc(allow(["s3:*", "iam:*", "sts:*"])), AdminGrant.NONE, False),
    ],
)
def test_full_admin_judged_semantically(document: dict[str, Any], grant: AdminGrant, literal: bool) -> None:
    verdict = full_admin_verdict(parse_policy(document, name="p"))
    assert (verdict.grant, verdict.literal) == (grant, literal)
    assert bool(verdict.statements) == (grant is not AdminGrant.NONE)


def test_cloudshell_full_access() -> None:
    assert grants_cloudshell_full_access(parse_policy(doc(allow("cloudshell:*")), name="p"))
    assert not grants_cloudshell_full_access(
        parse_policy(doc(allow("cloudshell:GetEnvironmentStatus")), name="p")
    )
    account = AccountBuilder()
    account.user("shell", attached=[CLOUDSHELL_FULL_ACCESS_ARN])
    account.group("ops", attached=[CLOUDSHELL_FULL_ACCESS_ARN])
    account.user("admin", attached=[ADMIN_POLICY_ARN])
    holders = cloudshell_full_access_holders(parse_authorization_details(account.details()))
    assert [holder.rsplit(":", 1)[1] for holder in holders] == ["user/shell", "group/ops"]

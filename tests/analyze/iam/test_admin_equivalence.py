"""Admin-equivalence of a policy judged by effect: full grants, self-grants, and sets held together."""

from typing import Any

import pytest
from iam_builders import ACCOUNT, AccountBuilder, allow, deny, doc, user_arn

from awsaudit.analyze.iam import parse_authorization_details, parse_policy
from awsaudit.analyze.iam.admin_equivalence import (
    AdminKind,
    Holder,
    HolderKind,
    admin_equivalence,
    holders_of,
    joint_admin_sets,
)

POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/p"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def _judge(document: dict[str, Any], **extra: Any) -> Any:
    return admin_equivalence([parse_policy(document, name="p")], account_id=ACCOUNT, **extra)


@pytest.mark.parametrize(
    ("document", "kind", "conditional", "why"),
    [
        (doc(allow("*")), AdminKind.FULL, False, "literal *:*"),
        (doc(allow("*", Condition=MFA)), AdminKind.FULL, True, "*:* under MFA"),
        (
            doc(allow("iam:*"), {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            AdminKind.FULL,
            False,
            "split",
        ),
        (
            doc(
                {
                    "Effect": "Allow",
                    "NotAction": ["s3:DeleteBucket", "kms:ScheduleKeyDeletion"],
                    "Resource": "*",
                }
            ),
            AdminKind.SELF_GRANT,
            False,
            "NotAction of a few actions keeps iam",
        ),
        (doc(allow("iam:*")), AdminKind.SELF_GRANT, False, "iam:*"),
        (doc(allow("iam:AttachRolePolicy")), AdminKind.SELF_GRANT, False, "attach on a role holder"),
        (
            doc(allow("iam:PutUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}")),
            AdminKind.SELF_GRANT,
            False,
            "own user by variable",
        ),
        (doc(allow("iam:PutGroupPolicy")), AdminKind.SELF_GRANT, False, "its group"),
        (doc(allow("iam:CreatePolicyVersion", POLICY_ARN)), AdminKind.SELF_GRANT, False, "edits itself"),
        (doc(allow("iam:PutUserPolicy", Condition=MFA)), AdminKind.SELF_GRANT, True, "self-grant under MFA"),
        # Look-alikes that are not admin-equivalent.
        (
            doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            AdminKind.NONE,
            False,
            "withholds iam",
        ),
        (doc(allow("*"), deny("iam:*")), AdminKind.NONE, False, "denies iam"),
        (doc(allow("*", "arn:aws:s3:::bucket/*")), AdminKind.NONE, False, "one bucket"),
        (doc(allow("iam:Get*")), AdminKind.NONE, False, "reads iam"),
        (
            doc(
                allow(
                    "iam:AttachUserPolicy",
                    Condition={"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
                )
            ),
            AdminKind.NONE,
            False,
            "attaches read-only only",
        ),
        (doc(allow("iam:PutUserPolicy", user_arn("someone"))), AdminKind.NONE, False, "edits another user"),
        (
            doc(allow("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/other")),
            AdminKind.NONE,
            False,
            "other",
        ),
    ],
)
def test_admin_equivalence(document: dict[str, Any], kind: AdminKind, conditional: bool, why: str) -> None:
    verdict = _judge(document, policy_arn=POLICY_ARN)
    assert (verdict.kind, verdict.conditional) == (kind, conditional), why
    assert verdict.admin_equivalent is (kind is not AdminKind.NONE)


def test_reason_names_the_statement_the_withheld_actions_and_the_self_grant() -> None:
    verdict = _judge(
        doc({"Effect": "Allow", "NotAction": ["s3:DeleteBucket"], "Resource": "*", "Sid": "Almost"})
    )
    assert verdict.missing == ("s3:DeleteBucket",) and verdict.missing_count == 1
    grant = verdict.self_grants[0]
    assert (grant.holder, grant.action) == ("any user", "iam:PutUserPolicy")
    assert [g.holder for g in verdict.self_grants] == ["any user", "any role", "any group"]
    assert [s.reference for s in grant.statements] == ["p statement Almost"]
    assert "withholds s3:DeleteBucket" in verdict.reason and "iam:PutUserPolicy" in verdict.reason


def test_real_holders_decide_which_self_grants_apply() -> None:
    only_users = doc(allow("iam:PutUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/*"))
    role = Holder(HolderKind.ROLE, f"arn:aws:iam::{ACCOUNT}:role/r", "r")
    user = Holder(HolderKind.USER, user_arn("u"), "u")
    assert _judge(only_users, holders=[role]).kind is AdminKind.NONE
    assert _judge(only_users, holders=[role, user]).self_grants[0].holder == "user/u"


def test_policies_only_together_admin_per_principal() -> None:
    account = AccountBuilder()
    iam_part = account.policy(
        "iam-part", doc(allow("iam:*"), deny(["iam:Put*", "iam:Attach*", "iam:CreatePolicyVersion"]))
    )
    rest = account.policy("rest", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    account.group("ops", inline={"iam": doc(allow("iam:*", "*"))})
    account.user(
        "split",
        inline={
            "a": doc(allow("iam:*")),
            "b": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
        },
    )
    account.user("halves", attached=[rest], groups=["ops"])
    account.user("partial", attached=[iam_part, rest])
    parsed = parse_authorization_details(account.details())
    alone = {
        p.name: _judge_policy(p)
        for principal in parsed.principals
        for p in parsed.context(principal).identity
    }
    found = {joint.principal.name: joint.verdict for joint in joint_admin_sets(parsed, alone)}
    assert found["split"].kind is AdminKind.FULL
    assert set(found["split"].policies) == {"user split inline policy a", "user split inline policy b"}
    assert found["halves"].kind is AdminKind.FULL
    assert "partial" not in found  # the deny in iam-part keeps it from granting itself anything
    assert holders_of(parsed, rest)[0].arn == user_arn("halves")


def _judge_policy(policy: Any) -> Any:
    return admin_equivalence([policy], account_id=ACCOUNT)


def test_attach_limited_to_policies_the_holder_may_create_is_a_self_grant() -> None:
    """AWSCodeStarServiceRole's shape: attach only CodeStar_* policies, but create CodeStar_* policies too."""
    document = doc(
        allow(
            "iam:AttachUserPolicy",
            Condition={"ArnEquals": {"iam:PolicyArn": ["arn:aws:iam::*:policy/CodeStar_*"]}},
        ),
        allow("iam:CreatePolicy", "arn:aws:iam::*:policy/CodeStar_*"),
    )
    verdict = _judge(document)
    assert verdict.kind is AdminKind.SELF_GRANT
    assert _judge(doc(document["Statement"][0])).kind is AdminKind.NONE

"""Cases from AWS's documented evaluation logic: explicit deny, NotAction, NotResource, boundaries, SCPs."""

from typing import Any

import pytest
from iam_builders import allow, deny, doc

from awsaudit.analyze.iam import (
    ALL_RESOURCES,
    ANY_RESOURCE,
    Outcome,
    PermissionContext,
    PolicyKind,
    evaluate,
    parse_policy,
)

BUCKET_OBJECT = "arn:aws:s3:::reports/2024.csv"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def policies(*documents: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY) -> tuple[Any, ...]:
    return tuple(
        parse_policy(document, name=f"p{index}", kind=kind) for index, document in enumerate(documents)
    )


CASES = [
    # (case, identity documents, boundary, scp levels, action, resource, expected)
    (
        "identity allow",
        [doc(allow("s3:GetObject"))],
        None,
        [],
        "s3:GetObject",
        BUCKET_OBJECT,
        Outcome.ALLOWED,
    ),
    (
        "implicit deny",
        [doc(allow("s3:GetObject"))],
        None,
        [],
        "s3:PutObject",
        BUCKET_OBJECT,
        Outcome.NOT_ALLOWED,
    ),
    (
        "explicit deny beats allow in another policy",
        [doc(allow("s3:*")), doc(deny("s3:GetObject", "arn:aws:s3:::reports/*"))],
        None,
        [],
        "s3:GetObject",
        BUCKET_OBJECT,
        Outcome.DENIED,
    ),
    (
        "actions match case-insensitively",
        [doc(allow("S3:getobject"))],
        None,
        [],
        "s3:GetObject",
        "*",
        Outcome.ALLOWED,
    ),
    (
        "NotAction with Allow grants everything else",
        [doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
        None,
        [],
        "ec2:RunInstances",
        "*",
        Outcome.ALLOWED,
    ),
    (
        "NotAction with Allow does not grant the excluded service",
        [doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
        None,
        [],
        "iam:CreateUser",
        "*",
        Outcome.NOT_ALLOWED,
    ),
    (
        "NotResource excludes the named resources",
        [doc({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::reports/*"})],
        None,
        [],
        "s3:GetObject",
        BUCKET_OBJECT,
        Outcome.NOT_ALLOWED,
    ),
    (
        "NotResource allows other resources",
        [doc({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::reports/*"})],
        None,
        [],
        "s3:GetObject",
        "arn:aws:s3:::public/x",
        Outcome.ALLOWED,
    ),
    (
        "boundary without the action blocks an identity allow",
        [doc(allow(["s3:*", "iam:*"]))],
        doc(allow("s3:*")),
        [],
        "iam:CreateUser",
        "*",
        Outcome.NOT_ALLOWED,
    ),
    (
        "boundary alone grants nothing",
        [doc(allow("s3:GetObject"))],
        doc(allow("*")),
        [],
        "s3:PutObject",
        BUCKET_OBJECT,
        Outcome.NOT_ALLOWED,
    ),
    (
        "identity and boundary both allow",
        [doc(allow("s3:*"))],
        doc(allow("s3:*")),
        [],
        "s3:GetObject",
        "*",
        Outcome.ALLOWED,
    ),
    (
        "deny in a boundary is an explicit deny",
        [doc(allow("*"))],
        doc(allow("*"), deny("iam:*")),
        [],
        "iam:CreateUser",
        "*",
        Outcome.DENIED,
    ),
    (
        "SCP deny",
        [doc(allow("*"))],
        None,
        [[doc(allow("*"), deny("cloudtrail:StopLogging"))]],
        "cloudtrail:StopLogging",
        "*",
        Outcome.DENIED,
    ),
    (
        "SCP allow list without the service",
        [doc(allow("*"))],
        None,
        [[doc(allow("s3:*"))]],
        "ec2:RunInstances",
        "*",
        Outcome.NOT_ALLOWED,
    ),
    (
        "every SCP level must allow",
        [doc(allow("*"))],
        None,
        [[doc(allow("*"))], [doc(allow("s3:*"))]],
        "ec2:RunInstances",
        "*",
        Outcome.NOT_ALLOWED,
    ),
    (
        "SCP never grants by itself",
        [doc(allow("s3:GetObject"))],
        None,
        [[doc(allow("*"))]],
        "ec2:RunInstances",
        "*",
        Outcome.NOT_ALLOWED,
    ),
    (
        "allow under condition",
        [doc(allow("s3:*", Condition=MFA))],
        None,
        [],
        "s3:GetObject",
        "*",
        Outcome.CONDITIONAL,
    ),
    (
        "unconditional allow wins over a conditional one",
        [doc(allow("s3:*", Condition=MFA), allow("s3:GetObject"))],
        None,
        [],
        "s3:GetObject",
        "*",
        Outcome.ALLOWED,
    ),
    (
        "conditional deny may not apply, the allow stands but is conditional",
        [
            doc(
                allow("*"),
                {
                    "Effect": "Deny",
                    "NotAction": "iam:ChangePassword",
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                },
            )
        ],
        None,
        [],
        "ec2:RunInstances",
        "*",
        Outcome.CONDITIONAL,
    ),
]


@pytest.mark.parametrize(
    ("identity", "boundary", "scps", "action", "resource", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_documented_evaluation_logic(
    identity: list[dict[str, Any]],
    boundary: dict[str, Any] | None,
    scps: list[list[dict[str, Any]]],
    action: str,
    resource: str,
    expected: Outcome,
) -> None:
    context = PermissionContext(
        identity=policies(*identity),
        boundary=None
        if boundary is None
        else parse_policy(boundary, name="boundary", kind=PolicyKind.BOUNDARY),
        scp_levels=tuple(policies(*level, kind=PolicyKind.SCP) for level in scps),
    )
    assert evaluate(context, action, resource).outcome is expected


def test_decision_carries_the_statements_it_rests_on() -> None:
    context = PermissionContext(
        identity=policies(doc(allow("s3:*", Condition=MFA)), doc(deny("s3:DeleteBucket")))
    )
    conditional = evaluate(context, "s3:GetObject", "*")
    assert [s.reference for s in conditional.grants] == ["p0 statement #0"]
    assert conditional.conditions == conditional.grants
    denied = evaluate(context, "s3:DeleteBucket", "arn:aws:s3:::b")
    assert [s.reference for s in denied.denials] == ["p1 statement #0"]


def test_all_resources_versus_any_resource() -> None:
    context = PermissionContext(
        identity=policies(
            doc(
                allow("s3:GetObject", "arn:aws:s3:::reports/*"),
                deny("s3:PutObject", "arn:aws:s3:::x/*"),
                allow("s3:PutObject"),
            )
        )
    )
    assert evaluate(context, "s3:GetObject", ANY_RESOURCE).outcome is Outcome.ALLOWED
    assert evaluate(context, "s3:GetObject", ALL_RESOURCES).outcome is Outcome.NOT_ALLOWED
    everywhere = evaluate(context, "s3:PutObject", ALL_RESOURCES)
    assert everywhere.allowed and [s.reference for s in everywhere.denials] == ["p0 statement #1"]


def test_same_account_resource_policy_naming_the_principal_grants_without_identity_allow() -> None:
    bucket_policy = parse_policy(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::reports/*",
            }
        ),
        name="bucket",
        kind=PolicyKind.RESOURCE,
    )
    context = PermissionContext(identity=())
    alice = evaluate(
        context,
        "s3:GetObject",
        BUCKET_OBJECT,
        resource_policy=bucket_policy,
        principal_arn="arn:aws:iam::123456789012:user/alice",
        account_id="123456789012",
    )
    bob = evaluate(
        context,
        "s3:GetObject",
        BUCKET_OBJECT,
        resource_policy=bucket_policy,
        principal_arn="arn:aws:iam::123456789012:user/bob",
        account_id="123456789012",
    )
    assert alice.outcome is Outcome.ALLOWED
    assert bob.outcome is Outcome.NOT_ALLOWED


def test_policies_missing_from_the_snapshot_make_the_answer_unknown_not_empty() -> None:
    missing = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    context = PermissionContext(identity=policies(doc(allow("s3:GetObject"))), unknown_policies=(missing,))
    unknown = evaluate(context, "ec2:DescribeInstances", "*")
    assert unknown.outcome is Outcome.UNKNOWN and unknown.unknown_policies == (missing,)
    known = evaluate(context, "s3:GetObject", "*")
    assert known.outcome is Outcome.ALLOWED and known.unknown_policies == (missing,)
    unknown_boundary = PermissionContext(identity=policies(doc(allow("*"))), unknown_boundary="arn:b")
    assert evaluate(unknown_boundary, "s3:GetObject", "*").outcome is Outcome.UNKNOWN

import json
from urllib.parse import quote

import pytest
from iam_builders import ACCOUNT, ADMIN_POLICY_ARN, AccountBuilder, allow, doc, user_arn

from awsaudit.analyze.iam import (
    Outcome,
    PolicyParseError,
    analyze_account,
    parse_authorization_details,
    scp_levels_for_account,
)


def test_moto_shape_without_policy_names_and_url_encoded_documents(account: AccountBuilder) -> None:
    arn = account.policy("cust", doc(allow("iam:*")))
    account.group("devs", attached=[arn])
    account.user("alice", groups=["devs"], inline={"p": doc(allow("s3:*"))})
    details = account.details()
    details["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"] = quote(
        json.dumps(doc(allow("s3:*")))
    )
    parsed = parse_authorization_details(details)
    assert parsed.account_id == ACCOUNT
    assert parsed.policies[arn].name == "cust"
    (alice,) = parsed.users
    assert parsed.attached_policy_arns(alice) == (arn,)
    context = parsed.context(alice)
    assert [policy.name for policy in context.identity] == ["user alice inline policy p", arn]


def test_filtered_aws_managed_policy_is_unknown_not_empty(account: AccountBuilder) -> None:
    account.user("alice", attached=["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    analysis = analyze_account(parse_authorization_details(account.details()))
    profile = analysis.profile_of[user_arn("alice")]
    assert profile.context.unknown_policies == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert profile.decide("s3:GetObject", "*").outcome is Outcome.UNKNOWN


def test_principals_sharing_policies_share_one_profile(account: AccountBuilder) -> None:
    account.group("admins", attached=[ADMIN_POLICY_ARN])
    for name in ("a", "b", "c"):
        account.user(name, groups=["admins"])
    analysis = analyze_account(parse_authorization_details(account.details()))
    assert len(analysis.profiles) == 1


@pytest.mark.parametrize(
    "details",
    [
        {"UserDetailList": {"UserName": "x"}},
        {"UserDetailList": [{"Arn": "arn:aws:iam::1:user/x"}]},
        {"UserDetailList": [{"UserName": "x", "Arn": "arn:aws:iam::1:user/x", "GroupList": "g"}]},
        {
            "RoleDetailList": [
                {"RoleName": "r", "Arn": "arn:aws:iam::1:role/r", "AssumeRolePolicyDocument": "{"}
            ]
        },
    ],
)
def test_malformed_details_raise_parse_error(details: dict[str, object]) -> None:
    with pytest.raises(PolicyParseError):
        parse_authorization_details(details)


def test_scp_levels_follow_the_account_position() -> None:
    def scp(name: str, content: dict[str, object], *targets: str) -> dict[str, object]:
        return {
            "PolicySummary": {
                "Id": name,
                "Arn": f"arn:aws:organizations::1:policy/{name}",
                "Name": name,
                "AwsManaged": False,
            },
            "Content": json.dumps(content),
            "Targets": [{"TargetId": target, "Type": "ACCOUNT", "Arn": "arn"} for target in targets],
        }

    policies = [
        scp("FullAWSAccess", doc(allow("*")), "r-root", "ou-a", ACCOUNT),
        scp("NoTrailTampering", doc({"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"}), "ou-a"),
        scp("Elsewhere", doc(allow("s3:*")), "ou-b"),
    ]
    levels = scp_levels_for_account(policies, ["r-root", "ou-a", ACCOUNT])
    assert [[policy.name for policy in level] for level in levels] == [
        ["SCP FullAWSAccess"],
        ["SCP FullAWSAccess", "SCP NoTrailTampering"],
        ["SCP FullAWSAccess"],
    ]
    account = AccountBuilder()
    account.user("boss", attached=[ADMIN_POLICY_ARN])
    graph = account.graph(scp_levels=levels)
    boss = graph.analysis.profile_of[user_arn("boss")]
    assert boss.decide("cloudtrail:StopLogging", "*").outcome is Outcome.DENIED
    # Admin means everything the SCPs leave open.
    assert graph.admin_level(graph.analysis.by_arn[user_arn("boss")]) == (True, True)

from iam_builders import AccountBuilder, allow, doc, user_arn

from awsaudit.analyze.iam import separation_of_duties


def test_principal_with_both_duties_is_reported_with_sources(account: AccountBuilder) -> None:
    account.user("iam-master", inline={"p": doc(allow(["iam:CreatePolicy", "iam:AttachGroupPolicy"]))})
    account.user("iam-manager", inline={"p": doc(allow(["iam:CreateUser", "iam:AddUserToGroup"]))})
    account.user("both", inline={"p": doc(allow(["iam:CreateRole", "iam:CreateAccessKey"]))})
    account.group("admins", inline={"a": doc(allow("iam:*"))})
    account.user("approved", groups=["admins"])
    account.user("unlisted", groups=["admins"])
    result = separation_of_duties(account.graph().analysis, ["admins-not-this", "approved"])
    reported = {conflict.principal.arn: conflict for conflict in result.conflicts}
    assert set(reported) == {user_arn("both"), user_arn("unlisted")}
    both = reported[user_arn("both")]
    assert [granted.action for granted in both.define] == ["iam:CreateRole"]
    assert [granted.action for granted in both.assign] == ["iam:CreateAccessKey"]
    assert both.define[0].statements[0].reference == "user both inline policy p statement #0"


def test_approval_by_group_and_unknown_policies(account: AccountBuilder) -> None:
    account.group("admins", inline={"a": doc(allow("iam:*"))})
    account.user("alice", groups=["admins"])
    account.user("opaque", attached=["arn:aws:iam::aws:policy/IAMFullAccess"])
    result = separation_of_duties(account.graph().analysis, ["admins"])
    assert result.conflicts == ()
    assert [principal.name for principal in result.undetermined] == ["opaque"]

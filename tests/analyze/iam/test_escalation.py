"""One small hand-built account per escalation method, plus the cases that must not produce an edge."""

from typing import Any

import pytest
from iam_builders import (
    ACCOUNT,
    ADMIN_POLICY_ARN,
    AccountBuilder,
    allow,
    deny,
    doc,
    role_arn,
    trust,
    user_arn,
)

from awsaudit.analyze.iam import COMPUTE_RECIPES, EdgeKind, action_catalog

ACCOUNT_ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def path_methods(account: AccountBuilder, source: str) -> list[str] | None:
    paths = account.graph().escalation_paths()
    return None if source not in paths else [edge.method for edge in paths[source].edges]


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("iam:PutUserPolicy", user_arn("mallory")),
        ("iam:AttachUserPolicy", user_arn("mallory")),
        ("iam:PutUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"),
    ],
)
def test_user_granting_itself_policies(account: AccountBuilder, action: str, resource: str) -> None:
    account.user("mallory", inline={"p": doc(allow(action, resource))})
    assert path_methods(account, user_arn("mallory")) == [action]


def test_policy_variable_does_not_reach_other_users(account: AccountBuilder) -> None:
    account.user(
        "mallory",
        inline={"p": doc(allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"))},
    )
    account.user("root-like", attached=[ADMIN_POLICY_ARN])
    assert path_methods(account, user_arn("mallory")) is None


def test_role_granting_itself_a_policy(account: AccountBuilder) -> None:
    account.role(
        "builder",
        trust({"Service": "codebuild.amazonaws.com"}),
        inline={"p": doc(allow("iam:AttachRolePolicy", role_arn("builder")))},
    )
    assert path_methods(account, role_arn("builder")) == ["iam:AttachRolePolicy"]


def test_create_policy_version_on_an_attached_customer_policy(account: AccountBuilder) -> None:
    arn = account.policy("dev", doc(allow("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/dev")))
    account.user("mallory", attached=[arn])
    assert path_methods(account, user_arn("mallory")) == ["iam:CreatePolicyVersion"]


def test_create_policy_version_is_useless_on_aws_managed_policies(account: AccountBuilder) -> None:
    aws_managed = "arn:aws:iam::aws:policy/ExamplePolicyEditor"
    account.policies.append(
        {
            "Arn": aws_managed,
            "DefaultVersionId": "v1",
            "PolicyVersionList": [
                {
                    "Document": doc(allow("iam:CreatePolicyVersion")),
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                }
            ],
        }
    )
    account.user("mallory", attached=[aws_managed])
    assert path_methods(account, user_arn("mallory")) is None


@pytest.mark.parametrize(
    ("older_is_admin", "expected"), [(True, ["iam:SetDefaultPolicyVersion"]), (False, None)]
)
def test_set_default_policy_version_needs_an_admin_version(
    account: AccountBuilder, older_is_admin: bool, expected: Any
) -> None:
    older = doc(allow("*")) if older_is_admin else doc(allow("s3:*"))
    arn = account.policy("dev", doc(allow("iam:SetDefaultPolicyVersion")), older=[older])
    account.user("mallory", attached=[arn])
    assert path_methods(account, user_arn("mallory")) == expected


def test_add_itself_to_an_admin_group(account: AccountBuilder) -> None:
    admins = account.group("admins", attached=[ADMIN_POLICY_ARN])
    account.group("readers", inline={"r": doc(allow("s3:Get*"))})
    account.user("mallory", inline={"p": doc(allow("iam:AddUserToGroup", admins))})
    assert path_methods(account, user_arn("mallory")) == ["iam:AddUserToGroup"]


def test_put_policy_on_own_group(account: AccountBuilder) -> None:
    devs = account.group(
        "devs", inline={"g": doc(allow("iam:PutGroupPolicy", f"arn:aws:iam::{ACCOUNT}:group/devs"))}
    )
    assert devs
    account.user("mallory", groups=["devs"])
    assert path_methods(account, user_arn("mallory")) == ["iam:PutGroupPolicy"]


def test_permissions_boundary_blocks_self_grant_unless_it_can_be_removed(account: AccountBuilder) -> None:
    boundary = account.policy(
        "boundary", doc(allow(["s3:*", "iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"]))
    )
    account.user("bounded", inline={"p": doc(allow("iam:PutUserPolicy"))}, boundary=boundary)
    account.user(
        "escapes",
        inline={"p": doc(allow(["iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"]))},
        boundary=boundary,
    )
    account.user(
        "boundary-forbids-removal",
        inline={"p": doc(allow(["iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"]))},
        boundary=account.policy("strict", doc(allow(["s3:*", "iam:PutUserPolicy"]))),
    )
    paths = account.graph().escalation_paths()
    assert user_arn("bounded") not in paths
    assert user_arn("boundary-forbids-removal") not in paths
    assert paths[user_arn("escapes")].edges[0].permissions == (
        "iam:DeleteUserPermissionsBoundary",
        "iam:PutUserPolicy",
    )


def test_assume_role_needs_trust_and_caller_permission(account: AccountBuilder) -> None:
    account.admin_role("admin", trust(ACCOUNT_ROOT))
    account.user("can", inline={"p": doc(allow("sts:AssumeRole", role_arn("admin")))})
    account.user("cannot", inline={"p": doc(allow("s3:*"))})
    account.user(
        "denied", inline={"p": doc(allow("sts:AssumeRole"), deny("sts:AssumeRole", role_arn("admin")))}
    )
    paths = account.graph().escalation_paths()
    (edge,) = paths[user_arn("can")].edges
    assert (edge.source, edge.target, edge.method) == (user_arn("can"), role_arn("admin"), "sts:AssumeRole")
    assert paths[user_arn("can")].reaches == role_arn("admin")
    assert "role admin trust policy statement #0" in edge.statements
    assert "user can inline policy p statement #0" in edge.statements
    assert user_arn("cannot") not in paths and user_arn("denied") not in paths


def test_trust_naming_the_principal_is_enough_within_the_account(account: AccountBuilder) -> None:
    account.admin_role("admin", trust({"AWS": user_arn("named")}))
    account.user("named")
    account.user("other", inline={"p": doc(allow("sts:AssumeRole"))})
    paths = account.graph().escalation_paths()
    assert path_methods(account, user_arn("named")) == ["sts:AssumeRole"]
    assert user_arn("other") not in paths


def test_trust_deny_blocks_assumption(account: AccountBuilder) -> None:
    account.admin_role(
        "admin",
        doc(
            {"Effect": "Allow", "Principal": ACCOUNT_ROOT, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"AWS": user_arn("blocked")}, "Action": "sts:AssumeRole"},
        ),
    )
    account.user("blocked", inline={"p": doc(allow("sts:AssumeRole"))})
    assert path_methods(account, user_arn("blocked")) is None


@pytest.mark.parametrize(
    "action", ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"]
)
def test_credentials_for_an_admin_user(account: AccountBuilder, action: str) -> None:
    account.user("boss", attached=[ADMIN_POLICY_ARN])
    account.user("helpdesk", inline={"p": doc(allow(action, f"arn:aws:iam::{ACCOUNT}:user/*"))})
    assert path_methods(account, user_arn("helpdesk")) == [action]


def test_update_assume_role_policy_of_an_admin_role(account: AccountBuilder) -> None:
    account.admin_role("admin", trust({"Service": "ec2.amazonaws.com"}))
    account.user("mallory", inline={"p": doc(allow("iam:UpdateAssumeRolePolicy", role_arn("admin")))})
    assert path_methods(account, user_arn("mallory")) == ["iam:UpdateAssumeRolePolicy"]


def test_edit_another_role_then_assume_it(account: AccountBuilder) -> None:
    account.role("worker", trust(ACCOUNT_ROOT), inline={"p": doc(allow("s3:*"))})
    account.user(
        "mallory", inline={"p": doc(allow(["iam:PutRolePolicy", "sts:AssumeRole"], role_arn("worker")))}
    )
    path = account.graph().escalation_paths()[user_arn("mallory")]
    grant, hop = path.edges
    assert (grant.kind, grant.source, grant.target, grant.method) == (
        EdgeKind.GRANTS,
        user_arn("mallory"),
        role_arn("worker"),
        "iam:PutRolePolicy",
    )
    assert (hop.kind, hop.target, hop.method) == (EdgeKind.ACTS_AS, role_arn("worker"), "sts:AssumeRole")
    assert (path.granter, path.reaches) == (user_arn("mallory"), role_arn("worker"))


def test_multi_hop_path_is_shortest_and_explained(account: AccountBuilder) -> None:
    account.admin_role("admin", trust({"AWS": role_arn("middle")}))
    account.role("middle", trust(ACCOUNT_ROOT), inline={"p": doc(allow("sts:AssumeRole", role_arn("admin")))})
    account.user("start", inline={"p": doc(allow("sts:AssumeRole", role_arn("middle")))})
    path = account.graph().escalation_paths()[user_arn("start")]
    assert [(edge.source, edge.target) for edge in path.edges] == [
        (user_arn("start"), role_arn("middle")),
        (role_arn("middle"), role_arn("admin")),
    ]
    assert not path.conditional


def test_conditional_permission_marks_the_path_conditional(account: AccountBuilder) -> None:
    account.admin_role("admin", trust(ACCOUNT_ROOT))
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    account.user("mallory", inline={"p": doc(allow("sts:AssumeRole", Condition=mfa))})
    path = account.graph().escalation_paths()[user_arn("mallory")]
    assert path.conditional
    assert path.edges[0].conditions[0].conditions[0].key == "aws:MultiFactorAuthPresent"


def _minimal_permissions(index: int) -> list[str]:
    return [alternatives[0] for alternatives in COMPUTE_RECIPES[index].steps]


@pytest.mark.parametrize("index", range(len(COMPUTE_RECIPES)), ids=[r.method for r in COMPUTE_RECIPES])
def test_pass_role_into_compute(account: AccountBuilder, index: int) -> None:
    recipe = COMPUTE_RECIPES[index]
    account.admin_role("admin", trust({"Service": recipe.service}), instance_profile=True)
    account.user("mallory", inline={"p": doc(allow(["iam:PassRole", *_minimal_permissions(index)]))})
    account.user("no-pass", inline={"p": doc(allow(_minimal_permissions(index)))})
    paths = account.graph().escalation_paths()
    assert paths[user_arn("mallory")].edges[0].method == "iam:PassRole"
    assert user_arn("no-pass") not in paths


def test_pass_role_incomplete_recipe_is_not_an_edge(account: AccountBuilder) -> None:
    account.admin_role("admin", trust({"Service": "lambda.amazonaws.com"}))
    account.user("mallory", inline={"p": doc(allow(["iam:PassRole", "lambda:CreateFunction"]))})
    assert path_methods(account, user_arn("mallory")) is None


def test_ec2_needs_an_instance_profile_or_the_right_to_make_one(account: AccountBuilder) -> None:
    account.admin_role("admin", trust({"Service": "ec2.amazonaws.com"}))
    account.user("runner", inline={"p": doc(allow(["iam:PassRole", "ec2:RunInstances"]))})
    account.user(
        "builder",
        inline={
            "p": doc(
                allow(
                    [
                        "iam:PassRole",
                        "ec2:RunInstances",
                        "iam:CreateInstanceProfile",
                        "iam:AddRoleToInstanceProfile",
                    ]
                )
            )
        },
    )
    paths = account.graph().escalation_paths()
    assert user_arn("runner") not in paths
    assert user_arn("builder") in paths


def test_recipe_actions_exist_in_the_catalog() -> None:
    catalog = action_catalog()
    for recipe in COMPUTE_RECIPES:
        for alternatives in recipe.steps:
            for action in alternatives:
                assert catalog.index(action) is not None, action


def test_admins_and_harmless_principals_have_no_path(account: AccountBuilder) -> None:
    account.user("admin", attached=[ADMIN_POLICY_ARN])
    account.user("reader", inline={"p": doc(allow(["s3:Get*", "iam:Get*", "iam:List*"]))})
    assert account.graph().escalation_paths() == {}


@pytest.mark.parametrize(
    ("passed_to", "has_path"),
    [("ec2.amazonaws.com", True), ("sagemaker.amazonaws.com", False), ("ec2.*", True)],
)
def test_passed_to_service_condition_is_decided_by_the_request(
    account: AccountBuilder, passed_to: str, has_path: bool
) -> None:
    account.admin_role("admin", trust({"Service": "ec2.amazonaws.com"}), instance_profile=True)
    condition = {"StringLike": {"iam:PassedToService": passed_to}}
    account.user(
        "mallory", inline={"p": doc(allow("iam:PassRole", Condition=condition), allow("ec2:RunInstances"))}
    )
    paths = account.graph().escalation_paths()
    assert (user_arn("mallory") in paths) is has_path
    if has_path:
        assert not paths[user_arn("mallory")].conditional


def test_principals_with_missing_policies_are_undetermined(account: AccountBuilder) -> None:
    account.admin_role("admin", trust(ACCOUNT_ROOT))
    account.user("opaque", attached=["arn:aws:iam::aws:policy/PowerUserAccess"])
    account.user("clear", inline={"p": doc(allow("s3:*"))})
    graph = account.graph()
    assert [principal.name for principal in graph.undetermined()] == ["opaque"]
    assert user_arn("opaque") not in graph.escalation_paths()

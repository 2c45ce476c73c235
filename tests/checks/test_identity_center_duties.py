"""iam.separation_of_duties with the IAM Identity Center duty set: permission sets vs assignments."""

from __future__ import annotations

from awsaudit.analyze.iam import DUTY_SETS
from awsaudit.findings import Status
from tests.builders import run
from tests.checks.test_iam_analysis import Account, allow, arn, by_resource, doc

PERMISSION_SETS = ["sso:CreatePermissionSet", "sso:PutInlinePolicyToPermissionSet"]


def test_identity_center_actions_are_declared_as_their_own_duty_set() -> None:
    sets = {duties.name: duties for duties in DUTY_SETS}
    center = sets["IAM Identity Center"]
    assert "sso:AttachManagedPolicyToPermissionSet" in center.define
    assert {"sso:CreateAccountAssignment", "identitystore:CreateUser"} <= set(center.assign)
    assert "identitystore:CreateGroupMembership" in center.assign


def test_permission_sets_with_account_assignments_or_memberships_fail() -> None:
    account = Account()
    account.user("assigner", inline=doc(allow([*PERMISSION_SETS, "sso:CreateAccountAssignment"])))
    account.user("member-adder", inline=doc(allow(["sso:AttachManagedPolicyToPermissionSet"])))
    account.user(
        "joiner", inline=doc(allow(["sso:ProvisionPermissionSet", "identitystore:CreateGroupMembership"]))
    )
    findings = by_resource(run(account.builder().build(), "iam.separation_of_duties"))
    assert {resource: f.status for resource, f in findings.items()} == {
        arn("user", "assigner"): Status.FAIL,
        arn("user", "member-adder"): Status.PASS,
        arn("user", "joiner"): Status.FAIL,
    }
    assigner = findings[arn("user", "assigner")]
    assert assigner.evidence["duty_sets"] == ["IAM Identity Center"]
    assert [g["action"] for g in assigner.evidence["define_permissions"]] == PERMISSION_SETS
    assert [g["action"] for g in assigner.evidence["assign_identities"]] == ["sso:CreateAccountAssignment"]
    assert "in IAM Identity Center" in assigner.message


def test_one_duty_in_each_identity_system_is_no_conflict() -> None:
    account = Account()
    # Writes IAM policies and assigns Identity Center users: neither system's two duties together.
    account.user("split", inline=doc(allow(["iam:CreatePolicy", "identitystore:CreateUser"])))
    account.user(
        "both-systems",
        inline=doc(allow(["iam:CreateRole", "iam:CreateUser", *PERMISSION_SETS, "identitystore:CreateUser"])),
    )
    findings = by_resource(run(account.builder().build(), "iam.separation_of_duties"))
    assert findings[arn("user", "split")].status is Status.PASS
    both = findings[arn("user", "both-systems")]
    assert both.status is Status.FAIL
    assert both.evidence["duty_sets"] == ["IAM", "IAM Identity Center"]


def test_identity_center_duties_are_unknown_when_a_missing_policy_may_grant_the_other_side() -> None:
    account = Account()
    # IAM is denied outright, so only the Identity Center side is left open by the missing policy.
    denied = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    account.user(
        "opaque", inline=doc(allow(PERMISSION_SETS), denied), attached=(arn("policy", "not-collected"),)
    )
    (finding,) = run(account.builder().build(), "iam.separation_of_duties")
    assert finding.status is Status.UNKNOWN
    assert finding.evidence["unknown_policies"] == [arn("policy", "not-collected")]

"""Intervention capability of audit roles; Identity Center permission sets; directory trusts."""

from __future__ import annotations

from typing import Any

from awsaudit.analyze.iam import parse_authorization_details
from awsaudit.analyze.iam.evaluation import Outcome
from awsaudit.analyze.organization.identity_center import AdminState, judge_permission_set, judge_trusts
from awsaudit.analyze.organization.intervention import intervention_capability

ACCOUNT = "222200000001"
SECURITY, MANAGEMENT, STRANGER = "333300000000", "111122223333", "999900000000"
ACTIONS = ("ec2:StopInstances", "kms:DisableKey", "iam:DetachRolePolicy")


def _role(name: str, trust: dict[str, Any], actions: list[str]) -> dict[str, Any]:
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "RoleId": f"AROA{name.upper()}",
        "Path": "/",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
        "RolePolicyList": [
            {
                "PolicyName": "respond",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
                },
            }
        ],
        "AttachedManagedPolicies": [],
    }


def _trust(principal: str, **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _capabilities(*roles: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    account = parse_authorization_details(
        {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": list(roles), "Policies": []}
    )
    found = intervention_capability(
        account,
        names,
        ACTIONS,
        security_account=SECURITY,
        management_account=MANAGEMENT,
        organization_id="o-example",
    )
    return {c.name: c for c in found}


def test_a_role_trusted_by_the_security_account_that_can_act() -> None:
    found = _capabilities(
        _role("audit", _trust(f"arn:aws:iam::{SECURITY}:root"), list(ACTIONS)), names=("audit",)
    )
    audit = found["audit"]
    assert audit.exists and audit.trusted and audit.unable == ()
    assert set(audit.actions.values()) == {Outcome.ALLOWED}


def test_trust_outside_the_organization_or_missing_actions_do_not_count() -> None:
    found = _capabilities(
        _role("stranger", _trust(f"arn:aws:iam::{STRANGER}:root"), list(ACTIONS)),
        _role("pinned", _trust("*", StringEquals={"aws:PrincipalOrgID": "o-example"}), ["ec2:StopInstances"]),
        names=("stranger", "pinned", "missing"),
    )
    assert not found["stranger"].trusted
    assert found["pinned"].trusted and found["pinned"].unable == ("kms:DisableKey", "iam:DetachRolePolicy")
    assert not found["missing"].exists


def _permission_set(**fields: Any) -> dict[str, Any]:
    return {
        "Name": "Admin",
        "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1",
        "AttachedManagedPolicies": [],
        "CustomerManagedPolicyReferences": [],
        "InlinePolicy": None,
        "PermissionsBoundary": None,
        "AccountAssignments": [
            {"AccountId": ACCOUNT, "PrincipalType": "GROUP", "PrincipalId": "g-1"},
            {"AccountId": ACCOUNT, "PrincipalType": "GROUP", "PrincipalId": "g-2"},
        ],
        **fields,
    }


GROUPS = {"g-1": "platform-admins", "g-2": "developers"}


def test_administrator_access_to_groups_outside_the_administrators() -> None:
    verdict = judge_permission_set(
        _permission_set(AttachedManagedPolicies=[{"Arn": "arn:aws:iam::aws:policy/AdministratorAccess"}]),
        GROUPS,
    )
    assert verdict.state is AdminState.FULL
    assert [h.display for h in verdict.outside(("platform-*",))] == ["developers"]
    assert [h.display for h in verdict.outside(())] == ["platform-admins", "developers"]


def test_inline_everything_capped_by_a_boundary_or_unknown() -> None:
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert judge_permission_set(_permission_set(InlinePolicy=everything), GROUPS).state is AdminState.FULL
    capped = _permission_set(
        InlinePolicy=everything,
        PermissionsBoundary={"ManagedPolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    )
    assert judge_permission_set(capped, GROUPS).state is AdminState.NOT_ADMIN
    customer = _permission_set(CustomerManagedPolicyReferences=[{"Name": "ops", "Path": "/"}])
    assert judge_permission_set(customer, GROUPS).state is AdminState.UNKNOWN
    read_only = _permission_set(AttachedManagedPolicies=[{"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}])
    assert judge_permission_set(read_only, GROUPS).state is AdminState.NOT_ADMIN


def test_two_way_forest_trust_without_selective_auth_fails() -> None:
    directory = {"DirectoryId": "d-1", "Name": "corp.example.com"}
    trusts = [
        {"RemoteDomainName": "onprem.example.com", "TrustDirection": "Two-Way", "TrustType": "Forest"},
        {
            "RemoteDomainName": "partner.example.com",
            "TrustDirection": "Two-Way",
            "TrustType": "Forest",
            "SelectiveAuth": "Enabled",
        },
        {
            "RemoteDomainName": "legacy.example.com",
            "TrustDirection": "One-Way: Outgoing",
            "TrustType": "Forest",
        },
        {"RemoteDomainName": "shared.example.com", "TrustDirection": "Two-Way", "TrustType": "Forest"},
    ]
    judged = {t.remote_domain: t.fails for t in judge_trusts(directory, trusts, {"shared.example.com"})}
    assert judged == {
        "onprem.example.com": True,
        "partner.example.com": False,
        "legacy.example.com": False,
        "shared.example.com": False,
    }

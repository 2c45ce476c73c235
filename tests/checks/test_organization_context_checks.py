"""Member verdicts that know their organization, and the Identity Center / directory checks."""

from __future__ import annotations

from typing import Any

from awsaudit.analyze.organization.context import build_context
from awsaudit.config import AuditConfig
from awsaudit.findings import Status
from awsaudit.snapshot import RESOURCE_ERRORS_KEY
from tests.builders import SnapshotBuilder, run
from tests.organization_snapshots import GUARDED_MEMBER, MANAGEMENT, WEAK_MEMBER, organization_snapshot

REGION = "eu-west-1"
ALERTING = [{"NotificationType": "ACTUAL"}]


def _context(features: list[str] | None = None) -> dict[str, Any]:
    budgets = [
        {
            "BudgetName": "sandbox-cap",
            "CostFilters": {"LinkedAccount": [WEAK_MEMBER]},
            "Notifications": ALERTING,
        }
    ]
    context = build_context(organization_snapshot(budgets=budgets, features=features or []).build())
    assert context is not None
    return context.to_dataset()


def _member(account_id: str, context: dict[str, Any] | None) -> SnapshotBuilder:
    builder = SnapshotBuilder(account_id=account_id)
    if context is not None:
        builder.with_dataset("organization", "Context", context)
    return builder


# ---------------------------------------------------------------- budgets


def test_a_linked_account_budget_caps_the_member() -> None:
    capped = _member(WEAK_MEMBER, _context()).with_dataset("budgets", "Budgets", []).build()
    (finding,) = run(capped, "budgets.budget_with_alert")
    assert (
        finding.status is Status.PASS and "sandbox-cap" in finding.message and MANAGEMENT in finding.message
    )
    uncapped = _member(GUARDED_MEMBER, _context()).with_dataset("budgets", "Budgets", []).build()
    assert [f.status for f in run(uncapped, "budgets.budget_with_alert")] == [Status.FAIL]
    alone = _member(WEAK_MEMBER, None).with_dataset("budgets", "Budgets", []).build()
    assert [f.status for f in run(alone, "budgets.budget_with_alert")] == [Status.FAIL]
    unknown = _member(WEAK_MEMBER, _context()).with_error("budgets", "Budgets").build()
    assert [f.status for f in run(unknown, "budgets.budget_with_alert")] == [Status.UNKNOWN]


# ---------------------------------------------------------------- root MFA under centralized root access


def _summary(password: int | None, keys: int = 0, mfa: int = 0) -> dict[str, Any]:
    summary: dict[str, Any] = {"AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys}
    if password is not None:
        summary["AccountPasswordPresent"] = password
    return summary


def _root(context: dict[str, Any] | None, summary: dict[str, Any], check_id: str) -> list[Status]:
    builder = _member(WEAK_MEMBER, context).with_dataset("iam", "AccountSummary", summary)
    builder.with_dataset("iam", "VirtualMFADevices", [])
    return [f.status for f in run(builder.build(), check_id)]


def test_a_root_without_credentials_under_centralized_root_access_passes() -> None:
    managed = _context(["RootCredentialsManagement", "RootSessions"])
    for check_id in ("iam.root_mfa", "iam.root_hardware_mfa"):
        assert _root(managed, _summary(password=0), check_id) == [Status.PASS]
        assert _root(managed, _summary(password=1), check_id) == [Status.FAIL]
        assert _root(managed, _summary(password=None), check_id) == [Status.FAIL]
        assert _root(_context([]), _summary(password=0), check_id) == [Status.FAIL]
        assert _root(None, _summary(password=0), check_id) == [Status.FAIL]
    missing = _member(WEAK_MEMBER, managed).with_error("iam", "AccountSummary").build()
    assert [f.status for f in run(missing, "iam.root_mfa")] == [Status.UNKNOWN]


# ---------------------------------------------------------------- trusts inside the organization


def _trusting(principal_account: str, context: dict[str, Any] | None) -> list[Any]:
    role = {
        "RoleName": "audit",
        "Arn": f"arn:aws:iam::{WEAK_MEMBER}:role/audit",
        "RoleId": "AROAAUDIT",
        "Path": "/",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{principal_account}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
    }
    details = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [role], "Policies": []}
    builder = _member(WEAK_MEMBER, context).with_dataset("iam", "AccountAuthorizationDetails", details)
    return run(builder.build(), "iam.external_trust")


def test_a_trust_to_an_account_of_the_organization_is_inventory() -> None:
    (internal,) = _trusting(MANAGEMENT, _context())
    assert internal.status is Status.PASS and "within organization o-example" in internal.message
    assert internal.evidence["internal_to_organization"][0]["account_name"] == "management"
    (outside,) = _trusting("999900000000", _context())
    assert outside.status is Status.FAIL
    (alone,) = _trusting(MANAGEMENT, None)
    assert alone.status is Status.FAIL


# ---------------------------------------------------------------- Identity Center


def _instance(permission_sets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "InstanceArn": "arn:aws:sso:::instance/ssoins-1",
        "IdentityStoreId": "d-1",
        "PermissionSets": permission_sets,
        "Groups": [
            {"GroupId": "g-admins", "DisplayName": "platform-admins"},
            {"GroupId": "g-dev", "DisplayName": "developers"},
        ],
    }


def _permission_set(name: str, policy: str, *groups: str) -> dict[str, Any]:
    return {
        "Name": name,
        "PermissionSetArn": f"arn:aws:sso:::permissionSet/ssoins-1/ps-{name}",
        "AttachedManagedPolicies": [{"Arn": f"arn:aws:iam::aws:policy/{policy}"}],
        "CustomerManagedPolicyReferences": [],
        "InlinePolicy": None,
        "PermissionsBoundary": None,
        "AccountAssignments": [
            {"AccountId": WEAK_MEMBER, "PrincipalType": "GROUP", "PrincipalId": group} for group in groups
        ],
    }


def _identity_center(
    *permission_sets: dict[str, Any], admins: tuple[str, ...] = ("platform-*",)
) -> dict[str, Status]:
    builder = SnapshotBuilder(regions=(REGION,)).with_dataset(
        "sso-admin", "Instances", [_instance(list(permission_sets))], REGION
    )
    config = AuditConfig(identity_center_admins=admins)
    return {
        f.evidence.get("permission_set", f.resource): f.status
        for f in run(builder.build(), "identitycenter.admin_permission_sets", config)
    }


def test_full_admin_permission_sets_outside_the_administrators_fail() -> None:
    assert _identity_center(
        _permission_set("Admin", "AdministratorAccess", "g-admins"),
        _permission_set("DevAdmin", "AdministratorAccess", "g-dev"),
        _permission_set("ReadOnly", "ReadOnlyAccess", "g-dev"),
    ) == {"Admin": Status.PASS, "DevAdmin": Status.FAIL, "ReadOnly": Status.PASS}


def test_unreadable_permission_set_parts_are_unknown() -> None:
    broken = _permission_set("Admin", "AdministratorAccess", "g-dev")
    del broken["AccountAssignments"]
    broken[RESOURCE_ERRORS_KEY] = {
        "AccountAssignments": {
            "operation": "ListAccountAssignments",
            "code": "AccessDeniedException",
            "message": "no",
        }
    }
    assert set(_identity_center(broken).values()) == {Status.UNKNOWN}
    customer = _permission_set("Ops", "ReadOnlyAccess", "g-dev")
    customer["CustomerManagedPolicyReferences"] = [{"Name": "ops", "Path": "/"}]
    assert _identity_center(customer) == {"Ops": Status.UNKNOWN}
    missing = SnapshotBuilder(regions=(REGION,)).with_error("sso-admin", "Instances", REGION).build()
    assert [f.status for f in run(missing, "identitycenter.admin_permission_sets")] == [Status.UNKNOWN]


# ---------------------------------------------------------------- directory trusts


def test_two_way_forest_trust_without_selective_authentication_fails() -> None:
    directory = {
        "DirectoryId": "d-1",
        "Name": "corp.example.com",
        "Trusts": [
            {
                "RemoteDomainName": "onprem.example.com",
                "TrustDirection": "Two-Way",
                "TrustType": "Forest",
                "SelectiveAuth": "Disabled",
            },
            {
                "RemoteDomainName": "partner.example.com",
                "TrustDirection": "Two-Way",
                "TrustType": "Forest",
                "SelectiveAuth": "Enabled",
            },
        ],
    }
    builder = SnapshotBuilder(regions=(REGION,)).with_dataset("ds", "Directories", [directory], REGION)
    verdicts = {
        f.evidence["remote_domain"]: f.status for f in run(builder.build(), "ds.forest_trust_selective_auth")
    }
    assert verdicts == {"onprem.example.com": Status.FAIL, "partner.example.com": Status.PASS}
    unread = {
        "DirectoryId": "d-2",
        "Name": "x",
        RESOURCE_ERRORS_KEY: {
            "Trusts": {"operation": "DescribeTrusts", "code": "AccessDeniedException", "message": "no"}
        },
    }
    builder = SnapshotBuilder(regions=(REGION,)).with_dataset("ds", "Directories", [unread], REGION)
    assert [f.status for f in run(builder.build(), "ds.forest_trust_selective_auth")] == [Status.UNKNOWN]


def test_federation_inventory_lists_identity_center_and_directories() -> None:
    builder = SnapshotBuilder(regions=(REGION,))
    builder.with_dataset("iam", "SAMLProviders", []).with_dataset("iam", "OpenIDConnectProviders", [])
    builder.with_dataset("iam", "CredentialReport", {"Rows": []})
    builder.with_dataset(
        "sso-admin",
        "Instances",
        [_instance([_permission_set("Admin", "AdministratorAccess", "g-dev")])],
        REGION,
    )
    builder.with_dataset("ds", "Directories", [{"DirectoryId": "d-1", "Name": "corp", "Trusts": []}], REGION)
    (finding,) = run(builder.build(), "iam.identity_federation")
    assert finding.status is Status.MANUAL
    assert "1 Identity Center instance(s), 1 directory(ies)" in finding.message
    assert finding.evidence["identity_center_instances"][0]["permission_sets"] == [
        {"Name": "Admin", "assignments": 1}
    ]

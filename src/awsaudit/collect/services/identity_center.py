"""IAM Identity Center (instances, permission sets, account assignments) and AWS Directory Service.

Identity Center lives in one region of the management (or delegated administrator) account; every
collected region is asked, and a region without an instance answers an empty list. Each instance
carries its permission sets (with managed, inline and customer-managed policies and the permissions
boundary), their account assignments, and the identity store's groups, so that assignments name
groups rather than opaque ids. Users are not listed: assignments to users keep their ids.

AWS publishes no API that names an instance's identity source (Identity Center directory, Active
Directory, external identity provider). What the documented APIs do show is collected for the
analysis to infer it from: the instance's description (``DescribeInstance``) and, from the first
page of the identity store's users, how many carry ``ExternalIds`` (identifiers issued by an
external identity provider) and by which issuers; user names and attributes are not kept.

Both datasets are collected on demand only (when a selected check reads them): asked in every
region, they would cost requests in each, for a service that lives in one.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext, attach, record_field_error, result_list
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.registry import dataset

# GetPermissionsBoundaryForPermissionSet answers this for a permission set without a boundary.
_NO_BOUNDARY = {"ResourceNotFoundException": None}
_INSTANCE_FIELDS = ("Name", "Status", "StatusReason", "OwnerAccountId", "IdentityStoreId")
# One page of users is enough to tell whether an external source provisions them.
USER_SAMPLE = 50


def _permission_set(ctx: CallContext, instance_arn: str, arn: str) -> dict[str, Any]:
    names = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
    described = dict(ctx.client.describe_permission_set(**names)["PermissionSet"])
    attach(
        described,
        "AttachedManagedPolicies",
        lambda: ctx.paginate("list_managed_policies_in_permission_set", "AttachedManagedPolicies", **names),
    )
    attach(
        described,
        "CustomerManagedPolicyReferences",
        lambda: ctx.paginate(
            "list_customer_managed_policy_references_in_permission_set",
            "CustomerManagedPolicyReferences",
            **names,
        ),
    )
    attach(
        described,
        "InlinePolicy",
        lambda: _inline_policy(ctx.client.get_inline_policy_for_permission_set(**names).get("InlinePolicy")),
    )
    attach(
        described,
        "PermissionsBoundary",
        lambda: ctx.client.get_permissions_boundary_for_permission_set(**names)["PermissionsBoundary"],
        absent=_NO_BOUNDARY,
    )
    attach(described, "AccountAssignments", lambda: _assignments(ctx, names))
    return described


def _inline_policy(text: str | None) -> Any:
    """The inline policy document (parsed JSON), or None when the permission set has none."""
    return json.loads(text) if text else None


def _assignments(ctx: CallContext, names: dict[str, str]) -> list[dict[str, Any]]:
    assignments: list[dict[str, Any]] = []
    for account in ctx.paginate("list_accounts_for_provisioned_permission_set", "AccountIds", **names):
        assignments.extend(
            ctx.paginate("list_account_assignments", "AccountAssignments", AccountId=account, **names)
        )
    return assignments


def _instance_detail(ctx: CallContext, instance: dict[str, Any]) -> None:
    instance_arn = instance["InstanceArn"]

    def permission_sets() -> list[dict[str, Any]]:
        found = []
        for arn in ctx.paginate("list_permission_sets", "PermissionSets", InstanceArn=instance_arn):
            try:
                found.append(_permission_set(ctx, instance_arn, arn))
            except ClientError as exc:
                entry: dict[str, Any] = {"PermissionSetArn": arn}
                record_field_error(entry, "PermissionSet", *describe_failure(exc))
                found.append(entry)
        return found

    attach(instance, "PermissionSets", permission_sets)
    attach(instance, "Description", lambda: _description(ctx, instance_arn))
    store = instance.get("IdentityStoreId")
    identity_store = ctx.client_for("identitystore", ctx.region)
    attach(instance, "UserSample", lambda: _user_sample(identity_store, store))
    attach(
        instance,
        "Groups",
        lambda: [
            {key: group[key] for key in ("GroupId", "DisplayName") if key in group}
            for page in identity_store.get_paginator("list_groups").paginate(IdentityStoreId=store)
            for group in ctx.result(page, "Groups", "list_groups")
        ],
    )


def _description(ctx: CallContext, instance_arn: str) -> dict[str, Any]:
    described = ctx.client.describe_instance(InstanceArn=instance_arn)
    return {key: described[key] for key in _INSTANCE_FIELDS if key in described}


def _user_sample(identity_store: Any, store: Any) -> dict[str, Any]:
    """How many of the first users carry external identifiers, and whose (never who they are)."""
    page = identity_store.list_users(IdentityStoreId=store, MaxResults=USER_SAMPLE)
    users = result_list(page, "Users", "ListUsers")
    issuers = sorted({str(e.get("Issuer")) for u in users for e in u.get("ExternalIds") or []})
    return {
        "Sampled": len(users),
        "WithExternalIds": sum(1 for u in users if u.get("ExternalIds")),
        "Issuers": issuers,
        "More": bool(page.get("NextToken")),
    }


@dataset(
    "sso-admin",
    "Instances",
    regional=True,
    actions=[
        "sso:ListInstances",
        "sso:ListPermissionSets",
        "sso:DescribePermissionSet",
        "sso:ListManagedPoliciesInPermissionSet",
        "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
        "sso:GetInlinePolicyForPermissionSet",
        "sso:GetPermissionsBoundaryForPermissionSet",
        "sso:ListAccountsForProvisionedPermissionSet",
        "sso:ListAccountAssignments",
        "sso:DescribeInstance",
        "identitystore:ListGroups",
        "identitystore:ListUsers",
    ],
    detail=_instance_detail,
    on_demand=True,
)
def instances(ctx: CallContext) -> list[Any]:
    """Every Identity Center instance of the region, with ``PermissionSets`` and ``Groups``."""
    return ctx.paginate("list_instances", "Instances")


def _trusts(ctx: CallContext, directory: dict[str, Any]) -> None:
    directory_id = directory["DirectoryId"]
    attach(directory, "Trusts", lambda: ctx.paginate("describe_trusts", "Trusts", DirectoryId=directory_id))


# DescribeDirectories returns the AD Connector's service account name and RADIUS shared
# secret fields; only these are kept.
_DIRECTORY_FIELDS = (
    "DirectoryId",
    "Name",
    "ShortName",
    "Type",
    "Edition",
    "Size",
    "Stage",
    "Alias",
    "DnsIpAddrs",
    "VpcSettings",
    "SsoEnabled",
    "ShareStatus",
    "OwnerDirectoryDescription",
)
_CONNECTOR_FIELDS = ("VpcId", "SubnetIds", "CustomerUserName", "SecurityGroupId", "ConnectIps")


@dataset(
    "ds",
    "Directories",
    regional=True,
    actions=["ds:DescribeDirectories", "ds:DescribeTrusts"],
    detail=_trusts,
    on_demand=True,
)
def directories(ctx: CallContext) -> list[dict[str, Any]]:
    """Every directory (AD Connector settings included, no secrets), each with its ``Trusts``."""
    kept: list[dict[str, Any]] = []
    for directory in ctx.paginate("describe_directories", "DirectoryDescriptions"):
        entry = {key: directory[key] for key in _DIRECTORY_FIELDS if key in directory}
        connector = directory.get("ConnectSettings")
        if connector:
            entry["ConnectSettings"] = {key: connector[key] for key in _CONNECTOR_FIELDS if key in connector}
        kept.append(entry)
    return kept

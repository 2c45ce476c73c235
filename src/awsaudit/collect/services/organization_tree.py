"""Organizations policy tree: RCPs with their targets, which account sits under which parent, and
IAM's organization features (centralized root access).

SCPs are ``organizations/Policies`` (organizations.py); the RCPs here have the same shape. Like the
other organization-wide lists, these answer only in the management account or a delegated
administrator; from a member the denial is recorded as the dataset's error. All are collected on
demand only (when a selected check reads them), so a collect-everything run does not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.registry import dataset
from awsaudit.collect.services.organizations import _policy_detail, _unless_no_organization

# IAM answers these when no organization feature can be in force: the account is in no
# organization, or the organization has not enabled IAM's trusted access.
_NO_ORGANIZATION_FEATURES = frozenset({"OrganizationNotFoundException", "ServiceAccessNotEnabledException"})


@dataset(
    "organizations",
    "ResourceControlPolicies",
    regional=False,
    actions=[
        "organizations:ListPolicies",
        "organizations:DescribePolicy",
        "organizations:ListTargetsForPolicy",
    ],
    detail=_policy_detail,
    on_demand=True,
)
def resource_control_policies(ctx: CallContext) -> list[dict[str, Any]]:
    """{PolicySummary, Content, Targets} per RCP, as ``organizations/Policies`` holds SCPs."""
    summaries = _unless_no_organization(
        lambda: ctx.paginate("list_policies", "Policies", Filter="RESOURCE_CONTROL_POLICY")
    )
    return [{"PolicySummary": summary} for summary in summaries]


@dataset(
    "organizations",
    "AccountParents",
    regional=False,
    actions=[
        "organizations:ListRoots",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListAccountsForParent",
    ],
    on_demand=True,
)
def account_parents(ctx: CallContext) -> list[dict[str, Any]]:
    """{Id, Name, Status, State, ParentId} for every account, walked from the roots through every OU.

    Accounts directly under a root have the root's id (``r-...``) as ParentId.
    """

    def walk() -> list[dict[str, Any]]:
        placed: list[dict[str, Any]] = []
        parents = [root["Id"] for root in ctx.paginate("list_roots", "Roots")]
        while parents:
            parent = parents.pop(0)
            for account in ctx.paginate("list_accounts_for_parent", "Accounts", ParentId=parent):
                fields = ("Id", "Name", "Status", "State")
                placed.append({**{k: account[k] for k in fields if k in account}, "ParentId": parent})
            parents.extend(
                unit["Id"]
                for unit in ctx.paginate(
                    "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
                )
            )
        return placed

    return _unless_no_organization(walk)


@dataset(
    "iam", "OrganizationsFeatures", regional=False, actions=["iam:ListOrganizationsFeatures"], on_demand=True
)
def organizations_features(ctx: CallContext) -> dict[str, Any]:
    """{OrganizationId, EnabledFeatures: [RootCredentialsManagement, RootSessions]}.

    An account in no organization, or an organization without IAM trusted access, has no feature
    enabled (recorded as data: ``EnabledFeatures: []``). A member account is refused (an error).
    """
    try:
        response = ctx.client.list_organizations_features()
    except ClientError as exc:
        code = describe_failure(exc)[1]
        if code in _NO_ORGANIZATION_FEATURES:
            return {"OrganizationId": None, "EnabledFeatures": [], "Reason": code}
        raise
    return {
        "OrganizationId": response.get("OrganizationId"),
        "EnabledFeatures": list(response.get("EnabledFeatures") or []),
    }


# The security services whose delegated administrator the organization checks look for.
SECURITY_SERVICE_PRINCIPALS = (
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "config.amazonaws.com",
    "access-analyzer.amazonaws.com",
)


@dataset(
    "organizations",
    "ServiceDelegatedAdministrators",
    regional=False,
    actions=["organizations:ListDelegatedAdministrators"],
    on_demand=True,
)
def service_delegated_administrators(ctx: CallContext) -> dict[str, list[dict[str, Any]]]:
    """{service principal: [{Id, Name}]} for the security services (one call each)."""

    def listed(principal: str) -> Callable[[], list[Any]]:
        def fetch() -> list[Any]:
            return [
                {key: admin[key] for key in ("Id", "Name") if key in admin}
                for admin in ctx.paginate(
                    "list_delegated_administrators", "DelegatedAdministrators", ServicePrincipal=principal
                )
            ]

        return fetch

    return {
        principal: _unless_no_organization(listed(principal)) for principal in SECURITY_SERVICE_PRINCIPALS
    }

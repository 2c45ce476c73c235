"""Organizations: the organization, its accounts, roots, OUs, SCPs with targets, delegated administrators.

An account outside any organization is data ("no organization"), not an error. The list
calls work only from the management account or a delegated administrator; from a member
they fail with AccessDeniedException, which is recorded as an error like any denial.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.registry import dataset

_NOT_IN_USE = "AWSOrganizationsNotInUseException"


def _unless_no_organization(fetch: Callable[[], list[Any]]) -> list[Any]:
    """An account in no organization has no accounts, roots, OUs or policies to list."""
    try:
        return fetch()
    except ClientError as exc:
        if describe_failure(exc)[1] == _NOT_IN_USE:
            return []
        raise


@dataset("organizations", "Organization", regional=False, actions=["organizations:DescribeOrganization"])
def organization(ctx: CallContext) -> dict[str, Any]:
    """{"Organization": {..., MasterAccountId}} or {"Organization": null} outside any organization."""
    try:
        return {"Organization": ctx.client.describe_organization()["Organization"]}
    except ClientError as exc:
        if describe_failure(exc)[1] == _NOT_IN_USE:
            return {"Organization": None}
        raise


@dataset("organizations", "Accounts", regional=False, actions=["organizations:ListAccounts"])
def accounts(ctx: CallContext) -> list[Any]:
    return _unless_no_organization(lambda: ctx.paginate("list_accounts", "Accounts"))


@dataset("organizations", "Roots", regional=False, actions=["organizations:ListRoots"])
def roots(ctx: CallContext) -> list[Any]:
    return _unless_no_organization(lambda: ctx.paginate("list_roots", "Roots"))


@dataset(
    "organizations",
    "OrganizationalUnits",
    regional=False,
    actions=["organizations:ListRoots", "organizations:ListOrganizationalUnitsForParent"],
)
def organizational_units(ctx: CallContext) -> list[dict[str, Any]]:
    """Every OU, walked breadth-first from the roots, each with the id of its parent."""

    def walk() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        parents = [root["Id"] for root in ctx.paginate("list_roots", "Roots")]
        while parents:
            parent = parents.pop(0)
            for unit in ctx.paginate(
                "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
            ):
                found.append({**unit, "ParentId": parent})
                parents.append(unit["Id"])
        return found

    return _unless_no_organization(walk)


def _policy_detail(ctx: CallContext, policy: dict[str, Any]) -> None:
    policy_id = policy["PolicySummary"]["Id"]
    attach(policy, "Content", lambda: ctx.client.describe_policy(PolicyId=policy_id)["Policy"]["Content"])
    attach(policy, "Targets", lambda: ctx.paginate("list_targets_for_policy", "Targets", PolicyId=policy_id))


@dataset(
    "organizations",
    "Policies",
    regional=False,
    actions=[
        "organizations:ListPolicies",
        "organizations:DescribePolicy",
        "organizations:ListTargetsForPolicy",
    ],
    detail=_policy_detail,
)
def service_control_policies(ctx: CallContext) -> list[dict[str, Any]]:
    """{PolicySummary, Content, Targets} per SCP; Content is the policy JSON text."""
    summaries = _unless_no_organization(
        lambda: ctx.paginate("list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY")
    )
    return [{"PolicySummary": summary} for summary in summaries]


@dataset(
    "organizations",
    "DelegatedAdministrators",
    regional=False,
    actions=["organizations:ListDelegatedAdministrators"],
)
def delegated_administrators(ctx: CallContext) -> list[Any]:
    return _unless_no_organization(
        lambda: ctx.paginate("list_delegated_administrators", "DelegatedAdministrators")
    )

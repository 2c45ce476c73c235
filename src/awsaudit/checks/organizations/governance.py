"""Organization checks judged from one account: membership and the delegated administrators.

Guardrails, the management account's workloads and the other checks judged by effect are in
``guardrails.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, check
from awsaudit.findings import Severity

_ORGANIZATION = Needs("organizations", "Organization")


def _organization(ctx: CheckContext) -> Mapping[str, Any] | None:
    organization: Mapping[str, Any] | None = ctx.global_dataset("organizations", "Organization")[
        "Organization"
    ]
    return organization


def _is_management_account(ctx: CheckContext, organization: Mapping[str, Any] | None) -> bool:
    return organization is not None and organization.get("MasterAccountId") == ctx.account_id


def _organization_evidence(organization: Mapping[str, Any]) -> dict[str, Any]:
    return {key: organization.get(key) for key in ("Id", "Arn", "MasterAccountId", "FeatureSet")}


@check(
    id="organizations.account_in_organization",
    title="The account is a member of an AWS Organization",
    severity=Severity.MEDIUM,
    needs=[_ORGANIZATION],
    rationale=(
        "An account outside any organization escapes central guardrails (SCPs), central logging and "
        "the security team's emergency access."
    ),
    remediation=(
        "From the management account: aws organizations invite-account-to-organization "
        "--target Id=<account-id>,Type=ACCOUNT; then in this account: aws organizations accept-handshake "
        "--handshake-id <handshake-id>. To start a new organization instead: "
        "aws organizations create-organization --feature-set ALL"
    ),
    references=[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_invites.html",
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org_create.html",
    ],
)
def account_in_organization(ctx: CheckContext) -> Iterator[Result]:
    organization = _organization(ctx)
    if organization is None:
        yield ctx.failed(ctx.account_arn(), "The account is in no AWS Organization", {"Organization": None})
    else:
        yield ctx.passed(
            ctx.account_arn(),
            f"The account is a member of organization {organization.get('Id')}",
            {"Organization": _organization_evidence(organization)},
        )


_ACCOUNT_FIELDS = ("Id", "Name", "Email", "Status", "State")
_DELEGATE_FIELDS = ("Id", "Name", "Email", "Status", "DelegationEnabledDate", "DelegatedServices")


def _pick(item: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {key: item[key] for key in fields if key in item}


@check(
    id="organizations.delegated_administrators",
    title="Delegated administrators of the organization are reviewed",
    severity=Severity.INFO,
    needs=[Needs("organizations", "DelegatedAdministrators"), Needs("organizations", "Accounts")],
    rationale=(
        "Delegating policy management and integrated services to dedicated member accounts keeps people out "
        "of the management account; a person must confirm the delegations are the intended ones."
    ),
    remediation=(
        "aws organizations register-delegated-administrator --account-id <account-id> "
        "--service-principal <service>.amazonaws.com; review with "
        "aws organizations list-delegated-services-for-account --account-id <account-id>"
    ),
    references=[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html",
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html",
    ],
    manual=True,
)
def delegated_administrators(ctx: CheckContext) -> Iterator[Result]:
    delegates = ctx.global_dataset("organizations", "DelegatedAdministrators")
    accounts = ctx.global_dataset("organizations", "Accounts")
    evidence = {
        "delegated_administrators": [_pick(d, _DELEGATE_FIELDS) for d in delegates],
        "accounts": [_pick(a, _ACCOUNT_FIELDS) for a in accounts],
    }
    yield ctx.manual(
        ctx.account_arn(),
        f"Review {len(delegates)} delegated administrator(s) among {len(accounts)} account(s)",
        evidence,
    )

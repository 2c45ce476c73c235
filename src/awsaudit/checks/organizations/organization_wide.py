"""Organization-wide checks (guide G1.3, G1.4; CIS v7 2.1.4), judged over a whole-organization scan.

They read the ``organization/Members`` dataset that ``awsaudit scan --organization`` assembles
from what each account's scan returned (whether the audit role was assumed, the account's
budgets). A single-account snapshot has no such dataset: there these checks judge nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import check
from awsaudit.findings import Severity
from awsaudit.snapshot import GLOBAL

ORGANIZATION = "organization"
MEMBERS = "Members"
UNITS = "OrganizationalUnits"
# AssumeRole answers these when the role is missing or its trust policy does not admit the caller.
_REFUSED_CODES = frozenset({"AccessDenied", "AccessDeniedException"})


def _members(ctx: CheckContext) -> list[Mapping[str, Any]] | None:
    """The organization's scanned accounts, or None outside an organization scan."""
    if not ctx.snapshot.has(ORGANIZATION, GLOBAL, MEMBERS):
        return None
    members: list[Mapping[str, Any]] = ctx.global_dataset(ORGANIZATION, MEMBERS)
    return members


def member_arn(ctx: CheckContext, member: Mapping[str, Any]) -> str:
    return f"arn:{ctx.partition}:iam::{member['Id']}:root"


def _scan(member: Mapping[str, Any]) -> Mapping[str, Any]:
    scan: Mapping[str, Any] = member.get("Scan") or {}
    return scan


@check(
    id="organizations.audit_role_reachable",
    title="The security team's audit role can be assumed in every member account",
    severity=Severity.HIGH,
    needs=[],
    rationale=(
        "The security team must be able to see into and act in every member account in an emergency; an "
        "account whose audit role is missing or does not trust the auditors is a blind spot."
    ),
    remediation=(
        "In the member account, create the role with a trust policy for the security account: "
        "aws iam create-role --role-name <audit-role> --assume-role-policy-document file://trust.json; "
        "aws iam attach-role-policy --role-name <audit-role> --policy-arn "
        "arn:aws:iam::aws:policy/SecurityAudit (or deploy it to every account with a service-managed "
        "CloudFormation StackSet targeting the organization's root)"
    ),
    references=[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html",
    ],
)
def audit_role_reachable(ctx: CheckContext) -> Iterator[Result]:
    for member in _members(ctx) or []:
        if member.get("Management"):
            continue  # the management account is reached with its own credentials, not a member role
        scan = _scan(member)
        evidence = {
            "account": member["Id"],
            "role": member.get("AuditRole"),
            "scan_status": scan.get("Status"),
            "error_code": scan.get("ErrorCode"),
            "reason": scan.get("Reason"),
        }
        resource = member_arn(ctx, member)
        if scan.get("CredentialsSource") == "audit-role":
            yield ctx.passed(resource, f"The audit role was assumed in {member['Id']}", evidence)
        elif scan.get("CredentialsSource") == "caller":
            yield ctx.unknown(
                resource,
                f"Not tried: {member['Id']} is the auditing account and was scanned with its own identity",
                evidence,
            )
        elif scan.get("ErrorCode") in _REFUSED_CODES:
            yield ctx.failed(
                resource,
                f"The audit role cannot be assumed in {member['Id']} (missing, or its trust policy does not "
                f"admit the auditors): {scan.get('Reason')}",
                evidence,
            )
        else:
            yield ctx.unknown(
                resource, f"Assuming the audit role in {member['Id']} failed: {scan.get('Reason')}", evidence
            )


def _alerting(budgets: list[Mapping[str, Any]], account_id: str, *, linked_only: bool) -> list[str]:
    """Names of budgets with an alert that cap ``account_id``'s cost."""
    names = []
    for budget in budgets:
        linked = budget.get("LinkedAccounts")
        covers = account_id in linked if linked is not None else not linked_only
        if covers and budget.get("Notified") is True:
            names.append(str(budget["BudgetName"]))
    return names


@check(
    id="organizations.member_budgets",
    title="Every member account has a budget with an alert (its own, or a linked-account budget)",
    severity=Severity.MEDIUM,
    needs=[],
    rationale=(
        "A cost quota per account limits the damage of misused resources. It can live in the member "
        "account or in the management account as a budget filtered to the member (linked account)."
    ),
    remediation=(
        "From the management account: aws budgets create-budget --account-id <management-account-id> "
        '--budget \'{"BudgetName":"<member>-monthly","BudgetType":"COST","TimeUnit":"MONTHLY",'
        '"BudgetLimit":{"Amount":"<amount>","Unit":"USD"},"CostFilters":{"LinkedAccount":["<member-id>"]}}\' '
        "--notifications-with-subscribers file://notifications.json; "
        "or create the budget in the member account itself"
    ),
    references=[
        "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-create.html",
        "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-managing-costs.html",
    ],
)
def member_budgets(ctx: CheckContext) -> Iterator[Result]:
    members = _members(ctx) or []
    management = next((m for m in members if m.get("Management")), None)
    central = None if management is None else management.get("Budgets")
    for member in members:
        if member.get("Management"):
            continue
        own = member.get("Budgets")
        evidence: dict[str, Any] = {
            "account": member["Id"],
            "own_budgets": own,
            "own_budgets_reason": member.get("BudgetsReason"),
            "management_budgets_for_account": None
            if central is None
            else _alerting(central, str(member["Id"]), linked_only=True),
        }
        resource = member_arn(ctx, member)
        covering = _alerting(own, str(member["Id"]), linked_only=False) if own is not None else []
        if covering:
            yield ctx.passed(
                resource, f"{member['Id']} has its own budget alert: {', '.join(covering)}", evidence
            )
            continue
        linked = evidence["management_budgets_for_account"] or []
        if linked:
            yield ctx.passed(
                resource,
                f"{member['Id']} is capped by linked-account budget(s) in the management account: "
                f"{', '.join(linked)}",
                evidence,
            )
        elif own is None or central is None:
            missing = "its own budgets" if own is None else "the management account's budgets"
            yield ctx.unknown(
                resource, f"Cannot judge {member['Id']}: {missing} were not collected", evidence
            )
        else:
            yield ctx.failed(
                resource,
                f"{member['Id']} has no budget with an alert, in itself or in the management account",
                evidence,
            )


@check(
    id="organizations.ou_structure",
    title="Organizational units follow environment and sensitivity",
    severity=Severity.INFO,
    needs=[],
    rationale=(
        "Grouping accounts into OUs by environment and sensitivity lets guardrails (SCPs) match the risk of "
        "what the accounts hold; only a person can tell whether the grouping is right."
    ),
    remediation=(
        "aws organizations create-organizational-unit --parent-id <root-or-ou-id> --name <name>; "
        "aws organizations move-account --account-id <id> --source-parent-id <from> "
        "--destination-parent-id <to>"
    ),
    references=["https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/"],
    manual=True,
)
def ou_structure(ctx: CheckContext) -> Iterator[Result]:
    members = _members(ctx)
    if members is None:
        return
    units = ctx.global_dataset(ORGANIZATION, UNITS)
    accounts_by_parent: dict[str, list[str]] = {}
    for member in members:
        accounts_by_parent.setdefault(str(member.get("ParentId")), []).append(str(member["Id"]))
    tree = [{**unit, "Accounts": sorted(accounts_by_parent.get(str(unit["Id"]), []))} for unit in units]
    at_root = sorted(a for parent, ids in accounts_by_parent.items() if parent.startswith("r-") for a in ids)
    yield ctx.manual(
        ctx.account_arn(),
        f"Review {len(units)} organizational unit(s); {len(at_root)} account(s) sit directly under the root",
        {"organizational_units": tree, "accounts_under_root": at_root},
    )

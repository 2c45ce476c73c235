"""Account and organization checks (guide G1; CIS v7 2.1.x, 2.2, 2.3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.identity import is_live_instance
from awsaudit.checks.registry import Needs, check
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected

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


@dataclass(frozen=True)
class _Workload:
    """One kind of workload looked for in the management account, and how to name each one found."""

    service: str
    dataset: str
    label: str
    name_of: Callable[[Any], str]
    counts: Callable[[Any], bool] | None = None  # None: every item is a workload


_WORKLOADS = (
    _Workload("ec2", "Instances", "ec2_instances", lambda i: str(i["InstanceId"]), is_live_instance),
    _Workload("rds", "DBInstances", "rds_db_instances", lambda d: str(d["DBInstanceIdentifier"])),
    _Workload("lambda", "Functions", "lambda_functions", lambda f: str(f["FunctionName"])),
    _Workload("ecs", "Clusters", "ecs_clusters", str),
    _Workload("eks", "Clusters", "eks_clusters", str),
)


@check(
    id="organizations.management_account_no_workloads",
    title="The organization's management account runs no workloads",
    severity=Severity.HIGH,
    needs=[_ORGANIZATION, *(Needs(w.service, w.dataset, regional=True) for w in _WORKLOADS)],
    rationale=(
        "Service control policies never restrict the management account, and whoever controls it controls "
        "every member account; workloads there widen that attack surface for no benefit."
    ),
    remediation=(
        "Move each workload into a member account (aws organizations create-account --email <email> "
        "--account-name <name>), then remove it from the management account: aws ec2 terminate-instances "
        "--instance-ids <id>; aws rds delete-db-instance --db-instance-identifier <id> "
        "--final-db-snapshot-identifier <snapshot>; aws lambda delete-function --function-name <name>; "
        "aws ecs delete-cluster --cluster <arn>; aws eks delete-cluster --name <name> "
        "(each with --region <region>)"
    ),
    references=[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_best-practices_mgmt-acct.html",
    ],
)
def management_account_no_workloads(ctx: CheckContext) -> Iterator[Result]:
    organization = _organization(ctx)
    if organization is None or not _is_management_account(ctx, organization):
        evidence = {"MasterAccountId": None if organization is None else organization.get("MasterAccountId")}
        yield ctx.passed(
            ctx.account_arn(), "This account is not the organization's management account", evidence
        )
        return
    workloads: dict[str, dict[str, list[str]]] = {}
    missing: dict[str, list[str]] = {}
    for region in ctx.snapshot.regions:
        for workload in _WORKLOADS:
            try:
                items = ctx.dataset(workload.service, workload.dataset, region=region)
            except NotCollected as absent:
                missing.setdefault(region, []).append(
                    f"{workload.service}/{workload.dataset}: {absent.reason}"
                )
                continue
            names = [workload.name_of(i) for i in items if workload.counts is None or workload.counts(i)]
            if names:
                workloads.setdefault(region, {})[workload.label] = names
    evidence = {"management_account": ctx.account_id, "workloads": workloads, "not_collected": missing}
    if workloads:
        where = ", ".join(sorted(workloads))
        yield ctx.failed(ctx.account_arn(), f"The management account runs workloads in {where}", evidence)
    elif missing:
        where = ", ".join(sorted(missing))
        yield ctx.unknown(
            ctx.account_arn(), f"Cannot rule out workloads: inventory not collected in {where}", evidence
        )
    else:
        yield ctx.passed(ctx.account_arn(), "The management account runs no workloads", evidence)


@check(
    id="budgets.budget_with_alert",
    title="A budget with an alert limits the cost of misuse",
    severity=Severity.MEDIUM,
    needs=[Needs("budgets", "Budgets")],
    rationale=(
        "A budget alert is often the first sign of stolen credentials mining cryptocurrency or of a runaway "
        "resource; without one the bill is the alert."
    ),
    remediation=(
        "aws budgets create-budget --account-id <account-id> --budget file://budget.json "
        "--notifications-with-subscribers file://notifications.json "
        "(notifications.json: a Notification with Threshold and a Subscribers list of EMAIL or SNS addresses)"
    ),
    references=["https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-create.html"],
)
def budget_with_alert(ctx: CheckContext) -> Iterator[Result]:
    # AWS refuses a budget notification without at least one subscriber, so a
    # notification is an alert that reaches someone.
    alerting: dict[str, list[dict[str, Any]]] = {}
    for_others: dict[str, list[str]] = {}
    budgets = ctx.global_dataset("budgets", "Budgets")
    for budget in budgets:
        name = str(budget.get("BudgetName"))
        linked = budget_linked_accounts(budget)
        if linked is not None and ctx.account_id not in linked:
            # A management-account budget filtered to member accounts caps their cost, not this account's.
            for_others[name] = sorted(linked)
            continue
        for notification in budget.get("Notifications") or []:
            alerting.setdefault(name, []).append(_alert_evidence(notification))
    evidence: dict[str, Any] = {
        "budgets": sorted(str(b.get("BudgetName")) for b in budgets),
        "alerts": alerting,
    }
    if for_others:
        evidence["budgets_for_linked_accounts"] = for_others
    if alerting:
        names = ", ".join(sorted(alerting))
        yield ctx.passed(ctx.account_arn(), f"Budget alerts are set: {names}", evidence)
    elif len(budgets) > len(for_others):
        yield ctx.failed(ctx.account_arn(), "Budgets exist but none has an alert (notification)", evidence)
    elif for_others:
        yield ctx.failed(
            ctx.account_arn(),
            "The account has no budget of its own, only budgets for linked accounts",
            evidence,
        )
    else:
        yield ctx.failed(ctx.account_arn(), "The account has no budget", evidence)


def budget_linked_accounts(budget: Mapping[str, Any]) -> frozenset[str] | None:
    """The member accounts a budget is restricted to, or None when it has no linked-account filter.

    Budgets filter either through the classic ``CostFilters: {"LinkedAccount": [...]}`` or through a
    ``FilterExpression`` whose ``Dimensions`` key is ``LINKED_ACCOUNT``.
    """
    cost_filters = budget.get("CostFilters") or {}
    if cost_filters.get("LinkedAccount"):
        return frozenset(str(a) for a in cost_filters["LinkedAccount"])
    dimensions = (budget.get("FilterExpression") or {}).get("Dimensions") or {}
    if dimensions.get("Key") == "LINKED_ACCOUNT" and dimensions.get("Values"):
        return frozenset(str(a) for a in dimensions["Values"])
    return None


def _alert_evidence(notification: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "NotificationType": notification.get("NotificationType"),
        "ComparisonOperator": notification.get("ComparisonOperator"),
        "Threshold": notification.get("Threshold"),
        "ThresholdType": notification.get("ThresholdType"),
    }


_FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
_SCP = "SERVICE_CONTROL_POLICY"


def _is_guardrail(policy: Mapping[str, Any]) -> bool:
    """An SCP that restricts something: anything but AWS's allow-all FullAWSAccess."""
    summary = policy.get("PolicySummary") or {}
    return summary.get("Id") != _FULL_AWS_ACCESS_ID and not summary.get("AwsManaged", False)


@check(
    id="organizations.scp_guardrails",
    title="Service control policies beyond FullAWSAccess guard the organization",
    severity=Severity.MEDIUM,
    needs=[
        _ORGANIZATION,
        Needs("organizations", "Roots"),
        Needs("organizations", "OrganizationalUnits"),
        Needs("organizations", "Policies"),
    ],
    rationale=(
        "Service control policies are the organization's guardrails: they cap what any principal of a member "
        "account can do, even an administrator, and keep security services from being turned off."
    ),
    remediation=(
        "aws organizations enable-policy-type --root-id <root-id> --policy-type SERVICE_CONTROL_POLICY; "
        "aws organizations create-policy --type SERVICE_CONTROL_POLICY --name <name> --description <text> "
        "--content file://scp.json; aws organizations attach-policy --policy-id <policy-id> "
        "--target-id <root-or-ou-id>"
    ),
    references=[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html",
    ],
)
def scp_guardrails(ctx: CheckContext) -> Iterator[Result]:
    organization = _organization(ctx)
    if organization is None:
        yield ctx.failed(ctx.account_arn(), "The account is in no organization: no SCP applies", {})
        return
    if not _is_management_account(ctx, organization):
        yield ctx.unknown(
            ctx.account_arn(),
            "SCPs are judged from the management account",
            {"MasterAccountId": organization.get("MasterAccountId")},
        )
        return
    roots = ctx.global_dataset("organizations", "Roots")
    units = ctx.global_dataset("organizations", "OrganizationalUnits")
    guardrails, unreadable = _guardrail_targets(ctx, ctx.global_dataset("organizations", "Policies"))
    disabled = [str(root["Id"]) for root in roots if not _scp_enabled(root)]
    guarded_roots = [str(root["Id"]) for root in roots if root["Id"] in guardrails]
    parents = {str(unit["Id"]): unit.get("ParentId") for unit in units}
    unguarded_units = [unit for unit in parents if not _inherits_guardrail(unit, parents, guardrails)]
    evidence = {
        "roots_without_scp_enabled": disabled,
        "guardrails": {target: sorted(names) for target, names in sorted(guardrails.items())},
        "roots_with_guardrail": guarded_roots,
        "units_without_guardrail": unguarded_units,
        "policies_with_targets_not_collected": unreadable,
    }
    if disabled:
        yield ctx.failed(ctx.account_arn(), f"SCPs are not enabled on root {', '.join(disabled)}", evidence)
    elif guarded_roots or (units and not unguarded_units):
        yield ctx.passed(
            ctx.account_arn(), "An SCP beyond FullAWSAccess applies across the organization", evidence
        )
    elif unreadable:
        yield ctx.unknown(
            ctx.account_arn(), "Cannot tell where some SCPs are attached (targets not collected)", evidence
        )
    else:
        yield ctx.failed(
            ctx.account_arn(),
            "Neither the root nor every organizational unit has an SCP beyond FullAWSAccess",
            evidence,
        )


def _scp_enabled(root: Mapping[str, Any]) -> bool:
    return any(t.get("Type") == _SCP and t.get("Status") == "ENABLED" for t in root.get("PolicyTypes") or [])


def _guardrail_targets(
    ctx: CheckContext, policies: list[Mapping[str, Any]]
) -> tuple[dict[str, set[str]], list[str]]:
    """Root/OU id -> names of guardrail SCPs attached to it; and guardrails whose targets are unknown."""
    targets: dict[str, set[str]] = {}
    unreadable: list[str] = []
    for policy in policies:
        if not _is_guardrail(policy):
            continue
        name = str(policy["PolicySummary"].get("Name"))
        try:
            attached = ctx.field(policy, "Targets")
        except NotCollected:
            unreadable.append(name)
            continue
        for target in attached:
            targets.setdefault(str(target["TargetId"]), set()).add(name)
    return targets, unreadable


def _inherits_guardrail(
    unit_id: str, parents: Mapping[str, str | None], guardrails: Mapping[str, set[str]]
) -> bool:
    """True when the OU or one of its ancestors below the root has a guardrail attached (SCPs inherit)."""
    current: str | None = unit_id
    seen: set[str] = set()
    while current is not None and current in parents and current not in seen:
        if current in guardrails:
            return True
        seen.add(current)
        current = parents[current]
    return False


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


_CONTACT_TYPES = ("BILLING", "OPERATIONS", "SECURITY")
_ALTERNATE_CONTACTS = Needs("account", "AlternateContacts")


@check(
    id="account.contact_details",
    title="The account's contact details are current",
    severity=Severity.INFO,
    needs=[_ALTERNATE_CONTACTS],
    rationale=(
        "AWS contacts the account's contacts about abuse, compromise and billing; stale details mean those "
        "warnings reach nobody."
    ),
    remediation=(
        "Console: Account > Alternate contacts > Edit; or aws account put-alternate-contact "
        "--alternate-contact-type <BILLING|OPERATIONS|SECURITY> --name <name> --title <title> "
        "--email-address <email> --phone-number <phone>"
    ),
    references=[
        "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html"
    ],
    manual=True,
)
def contact_details(ctx: CheckContext) -> Iterator[Result]:
    contacts = ctx.global_dataset("account", "AlternateContacts")
    evidence: dict[str, Any] = {}
    for kind in _CONTACT_TYPES:
        try:
            evidence[kind] = ctx.field(contacts, kind)
        except NotCollected as absent:
            evidence[kind] = {"not_collected": absent.reason}
    unset = [kind for kind in _CONTACT_TYPES if evidence[kind] is None]
    message = "Confirm the alternate contacts are current"
    if unset:
        message += f" ({', '.join(unset)} not set)"
    yield ctx.manual(ctx.account_arn(), message, evidence)


@check(
    id="account.security_contact",
    title="A security alternate contact is registered",
    severity=Severity.LOW,
    needs=[_ALTERNATE_CONTACTS],
    rationale="AWS sends security notifications (compromise, abuse reports) to the security contact.",
    remediation=(
        "aws account put-alternate-contact --alternate-contact-type SECURITY --name <name> --title <title> "
        "--email-address <email> --phone-number <phone>"
    ),
    references=[
        "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html"
    ],
)
def security_contact(ctx: CheckContext) -> Iterator[Result]:
    security = ctx.field(ctx.global_dataset("account", "AlternateContacts"), "SECURITY")
    if security is None:
        yield ctx.failed(ctx.account_arn(), "No security alternate contact is registered", {"SECURITY": None})
    else:
        yield ctx.passed(
            ctx.account_arn(),
            f"Security contact: {security.get('EmailAddress')}",
            {"SECURITY": _pick(security, ("Name", "Title", "EmailAddress", "PhoneNumber"))},
        )

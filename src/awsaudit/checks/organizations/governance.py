"""Organization checks judged from one account: membership, management account, SCP guardrails, delegation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.ec2.instances import is_live_instance
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

"""Organization governance judged by effect (guide G1.2, G1.4; CIS v7 2.1.1-2.1.3, 2.1.6).

SCP guardrails by what they deny, the management account's workloads by the inventory table,
centralized root access, delegated administrators of the security services, and the security
team's ability to intervene. A member account judges what the organization context (handed in by
an organization scan as ``organization/Context``) tells it; without the context, what only the
management account can see stays UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from awsaudit.analyze.iam import PolicyParseError
from awsaudit.analyze.organization.context import (
    ROOT_CREDENTIALS_MANAGEMENT,
    ROOT_SESSIONS,
    OrganizationContext,
    context_of_snapshot,
)
from awsaudit.analyze.organization.guardrails import (
    GuardrailReport,
    TargetGuardrails,
    baseline_items,
    guardrails_of_snapshot,
)
from awsaudit.analyze.organization.intervention import intervention_capability as role_capabilities
from awsaudit.analyze.organization.tree import NodeKind, OrganizationDataError
from awsaudit.analyze.organization.workloads import WORKLOAD_KINDS, workloads_of_snapshot
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.iam import shared_authorization_parser
from awsaudit.checks.registry import Needs, check
from awsaudit.config import AuditConfig
from awsaudit.findings import Severity
from awsaudit.snapshot import GLOBAL

_ORGANIZATION = Needs("organizations", "Organization")
SECURITY_SERVICES = (
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "config.amazonaws.com",
    "access-analyzer.amazonaws.com",
)


def organization_of(ctx: CheckContext) -> Mapping[str, Any] | None:
    organization: Mapping[str, Any] | None = ctx.global_dataset("organizations", "Organization")[
        "Organization"
    ]
    return organization


def is_management(ctx: CheckContext, organization: Mapping[str, Any] | None) -> bool:
    return organization is not None and organization.get("MasterAccountId") == ctx.account_id


def organization_context(ctx: CheckContext) -> OrganizationContext | None:
    """The organization context an organization scan handed to this account, or None."""
    return context_of_snapshot(ctx.snapshot)


def _baseline(config: AuditConfig) -> tuple[Any, ...]:
    return baseline_items(config.guardrail_baseline, config.audit_roles, config.guardrail_allowed_regions)


def _ou_arn(ctx: CheckContext, organization: Mapping[str, Any], target: TargetGuardrails) -> str:
    org_id = organization.get("Id")
    if target.kind is NodeKind.ROOT:
        return f"arn:{ctx.partition}:organizations::{ctx.account_id}:root/{org_id}/{target.id}"
    return f"arn:{ctx.partition}:organizations::{ctx.account_id}:ou/{org_id}/{target.id}"


def _judge_target(
    ctx: CheckContext,
    resource: str,
    label: str,
    allowed: Sequence[str],
    conditional: Sequence[str],
    evidence: dict[str, Any],
) -> Result:
    if allowed:
        return ctx.failed(
            resource,
            f"{label}: SCPs leave {len(allowed)} baseline action(s) allowed: {', '.join(allowed)}",
            evidence,
        )
    if conditional:
        return ctx.unknown(
            resource,
            f"{label}: baseline denied only under conditions not judged here: {', '.join(conditional)}",
            evidence,
        )
    return ctx.passed(resource, f"{label}: SCPs deny every baseline action", evidence)


def _report(ctx: CheckContext) -> GuardrailReport:
    baseline = _baseline(ctx.config)
    key = "organizations.guardrails:" + "|".join(item.label for item in baseline)
    return ctx.derived(key, lambda: guardrails_of_snapshot(ctx.snapshot, baseline), region=GLOBAL)


@check(
    id="organizations.scp_guardrails",
    title="Service control policies deny the guardrail baseline in every member account",
    severity=Severity.HIGH,
    needs=[
        _ORGANIZATION,
        Needs("organizations", "Roots", optional=True),
        Needs("organizations", "OrganizationalUnits", optional=True),
        Needs("organizations", "AccountParents", optional=True),
        Needs("organizations", "Policies", optional=True),
        Needs("organizations", "ResourceControlPolicies", optional=True),
    ],
    rationale=(
        "An SCP is a guardrail only through what it denies: it must keep even a member account's "
        "administrators from stopping CloudTrail, AWS Config, GuardDuty, Security Hub and Access Analyzer, "
        "leaving the organization or changing the audit role. An SCP that denies none of that is not a "
        "guardrail. The management account is out of any SCP's reach."
    ),
    remediation=(
        "Write an SCP that denies the baseline actions (exempting only the audit / break-glass role through "
        'a condition such as "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/<audit-role>"}): '
        "aws organizations create-policy --type SERVICE_CONTROL_POLICY --name security-baseline "
        "--description <text> --content file://scp.json; attach it where the finding says: "
        "aws organizations attach-policy --policy-id <policy-id> --target-id <root-ou-or-account-id>"
    ),
    references=[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html",
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples.html",
    ],
)
def scp_guardrails(ctx: CheckContext) -> Iterator[Result]:
    organization = organization_of(ctx)
    if organization is None:
        yield ctx.failed(ctx.account_arn(), "The account is in no organization: no SCP applies", {})
        return
    if not is_management(ctx, organization):
        yield from _member_guardrails(ctx, organization)
        return
    try:
        report = _report(ctx)
    except (PolicyParseError, OrganizationDataError) as problem:
        yield ctx.unknown(ctx.account_arn(), f"Cannot judge the SCPs: {problem}", {"problem": str(problem)})
        return
    common = {
        "scp_enabled": report.scp_enabled,
        "guardrail_policies": {name: list(items) for name, items in report.denying_policies.items()},
        "policies_denying_none_of_the_baseline": list(report.policies_without_effect),
    }
    yield ctx.manual(
        ctx.account_arn(),
        "The management account is out of SCP reach: protect it otherwise (few people, MFA, no workloads)",
        {"management_account": ctx.account_id, **common},
    )
    for target in (*report.containers, *report.accounts):
        evidence = {
            "target": target.id,
            "kind": target.kind.value,
            "path": target.path,
            "scps_by_level": {level: list(names) for level, names in target.policies.items()},
            "baseline": [v.evidence() for v in target.verdicts],
            "attach_denying_scp_at": dict(target.attach_at),
            **common,
        }
        resource = (
            f"arn:{ctx.partition}:iam::{target.id}:root"
            if target.kind is NodeKind.ACCOUNT
            else _ou_arn(ctx, organization, target)
        )
        label = f"{target.kind.value} {target.name} ({target.path})"
        unreadable = report.unreadable_for(target)
        if unreadable:
            yield _unreadable_scps(ctx, resource, label, unreadable, evidence)
            continue
        yield _judge_target(ctx, resource, label, target.allowed, target.conditional, evidence)


def _unreadable_scps(
    ctx: CheckContext, resource: str, label: str, unreadable: Mapping[str, str], evidence: dict[str, Any]
) -> Result:
    """UNKNOWN: a policy on the target's path cannot be read, and it could deny, or be the only allow."""
    names = ", ".join(unreadable)
    return ctx.unknown(
        resource,
        f"{label}: cannot be judged, policies on its path cannot be read: {names}",
        {**evidence, "unreadable_policies": dict(unreadable)},
    )


def _member_guardrails(ctx: CheckContext, organization: Mapping[str, Any]) -> Iterator[Result]:
    context = organization_context(ctx)
    verdict = None if context is None else context.guardrails_of(ctx.account_id)
    if verdict is None:
        reason = "no organization context" if context is None else context.guardrails.reason or "not a member"
        yield ctx.unknown(
            ctx.account_arn(),
            f"SCPs are judged from the management account ({reason})",
            {"MasterAccountId": organization.get("MasterAccountId")},
        )
        return
    evidence = {"organization": organization.get("Id"), **verdict}
    label = f"account {ctx.account_id} ({verdict.get('path')})"
    if verdict.get("unreadable_policies"):
        yield _unreadable_scps(ctx, ctx.account_arn(), label, verdict["unreadable_policies"], evidence)
        return
    yield _judge_target(
        ctx,
        ctx.account_arn(),
        f"account {ctx.account_id} ({verdict.get('path')})",
        list(verdict.get("allowed") or []),
        list(verdict.get("conditional") or []),
        evidence,
    )


_OPTIONAL_WIRING = (
    Needs("cloudtrail", "Trails", regional=True, optional=True),
    Needs("config", "DeliveryChannels", regional=True, optional=True),
    Needs("cloudwatch", "MetricAlarms", regional=True, optional=True),
)


@check(
    id="organizations.management_account_no_workloads",
    title="The organization's management account runs no workloads",
    severity=Severity.HIGH,
    needs=[
        _ORGANIZATION,
        *(
            Needs(k.service, k.dataset, regional=k.regional, optional=True, fields=k.sub_calls)
            for k in WORKLOAD_KINDS
        ),
        *_OPTIONAL_WIRING,
    ],
    rationale=(
        "Service control policies never restrict the management account, and whoever controls it controls "
        "every member account; any resource consumption there (compute, data, queues, APIs) widens that "
        "attack surface for no benefit. Governance resources (Control Tower, Landing Zone Accelerator, "
        "StackSets, the organization trail's and AWS Config's buckets) are expected and listed apart."
    ),
    remediation=(
        "Move each workload into a member account (aws organizations create-account --email <email> "
        "--account-name <name>) and delete it from the management account (e.g. aws ec2 terminate-instances "
        "--instance-ids <id>; aws sqs delete-queue --queue-url <url>; aws dynamodb delete-table --table-name "
        "<name>, each with --region <region>). A governance resource the tool did not recognise goes into "
        "the governance_resources setting (a name, ARN or tag:Key=Value glob)."
    ),
    references=[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_best-practices_mgmt-acct.html",
    ],
)
def management_account_no_workloads(ctx: CheckContext) -> Iterator[Result]:
    organization = organization_of(ctx)
    if not is_management(ctx, organization):
        return  # the control is about the management account only: no verdict elsewhere
    inventory = workloads_of_snapshot(ctx.snapshot, ctx.config.governance_resources)
    evidence = {
        "management_account": ctx.account_id,
        "workloads": [f.evidence() for f in inventory.workloads],
        "governance": [f.evidence() for f in inventory.governance],
        "not_collected": {region: dict(kinds) for region, kinds in inventory.not_collected.items()},
    }
    if inventory.workloads:
        kinds = sorted({f.kind for f in inventory.workloads})
        yield ctx.failed(
            ctx.account_arn(),
            f"The management account runs {len(inventory.workloads)} workload(s): {', '.join(kinds)}",
            evidence,
        )
    elif not inventory.complete:
        where = ", ".join(sorted(inventory.not_collected))
        yield ctx.unknown(
            ctx.account_arn(), f"Cannot rule out workloads: inventory not collected in {where}", evidence
        )
    else:
        yield ctx.passed(
            ctx.account_arn(),
            f"The management account runs no workloads ({len(inventory.governance)} governance resource(s))",
            evidence,
        )


@check(
    id="organizations.centralized_root_access",
    title="Root credentials of member accounts are managed centrally",
    severity=Severity.MEDIUM,
    needs=[_ORGANIZATION, Needs("iam", "OrganizationsFeatures", optional=True)],
    rationale=(
        "With centralized root access the management account removes member accounts' root passwords, "
        "keys and MFA devices and performs the few root-only tasks through short privileged sessions: no "
        "member root credential is left to steal or to look after."
    ),
    remediation=(
        "From the management account: aws organizations enable-aws-service-access --service-principal "
        "iam.amazonaws.com; aws iam enable-organizations-root-credentials-management; "
        "aws iam enable-organizations-root-sessions"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html"],
)
def centralized_root_access(ctx: CheckContext) -> Iterator[Result]:
    organization = organization_of(ctx)
    if not is_management(ctx, organization):
        return  # enabled and judged in the management account only
    features = ctx.global_dataset("iam", "OrganizationsFeatures")
    enabled = sorted(features.get("EnabledFeatures") or [])
    evidence = {"EnabledFeatures": enabled, "OrganizationId": features.get("OrganizationId")}
    if ROOT_CREDENTIALS_MANAGEMENT in enabled:
        sessions = "with" if ROOT_SESSIONS in enabled else "without"
        yield ctx.passed(
            ctx.account_arn(), f"Root credentials management is enabled ({sessions} root sessions)", evidence
        )
    else:
        yield ctx.failed(
            ctx.account_arn(), "Root credentials of member accounts are not managed centrally", evidence
        )


@check(
    id="organizations.security_delegated_administrators",
    title="GuardDuty, Security Hub, Config and Access Analyzer have a delegated administrator",
    severity=Severity.MEDIUM,
    needs=[_ORGANIZATION, Needs("organizations", "ServiceDelegatedAdministrators", optional=True)],
    rationale=(
        "A delegated administrator (the security account) runs the organization's security services for "
        "every member, so the security team works outside the management account and sees every account."
    ),
    remediation=(
        "aws organizations register-delegated-administrator --account-id <security-account-id> "
        "--service-principal <service>.amazonaws.com (and the service's own call, e.g. "
        "aws guardduty enable-organization-admin-account --admin-account-id <id>)"
    ),
    references=[
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html"
    ],
)
def security_delegated_administrators(ctx: CheckContext) -> Iterator[Result]:
    organization = organization_of(ctx)
    if not is_management(ctx, organization):
        return  # only the management account lists delegations
    delegations = ctx.global_dataset("organizations", "ServiceDelegatedAdministrators")
    for service in SECURITY_SERVICES:
        admins = [a for a in delegations.get(service) or [] if a.get("Id") != ctx.account_id]
        resource = f"{ctx.account_arn()}/delegated-administrator/{service}"
        evidence = {"service_principal": service, "delegated_administrators": admins}
        if admins:
            names = ", ".join(f"{a.get('Id')} ({a.get('Name')})" for a in admins)
            yield ctx.passed(resource, f"{service} is administered by {names}", evidence)
        else:
            yield ctx.failed(
                resource, f"{service} has no delegated administrator outside the management account", evidence
            )


@check(
    id="organizations.intervention_capability",
    title="The security team's audit / break-glass role exists, is trusted by it, and can act",
    severity=Severity.HIGH,
    needs=[
        Needs("iam", "AccountAuthorizationDetails"),
        Needs("organizations", "Organization", optional=True),
    ],
    rationale=(
        "In an emergency the security team must be able to enter every account and contain the damage: "
        "quarantine an instance, disable a key, take a policy away. That needs a role trusted by the "
        "security account (or the organization, pinned with aws:PrincipalOrgID) whose permissions allow it."
    ),
    remediation=(
        "Deploy the role to every account (a service-managed CloudFormation StackSet on the root): "
        "aws iam create-role --role-name <audit-role> --assume-role-policy-document file://trust.json "
        "(Principal: the security account; or any principal with aws:PrincipalOrgID = <org-id>); "
        "aws iam attach-role-policy --role-name <audit-role> --policy-arn <incident-response-policy-arn>; "
        "name the role in audit_roles and the security account in security_account_id"
    ),
    references=[
        "https://docs.aws.amazon.com/prescriptive-guidance/latest/aws-startup-security-baseline/acct-08.html",
        "https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/break-glass-access.html",
    ],
)
def intervention_capability(ctx: CheckContext) -> Iterator[Result]:
    organization = _optional_organization(ctx)
    context = organization_context(ctx)
    management = (organization or {}).get("MasterAccountId") or (
        context.management_account if context else None
    )
    organization_id = (organization or {}).get("Id") or (context.organization_id if context else None)
    try:
        account = shared_authorization_parser(ctx)(ctx.global_dataset("iam", "AccountAuthorizationDetails"))
    except PolicyParseError as problem:
        yield ctx.unknown(ctx.account_arn(), f"Cannot read the account's roles: {problem}", {})
        return
    yield from intervention_capability_of(ctx, account, str(management or ""), organization_id)


def _optional_organization(ctx: CheckContext) -> Mapping[str, Any] | None:
    if not ctx.snapshot.has("organizations", GLOBAL, "Organization"):
        return None
    return organization_of(ctx)


def intervention_capability_of(
    ctx: CheckContext, account: Any, management: str, organization_id: str | None
) -> Iterator[Result]:
    config = ctx.config
    if not config.audit_roles:
        yield ctx.manual(
            ctx.account_arn(),
            "No audit / break-glass role is configured (audit_roles): confirm the security team can act here",
            {"roles": [role.arn for role in account.roles]},
        )
        return
    for role in role_capabilities(
        account,
        config.audit_roles,
        config.intervention_actions,
        security_account=config.security_account_id,
        management_account=management or None,
        organization_id=organization_id,
    ):
        resource = role.arn or f"arn:{ctx.partition}:iam::{ctx.account_id}:role/{role.name.strip('/')}"
        evidence = {
            "role": role.name,
            "trusts": [
                {"principal": t.principal, "accepted": t.accepted, "reason": t.reason} for t in role.trusts
            ],
            "actions": {action: outcome.value for action, outcome in role.actions.items()},
            "security_account": config.security_account_id,
            "organization": organization_id,
        }
        if not role.exists:
            yield ctx.failed(resource, f"Audit role {role.name} does not exist", evidence)
        elif not role.trusted:
            yield ctx.failed(
                resource,
                f"Audit role {role.name} is trusted by neither the security account nor the organization",
                evidence,
            )
        elif role.unable:
            yield ctx.failed(resource, f"Audit role {role.name} cannot {', '.join(role.unable)}", evidence)
        elif role.undecided:
            yield ctx.unknown(
                resource,
                f"Audit role {role.name}: cannot tell whether it may {', '.join(role.undecided)}",
                evidence,
            )
        else:
            yield ctx.passed(
                resource, f"Audit role {role.name} is trusted by the security team and can act", evidence
            )

"""IAM policy checks: permissions through groups, no admin-equivalent policies, support and CloudShell access.

Every verdict here is decided by the policy engine (by effect): a policy is judged by what it allows, a
principal by its effective permissions; policy names and attachments are evidence only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from awsaudit.analyze.iam import IamAccount, Outcome, Principal
from awsaudit.analyze.iam.adapters import IamModel, conditions_evidence
from awsaudit.analyze.iam.admin_equivalence import (
    AdminEquivalence,
    Holder,
    HolderKind,
    admin_equivalence,
    holders_of,
    joint_admin_sets,
    principal_holder,
)
from awsaudit.analyze.iam.capabilities import (
    CLOUDSHELL_ACTIONS,
    CLOUDSHELL_FULL_ACCESS_ARN,
    SUPPORT_CASE_ACTIONS,
    Capability,
    cloudshell_access,
    support_case_access,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.iam import AUTHORIZATION, authorization
from awsaudit.checks.iam.analysis import SCP_INPUTS, iam_model, unknown_model
from awsaudit.checks.registry import check
from awsaudit.findings import Severity


@check(
    id="iam.user_attached_policies",
    title="IAM users get permissions only through groups or roles",
    severity=Severity.LOW,
    needs=[AUTHORIZATION],
    rationale=(
        "Permissions attached to individual users drift apart and are hard to review; groups and roles keep "
        "access consistent and auditable."
    ),
    remediation=(
        "aws iam add-user-to-group --group-name <group> --user-name <user>; then "
        "aws iam detach-user-policy --user-name <user> --policy-arn <policy-arn> and "
        "aws iam delete-user-policy --user-name <user> --policy-name <policy-name>"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html"],
)
def user_attached_policies(ctx: CheckContext) -> Iterator[Result]:
    for user in authorization(ctx).get("UserDetailList") or []:
        managed = [str(p.get("PolicyName")) for p in user.get("AttachedManagedPolicies") or []]
        inline = [str(p.get("PolicyName")) for p in user.get("UserPolicyList") or []]
        evidence = {"AttachedManagedPolicies": managed, "UserPolicyList": inline}
        name = user.get("UserName")
        if managed or inline:
            yield ctx.failed(str(user["Arn"]), f"{name} has policies attached directly", evidence)
        else:
            yield ctx.passed(str(user["Arn"]), f"{name} has no policy attached directly", evidence)


_UNREADABLE = " (unreadable)"
# Listed by name in the evidence; more are counted.
_WITHHELD_SHOWN = 25


def _admin_evidence(verdict: AdminEquivalence, holders: Sequence[Holder]) -> dict[str, Any]:
    return {
        "kind": verdict.kind.value,
        "why": verdict.reason,
        "conditional": verdict.conditional,
        "literal": verdict.literal,
        "policies": list(verdict.policies),
        "statements": [s.reference for s in verdict.statements],
        "conditions": conditions_evidence(s for s in verdict.statements if s.is_conditional),
        "withheld_actions": list(verdict.missing[:_WITHHELD_SHOWN]),
        "withheld_count": verdict.missing_count,
        "self_grants": [
            {
                "holder": grant.holder,
                "action": grant.action,
                "resource": grant.resource,
                "how": grant.how,
                "statements": [s.reference for s in grant.statements],
                "conditions": conditions_evidence(grant.conditions),
            }
            for grant in verdict.self_grants
        ],
        "holders": [holder.arn for holder in holders],
    }


def _admin_failure(
    ctx: CheckContext, resource: str, label: str, verdict: AdminEquivalence, holders: Sequence[Holder]
) -> Result:
    evidence = _admin_evidence(verdict, holders)
    message = f"{label} grants administrator power: {verdict.reason}"
    if verdict.conditional:
        return ctx.failed(resource, f"{message} (under conditions)", evidence, severity=Severity.MEDIUM)
    return ctx.failed(resource, message, evidence)


def _with_unreadable(result: Result, unreadable: Sequence[str]) -> Result:
    """A FAIL found beside unreadable inline policies names them too (they were not judged)."""
    names = [name.split(" inline policy ", 1)[-1].removesuffix(_UNREADABLE) for name in unreadable]
    return replace(result, evidence={**result.evidence, "unreadable": names})


def _model_or_unknown(ctx: CheckContext) -> tuple[IamModel, Result | None]:
    model = iam_model(ctx)
    return model, (unknown_model(ctx, model) if model.graph is None else None)


@check(
    id="iam.full_admin_policy",
    title="No customer policy grants administrator power",
    severity=Severity.HIGH,
    needs=[AUTHORIZATION, *SCP_INPUTS],
    rationale=(
        "A policy that allows every action, or lets its holder grant itself every action (iam:*, "
        "attaching or writing policies on itself, publishing a new version of itself), gives away the "
        "whole account; administrators should use AWS's AdministratorAccess deliberately and everyone "
        "else least privilege."
    ),
    remediation=(
        "aws iam create-policy-version --policy-arn <policy-arn> "
        "--policy-document file://least-privilege.json --set-as-default (managed); "
        "aws iam delete-role-policy --role-name <role> --policy-name <name> "
        "(inline; delete-user-policy / delete-group-policy likewise); remove the statements the evidence "
        "names (for a self-grant: the iam:Put*/Attach*/CreatePolicyVersion permission on the holder)"
    ),
    references=[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
    ],
)
def full_admin_policy(ctx: CheckContext) -> Iterator[Result]:
    model, unknown = _model_or_unknown(ctx)
    if unknown is not None or model.graph is None:
        yield unknown or unknown_model(ctx, model)
        return
    account = model.graph.analysis.account
    # AttachmentCount also covers attachments the details do not list (e.g. to a permissions boundary user).
    attachment_counts = {
        str(entry.get("Arn")): entry.get("AttachmentCount") or 0
        for entry in authorization(ctx).get("Policies") or []
        if isinstance(entry, Mapping)
    }
    alone: dict[str, AdminEquivalence] = {}
    for arn in sorted(account.policies):
        managed = account.policies[arn]
        holders = holders_of(account, arn)
        if managed.aws_managed or not (holders or attachment_counts.get(arn)):
            continue  # CIS and the guide judge the customer policies in use
        if managed.document is None:
            problems = {k: v for k, v in model.unreadable.items() if k.startswith(f"{arn} ")}
            shown = "; ".join(problems.values()) or "no default version"
            yield ctx.unknown(
                arn, f"{arn}: the version in force is unreadable: {shown}", {"unreadable": problems}
            )
            continue
        verdict = admin_equivalence(
            [managed.document], holders=holders, policy_arn=arn, account_id=account.account_id
        )
        alone[managed.document.name] = verdict
        if verdict.admin_equivalent:
            yield _admin_failure(ctx, arn, f"policy {managed.name}", verdict, holders)
        else:
            yield ctx.passed(
                arn, f"policy {managed.name} {verdict.reason}", _admin_evidence(verdict, holders)
            )
    yield from _inline_results(ctx, model, account, alone)


def _inline_results(
    ctx: CheckContext, model: IamModel, account: IamAccount, alone: dict[str, AdminEquivalence]
) -> Iterator[Result]:
    """One result per user, role and group with inline policies (each judged with its owner as holder),
    and per principal whose policies only together allow everything."""
    joint = {entry.principal.arn: entry.verdict for entry in joint_admin_sets(account, alone)}
    owners: list[tuple[str, str, Holder, tuple[Any, ...], tuple[str, ...]]] = []
    for principal in account.principals:
        unreadable = tuple(a for a in principal.attached_policy_arns if a.endswith(_UNREADABLE))
        owners.append(
            (
                principal.arn,
                principal.label,
                principal_holder(account, principal),
                principal.inline_policies,
                unreadable,
            )
        )
    for group in account.groups.values():
        unreadable = tuple(a for a in group.attached_policy_arns if a.endswith(_UNREADABLE))
        holder = Holder(HolderKind.GROUP, group.arn, group.name)
        owners.append((group.arn, f"group/{group.name}", holder, group.inline_policies, unreadable))
    for arn, label, holder, inline, unreadable in sorted(owners, key=lambda owner: owner[0]):
        if not inline and not unreadable and arn not in joint:
            continue
        verdicts = [
            admin_equivalence([policy], holders=(holder,), account_id=account.account_id) for policy in inline
        ]
        failing = [v for v in verdicts if v.admin_equivalent]
        if failing:
            worst = min(failing, key=lambda v: v.conditional)
            result = _admin_failure(ctx, arn, f"{label}'s inline policy", worst, (holder,))
            yield result if not unreadable else _with_unreadable(result, unreadable)
        elif arn in joint:
            yield _admin_failure(ctx, arn, f"{label}'s policies together", joint[arn], (holder,))
        elif unreadable:
            problems = {name: model.unreadable.get(name, "") for name in unreadable}
            yield ctx.unknown(arn, f"{label}: inline policies unreadable: {', '.join(unreadable)}", problems)
        else:
            yield ctx.passed(
                arn,
                f"{label}'s inline policies do not grant administrator power",
                {"policies": [p.name for p in inline]},
            )


@check(
    id="iam.aws_managed_admin_attached",
    title="No AWS-managed policy granting administrator power is attached",
    severity=Severity.HIGH,
    needs=[AUTHORIZATION],
    rationale=(
        "CIS reads 'no policy with full administrative privileges is attached' literally: AWS's own "
        "AdministratorAccess (and other AWS-managed policies that grant, or let their holder grant itself, "
        "everything) count as well; a break-glass administrator is accepted with a suppression, not by "
        "default. The audit guide instead treats configured administrators as approved, so this check is "
        "mapped to the CIS frameworks only."
    ),
    remediation=(
        "aws iam detach-<user|group|role>-policy --<user|group|role>-name <name> --policy-arn <policy-arn>; "
        "grant least privilege instead, or suppress the finding for a deliberate break-glass role"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
)
def aws_managed_admin_attached(ctx: CheckContext) -> Iterator[Result]:
    model, unknown = _model_or_unknown(ctx)
    if unknown is not None or model.graph is None:
        yield unknown or unknown_model(ctx, model)
        return
    account = model.graph.analysis.account
    attached = {arn for principal in account.principals for arn in principal.attached_policy_arns}
    attached.update(arn for group in account.groups.values() for arn in group.attached_policy_arns)
    attached = {arn for arn in attached if ":aws:policy/" in arn}
    for arn in sorted(attached):
        holders = holders_of(account, arn)
        managed = account.policies.get(arn)
        if managed is None or managed.document is None:
            yield ctx.unknown(
                arn,
                f"{arn} is attached but its document is not in the snapshot",
                {"holders": [h.arn for h in holders]},
            )
            continue
        verdict = admin_equivalence([managed.document], holders=holders, account_id=account.account_id)
        if verdict.admin_equivalent:
            holder_names = ", ".join(h.label for h in holders)
            yield _admin_failure(
                ctx, arn, f"AWS-managed {managed.name} (attached to {holder_names})", verdict, holders
            )
        else:
            yield ctx.passed(
                arn, f"AWS-managed {managed.name} {verdict.reason}", _admin_evidence(verdict, holders)
            )


def _capability_evidence(capability: Capability) -> dict[str, Any]:
    return {
        "outcome": capability.outcome.value,
        "policies": list(capability.policies),
        "statements": [s.reference for s in capability.statements],
        "conditions": conditions_evidence(capability.conditions),
        "unknown_policies": list(capability.unknown_policies),
    }


@check(
    id="iam.support_role",
    title="A role is entitled to manage incidents with AWS Support",
    severity=Severity.LOW,
    needs=[AUTHORIZATION, *SCP_INPUTS],
    rationale=(
        "During an incident, opening and following AWS Support cases must not wait for someone to be granted "
        "the right; a role that people can assume and whose permissions manage support cases "
        "(AWSSupportAccess or an equivalent grant) provides it without broader rights. A policy attached to "
        "users only does not meet CIS's 'support role'."
    ),
    remediation=(
        "aws iam create-role --role-name <support-role> --assume-role-policy-document file://trust.json; "
        "aws iam attach-role-policy --role-name <support-role> "
        "--policy-arn arn:aws:iam::aws:policy/AWSSupportAccess"
    ),
    references=[
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSupportAccess.html",
        "https://docs.aws.amazon.com/awssupport/latest/user/accessing-support.html",
    ],
)
def support_role(ctx: CheckContext) -> Iterator[Result]:
    model, unknown = _model_or_unknown(ctx)
    if unknown is not None or model.graph is None:
        yield unknown or unknown_model(ctx, model)
        return
    access = support_case_access(model.graph)
    roles, users = access.roles, access.users
    evidence: dict[str, Any] = {
        "actions": list(SUPPORT_CASE_ACTIONS),
        "roles": {
            role.capability.principal.arn: {
                **_capability_evidence(role.capability),
                "trusted": sorted({grant.principal for grant in role.trusted}),
            }
            for role in roles
        },
        "users": {user.principal.arn: _capability_evidence(user) for user in users},
    }
    if access.trust_unknown:
        evidence["roles_with_unreadable_trust"] = {
            role.principal.arn: {
                **_capability_evidence(role),
                "trust_error": model.graph.unreadable_trust[role.principal.arn],
            }
            for role in access.trust_unknown
        }
    able = [r for r in roles if r.capability.outcome is not Outcome.UNKNOWN]
    if able:
        names = ", ".join(r.capability.principal.name for r in able)
        conditional = all(r.capability.outcome is Outcome.CONDITIONAL for r in able)
        note = " under conditions" if conditional else ""
        yield ctx.passed(ctx.account_arn(), f"Role(s) {names} can manage AWS Support cases{note}", evidence)
    elif roles:
        names = ", ".join(r.capability.principal.name for r in roles)
        yield ctx.unknown(
            ctx.account_arn(), f"Role(s) {names} might manage support cases: policies unknown", evidence
        )
    elif access.trust_unknown:
        names = ", ".join(role.principal.name for role in access.trust_unknown)
        yield ctx.unknown(
            ctx.account_arn(),
            f"Role(s) {names} can manage support cases, but who may assume them is unknown: "
            "trust policy unreadable",
            evidence,
        )
    elif users:
        names = ", ".join(u.principal.name for u in users)
        yield ctx.failed(
            ctx.account_arn(),
            f"Only users can manage AWS Support cases ({names}); no role that people can assume can",
            evidence,
        )
    else:
        yield ctx.failed(ctx.account_arn(), "No role or user can manage AWS Support cases", evidence)


@check(
    id="iam.cloudshell_full_access",
    title="Nobody can move files in and out of CloudShell",
    severity=Severity.MEDIUM,
    needs=[AUTHORIZATION, *SCP_INPUTS],
    rationale=(
        "Full CloudShell access includes uploading and downloading files and internet access from the "
        "shell, an easy path to move data out of the account. Whether it comes from AWSCloudShellFullAccess "
        "(CIS's literal reading), cloudshell:* in another policy or administrator rights, the effect is "
        "the same."
    ),
    remediation=(
        "aws iam detach-user-policy --user-name <user> "
        "--policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess "
        "(detach-group-policy / detach-role-policy likewise); for other grants, deny "
        "cloudshell:GetFileUploadUrls and cloudshell:GetFileDownloadUrls in the policy the evidence names"
    ),
    references=[
        "https://docs.aws.amazon.com/cloudshell/latest/userguide/sec-auth-with-identities.html",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCloudShellFullAccess.html",
    ],
)
def cloudshell_full_access(ctx: CheckContext) -> Iterator[Result]:
    model, unknown = _model_or_unknown(ctx)
    if unknown is not None or model.graph is None:
        yield unknown or unknown_model(ctx, model)
        return
    access = {c.principal.arn: c for c in cloudshell_access(model.graph)}
    principals: list[Principal] = sorted(model.graph.analysis.account.principals, key=lambda p: p.arn)
    for principal in principals:
        capability = access.get(principal.arn)
        if capability is None:
            yield ctx.passed(
                principal.arn,
                f"{principal.label} cannot open CloudShell with file transfer",
                {"actions": list(CLOUDSHELL_ACTIONS)},
            )
            continue
        literal = capability.granted_by(CLOUDSHELL_FULL_ACCESS_ARN)
        evidence = {
            **_capability_evidence(capability),
            "from_AWSCloudShellFullAccess": literal,
            "actions": list(CLOUDSHELL_ACTIONS),
        }
        source = "AWSCloudShellFullAccess" if literal else ", ".join(capability.policies)
        if capability.outcome is Outcome.UNKNOWN:
            yield ctx.unknown(
                principal.arn,
                f"{principal.label}: CloudShell access cannot be ruled out, policies unknown: "
                f"{', '.join(capability.unknown_policies)}",
                evidence,
            )
        elif capability.outcome is Outcome.CONDITIONAL:
            yield ctx.failed(
                principal.arn,
                f"{principal.label} can use CloudShell with file transfer under conditions (from {source})",
                evidence,
                severity=Severity.LOW,
            )
        else:
            yield ctx.failed(
                principal.arn,
                f"{principal.label} can use CloudShell with file transfer (from {source})",
                evidence,
            )

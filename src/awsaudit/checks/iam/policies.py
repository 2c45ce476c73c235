"""IAM policy checks: permissions through groups, no full-admin policies, support and CloudShell roles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.analyze.iam import (
    AdminGrant,
    Policy,
    PolicyKind,
    PolicyParseError,
    full_admin_verdict,
    parse_policy,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.iam import AUTHORIZATION, authorization
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


def _is_aws_managed(policy_arn: str) -> bool:
    return policy_arn.split(":")[4:5] == ["aws"]


def _default_document(policy: Mapping[str, Any]) -> object:
    """The document of the version in force (None when absent, which the parser rejects)."""
    for version in policy.get("PolicyVersionList") or []:
        if version.get("IsDefaultVersion") or version.get("VersionId") == policy.get("DefaultVersionId"):
            return version.get("Document")
    return None


_PRINCIPAL_LISTS = (
    ("UserDetailList", "UserPolicyList"),
    ("GroupDetailList", "GroupPolicyList"),
    ("RoleDetailList", "RolePolicyList"),
)


def _entities(details: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Every user, group and role with the name of its inline-policy list."""
    for entity_list, inline_list in _PRINCIPAL_LISTS:
        for entity in details.get(entity_list) or []:
            yield entity, inline_list


@check(
    id="iam.full_admin_policy",
    title="No customer policy grants full administrative rights",
    severity=Severity.HIGH,
    needs=[AUTHORIZATION],
    rationale=(
        "A policy allowing every action on every resource gives away the whole account; administrators "
        "should use AWS's AdministratorAccess deliberately and everyone else least privilege."
    ),
    remediation=(
        "aws iam create-policy-version --policy-arn <policy-arn> "
        "--policy-document file://least-privilege.json --set-as-default (managed); "
        "aws iam delete-role-policy --role-name <role> --policy-name <name> "
        "(inline; delete-user-policy / delete-group-policy likewise)"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
)
def full_admin_policy(ctx: CheckContext) -> Iterator[Result]:
    details = authorization(ctx)
    referenced = {
        str(attached.get("PolicyArn"))
        for entity, _ in _entities(details)
        for attached in entity.get("AttachedManagedPolicies") or []
    }
    for policy in details.get("Policies") or []:
        arn = str(policy["Arn"])
        if _is_aws_managed(arn) or not (policy.get("AttachmentCount") or arn in referenced):
            continue
        # moto leaves PolicyName out of this API's answer; the name is the last part of the ARN.
        name = str(policy.get("PolicyName") or arn.rsplit("/", 1)[-1])
        yield _judge_documents(ctx, arn, {name: _default_document(policy)})
    for entity, inline_list in _entities(details):
        inline = {str(p.get("PolicyName")): p.get("PolicyDocument") for p in entity.get(inline_list) or []}
        if inline:
            yield _judge_documents(ctx, str(entity["Arn"]), inline)


def _judge_documents(ctx: CheckContext, resource: str, documents: Mapping[str, object]) -> Result:
    """One verdict over a managed policy's document or a principal's inline policies.

    Judged semantically (every action of the catalog on every resource, after the policy's own denies), so
    `NotAction` and `iam:*` + `NotAction: iam:*` splits count as well as a literal `"*"`. Inline policies are
    also judged together: statements split across them grant what they grant jointly.
    """
    parsed: dict[str, Policy] = {}
    unreadable: dict[str, str] = {}
    for name, document in documents.items():
        try:
            parsed[name] = parse_policy(document, name=name)
        except PolicyParseError as problem:
            unreadable[name] = str(problem)
    verdicts = {name: full_admin_verdict(policy) for name, policy in parsed.items()}
    if len(parsed) > 1 and all(v.grant is AdminGrant.NONE for v in verdicts.values()):
        joint = Policy(
            name=" + ".join(sorted(parsed)),
            kind=PolicyKind.IDENTITY,
            statements=tuple(s for policy in parsed.values() for s in policy.statements),
        )
        verdicts[joint.name] = full_admin_verdict(joint)
    full = sorted(name for name, v in verdicts.items() if v.grant is AdminGrant.FULL)
    conditional = sorted(name for name, v in verdicts.items() if v.grant is AdminGrant.CONDITIONAL)
    evidence = {
        "policies": sorted(documents),
        "full_admin": full,
        "conditional_admin": conditional,
        "literal": sorted(name for name, v in verdicts.items() if v.literal),
        "statements": [s.reference for name in (*full, *conditional) for s in verdicts[name].statements],
        "conditions": {
            name: [
                {
                    "statement": s.reference,
                    "conditions": [[c.operator, c.key, list(c.values)] for c in s.conditions],
                }
                for s in verdicts[name].statements
                if s.is_conditional
            ]
            for name in conditional
        },
        "unreadable": unreadable,
    }
    if full:
        return ctx.failed(resource, f"Allows every action on every resource: {', '.join(full)}", evidence)
    if conditional:
        return ctx.failed(
            resource,
            f"Allows every action on every resource under conditions: {', '.join(conditional)}",
            evidence,
            severity=Severity.MEDIUM,
        )
    if unreadable:
        return ctx.unknown(resource, "; ".join(unreadable.values()), evidence)
    return ctx.passed(resource, "No statement allows every action on every resource", evidence)


def _holders(details: Mapping[str, Any], policy_suffix: str) -> list[Mapping[str, Any]]:
    """Users, groups and roles with the AWS-managed policy attached directly."""
    return [
        entity
        for entity, _ in _entities(details)
        if any(
            str(p.get("PolicyArn", "")).endswith(policy_suffix)
            for p in entity.get("AttachedManagedPolicies") or []
        )
    ]


_SUPPORT_POLICY = ":iam::aws:policy/AWSSupportAccess"


@check(
    id="iam.support_role",
    title="Someone is entitled to manage incidents with AWS Support",
    severity=Severity.LOW,
    needs=[AUTHORIZATION],
    rationale=(
        "During an incident, opening and following AWS Support cases must not wait for someone to be granted "
        "the right; a dedicated role with AWSSupportAccess provides it without broader rights."
    ),
    remediation=(
        "aws iam create-role --role-name <support-role> --assume-role-policy-document file://trust.json; "
        "aws iam attach-role-policy --role-name <support-role> "
        "--policy-arn arn:aws:iam::aws:policy/AWSSupportAccess"
    ),
    references=["https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSupportAccess.html"],
)
def support_role(ctx: CheckContext) -> Iterator[Result]:
    holders = [str(entity["Arn"]) for entity in _holders(authorization(ctx), _SUPPORT_POLICY)]
    evidence = {"AWSSupportAccess_attached_to": holders}
    if holders:
        yield ctx.passed(
            ctx.account_arn(), f"AWSSupportAccess is attached to {len(holders)} principal(s)", evidence
        )
    else:
        yield ctx.failed(ctx.account_arn(), "No user, group or role has AWSSupportAccess", evidence)


_CLOUDSHELL_POLICY = ":iam::aws:policy/AWSCloudShellFullAccess"


@check(
    id="iam.cloudshell_full_access",
    title="AWSCloudShellFullAccess is not granted",
    severity=Severity.MEDIUM,
    needs=[AUTHORIZATION],
    rationale=(
        "Full CloudShell access includes uploading and downloading files and internet access from the "
        "shell, an easy path to move data out of the account."
    ),
    remediation=(
        "aws iam detach-user-policy --user-name <user> "
        "--policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess "
        "(detach-group-policy --group-name / detach-role-policy --role-name likewise)"
    ),
    references=[
        "https://docs.aws.amazon.com/cloudshell/latest/userguide/sec-auth-with-identities.html",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCloudShellFullAccess.html",
    ],
)
def cloudshell_full_access(ctx: CheckContext) -> Iterator[Result]:
    details = authorization(ctx)
    direct = {str(entity["Arn"]) for entity in _holders(details, _CLOUDSHELL_POLICY)}
    granting_groups = {
        str(group.get("GroupName"))
        for group in details.get("GroupDetailList") or []
        if str(group["Arn"]) in direct
    }
    for entity, _ in _entities(details):
        arn = str(entity["Arn"])
        via = sorted(granting_groups & set(entity.get("GroupList") or []))
        evidence = {"attached_directly": arn in direct, "via_groups": via}
        if arn in direct or via:
            yield ctx.failed(arn, "Has AWSCloudShellFullAccess", evidence)
        else:
            yield ctx.passed(arn, "Does not have AWSCloudShellFullAccess", evidence)

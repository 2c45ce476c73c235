"""IAM Identity Center checks: permission sets that hand out full administrator access (guide G2.2)."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.analyze.iam import PolicyParseError
from awsaudit.analyze.organization.identity_center import AdminState, judge_permission_set
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected


@check(
    id="identitycenter.admin_permission_sets",
    title="Only the configured administrator groups hold full-admin permission sets",
    severity=Severity.HIGH,
    needs=[Needs("sso-admin", "Instances", regional=True)],
    scope=Scope.REGION,
    rationale=(
        "A permission set with full administrator access assigned to a group hands every member of that "
        "group, present and future, the keys to every account it is assigned in; only the few named "
        "administrator groups should hold it."
    ),
    remediation=(
        "Assign a narrower permission set instead: aws sso-admin delete-account-assignment --instance-arn "
        "<instance> --target-id <account> --target-type AWS_ACCOUNT --permission-set-arn <arn> "
        "--principal-type GROUP --principal-id <group-id>; or name the group in identity_center_admins"
    ),
    references=["https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html"],
)
def admin_permission_sets(ctx: CheckContext) -> Iterator[Result]:
    administrators = ctx.config.identity_center_admins
    for instance in ctx.dataset("sso-admin", "Instances"):
        groups = {str(g.get("GroupId")): str(g.get("DisplayName")) for g in ctx.field(instance, "Groups")}
        for permission_set in ctx.field(instance, "PermissionSets"):
            yield _judge(ctx, permission_set, groups, administrators)


def _judge(
    ctx: CheckContext,
    permission_set: dict[str, object],
    groups: dict[str, str],
    administrators: tuple[str, ...],
) -> Result:
    arn = str(permission_set.get("PermissionSetArn"))
    try:
        fields = {
            name: ctx.field(permission_set, name)
            for name in (
                "AttachedManagedPolicies",
                "CustomerManagedPolicyReferences",
                "InlinePolicy",
                "PermissionsBoundary",
                "AccountAssignments",
            )
        }
        if "Name" not in permission_set:
            ctx.field(permission_set, "PermissionSet")  # describing it failed: raises NotCollected
        verdict = judge_permission_set({**permission_set, **fields}, groups)
    except NotCollected as absent:
        return ctx.unknown(
            arn, f"Cannot judge permission set {arn}: {absent.reason}", {"not_collected": absent.reason}
        )
    except PolicyParseError as problem:
        return ctx.unknown(arn, f"Permission set {arn}: {problem}", {"problem": str(problem)})
    outside = verdict.outside(administrators)
    evidence = {
        "permission_set": verdict.name,
        "admin": verdict.state.value,
        "reason": verdict.reason,
        "holders": [h.__dict__ for h in verdict.holders],
        "outside_administrators": [h.display for h in outside],
        "configured_administrators": list(administrators),
    }
    label = f"Permission set {verdict.name}"
    if verdict.state is AdminState.NOT_ADMIN:
        return ctx.passed(arn, f"{label} does not grant full administrator access", evidence)
    if not outside:
        return ctx.passed(
            arn, f"{label} ({verdict.state.value}) is held only by administrator groups", evidence
        )
    who = ", ".join(sorted({h.display for h in outside}))
    if verdict.state is AdminState.UNKNOWN:
        return ctx.unknown(
            arn,
            f"{label}: cannot tell whether it grants full admin ({verdict.reason}); held by {who}",
            evidence,
        )
    return ctx.failed(arn, f"{label} grants full administrator access to {who}", evidence)

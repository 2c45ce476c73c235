"""Checks on the IAM analysis (guide G2.1, G2.2, G2.4): escalation to admin, separation of duties, trust.

The escalation graph is built once per evaluation (`iam_model`, from `awsaudit.analyze.iam.adapters`) and
shared by these checks; the `who-can` / `iam-paths` queries build the same model.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from awsaudit.analyze.iam import (
    ADMIN,
    DutyConflict,
    EscalationGraph,
    EscalationPath,
    ExternalTrust,
    GrantedAction,
    Principal,
    Statement,
    UnknownReach,
    Verdict,
    external_trusts,
)
from awsaudit.analyze.iam.adapters import (
    IamModel,
    build_iam_model,
    condition_evidence,
    conditions_evidence,
    hop_evidence,
)
from awsaudit.analyze.iam.duties import duties_by_effect, is_approved
from awsaudit.analyze.iam.federation import Risk
from awsaudit.analyze.iam.trust import TrustKind, account_of_principal
from awsaudit.analyze.organization.context import (
    OrganizationContext,
    context_of_snapshot,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.iam import AUTHORIZATION, shared_authorization_parser
from awsaudit.checks.registry import Needs, check
from awsaudit.findings import Severity
from awsaudit.snapshot import GLOBAL

# SCPs only refine the answers (they can close paths); without them the analysis assumes none apply.
SCP_INPUTS = (
    Needs("organizations", "Organization", optional=True),
    Needs("organizations", "Policies", optional=True),
)


_ESCALATION_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"


_POLICY_EVALUATION_DOC = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
)


def iam_model(ctx: CheckContext) -> IamModel:
    """The model shared by every check of one snapshot (NotCollected propagates, uncached)."""
    return ctx.derived(
        "iam.graph", lambda: build_iam_model(ctx.snapshot, shared_authorization_parser(ctx)), region=GLOBAL
    )


def unknown_model(ctx: CheckContext, model: IamModel) -> Result:
    """UNKNOWN for the account when the authorization details cannot be analysed at all."""
    return ctx.unknown(ctx.account_arn(), model.problem or "", {"scps": model.scps})


def _sorted(principals: Iterable[Principal]) -> list[Principal]:
    return sorted(principals, key=lambda p: p.arn)


@check(
    id="iam.privilege_escalation",
    title="No non-administrator can escalate to administrator",
    severity=Severity.HIGH,
    needs=[AUTHORIZATION, *SCP_INPUTS],
    rationale=(
        "A principal that can attach a policy to itself, publish a policy version, reset another user's "
        "credentials, assume a more powerful role or pass one to compute it controls is an administrator "
        "in all but name; least privilege means nobody outside the administrators has such a path."
    ),
    remediation=(
        "Remove the permission named by the first hop of the path from the policy statement the evidence "
        "names (aws iam create-policy-version --policy-arn <policy-arn> --policy-document "
        "file://fixed.json --set-as-default, or aws iam put-<user|group|role>-policy for inline policies), "
        "or constrain it: iam:PassRole to named roles with iam:PassedToService, a permissions boundary "
        "(aws iam put-user-permissions-boundary / put-role-permissions-boundary), or an SCP"
    ),
    references=[
        _ESCALATION_DOC,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    ],
)
def privilege_escalation(ctx: CheckContext) -> Iterator[Result]:
    model = iam_model(ctx)
    if model.graph is None:
        yield unknown_model(ctx, model)
        return
    graph = model.graph
    paths = graph.escalation_paths()
    unknown = graph.unknown_reach()
    for principal in _sorted(graph.analysis.account.principals):
        if graph.is_admin(principal):
            continue  # administrators are judged by iam.full_admin_policy and the separation of duties
        path = paths.get(principal.arn)
        reach = unknown.get(principal.arn)
        if path is not None:
            yield _escalation_failure(ctx, principal, path, model.scps)
        elif reach is None:
            yield ctx.passed(principal.arn, f"{principal.label} has no path to admin", {"scps": model.scps})
        elif reach.node == principal.arn:
            yield _unknown_policies(ctx, model, graph, principal, "paths to admin cannot be ruled out")
        else:
            yield ctx.unknown(
                principal.arn,
                f"{principal.label}: a path to admin cannot be ruled out: {reach.reason}",
                unknown_reach_evidence(reach, model),
            )


def unknown_reach_evidence(reach: UnknownReach, model: IamModel) -> dict[str, Any]:
    """The unknown node a principal can reach, why it is unknown, and the hops to it."""
    evidence: dict[str, Any] = {
        "unknown_node": reach.node,
        "reason": reach.reason,
        "hops": [hop_evidence(edge) for edge in reach.edges],
        "scps": model.scps,
    }
    if reach.trust_problem is not None:
        evidence["trust_policy_problem"] = reach.trust_problem
    if reach.unknown_policies:
        evidence["unknown_policies"] = list(reach.unknown_policies)
        evidence["unreadable"] = _unreadable_of(model, reach.unknown_policies)
    return evidence


def _unreadable_of(model: IamModel, missing: Sequence[str]) -> dict[str, str]:
    return {
        name: problem
        for name, problem in model.unreadable.items()
        if any(name == policy or name.startswith(f"{policy} ") for policy in missing)
    }


def _unknown_policies(
    ctx: CheckContext, model: IamModel, graph: EscalationGraph, principal: Principal, consequence: str
) -> Result:
    """UNKNOWN for a principal some of whose policies (or boundary) the snapshot lacks or cannot read."""
    context = graph.analysis.profile_of[principal.arn].context
    missing = [*context.unknown_policies, *filter(None, [context.unknown_boundary])]
    return ctx.unknown(
        principal.arn,
        f"{principal.label}: {consequence}, policies unknown: {', '.join(missing)}",
        {"unknown_policies": missing, "unreadable": _unreadable_of(model, missing)},
    )


def _escalation_failure(ctx: CheckContext, principal: Principal, path: EscalationPath, scps: str) -> Result:
    conditions = [s for edge in path.edges for s in edge.conditions]
    end = "admin" if path.reaches == ADMIN else path.reaches
    steps = " -> ".join(edge.method for edge in path.edges)
    evidence: dict[str, Any] = {
        "reaches": end,
        "granter": path.granter,
        "hops": [hop_evidence(edge) for edge in path.edges],
        "conditional": path.conditional,
        "target_admin_conditional": path.admin_conditional,
        "scps": scps,
    }
    message = f"{principal.label} can become admin in {len(path.edges)} step(s) ({steps}), reaching {end}"
    if path.granter is not None:
        message += f", which {path.granter} can make an administrator"
    if not path.conditional:
        return ctx.failed(principal.arn, message, evidence)
    keys = _condition_keys(conditions)
    if path.admin_conditional:
        keys = ", ".join(filter(None, [keys, f"the conditions on {end}'s own full access"]))
    return ctx.failed(
        principal.arn, f"{message}, if conditions hold: {keys}", evidence, severity=Severity.MEDIUM
    )


@check(
    id="iam.separation_of_duties",
    title="Nobody outside the named administrators both defines permissions and assigns identities",
    severity=Severity.MEDIUM,
    needs=[AUTHORIZATION, *SCP_INPUTS],
    rationale=(
        "Whoever can both write permissions (policies, roles, groups; Identity Center permission sets) "
        "and hand them to identities (create users, add them to groups, issue credentials; Identity "
        "Center account assignments, identity-store users and group memberships) can grant anything to "
        "anyone without a second person; the guide keeps the two duties apart except for a small, named "
        "set of administrators."
    ),
    remediation=(
        "Split the duties: remove either the permission-defining actions (iam:CreatePolicy*, iam:Put*Policy, "
        "iam:Attach*Policy on groups and roles, iam:CreateRole...) or the identity-assigning ones "
        "(iam:CreateUser, iam:AddUserToGroup, iam:CreateAccessKey, iam:*LoginProfile, user policies) "
        "from the statements named in the evidence; for IAM Identity Center, either the permission-set "
        "actions (sso:CreatePermissionSet, sso:Put*/Attach*ToPermissionSet, sso:ProvisionPermissionSet) or "
        "sso:CreateAccountAssignment and identitystore:CreateUser/CreateGroupMembership; "
        "or, for a deliberate administrator, add the principal to "
        "admin_principals in the awsaudit configuration"
    ),
    references=[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_permissions_define_guardrails.html",
    ],
)
def separation_of_duties_check(ctx: CheckContext) -> Iterator[Result]:
    model = iam_model(ctx)
    if model.graph is None:
        yield unknown_model(ctx, model)
        return
    analysis = model.graph.analysis
    approved = ctx.config.admin_principals
    judged = duties_by_effect(model.graph)
    conflicts = {c.principal.arn: c for c in judged.conflicts}
    undetermined = {p.arn for p in judged.undetermined}
    for principal in _sorted(analysis.account.principals):
        conflict = conflicts.get(principal.arn)
        if conflict is not None and not is_approved(principal, approved):
            yield _duty_failure(ctx, conflict)
        elif conflict is not None:
            yield ctx.passed(
                principal.arn,
                f"{principal.label} holds both duties as an approved administrator",
                {**_duty_evidence(conflict), "approved_administrators": list(approved)},
            )
        elif is_approved(principal, approved):
            yield ctx.passed(principal.arn, f"{principal.label} is an approved administrator", {})
        elif principal.arn in judged.unknown_reach:
            reach = judged.unknown_reach[principal.arn]
            yield ctx.unknown(
                principal.arn,
                f"{principal.label}: its duties cannot be determined: {reach.reason}",
                unknown_reach_evidence(reach, model),
            )
        elif principal.arn in undetermined:
            yield _unknown_policies(ctx, model, model.graph, principal, "its duties cannot be determined")
        else:
            yield ctx.passed(principal.arn, f"{principal.label} does not hold both duties", {})


def _granted(actions: Sequence[GrantedAction]) -> list[dict[str, Any]]:
    return [
        {
            "action": granted.action,
            "statements": [s.reference for s in granted.statements],
            "conditions": conditions_evidence(granted.conditions),
        }
        for granted in actions
    ]


def _duty_evidence(conflict: DutyConflict) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "duty_sets": list(conflict.duty_sets),
        "define_permissions": _granted(conflict.define),
        "assign_identities": _granted(conflict.assign),
    }
    if conflict.routes:
        evidence["through"] = [
            {
                "duty_set": route.duty_set,
                "define_holder": route.define_holder,
                "define_hops": [hop_evidence(edge) for edge in route.define_via],
                "assign_holder": route.assign_holder,
                "assign_hops": [hop_evidence(edge) for edge in route.assign_via],
            }
            for route in conflict.routes
        ]
    return evidence


def _actions_text(granted: Sequence[GrantedAction], shown: int = 3) -> str:
    names = [g.action for g in granted]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _duty_failure(ctx: CheckContext, conflict: DutyConflict) -> Result:
    principal = conflict.principal
    define, assign = _actions_text(conflict.define), _actions_text(conflict.assign)
    systems = " and ".join(conflict.duty_sets)
    message = (
        f"{principal.label} can define permissions ({define}) and assign identities ({assign}) in {systems}"
    )
    holders = sorted(
        {h for r in conflict.routes for h in (r.define_holder, r.assign_holder) if h != principal.arn}
    )
    if holders:
        message += f", acting as {', '.join(holders)}"
    evidence = _duty_evidence(conflict)
    # A side held only under conditions still lets one person do both when the conditions hold.
    if all(g.conditional for g in conflict.define) or all(g.conditional for g in conflict.assign):
        keys = _condition_keys(s for g in (*conflict.define, *conflict.assign) for s in g.conditions)
        return ctx.failed(
            principal.arn, f"{message}, if conditions hold: {keys}", evidence, severity=Severity.LOW
        )
    return ctx.failed(principal.arn, message, evidence)


@check(
    id="iam.external_trust",
    title="Roles trusted outside the account are restricted by conditions",
    severity=Severity.HIGH,
    needs=[AUTHORIZATION],
    rationale=(
        "A role trusted by another account, by any AWS principal or by an identity provider hands the "
        "account to whoever controls that side; conditions (ExternalId, organization, OIDC subject and "
        "audience) are what tie the trust to the intended caller."
    ),
    remediation=(
        "aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json, with a "
        "Condition restricting the caller: sts:ExternalId or aws:PrincipalOrgID for other accounts, "
        "<provider>:sub and <provider>:aud for OIDC providers (e.g. "
        "token.actions.githubusercontent.com:sub = repo:<org>/<repo>:ref:refs/heads/main)"
    ),
    references=[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html",
    ],
)
def external_trust(ctx: CheckContext) -> Iterator[Result]:
    model = iam_model(ctx)
    if model.graph is None:
        yield unknown_model(ctx, model)
        return
    context = context_of_snapshot(ctx.snapshot)
    by_role: dict[str, list[ExternalTrust]] = {}
    for trust in external_trusts(model.graph.analysis.account):
        by_role.setdefault(trust.role_arn, []).append(trust)
    unreadable = model.graph.trust_problems()
    for role_arn in unreadable:
        by_role.setdefault(role_arn, [])
    for role_arn in sorted(by_role):
        trusts = by_role[role_arn]
        name = role_arn.rsplit("/", 1)[-1]
        if role_arn in unreadable:
            yield ctx.unknown(
                role_arn,
                f"role/{name}: trust policy unreadable: {unreadable[role_arn]}",
                {"trust_policy_problem": unreadable[role_arn]},
            )
            continue
        internal, trusts = _split_internal(trusts, context)
        evidence: dict[str, Any] = {"trusts": [_trust_evidence(trust) for trust in trusts]}
        if internal:
            evidence["internal_to_organization"] = internal
        failing = [t for t in trusts if t.verdict is not Verdict.OK]
        if not trusts:
            names = ", ".join(f"{i['account']} ({i['account_name']})" for i in internal)
            organization = internal[0]["organization"]
            yield ctx.passed(
                role_arn,
                f"role/{name}: inventory: trusted within organization {organization} by {names}",
                evidence,
            )
        elif failing:
            severity = max((_severity(t) for t in failing), key=lambda s: s.rank)
            yield ctx.failed(
                role_arn, f"role/{name}: {'; '.join(t.reason for t in failing)}", evidence, severity=severity
            )
        else:
            yield ctx.passed(role_arn, f"role/{name}: {'; '.join(t.reason for t in trusts)}", evidence)


def _severity(trust: ExternalTrust) -> Severity:
    """Federated grants are graded by what they admit; other grants: FAIL is HIGH, a risk MEDIUM."""
    if trust.federation is not None:
        return _RISK_SEVERITY[trust.federation.risk]
    return Severity.HIGH if trust.verdict is Verdict.FAIL else Severity.MEDIUM


_RISK_SEVERITY = {
    Risk.HIGH: Severity.HIGH,
    Risk.MEDIUM: Severity.MEDIUM,
    Risk.LOW: Severity.LOW,
    Risk.NONE: Severity.INFO,
}


def _split_internal(
    trusts: list[ExternalTrust], context: OrganizationContext | None
) -> tuple[list[dict[str, Any]], list[ExternalTrust]]:
    """Trusts of another account of the same organization (internal: inventory) and the rest."""
    if context is None:
        return [], trusts
    internal: list[dict[str, Any]] = []
    external: list[ExternalTrust] = []
    for trust in trusts:
        account = account_of_principal(trust.grant.principal)
        if trust.grant.kind is TrustKind.OTHER_ACCOUNT and account and context.is_member(account):
            internal.append(
                {
                    "principal": trust.grant.principal,
                    "account": account,
                    "account_name": context.account_name(account),
                    "organization": context.organization_id,
                    "statement": trust.grant.statement.reference,
                }
            )
        else:
            external.append(trust)
    return internal, external


def _trust_evidence(trust: ExternalTrust) -> dict[str, Any]:
    federation = trust.federation
    extra: dict[str, Any] = {}
    if federation is not None:
        extra = {
            "provider": federation.provider_kind,
            "admits": federation.admits,
            "patterns": list(federation.patterns),
            "risk": federation.risk.value,
        }
    return {
        **extra,
        "kind": trust.grant.kind.value,
        "principal": trust.grant.principal,
        "statement": trust.grant.statement.reference,
        "conditions": [condition_evidence(c) for c in trust.grant.conditions],
        "verdict": trust.verdict.value,
        "reason": trust.reason,
    }


def _condition_keys(statements: Iterable[Statement]) -> str:
    return ", ".join(sorted({c.key for s in statements for c in s.conditions}))

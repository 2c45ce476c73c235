"""Turning the resource-policy analysis into check results, shared by every service's exposure checks.

Part of the check model (like ``context``): it defines no check itself. Each service module declares
its own ``<service>.<resource>_not_exposed`` check with ``policy_check`` and judges it with
``judge_kind``; the kind's line in ``analyze/resource_policy/kinds.py`` says where its policy is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from awsaudit.analyze.admitted import snapshot_trust
from awsaudit.analyze.resource_policy import (
    Exposure,
    PolicyError,
    PolicyVerdict,
    Reach,
    Trust,
    analyze_policy,
)
from awsaudit.analyze.resource_policy.kinds import KINDS, ResourceKind, Where
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import CheckFunction, Needs, Scope, check
from awsaudit.findings import Severity

ORGANIZATION = Needs("organizations", "Organization", optional=True)
ORGANIZATION_ACCOUNTS = Needs("organizations", "Accounts", optional=True)
RATIONALE = (
    "A resource policy that admits any principal ('*'), or accounts outside the organization without a "
    "condition pinning the caller (aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn, aws:SourceVpce "
    "...), hands the resource to whoever finds it. Judged by effect: Deny statements, NotPrincipal and "
    "condition operators are evaluated as AWS does."
)


def account_trust(ctx: CheckContext) -> Trust:
    """The account, its organization and the organization's accounts, as far as they were collected."""
    return ctx.derived("resource_policy.trust", lambda: snapshot_trust(ctx.snapshot), region="global")


# Says what blocks public access to one resource whatever its policy says (S3 Block Public Access's
# RestrictPublicBuckets), or None when nothing is known to.
PublicAccessRestriction = Callable[[CheckContext, Mapping[str, Any]], "str | None"]


def judge_policy(
    ctx: CheckContext,
    arn: str,
    noun: str,
    name: str,
    policy: Any,
    services: tuple[str, ...],
    restricted_by: str | None = None,
) -> Result:
    """PASS, FAIL (CRITICAL/HIGH public, MEDIUM outside the organization) or UNKNOWN for one policy.

    ``restricted_by`` names a setting that AWS applies before the policy and that blocks public and
    cross-account access through a public policy: such a policy PASSes, its reasons kept as evidence.
    """
    if policy is None:
        return ctx.passed(arn, f"{noun} {name} has no resource policy", {"policy": None})
    trust = account_trust(ctx)
    try:
        verdict = analyze_policy(policy, trust, services)
    except PolicyError as error:
        return ctx.unknown(arn, f"{noun} {name} policy cannot be read: {error}", {"policy": policy})
    evidence = {**verdict.as_evidence(), **_trust_evidence(trust)}
    if verdict.exposure is Exposure.PUBLIC and restricted_by is not None:
        return ctx.passed(
            arn,
            f"{noun} {name} has a public policy ({'; '.join(verdict.reasons())}), but {restricted_by} "
            "blocks public and cross-account access through it",
            {**evidence, "public_access_restricted_by": restricted_by},
        )
    if verdict.exposure is Exposure.PUBLIC:
        severity = Severity.CRITICAL if verdict.severe else Severity.HIGH
        return ctx.failed(
            arn, f"{noun} {name} is public: {'; '.join(verdict.reasons())}", evidence, severity=severity
        )
    if verdict.exposure is Exposure.OUTSIDE_ORGANIZATION:
        return ctx.failed(
            arn,
            f"{noun} {name} admits principals outside the organization without a pinning condition: "
            f"{'; '.join(verdict.reasons())}",
            evidence,
            severity=Severity.MEDIUM,
        )
    return ctx.passed(arn, f"{noun} {name} admits only {_inside_description(verdict)}", evidence)


def _inside_description(verdict: PolicyVerdict) -> str:
    if not verdict.grants:
        return "no one beyond what IAM policies grant (no Allow applies)"
    if all(g.reach is Reach.INSIDE for g in verdict.grants):
        return "the account and its organization"
    return "the account, its organization and pinned callers (network, identity or source conditions)"


def _trust_evidence(trust: Trust) -> dict[str, Any]:
    return {
        "organization_id": trust.organization_id,
        "organization_members_known": trust.organization_accounts is not None,
    }


KINDS_BY_CHECK = {kind.check_id: kind for kind in KINDS}


def kind(check_id: str) -> ResourceKind:
    return KINDS_BY_CHECK[check_id]


def policy_check(kind: ResourceKind, *extra: Needs) -> Callable[[CheckFunction], CheckFunction]:
    """The ``@check`` registration of a resource kind's exposure check, from its line in the table
    (``extra``: further datasets its judgement reads, such as settings that restrict public access)."""
    return check(
        id=kind.check_id,
        title=f"{kind.noun} policies do not admit everyone, or accounts outside the organization unpinned",
        severity=Severity.CRITICAL,
        scope=Scope.REGION if kind.regional else Scope.ACCOUNT,
        needs=[
            Needs(kind.service, kind.dataset, regional=kind.regional),
            ORGANIZATION,
            ORGANIZATION_ACCOUNTS,
            *extra,
        ],
        rationale=RATIONALE,
        remediation=kind.remediation,
        references=[kind.reference, "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"],
    )


def judge_kind(
    ctx: CheckContext, kind: ResourceKind, restriction: PublicAccessRestriction | None = None
) -> Iterator[Result]:
    """One result per resource of the kind in this scope (UNKNOWN where its policy was not read)."""
    where = Where(ctx.partition, ctx.region, ctx.account_id)
    if kind.regional:
        items = ctx.dataset(kind.service, kind.dataset)
    else:
        items = ctx.global_dataset(kind.service, kind.dataset)

    def judge(item: Mapping[str, Any]) -> Result:
        arn = kind.arn(item, where)
        raw = ctx.field(item, kind.policy_field, service=kind.service) if kind.policy_field else item
        try:
            policy = kind.policy_of(raw)
        except PolicyError as error:
            return ctx.unknown(arn, f"{kind.noun} {kind.name(item)} policy cannot be read: {error}")
        restricted_by = restriction(ctx, item) if restriction is not None else None
        return judge_policy(ctx, arn, kind.noun, kind.name(item), policy, kind.action_services, restricted_by)

    applicable = [item for item in items if kind.applies(item)]
    return ctx.each(applicable, lambda item: kind.arn(item, where), judge)

"""Resource policies of every kind (KMS, SNS, SQS, Lambda, ECR, Secrets Manager, EventBridge, Logs,
Glacier, S3 access points, OpenSearch, API Gateway): one check per kind, one analysis for all.

CIS 2.21 and the audit guide (G6.2 beyond S3, G2.4): no policy lets anyone in, or lets accounts
outside the organization in without a condition pinning them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

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
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected

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

    def build() -> Trust:
        try:
            organization = ctx.global_dataset("organizations", "Organization").get("Organization")
        except NotCollected:
            return Trust(ctx.account_id)
        if organization is None:
            return Trust(ctx.account_id, None, frozenset())  # in no organization: nobody else is inside
        members: frozenset[str] | None
        try:
            members = frozenset(str(a["Id"]) for a in ctx.global_dataset("organizations", "Accounts"))
        except NotCollected:
            members = None  # a member account may not list the organization's accounts
        return Trust(ctx.account_id, str(organization.get("Id") or "") or None, members)

    return ctx.derived("resource_policy.trust", build, region="global")


def judge_policy(
    ctx: CheckContext, arn: str, noun: str, name: str, policy: Any, services: tuple[str, ...]
) -> Result:
    """PASS, FAIL (CRITICAL/HIGH public, MEDIUM outside the organization) or UNKNOWN for one policy."""
    if policy is None:
        return ctx.passed(arn, f"{noun} {name} has no resource policy", {"policy": None})
    trust = account_trust(ctx)
    try:
        verdict = analyze_policy(policy, trust, services)
    except PolicyError as error:
        return ctx.unknown(arn, f"{noun} {name} policy cannot be read: {error}", {"policy": policy})
    evidence = {**verdict.as_evidence(), **_trust_evidence(trust)}
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


def _register(kind: ResourceKind) -> None:
    def judge_all(ctx: CheckContext) -> Iterator[Result]:
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
            return judge_policy(ctx, arn, kind.noun, kind.name(item), policy, kind.action_services)

        applicable = [item for item in items if kind.applies(item)]
        return ctx.each(applicable, lambda item: kind.arn(item, where), judge)

    check(
        id=kind.check_id,
        title=f"{kind.noun} policies do not admit everyone, or accounts outside the organization unpinned",
        severity=Severity.CRITICAL,
        scope=Scope.REGION if kind.regional else Scope.ACCOUNT,
        needs=[
            Needs(kind.service, kind.dataset, regional=kind.regional),
            ORGANIZATION,
            ORGANIZATION_ACCOUNTS,
        ],
        rationale=RATIONALE,
        remediation=kind.remediation,
        references=[
            kind.reference,
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        ],
    )(judge_all)


for _kind in KINDS:
    _register(_kind)


# ---------------------------------------------------------------- Lambda function URLs

FUNCTION_POLICIES = Needs("lambda", "FunctionPolicies", regional=True)


@check(
    id="lambda.function_url_not_public",
    title="Lambda function URLs require IAM authentication unless deliberately public",
    severity=Severity.HIGH,
    scope=Scope.REGION,
    needs=[FUNCTION_POLICIES, ORGANIZATION, ORGANIZATION_ACCOUNTS],
    rationale=(
        "A function URL with AuthType NONE whose policy lets '*' call lambda:InvokeFunctionUrl can be "
        "invoked by anyone on the internet, without credentials."
    ),
    remediation=(
        "aws lambda update-function-url-config --function-name <name> --auth-type AWS_IAM (or remove the "
        "public permission: aws lambda remove-permission --function-name <name> --statement-id <sid>)"
    ),
    references=["https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"],
)
def function_url_not_public(ctx: CheckContext) -> Iterator[Result]:
    trust = account_trust(ctx)

    def judge(function: Mapping[str, Any]) -> Result | list[Result]:
        arn = str(function["FunctionArn"])
        name = str(function["FunctionName"])
        urls = list(ctx.field(function, "UrlConfigs") or [])
        if not urls:
            return []
        open_urls = [u for u in urls if u.get("AuthType") == "NONE"]
        evidence: dict[str, Any] = {"url_configs": urls}
        if not open_urls:
            return ctx.passed(arn, f"Function {name}'s URL requires IAM authentication", evidence)
        policy = ctx.field(function, "Policy")
        if policy is None:
            return ctx.passed(
                arn, f"Function {name}'s URL has AuthType NONE but no policy lets anyone invoke it", evidence
            )
        try:
            verdict = analyze_policy(policy, trust, ("lambda",))
        except PolicyError as error:
            return ctx.unknown(arn, f"Function {name} policy cannot be read: {error}", evidence)
        invokers = [
            g
            for g in verdict.grants
            if g.reach is Reach.PUBLIC and g.actions.includes("lambda:InvokeFunctionUrl")
        ]
        evidence["public_invoke_grants"] = [g.as_evidence() for g in invokers]
        if invokers:
            return ctx.failed(
                arn,
                f"Function {name} has a URL anyone can invoke without credentials "
                f"({open_urls[0].get('FunctionUrl')})",
                evidence,
            )
        return ctx.passed(
            arn,
            f"Function {name}'s URL has AuthType NONE but its policy lets no one invoke it publicly",
            evidence,
        )

    functions = ctx.dataset("lambda", "FunctionPolicies")
    return ctx.each(functions, lambda f: str(f["FunctionArn"]), judge)

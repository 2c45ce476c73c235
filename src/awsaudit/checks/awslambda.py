"""Lambda checks: function policies and function URLs admit neither everyone nor unpinned outsiders
(CIS 2.21). The id prefix is ``awslambda``: ``lambda`` cannot name a Python module."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.analyze.resource_policy import PolicyError, Reach, analyze_policy
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.exposure import (
    ORGANIZATION,
    ORGANIZATION_ACCOUNTS,
    account_trust,
    judge_kind,
    kind,
    policy_check,
)
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

FUNCTION_NOT_EXPOSED = kind("awslambda.function_not_exposed")


@policy_check(FUNCTION_NOT_EXPOSED)
def function_not_exposed(ctx: CheckContext) -> Iterator[Result]:
    return judge_kind(ctx, FUNCTION_NOT_EXPOSED)


# ---------------------------------------------------------------- Lambda function URLs

FUNCTION_POLICIES = Needs("lambda", "FunctionPolicies", regional=True)


@check(
    id="awslambda.function_url_not_public",
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

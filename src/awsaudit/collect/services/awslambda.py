"""Lambda: each function's resource-based policy and function URLs (who may invoke it, and how)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset


def _function_detail(ctx: CallContext, function: dict[str, Any]) -> None:
    # Lambda has no bulk read of function policies or URL configurations: two calls per function.
    name = function["FunctionName"]
    attach(
        function,
        "Policy",
        lambda: ctx.client.get_policy(FunctionName=name)["Policy"],
        absent={"ResourceNotFoundException": None},
    )
    attach(
        function,
        "UrlConfigs",
        lambda: [
            {key: config.get(key) for key in ("FunctionUrl", "AuthType", "FunctionArn")}
            for config in ctx.paginate("list_function_url_configs", "FunctionUrlConfigs", FunctionName=name)
        ],
    )


@dataset(
    "lambda",
    "FunctionPolicies",
    client="lambda",
    regional=True,
    actions=["lambda:ListFunctions", "lambda:GetPolicy", "lambda:ListFunctionUrlConfigs"],
    detail=_function_detail,
)
def function_policies(ctx: CallContext) -> list[dict[str, Any]]:
    """{FunctionName, FunctionArn, Policy (JSON text or null), UrlConfigs} per function.

    Only the name and ARN of ListFunctions are kept: it also returns environment variables.
    """
    return [
        {"FunctionName": function["FunctionName"], "FunctionArn": function["FunctionArn"]}
        for function in ctx.paginate_shared("list_functions", "Functions")
    ]

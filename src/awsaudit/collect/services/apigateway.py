"""API Gateway: every REST API of a region with its resource policy (GetRestApis returns it)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset

_KEPT = ("id", "name", "policy", "endpointConfiguration")


@dataset("apigateway", "RestApis", regional=True, actions=["apigateway:GET"])
def rest_apis(ctx: CallContext) -> list[dict[str, Any]]:
    """{id, name, policy?, endpointConfiguration} per REST API; ``policy`` is JSON text AWS escapes."""
    # 500 per page, the most AWS allows (its default is 25).
    apis = ctx.paginate("get_rest_apis", "items", PaginationConfig={"PageSize": 500})
    return [{key: api[key] for key in _KEPT if key in api} for api in apis]

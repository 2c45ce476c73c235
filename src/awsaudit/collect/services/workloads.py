"""Compute inventory (Lambda, ECS, EKS): only enough to tell whether a region runs workloads."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset

# ListFunctions returns each function's environment variables, which often hold secrets:
# only these fields are kept.
_FUNCTION_FIELDS = ("FunctionName", "FunctionArn", "Runtime", "LastModified", "Role")


@dataset("lambda", "Functions", client="lambda", regional=True, actions=["lambda:ListFunctions"])
def functions(ctx: CallContext) -> list[dict[str, Any]]:
    return [
        {field: function[field] for field in _FUNCTION_FIELDS if field in function}
        for function in ctx.paginate_shared("list_functions", "Functions")
    ]


@dataset("ecs", "Clusters", client="ecs", regional=True, actions=["ecs:ListClusters"])
def ecs_clusters(ctx: CallContext) -> list[Any]:
    """Cluster ARNs."""
    return ctx.paginate("list_clusters", "clusterArns")


@dataset("eks", "Clusters", client="eks", regional=True, actions=["eks:ListClusters"])
def eks_clusters(ctx: CallContext) -> list[Any]:
    """Cluster names."""
    return ctx.paginate("list_clusters", "clusters")

"""CloudWatch Logs: metric filters (what the CIS monitoring checks match against) and resource policies."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset


@dataset("logs", "MetricFilters", regional=True, actions=["logs:DescribeMetricFilters"])
def metric_filters(ctx: CallContext) -> list[Any]:
    return ctx.paginate("describe_metric_filters", "metricFilters")


@dataset("logs", "ResourcePolicies", regional=True, actions=["logs:DescribeResourcePolicies"])
def resource_policies(ctx: CallContext) -> list[Any]:
    """Every account-level CloudWatch Logs resource policy of the region ({policyName, policyDocument})."""
    return ctx.paginate("describe_resource_policies", "resourcePolicies")

"""Workload inventory: one list call per kind and region, only the fields that name a resource.

These datasets are collected on demand only (for the management-account workload check), never
by a collect-everything run: they cost a request per kind and region.

What counts as a workload, and which dataset answers for each kind, is the table in
``awsaudit.analyze.organization.workloads``; EC2 instances and volumes, RDS instances, S3 buckets,
Lambda functions and ECS/EKS clusters come from the datasets other checks already read. Only
identifying fields (names, ARNs, tags, capacity, state) are kept; API Gateway REST APIs, SQS
queues, SNS topics and OpenSearch domains come from the resource-policy collectors: nothing of a resource's
configuration, which may hold secrets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import FetchFunction, dataset


@dataclass(frozen=True)
class _Listing:
    service: str  # snapshot key (and boto3 client name)
    dataset: str
    operation: str
    result_key: str
    action: str
    fields: tuple[str, ...] | None  # None: the items are plain strings (names, URLs, ARNs)


_LISTINGS = (
    _Listing(
        "autoscaling",
        "AutoScalingGroups",
        "describe_auto_scaling_groups",
        "AutoScalingGroups",
        "autoscaling:DescribeAutoScalingGroups",
        ("AutoScalingGroupName", "AutoScalingGroupARN", "MinSize", "MaxSize", "DesiredCapacity", "Tags"),
    ),
    _Listing(
        "rds",
        "DBClusters",
        "describe_db_clusters",
        "DBClusters",
        "rds:DescribeDBClusters",
        ("DBClusterIdentifier", "DBClusterArn", "Engine", "Status", "TagList"),
    ),
    _Listing("dynamodb", "TableNames", "list_tables", "TableNames", "dynamodb:ListTables", None),
    _Listing(
        "elbv2",
        "LoadBalancers",
        "describe_load_balancers",
        "LoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancers",
        ("LoadBalancerName", "LoadBalancerArn", "Type", "Scheme"),
    ),
    _Listing(
        "elb",
        "LoadBalancerDescriptions",
        "describe_load_balancers",
        "LoadBalancerDescriptions",
        "elasticloadbalancing:DescribeLoadBalancers",
        ("LoadBalancerName", "DNSName", "Scheme"),
    ),
    _Listing(
        "apigatewayv2", "Apis", "get_apis", "Items", "apigateway:GET", ("ApiId", "Name", "ProtocolType")
    ),
    _Listing(
        "elasticache",
        "CacheClusters",
        "describe_cache_clusters",
        "CacheClusters",
        "elasticache:DescribeCacheClusters",
        ("CacheClusterId", "ARN", "Engine", "CacheClusterStatus"),
    ),
    _Listing(
        "redshift",
        "Clusters",
        "describe_clusters",
        "Clusters",
        "redshift:DescribeClusters",
        ("ClusterIdentifier", "ClusterNamespaceArn", "ClusterStatus", "Tags"),
    ),
    _Listing(
        "sagemaker",
        "Endpoints",
        "list_endpoints",
        "Endpoints",
        "sagemaker:ListEndpoints",
        ("EndpointName", "EndpointArn", "EndpointStatus"),
    ),
    _Listing(
        "sagemaker",
        "NotebookInstances",
        "list_notebook_instances",
        "NotebookInstances",
        "sagemaker:ListNotebookInstances",
        ("NotebookInstanceName", "NotebookInstanceArn", "NotebookInstanceStatus"),
    ),
    _Listing(
        "kinesis",
        "StreamSummaries",
        "list_streams",
        "StreamSummaries",
        "kinesis:ListStreams",
        ("StreamName", "StreamARN", "StreamStatus"),
    ),
    _Listing(
        "lightsail",
        "Instances",
        "get_instances",
        "instances",
        "lightsail:GetInstances",
        ("name", "arn", "state", "tags"),
    ),
    _Listing(
        "elasticbeanstalk",
        "Environments",
        "describe_environments",
        "Environments",
        "elasticbeanstalk:DescribeEnvironments",
        ("EnvironmentName", "EnvironmentArn", "ApplicationName", "Status"),
    ),
)


def _fetch(listing: _Listing) -> FetchFunction:
    def fetch(ctx: CallContext) -> list[Any]:
        items = ctx.paginate(listing.operation, listing.result_key)
        if listing.fields is None:
            return items
        return [{key: item[key] for key in listing.fields if key in item} for item in items]

    fetch.__doc__ = f"Every item of {listing.operation} (identifying fields only)."
    return fetch


for _listing in _LISTINGS:
    dataset(_listing.service, _listing.dataset, regional=True, actions=[_listing.action], on_demand=True)(
        _fetch(_listing)
    )


def _cluster_work(ctx: CallContext, cluster: dict[str, Any]) -> None:
    arn = cluster["clusterArn"]
    attach(cluster, "serviceArns", lambda: ctx.paginate("list_services", "serviceArns", cluster=arn))
    attach(cluster, "taskArns", lambda: ctx.paginate("list_tasks", "taskArns", cluster=arn))


@dataset(
    "ecs",
    "ClusterWorkloads",
    regional=True,
    actions=["ecs:ListClusters", "ecs:ListServices", "ecs:ListTasks"],
    detail=_cluster_work,
    on_demand=True,
)
def ecs_cluster_workloads(ctx: CallContext) -> list[dict[str, Any]]:
    """{clusterArn, serviceArns, taskArns} per ECS cluster: an empty cluster runs nothing."""
    return [{"clusterArn": arn} for arn in ctx.paginate("list_clusters", "clusterArns")]

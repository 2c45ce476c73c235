"""What runs in an account, by kind, and which of it is governance rather than workload.

``WORKLOAD_KINDS`` is the one table: kind → dataset → the IAM permission that lists it (adding a
kind is one line, plus its dataset in ``collect/services/workload_inventory.py`` when no collector
lists it yet). The configurable allow-list (globs on name, ARN, or ``tag:Key=Value``) and the
account's own governance wiring (the organization trail's bucket, AWS Config's bucket, the SNS
topics alarms and trails notify) separate governance resources from workloads. A kind that could
not be collected in a region is reported as such: the inventory is then incomplete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from awsaudit.errors import quoted
from awsaudit.snapshot import GLOBAL, NotCollected, Snapshot

_Item = Any


def _tags(item: _Item, key: str = "Tags") -> dict[str, str]:
    raw = item.get(key) if isinstance(item, Mapping) else None
    if isinstance(raw, Mapping):  # {key: value} (API Gateway, Lightsail use lists below)
        return {str(k): str(v) for k, v in raw.items()}
    tags: dict[str, str] = {}
    for tag in raw or []:
        if isinstance(tag, Mapping):
            name = tag.get("Key", tag.get("key"))
            if name is not None:
                tags[str(name)] = str(tag.get("Value", tag.get("value", "")))
    return tags


def _field(name: str, arn: str | None = None, tags: str | None = "Tags") -> Callable[[_Item], Resource]:
    def describe(item: _Item) -> Resource:
        return Resource(
            name=str(item.get(name)),
            arn=str(item.get(arn)) if arn and item.get(arn) else None,
            tags=_tags(item, tags) if tags else {},
        )

    return describe


def _plain(item: _Item) -> Resource:
    text = str(item)
    return Resource(name=text.rsplit("/", 1)[-1], arn=text if text.startswith("arn:") else None)


def _queue(item: _Item) -> Resource:
    url = str(item.get("QueueUrl"))
    arn = (item.get("Attributes") or {}).get("QueueArn")
    return Resource(name=url.rsplit("/", 1)[-1], arn=str(arn) if arn else None)


def _topic(item: _Item) -> Resource:
    arn = str(item.get("TopicArn"))
    return Resource(name=arn.rsplit(":", 1)[-1], arn=arn)


def _live_instance(item: _Item) -> bool:
    return str((item.get("State") or {}).get("Name", "")) not in ("terminated", "shutting-down")


def _detached(volume: _Item) -> bool:
    """A volume attached to an instance is part of that instance's inventory entry."""
    return not volume.get("Attachments")


def _has_capacity(group: _Item) -> bool:
    return int(group.get("DesiredCapacity") or 0) > 0 or int(group.get("MaxSize") or 0) > 0


def _runs_something(cluster: _Item) -> bool:
    return bool(cluster.get("serviceArns") or cluster.get("taskArns"))


@dataclass(frozen=True)
class Resource:
    name: str
    arn: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def label(self) -> str:
        return self.arn or self.name


@dataclass(frozen=True)
class WorkloadKind:
    kind: str  # what the evidence calls it
    service: str  # snapshot service key
    dataset: str
    permission: str  # the IAM action that lists it (kept equal to the collector's declaration by a test)
    describe: Callable[[_Item], Resource]
    regional: bool = True
    counts: Callable[[_Item], bool] | None = None  # None: every item is a resource of the kind
    # The per-resource sub-call fields describe and counts read (Needs.fields); None: every one.
    sub_calls: frozenset[str] | None = None


WORKLOAD_KINDS: tuple[WorkloadKind, ...] = (
    WorkloadKind(
        "ec2-instance",
        "ec2",
        "Instances",
        "ec2:DescribeInstances",
        _field("InstanceId"),
        counts=_live_instance,
    ),
    WorkloadKind(
        "autoscaling-group",
        "autoscaling",
        "AutoScalingGroups",
        "autoscaling:DescribeAutoScalingGroups",
        _field("AutoScalingGroupName", "AutoScalingGroupARN"),
        counts=_has_capacity,
    ),
    WorkloadKind("ebs-volume", "ec2", "Volumes", "ec2:DescribeVolumes", _field("VolumeId"), counts=_detached),
    WorkloadKind(
        "rds-instance",
        "rds",
        "DBInstances",
        "rds:DescribeDBInstances",
        _field("DBInstanceIdentifier", "DBInstanceArn", "TagList"),
    ),
    WorkloadKind(
        "rds-cluster",
        "rds",
        "DBClusters",
        "rds:DescribeDBClusters",
        _field("DBClusterIdentifier", "DBClusterArn", "TagList"),
    ),
    WorkloadKind("dynamodb-table", "dynamodb", "TableNames", "dynamodb:ListTables", _plain),
    WorkloadKind(
        "s3-bucket",
        "s3",
        "Buckets",
        "s3:ListAllMyBuckets",
        _field("Name", tags=None),
        regional=False,
        sub_calls=frozenset(),
    ),
    WorkloadKind(
        "lambda-function",
        "lambda",
        "Functions",
        "lambda:ListFunctions",
        _field("FunctionName", "FunctionArn", tags=None),
    ),
    WorkloadKind(
        "ecs-cluster",
        "ecs",
        "ClusterWorkloads",
        "ecs:ListServices",
        _field("clusterArn", "clusterArn", tags=None),
        counts=_runs_something,
    ),
    WorkloadKind("eks-cluster", "eks", "Clusters", "eks:ListClusters", _plain),
    WorkloadKind(
        "load-balancer",
        "elbv2",
        "LoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancers",
        _field("LoadBalancerName", "LoadBalancerArn", tags=None),
    ),
    WorkloadKind(
        "classic-load-balancer",
        "elb",
        "LoadBalancerDescriptions",
        "elasticloadbalancing:DescribeLoadBalancers",
        _field("LoadBalancerName", tags=None),
    ),
    WorkloadKind("api-gateway-rest", "apigateway", "RestApis", "apigateway:GET", _field("name", tags="tags")),
    WorkloadKind("api-gateway-http", "apigatewayv2", "Apis", "apigateway:GET", _field("Name", tags=None)),
    WorkloadKind(
        "elasticache-cluster",
        "elasticache",
        "CacheClusters",
        "elasticache:DescribeCacheClusters",
        _field("CacheClusterId", "ARN", tags=None),
    ),
    WorkloadKind(
        "redshift-cluster",
        "redshift",
        "Clusters",
        "redshift:DescribeClusters",
        _field("ClusterIdentifier", "ClusterNamespaceArn"),
    ),
    WorkloadKind(
        "opensearch-domain",
        "opensearch",
        "Domains",
        "es:ListDomainNames",
        _field("DomainName", "ARN", tags=None),
    ),
    WorkloadKind(
        "sagemaker-endpoint",
        "sagemaker",
        "Endpoints",
        "sagemaker:ListEndpoints",
        _field("EndpointName", "EndpointArn", tags=None),
    ),
    WorkloadKind(
        "sagemaker-notebook",
        "sagemaker",
        "NotebookInstances",
        "sagemaker:ListNotebookInstances",
        _field("NotebookInstanceName", "NotebookInstanceArn", tags=None),
    ),
    WorkloadKind("sqs-queue", "sqs", "Queues", "sqs:ListQueues", _queue),
    WorkloadKind("sns-topic", "sns", "Topics", "sns:ListTopics", _topic),
    WorkloadKind(
        "kinesis-stream",
        "kinesis",
        "StreamSummaries",
        "kinesis:ListStreams",
        _field("StreamName", "StreamARN", tags=None),
    ),
    WorkloadKind(
        "lightsail-instance",
        "lightsail",
        "Instances",
        "lightsail:GetInstances",
        _field("name", "arn", "tags"),
    ),
    WorkloadKind(
        "elastic-beanstalk-environment",
        "elasticbeanstalk",
        "Environments",
        "elasticbeanstalk:DescribeEnvironments",
        _field("EnvironmentName", "EnvironmentArn", tags=None),
    ),
)


def matches_governance(resource: Resource, globs: Iterable[str]) -> str | None:
    """The first glob that makes the resource governance, or None."""
    for glob in globs:
        if glob.startswith("tag:"):
            key, _, value = glob[4:].partition("=")
            if any(fnmatchcase(k, key) and fnmatchcase(v, value or "*") for k, v in resource.tags.items()):
                return glob
        elif fnmatchcase(resource.name, glob) or (
            resource.arn is not None and fnmatchcase(resource.arn, glob)
        ):
            return glob
    return None


@dataclass(frozen=True)
class Found:
    kind: str
    region: str
    resource: Resource
    governance_reason: str | None  # None: a workload

    def evidence(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"kind": self.kind, "region": self.region, "resource": self.resource.label()}
        if self.governance_reason is not None:
            entry["governance"] = self.governance_reason
        return entry


@dataclass(frozen=True)
class WorkloadInventory:
    workloads: tuple[Found, ...]
    governance: tuple[Found, ...]
    not_collected: Mapping[str, Mapping[str, str]]  # region -> "service/dataset" -> reason

    @property
    def complete(self) -> bool:
        return not self.not_collected


DatasetReader = Callable[[str, str, str], Any]  # (service, region, dataset) -> data; raises when missing


def inventory(
    read: DatasetReader,
    regions: Sequence[str],
    globs: Sequence[str],
    governance_names: Mapping[str, str],
    missing: type[Exception],
    reason_of: Callable[[Exception], str],
) -> WorkloadInventory:
    """Classify every item of every kind in every region.

    ``governance_names`` maps names or ARNs known to be governance (the organization trail's
    bucket, ...) to why. ``missing`` is the exception ``read`` raises for a dataset that was not
    collected; ``reason_of`` turns it into the reason shown.
    """
    workloads: list[Found] = []
    governance: list[Found] = []
    not_collected: dict[str, dict[str, str]] = {}
    for kind in WORKLOAD_KINDS:
        for region in regions if kind.regional else (GLOBAL,):
            try:
                items = read(kind.service, region, kind.dataset)
            except missing as absent:
                not_collected.setdefault(region, {})[f"{kind.service}/{kind.dataset}"] = reason_of(absent)
                continue
            for item in items:
                if kind.counts is not None and not kind.counts(item):
                    continue
                resource = kind.describe(item)
                reason = governance_names.get(resource.name) or (
                    governance_names.get(resource.arn) if resource.arn else None
                )
                if reason is None:
                    glob = matches_governance(resource, globs)
                    reason = None if glob is None else f"allow-listed by {quoted(glob)}"
                found = Found(kind.kind, region, resource, reason)
                (workloads if reason is None else governance).append(found)
    return WorkloadInventory(tuple(workloads), tuple(governance), not_collected)


def _optional(snapshot: Snapshot, service: str, region: str, name: str) -> list[Any]:
    try:
        data = snapshot.dataset(service, region, name)
    except NotCollected:
        return []
    return list(data) if isinstance(data, list) else []


def governance_wiring(snapshot: Snapshot) -> dict[str, str]:
    """Names/ARNs the account's own governance uses: organization trail and Config buckets, the SNS
    topics trails, Config and alarms notify. What was not collected is simply not known here (its
    resources then count as workloads: the stricter reading)."""
    known: dict[str, str] = {}
    for region in snapshot.regions:
        for trail in _optional(snapshot, "cloudtrail", region, "Trails"):
            if trail.get("IsOrganizationTrail") and trail.get("S3BucketName"):
                known[str(trail["S3BucketName"])] = f"bucket of organization trail {trail.get('Name')}"
            if trail.get("SnsTopicARN"):
                known[str(trail["SnsTopicARN"])] = f"notification topic of trail {trail.get('Name')}"
        for channel in _optional(snapshot, "config", region, "DeliveryChannels"):
            if channel.get("s3BucketName"):
                known[str(channel["s3BucketName"])] = f"AWS Config delivery bucket ({region})"
            if channel.get("snsTopicARN"):
                known[str(channel["snsTopicARN"])] = f"AWS Config notification topic ({region})"
        for alarm in _optional(snapshot, "cloudwatch", region, "MetricAlarms"):
            for action in alarm.get("AlarmActions") or []:
                if str(action).startswith("arn:") and ":sns:" in str(action):
                    known[str(action)] = f"alerting topic of alarm {alarm.get('AlarmName')}"
    return known


def workloads_of_snapshot(snapshot: Snapshot, globs: Sequence[str]) -> WorkloadInventory:
    return inventory(
        lambda service, region, name: snapshot.dataset(service, region, name),
        snapshot.regions,
        globs,
        governance_wiring(snapshot),
        NotCollected,
        lambda absent: absent.reason if isinstance(absent, NotCollected) else str(absent),
    )

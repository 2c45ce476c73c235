"""The names people know resources by: their ``Name`` tag, indexed once per evaluation.

Findings name resources by id (``eni-…``, ``sg-…``); people know them by the Name
tag. The index reads whatever tagged datasets the snapshot holds and never affects a
verdict: a dataset that is missing or malformed only leaves its resources unnamed.
An interface without a Name of its own is known by the instance it is attached to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.snapshot import Snapshot

# (service, dataset, id field, tags field): every collected dataset whose records carry tags.
TAGGED_DATASETS: tuple[tuple[str, str, str, str], ...] = (
    ("ec2", "Instances", "InstanceId", "Tags"),
    ("ec2", "NetworkInterfaces", "NetworkInterfaceId", "TagSet"),
    ("ec2", "SecurityGroups", "GroupId", "Tags"),
    ("ec2", "Vpcs", "VpcId", "Tags"),
    ("ec2", "Subnets", "SubnetId", "Tags"),
    ("ec2", "Volumes", "VolumeId", "Tags"),
    ("ec2", "Snapshots", "SnapshotId", "Tags"),
    ("ec2", "NetworkAcls", "NetworkAclId", "Tags"),
    ("ec2", "RouteTables", "RouteTableId", "Tags"),
    ("ec2", "InternetGateways", "InternetGatewayId", "Tags"),
    ("ec2", "NatGateways", "NatGatewayId", "Tags"),
    ("ec2", "FlowLogs", "FlowLogId", "Tags"),
    ("elbv2", "LoadBalancers", "LoadBalancerArn", "Tags"),
    ("rds", "DBInstances", "DBInstanceIdentifier", "TagList"),
    ("efs", "FileSystems", "FileSystemId", "Tags"),
)
# Long enough for any real name, short enough that a hostile tag cannot flood a message.
MAX_NAME = 128
# EC2-style ids as they appear in messages and at the end of ARNs.
_EC2_ID = re.compile(r"\b(?:i|eni|sg|vpc|subnet|vol|snap|acl|rtb|igw|nat|fl|fs)-[0-9a-f]{8,17}\b")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class ResourceNames:
    """Name tags by resource id, and the instance each otherwise unnamed interface belongs to."""

    names: Mapping[str, str]
    interface_instances: Mapping[str, str]

    @property
    def any_named(self) -> bool:
        """Whether any resource has a name: without one, `name_of` is None and `annotate` the identity."""
        return bool(self.names)

    def name_of(self, resource: str) -> str | None:
        """The name of a resource given by ARN or id; an interface falls back to its instance's name."""
        if not self.names:
            return None  # nothing is named: every lookup below would miss
        resource_id = _resource_id(resource)
        own = self.names.get(resource_id)
        if own is not None:
            return own
        instance = self.interface_instances.get(resource_id)
        return None if instance is None else self.names.get(instance)

    def annotate(self, message: str) -> str:
        """The message with each named id followed by its name: ``sg-0abc (web-servers)``.

        An interface named only through its instance reads ``eni-… of instance i-… (name)``,
        unless the message already mentions that instance (which is then annotated itself).
        """
        if not self.names:
            return message  # nothing is named: no id can be followed by a name

        def named(match: re.Match[str]) -> str:
            resource_id = match.group(0)
            if message.startswith(" (", match.end()):
                return resource_id  # the check already wrote a label after the id
            own = self.names.get(resource_id)
            if own is not None:
                return f"{resource_id} ({own})"
            instance = self.interface_instances.get(resource_id)
            if instance is not None and instance not in message and instance in self.names:
                return f"{resource_id} of instance {instance} ({self.names[instance]})"
            return resource_id

        return _EC2_ID.sub(named, message)


def _resource_id(resource: str) -> str:
    """The id at the end of an ARN (``…:security-group/sg-1`` → ``sg-1``; ``…:db:name`` → ``name``)."""
    if not resource.startswith("arn:"):
        return resource
    if "loadbalancer/" in resource:
        return resource  # load balancers are indexed by their ARN
    tail = resource.split(":", 5)[-1]
    return tail.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _name_tag(tags: Any) -> str | None:
    if not isinstance(tags, list):
        return None
    for tag in tags:
        if isinstance(tag, Mapping) and tag.get("Key") == "Name" and isinstance(tag.get("Value"), str):
            value = _CONTROL.sub("\ufffd", tag["Value"].strip())
            if value:
                return value if len(value) <= MAX_NAME else value[: MAX_NAME - 1] + "…"
    return None


def _records(snapshot: Snapshot, service: str, dataset: str) -> Iterable[Mapping[str, Any]]:
    for region in snapshot.datasets.get(service, {}).values():
        records = region.get(dataset) if isinstance(region, Mapping) else None
        if isinstance(records, list):
            yield from (r for r in records if isinstance(r, Mapping))


def resource_names(snapshot: Snapshot) -> ResourceNames:
    """Build the index from every tagged dataset the snapshot holds (pure; missing data names nothing)."""
    names: dict[str, str] = {}
    interface_instances: dict[str, str] = {}
    for service, dataset, id_field, tags_field in TAGGED_DATASETS:
        for record in _records(snapshot, service, dataset):
            resource_id = record.get(id_field)
            if not isinstance(resource_id, str):
                continue
            name = _name_tag(record.get(tags_field))
            if name is not None:
                names[resource_id] = name
            if dataset == "NetworkInterfaces":
                attachment = record.get("Attachment")
                instance = attachment.get("InstanceId") if isinstance(attachment, Mapping) else None
                if isinstance(instance, str):
                    interface_instances[resource_id] = instance
    return ResourceNames(names, interface_instances)

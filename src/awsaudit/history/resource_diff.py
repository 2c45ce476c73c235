"""A readable structural diff of two snapshots' datasets: which resources changed, and how.

List entries are matched by their natural id (GroupId, TrailARN, KeyId, UserName,
a statement's Sid, a rule's protocol and ports …), so reordering is no change and
an edited entry shows field by field. Lists without such an id (actions, CIDR
ranges, statements without Sid) compare as sets. Text holding JSON (a bucket or
key policy, an SCP's content) is parsed first, so a policy change reads as the
statement added, not as two long strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from awsaudit.report.history_model import DatasetGap, FieldChange, Kind, ResourceChange, SnapshotDiff
from awsaudit.snapshot import Snapshot

# Natural ids, most specific first; a list uses the first whose leading field every entry has
# and whose values are unique on both sides. Container ids (VpcId) come after their members'.
_NATURAL_KEYS: tuple[tuple[str, ...], ...] = (
    ("TrailARN",),
    ("AlarmArn",),
    ("FunctionArn",),
    ("DBInstanceArn",),
    ("DBClusterArn",),
    ("DBSnapshotArn",),
    ("DBClusterSnapshotArn",),
    ("FileSystemId",),
    ("TopicArn", "Protocol", "Endpoint"),
    ("logGroupName", "filterName"),
    ("KeyId",),
    ("DetectorId",),
    ("GroupId",),
    ("NetworkInterfaceId",),
    ("InstanceId",),
    ("VolumeId",),
    ("FlowLogId",),
    ("RouteTableId",),
    ("NetworkAclId",),
    ("InternetGatewayId",),
    ("EgressOnlyInternetGatewayId",),
    ("NatGatewayId",),
    ("PrefixListId",),
    ("SubnetId",),
    ("VpcId",),
    ("UserName",),
    ("RoleName",),
    ("GroupName",),
    ("PolicyName",),
    ("PolicyArn",),
    ("VersionId",),
    ("SerialNumber",),
    ("user",),
    ("Name",),
    ("name",),
    ("Arn",),
    ("arn",),
    ("Id",),
    ("Sid",),
    ("RuleNumber", "Egress"),
    ("IpProtocol", "FromPort", "ToPort"),
    ("DestinationCidrBlock",),
    ("DestinationIpv6CidrBlock",),
    ("CidrIp",),
    ("CidrIpv6",),
    ("Key",),
)

# Usage and delivery telemetry: it moves between any two scans and says nothing about configuration.
_VOLATILE = frozenset(
    {
        "GeneratedTime",
        "LatestDeliveryTime",
        "LatestDeliveryAttemptTime",
        "LatestDeliveryAttemptSucceeded",
        "LatestNotificationTime",
        "LatestNotificationAttemptTime",
        "LatestNotificationAttemptSucceeded",
        "LatestDigestDeliveryTime",
        "LatestDigestDeliveryAttemptTime",
        "LatestDigestDeliveryAttemptSucceeded",
        "LatestCloudWatchLogsDeliveryTime",
        "StateReason",
        "StateReasonData",
        "StateUpdatedTimestamp",
        "StateTransitionedTimestamp",
        "lastStartTime",
        "lastStatusChangeTime",
        "PasswordLastUsed",
        "password_last_used",
        "access_key_1_last_used_date",
        "access_key_1_last_used_region",
        "access_key_1_last_used_service",
        "access_key_2_last_used_date",
        "access_key_2_last_used_region",
        "access_key_2_last_used_service",
        # RDS: the restore window slides forward every few minutes.
        "LatestRestorableTime",
        "EarliestRestorableTime",
        # EFS: metered size (with its own timestamp) changes with every write.
        "SizeInBytes",
        # Last use of roles, secrets and images: activity, not configuration.
        "RoleLastUsed",
        "LastAccessedDate",
        "lastRecordedPullTime",
    }
)


def diff_snapshots(old: Snapshot, new: Snapshot) -> SnapshotDiff:
    resources: list[ResourceChange] = []
    gaps: list[DatasetGap] = []
    for service, region, dataset in sorted(_dataset_keys(old) | _dataset_keys(new)):
        missing = [
            f"not in the {side} snapshot: {snapshot.why_missing(service, region, dataset)}"
            for side, snapshot in (("older", old), ("newer", new))
            if not snapshot.has(service, region, dataset)
        ]
        if missing:
            gaps.append(DatasetGap(service, region, dataset, missing[0]))
            continue
        before = old.dataset(service, region, dataset)
        after = new.dataset(service, region, dataset)
        resources.extend(_dataset_changes(service, region, dataset, before, after))
    return SnapshotDiff(tuple(resources), tuple(gaps))


def _dataset_keys(snapshot: Snapshot) -> set[tuple[str, str, str]]:
    return {
        (service, region, name)
        for service, regions in snapshot.datasets.items()
        for region, datasets in regions.items()
        for name in datasets
    }


def _dataset_changes(service: str, region: str, dataset: str, old: Any, new: Any) -> Iterator[ResourceChange]:
    """A list dataset's entries are its resources; so are the entries of a dict dataset's keyed lists."""
    if isinstance(old, list) and isinstance(new, list) and _natural_key(old, new) is not None:
        yield from _entry_changes(service, region, dataset, "", old, new)
        return
    if isinstance(old, dict) and isinstance(new, dict):
        rest_old, rest_new = dict(old), dict(new)
        for name in sorted(old.keys() & new.keys()):
            keyed = isinstance(old[name], list) and isinstance(new[name], list)
            if keyed and _natural_key(old[name], new[name]) is not None:
                yield from _entry_changes(service, region, dataset, name, old[name], new[name])
                del rest_old[name], rest_new[name]
        fields = tuple(diff_values(rest_old, rest_new))
        if fields:
            yield ResourceChange(service, region, dataset, "", Kind.CHANGED, fields, old, new)
        return
    fields = tuple(diff_values(old, new))
    if fields:
        yield ResourceChange(service, region, dataset, "", Kind.CHANGED, fields, old, new)


def _entry_changes(
    service: str, region: str, dataset: str, prefix: str, old: list[Any], new: list[Any]
) -> Iterator[ResourceChange]:
    key = _natural_key(old, new)
    assert key is not None
    before = {_label(entry, key): entry for entry in old}
    after = {_label(entry, key): entry for entry in new}
    for label in sorted(before.keys() | after.keys()):
        name = f"{prefix}[{label}]" if prefix else label
        if label not in after:
            yield ResourceChange(service, region, dataset, name, Kind.REMOVED, (), before[label], None)
        elif label not in before:
            yield ResourceChange(service, region, dataset, name, Kind.ADDED, (), None, after[label])
        else:
            fields = tuple(diff_values(before[label], after[label]))
            if fields:
                yield ResourceChange(
                    service, region, dataset, name, Kind.CHANGED, fields, before[label], after[label]
                )


def diff_values(old: Any, new: Any, path: str = "") -> Iterator[FieldChange]:
    """Field-level changes between two JSON values (None and a missing key are the same)."""
    old, new = _parsed(old), _parsed(new)
    if old == new:
        return
    if old is None:
        yield FieldChange(path, Kind.ADDED, None, new)
    elif new is None:
        yield FieldChange(path, Kind.REMOVED, old, None)
    elif isinstance(old, dict) and isinstance(new, dict):
        for name in sorted(old.keys() | new.keys(), key=str):
            if name not in _VOLATILE:
                yield from diff_values(old.get(name), new.get(name), f"{path}.{name}" if path else str(name))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _list_changes(old, new, path)
    else:
        yield FieldChange(path, Kind.CHANGED, old, new)


def _list_changes(old: list[Any], new: list[Any], path: str) -> Iterator[FieldChange]:
    key = _natural_key(old, new)
    if key is not None:
        before = {_label(entry, key): entry for entry in old}
        after = {_label(entry, key): entry for entry in new}
        for label in sorted(before.keys() | after.keys()):
            yield from diff_values(before.get(label), after.get(label), f"{path}[{label}]")
        return
    before_items = {_canonical(item): item for item in old}
    after_items = {_canonical(item): item for item in new}
    for text in sorted(before_items.keys() - after_items.keys()):
        yield FieldChange(f"{path}[-]", Kind.REMOVED, before_items[text], None)
    for text in sorted(after_items.keys() - before_items.keys()):
        yield FieldChange(f"{path}[+]", Kind.ADDED, None, after_items[text])


def _natural_key(old: Sequence[Any], new: Sequence[Any]) -> tuple[str, ...] | None:
    entries = [*old, *new]
    if not entries or not all(isinstance(entry, dict) for entry in entries):
        return None
    for key in _NATURAL_KEYS:
        if all(key[0] in entry for entry in entries) and _unique(old, key) and _unique(new, key):
            return key
    return None


def _unique(entries: Sequence[Mapping[str, Any]], key: tuple[str, ...]) -> bool:
    labels = [_label(entry, key) for entry in entries]
    return len(set(labels)) == len(labels)


def _label(entry: Mapping[str, Any], key: tuple[str, ...]) -> str:
    return " ".join(str(entry[field]) for field in key if entry.get(field) is not None)


def _parsed(value: Any) -> Any:
    """JSON held as text (policies) becomes its value; anything else is left as it is."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _canonical(value: Any) -> str:
    """Entries of an unkeyed list compare by this text, without their telemetry fields."""
    return json.dumps(_without_telemetry(value), sort_keys=True, separators=(",", ":"), default=str)


def _without_telemetry(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_telemetry(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_without_telemetry(v) for v in value]
    return value

"""CloudTrail trails read from describe_trails entries: which events they record, and whether they can
feed the monitoring controls.

Each entry carries "Status" (get_trail_status) and "EventSelectors" (get_event_selectors) beside
AWS's own fields. A missing sub-response means "not collected" and is never read as a default.

Event selectors are read by one interpreter (`parse_selectors`), from what ``GetEventSelectors``
returns (``EventSelectors`` or ``AdvancedEventSelectors``) or a bare list of basic selectors. A
selector only counts when it provably records the events for every principal and every bucket: a
filter on a field this module does not model is taken as a restriction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from awsaudit.errors import AwsauditError, quoted


class Access(StrEnum):
    READ = "read"
    WRITE = "write"


class SelectorError(AwsauditError, ValueError):
    """Event selectors are malformed."""


# Representative events: a selector records "S3 object writes" when it records these for any bucket.
_S3_OBJECT_EVENTS = {
    Access.READ: ("GetObject",),
    Access.WRITE: ("PutObject", "DeleteObject"),
}
_MANAGEMENT_SOURCE = "iam.amazonaws.com"
_READ_WRITE_TYPES = {
    "All": {Access.READ, Access.WRITE},
    "ReadOnly": {Access.READ},
    "WriteOnly": {Access.WRITE},
}
_OPERATORS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")


@dataclass(frozen=True)
class TrailSelectors:
    basic: tuple[Mapping[str, Any], ...]
    advanced: tuple[Mapping[str, Any], ...]

    def records_management_event(self, event_source: str, access: Access) -> bool:
        """Whether the trail records this service's read or write management events, for every principal.

        A trail has either advanced or basic selectors (setting advanced ones replaces the basic ones), so
        advanced selectors, when present, are the only ones read. AWS requires every advanced selector to
        name its eventCategory; one that does not records nothing here.
        """
        if self.advanced:
            event = {
                "eventCategory": "Management",
                "eventSource": event_source,
                "readOnly": _read_only(access),
            }
            return any(
                _names_field(selector, "eventCategory")
                and _advanced_accepts(selector, event, bucket_arn_prefix=None)
                for selector in self.advanced
            )
        return any(
            selector.get("IncludeManagementEvents") is True
            and access in _read_write(selector)
            and event_source not in (selector.get("ExcludeManagementEventSources") or [])
            for selector in self.basic
        )

    def management_events(self) -> frozenset[Access]:
        """Read and/or write management events recorded for every service (KMS and RDS Data API aside)."""
        return frozenset(a for a in Access if self.records_management_event(_MANAGEMENT_SOURCE, a))

    def excluded_management_sources(self) -> list[str]:
        """Services whose management events the selectors leave out (KMS, RDS Data API)."""
        excluded = {str(s) for sel in self.basic for s in sel.get("ExcludeManagementEventSources") or []}
        for selector in self.advanced:
            fields = {f["Field"]: f for f in selector["FieldSelectors"]}
            if "Management" in (fields.get("eventCategory") or {}).get("Equals", []):
                excluded.update((fields.get("eventSource") or {}).get("NotEquals") or [])
        return sorted(excluded)

    def s3_object_events(self, partition: str) -> frozenset[Access]:
        """Read and/or write S3 object data events recorded for all buckets."""
        recorded: set[Access] = set()
        all_buckets = {f"arn:{partition}:s3", f"arn:{partition}:s3:::"}
        for selector in () if self.advanced else self.basic:
            for resource in selector.get("DataResources") or []:
                if resource.get("Type") == "AWS::S3::Object" and all_buckets & set(
                    resource.get("Values") or []
                ):
                    recorded |= _read_write(selector)
        for selector in self.advanced:
            for access, names in _S3_OBJECT_EVENTS.items():
                events = (
                    {
                        "eventCategory": "Data",
                        "resources.type": "AWS::S3::Object",
                        "eventSource": "s3.amazonaws.com",
                        "eventName": name,
                        "readOnly": _read_only(access),
                    }
                    for name in names
                )
                if all(
                    _advanced_accepts(selector, e, bucket_arn_prefix=f"arn:{partition}:s3:::") for e in events
                ):
                    recorded.add(access)
        return frozenset(recorded)


def parse_selectors(raw: Any) -> TrailSelectors:
    """A GetEventSelectors answer (or a list of basic selectors); SelectorError when malformed."""
    basic: Any
    advanced: Any
    if isinstance(raw, list):
        basic, advanced = raw, []
    elif isinstance(raw, Mapping):
        basic = raw.get("EventSelectors") or []
        advanced = raw.get("AdvancedEventSelectors") or []
    else:
        raise SelectorError(f"event selectors must be an object or a list, got {type(raw).__name__}")
    for kind, selectors in (("EventSelectors", basic), ("AdvancedEventSelectors", advanced)):
        if not isinstance(selectors, list) or not all(isinstance(s, Mapping) for s in selectors):
            raise SelectorError(f"{kind} must be a list of objects")
    for selector in basic:
        _check_basic_selector(selector)
    for selector in advanced:
        _check_field_selectors(selector)
    return TrailSelectors(tuple(basic), tuple(advanced))


def _check_basic_selector(selector: Mapping[str, Any]) -> None:
    """GetEventSelectors always returns ReadWriteType and IncludeManagementEvents; without them (or with
    values of another type) what the selector records is unknown, never a default."""
    kind = selector.get("ReadWriteType")
    if kind not in _READ_WRITE_TYPES:
        raise SelectorError(
            f"ReadWriteType must be one of {', '.join(_READ_WRITE_TYPES)}, got {quoted(kind)}"
        )
    management = selector.get("IncludeManagementEvents")
    if not isinstance(management, bool):
        raise SelectorError(f"IncludeManagementEvents must be true or false, got {quoted(management)}")
    excluded = selector.get("ExcludeManagementEventSources")
    if excluded is not None and not (
        isinstance(excluded, list) and all(isinstance(e, str) for e in excluded)
    ):
        raise SelectorError("ExcludeManagementEventSources must be a list of strings")
    resources = selector.get("DataResources")
    if resources is not None and not (
        isinstance(resources, list)
        and all(isinstance(r, Mapping) and isinstance(r.get("Values") or [], list) for r in resources)
    ):
        raise SelectorError("DataResources must be a list of objects with a list of Values")


def _check_field_selectors(selector: Mapping[str, Any]) -> None:
    fields = selector.get("FieldSelectors")
    if not isinstance(fields, list) or not fields:
        raise SelectorError(f"advanced selector {quoted(selector.get('Name'))} has no FieldSelectors")
    for field in fields:
        if not isinstance(field, Mapping) or not isinstance(field.get("Field"), str):
            raise SelectorError(
                f"advanced selector {quoted(selector.get('Name'))} has a field selector without Field"
            )
        for operator in _OPERATORS:
            values = field.get(operator)
            if values is not None and not (
                isinstance(values, list) and all(isinstance(v, str) for v in values)
            ):
                raise SelectorError(
                    f"field selector {quoted(field['Field'])}: {operator} must be a list of strings"
                )


def _read_write(selector: Mapping[str, Any]) -> set[Access]:
    return set(_READ_WRITE_TYPES[selector["ReadWriteType"]])  # checked by parse_selectors


def _names_field(selector: Mapping[str, Any], name: str) -> bool:
    return any(field["Field"] == name for field in selector["FieldSelectors"])


def _read_only(access: Access) -> str:
    return "true" if access is Access.READ else "false"


def _advanced_accepts(
    selector: Mapping[str, Any], event: Mapping[str, str], bucket_arn_prefix: str | None
) -> bool:
    """Whether every field selector matches the event (fields AND together, as in CloudTrail)."""
    for field in selector["FieldSelectors"]:
        name = field["Field"]
        if name in event:
            if not _field_accepts(field, event[name]):
                return False
        elif name == "resources.ARN" and bucket_arn_prefix is not None:
            if not _covers_every_bucket(field, bucket_arn_prefix):
                return False
        else:
            return False
    return True


def _field_accepts(field: Mapping[str, Any], value: str) -> bool:
    # Values of one operator are alternatives; operators of one field selector must all hold.
    if "Equals" in field and value not in field["Equals"]:
        return False
    if "StartsWith" in field and not any(value.startswith(p) for p in field["StartsWith"]):
        return False
    if "EndsWith" in field and not any(value.endswith(s) for s in field["EndsWith"]):
        return False
    if value in (field.get("NotEquals") or []):
        return False
    if any(value.startswith(p) for p in field.get("NotStartsWith") or []):
        return False
    return not any(value.endswith(s) for s in field.get("NotEndsWith") or [])


def _covers_every_bucket(field: Mapping[str, Any], bucket_arn_prefix: str) -> bool:
    # Only a StartsWith on the bare S3 ARN prefix keeps every bucket; anything else narrows it.
    others = [op for op in _OPERATORS if op != "StartsWith" and field.get(op)]
    return not others and bucket_arn_prefix in (field.get("StartsWith") or [])


@dataclass(frozen=True)
class LogGroupRef:
    region: str
    account_id: str
    name: str


@dataclass(frozen=True)
class TrailQualification:
    """Why a trail can or cannot feed a control; `unknown` lists facts that were not collected."""

    trail_arn: str
    name: str
    owner_account: str
    home_region: str
    is_organization_trail: bool
    problems: tuple[str, ...]
    unknown: tuple[str, ...]
    log_group: LogGroupRef | None

    def as_evidence(self) -> dict[str, Any]:
        return {
            "trail": self.trail_arn,
            "home_region": self.home_region,
            "owner_account": self.owner_account,
            "organization_trail": self.is_organization_trail,
            "log_group": None if self.log_group is None else f"{self.log_group.region}:{self.log_group.name}",
            "problems": list(self.problems),
            "not_collected": list(self.unknown),
        }


def parse_log_group_arn(arn: str) -> LogGroupRef | None:
    """`arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` → its parts; None when it is not such an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "logs" or not parts[5].startswith("log-group:"):
        return None
    name = parts[5][len("log-group:") :]
    name = name.removesuffix(":*")
    if not name:
        return None
    return LogGroupRef(region=parts[3], account_id=parts[4], name=name)


def qualify_trail(
    trail: Mapping[str, Any], required_events: Sequence[tuple[str, bool]]
) -> TrailQualification:
    """Judge one trail against CIS's audit step 1 and the events the control must see.

    `required_events` are (eventSource, readOnly) pairs of the control's must-match events.
    """
    arn = str(trail.get("TrailARN", ""))
    arn_parts = arn.split(":")
    owner = arn_parts[4] if len(arn_parts) > 5 else ""
    problems: list[str] = []
    unknown: list[str] = []
    if trail.get("IsMultiRegionTrail") is not True:
        problems.append("not a multi-region trail")
    status = trail.get("Status")
    if not isinstance(status, Mapping):
        unknown.append("trail status (get_trail_status)")
    elif status.get("IsLogging") is not True:
        problems.append("not logging (IsLogging is false)")
    selectors = trail.get("EventSelectors")
    if not isinstance(selectors, Mapping):
        unknown.append("event selectors (get_event_selectors)")
    else:
        try:
            problems.extend(_selector_problems(parse_selectors(selectors), required_events))
        except SelectorError as malformed:
            unknown.append(f"readable event selectors ({malformed})")
    log_group_arn = trail.get("CloudWatchLogsLogGroupArn")
    log_group = parse_log_group_arn(str(log_group_arn)) if log_group_arn else None
    if not log_group_arn:
        problems.append("does not deliver to CloudWatch Logs")
    elif log_group is None:
        problems.append(f"CloudWatchLogsLogGroupArn {quoted(log_group_arn)} is not a log group ARN")
    return TrailQualification(
        trail_arn=arn,
        name=str(trail.get("Name", "")),
        owner_account=owner,
        home_region=str(trail.get("HomeRegion", "")),
        is_organization_trail=trail.get("IsOrganizationTrail") is True,
        problems=tuple(problems),
        unknown=tuple(unknown),
        log_group=log_group,
    )


def _selector_problems(selectors: TrailSelectors, required_events: Sequence[tuple[str, bool]]) -> list[str]:
    # CIS asks for read and write management events; KMS and RDS Data API can be excluded separately.
    read = selectors.records_management_event(_MANAGEMENT_SOURCE, Access.READ)
    write = selectors.records_management_event(_MANAGEMENT_SOURCE, Access.WRITE)
    if not read and not write:
        return ["records no management events"]
    problems = []
    if not (read and write):
        problems.append(f"records only {'read' if read else 'write'} management events")
    unrecorded = sorted(
        {
            source
            for source, read_only in required_events
            if not selectors.records_management_event(source, Access.READ if read_only else Access.WRITE)
        }
    )
    if unrecorded and (read and write):
        problems.append("does not record management events from " + ", ".join(unrecorded))
    return problems

"""Which events a CloudTrail trail records, read from its basic or advanced event selectors.

Input is what ``GetEventSelectors`` returns (``EventSelectors`` and/or ``AdvancedEventSelectors``),
or a bare list of basic selectors. A selector only counts when it provably records the events
for every principal and every bucket: a filter on a field this module does not model is taken
as a restriction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Access(StrEnum):
    READ = "read"
    WRITE = "write"


class SelectorError(ValueError):
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

    def management_events(self) -> frozenset[Access]:
        """Read and/or write management events recorded for every service."""
        recorded: set[Access] = set()
        for selector in self.basic:
            if selector.get("IncludeManagementEvents") is True:
                recorded |= _read_write(selector)
        for selector in self.advanced:
            for access in Access:
                event = {
                    "eventCategory": "Management",
                    "eventSource": _MANAGEMENT_SOURCE,
                    "readOnly": _read_only(access),
                }
                if _advanced_accepts(selector, event, bucket_arn_prefix=None):
                    recorded.add(access)
        return frozenset(recorded)

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
        for selector in self.basic:
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
        kind = selector.get("ReadWriteType", "All")
        if kind not in _READ_WRITE_TYPES:
            raise SelectorError(f"unknown ReadWriteType {kind!r}")
    for selector in advanced:
        _check_field_selectors(selector)
    return TrailSelectors(tuple(basic), tuple(advanced))


def _check_field_selectors(selector: Mapping[str, Any]) -> None:
    fields = selector.get("FieldSelectors")
    if not isinstance(fields, list) or not fields:
        raise SelectorError(f"advanced selector {selector.get('Name')!r} has no FieldSelectors")
    for field in fields:
        if not isinstance(field, Mapping) or not isinstance(field.get("Field"), str):
            raise SelectorError(
                f"advanced selector {selector.get('Name')!r} has a field selector without Field"
            )
        for operator in _OPERATORS:
            values = field.get(operator)
            if values is not None and not (
                isinstance(values, list) and all(isinstance(v, str) for v in values)
            ):
                raise SelectorError(
                    f"field selector {field['Field']!r}: {operator} must be a list of strings"
                )


def _read_write(selector: Mapping[str, Any]) -> set[Access]:
    # AWS's default ReadWriteType is All.
    return set(_READ_WRITE_TYPES[selector.get("ReadWriteType", "All")])


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

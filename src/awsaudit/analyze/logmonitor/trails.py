"""Which CloudTrail trails can feed the monitoring controls, read from describe_trails entries.

Each entry carries "Status" (get_trail_status) and "EventSelectors" (get_event_selectors) beside
AWS's own fields. A missing sub-response means "not collected" and is never read as a default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


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


def records_management_event(selectors: Mapping[str, Any], event_source: str, read_only: bool) -> bool:
    """Whether a get_event_selectors response records this management event (basic or advanced)."""
    advanced = selectors.get("AdvancedEventSelectors") or []
    if advanced:
        return any(_advanced_records(selector, event_source, read_only) for selector in advanced)
    return any(
        _basic_records(selector, event_source, read_only)
        for selector in selectors.get("EventSelectors") or []
    )


def _basic_records(selector: Mapping[str, Any], event_source: str, read_only: bool) -> bool:
    if selector.get("IncludeManagementEvents") is not True:
        return False
    read_write = selector.get("ReadWriteType", "All")
    if read_write != "All" and read_write != ("ReadOnly" if read_only else "WriteOnly"):
        return False
    return event_source not in (selector.get("ExcludeManagementEventSources") or [])


def _advanced_records(selector: Mapping[str, Any], event_source: str, read_only: bool) -> bool:
    fields = {str(fs.get("Field")): fs for fs in selector.get("FieldSelectors") or []}
    category = fields.get("eventCategory")
    if category is None or not _field_accepts(category, "Management"):
        return False
    if "readOnly" in fields and not _field_accepts(fields["readOnly"], "true" if read_only else "false"):
        return False
    return "eventSource" not in fields or _field_accepts(fields["eventSource"], event_source)


def _field_accepts(field: Mapping[str, Any], value: str) -> bool:
    if "Equals" in field and value not in field["Equals"]:
        return False
    if "StartsWith" in field and not any(value.startswith(p) for p in field["StartsWith"]):
        return False
    if value in (field.get("NotEquals") or []):
        return False
    if any(value.startswith(p) for p in field.get("NotStartsWith") or []):
        return False
    if "EndsWith" in field and not any(value.endswith(s) for s in field["EndsWith"]):
        return False
    return not any(value.endswith(s) for s in field.get("NotEndsWith") or [])


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
        problems.extend(_selector_problems(selectors, required_events))
    log_group_arn = trail.get("CloudWatchLogsLogGroupArn")
    log_group = parse_log_group_arn(str(log_group_arn)) if log_group_arn else None
    if not log_group_arn:
        problems.append("does not deliver to CloudWatch Logs")
    elif log_group is None:
        problems.append(f"CloudWatchLogsLogGroupArn {log_group_arn!r} is not a log group ARN")
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


def _selector_problems(
    selectors: Mapping[str, Any], required_events: Sequence[tuple[str, bool]]
) -> list[str]:
    # CIS asks for read and write management events; KMS and RDS Data API can be excluded separately.
    read = records_management_event(selectors, "iam.amazonaws.com", read_only=True)
    write = records_management_event(selectors, "iam.amazonaws.com", read_only=False)
    if not read and not write:
        return ["records no management events"]
    problems = []
    if not (read and write):
        problems.append(f"records only {'read' if read else 'write'} management events")
    unrecorded = sorted(
        {source for source, ro in required_events if not records_management_event(selectors, source, ro)}
    )
    if unrecorded and (read and write):
        problems.append("does not record management events from " + ", ".join(unrecorded))
    return problems

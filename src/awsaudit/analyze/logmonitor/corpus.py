"""What each CIS monitoring control must and must not alert on, as realistic CloudTrail records.

The records live in corpus/<control_id>.json. An event with a "versions" list applies only to
those CIS versions (ModifySecurityGroupRules joined the security-group list in v5.0.0).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from awsaudit.errors import AwsauditError, quoted

CIS_VERSIONS = ("3.0.0", "5.0.0", "7.0.0")
CONTROL_IDS = (
    "unauthorized_api_calls",
    "console_signin_without_mfa",
    "root_account_usage",
    "iam_policy_changes",
    "cloudtrail_config_changes",
    "console_auth_failures",
    "kms_cmk_disable_or_deletion",
    "s3_bucket_policy_changes",
    "config_changes",
    "security_group_changes",
    "nacl_changes",
    "network_gateway_changes",
    "route_table_changes",
    "vpc_changes",
    "organizations_changes",
)


class UnknownControlError(AwsauditError, KeyError):
    """A control id or CIS version the corpus does not define."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class CorpusEvent:
    """One CloudTrail record; `record` is read-only (mappings are proxies, arrays are tuples)."""

    event_id: str
    why: str
    record: Mapping[str, Any]

    @property
    def event_name(self) -> str:
        return str(self.record.get("eventName", ""))

    @property
    def event_source(self) -> str:
        return str(self.record.get("eventSource", ""))


@dataclass(frozen=True)
class ControlRequirement:
    control_id: str
    cis_version: str
    cis_id: str
    title: str
    must_match: tuple[CorpusEvent, ...]
    must_not_match: tuple[CorpusEvent, ...]


@cache  # an immutable value, asked for by each judgement of the control
def requirements(control_id: str, cis_version: str) -> ControlRequirement:
    """The events a filter for `control_id` must and must not match under CIS `cis_version`."""
    if cis_version not in CIS_VERSIONS:
        raise UnknownControlError(
            f"unknown CIS version {quoted(cis_version)}; known: {', '.join(CIS_VERSIONS)}"
        )
    if control_id not in CONTROL_IDS:
        raise UnknownControlError(f"unknown monitoring control {quoted(control_id)}")
    data = _load(control_id)
    return ControlRequirement(
        control_id=control_id,
        cis_version=cis_version,
        cis_id=data["cis_ids"][cis_version],
        title=data["title"],
        must_match=_events(data["must_match"], cis_version),
        must_not_match=_events(data["must_not_match"], cis_version),
    )


def _events(entries: list[dict[str, Any]], cis_version: str) -> tuple[CorpusEvent, ...]:
    return tuple(
        CorpusEvent(entry["id"], entry["why"], _freeze(entry["record"]))
        for entry in entries
        if cis_version in entry.get("versions", CIS_VERSIONS)
    )


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


@cache
def _load(control_id: str) -> dict[str, Any]:
    text = (
        resources.files(__package__)
        .joinpath("corpus")
        .joinpath(f"{control_id}.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data

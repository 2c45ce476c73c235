"""Findings: one judged result of one check on one resource."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    # A control a person must judge; the finding carries the inventory they need.
    MANUAL = "MANUAL"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


def finding_id(check_id: str, account_id: str, region: str, resource: str) -> str:
    """Stable across scans: the same check on the same resource always has the same id."""
    digest = hashlib.sha256(f"{check_id}|{account_id}|{region}|{resource}".encode()).hexdigest()
    return digest[:24]


@dataclass(frozen=True, slots=True)
class Finding:
    check_id: str
    status: Status
    severity: Severity
    account_id: str
    region: str
    resource: str
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    # The resource's Name tag (an interface: its instance's); never part of the id.
    resource_name: str | None = None

    @property
    def id(self) -> str:
        return finding_id(self.check_id, self.account_id, self.region, self.resource)

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.check_id, self.account_id, self.region, self.resource)


# The runner builds one Finding per judged resource (hundreds of thousands in a large account). A frozen
# dataclass's __init__ sets each field through object.__setattr__; the slots' own setters do the same
# at about half the cost. Same object, same immutability afterwards.
_new = object.__new__
_slots = vars(Finding)  # the member descriptors of its __slots__
_set_check_id = _slots["check_id"].__set__
_set_status = _slots["status"].__set__
_set_severity = _slots["severity"].__set__
_set_account_id = _slots["account_id"].__set__
_set_region = _slots["region"].__set__
_set_resource = _slots["resource"].__set__
_set_message = _slots["message"].__set__
_set_evidence = _slots["evidence"].__set__
_set_resource_name = _slots["resource_name"].__set__


def new_finding(
    check_id: str,
    status: Status,
    severity: Severity,
    account_id: str,
    region: str,
    resource: str,
    message: str,
    evidence: Mapping[str, Any],
    resource_name: str | None,
) -> Finding:
    """``Finding(...)`` with every field given, built faster (see above)."""
    finding: Finding = _new(Finding)
    _set_check_id(finding, check_id)
    _set_status(finding, status)
    _set_severity(finding, severity)
    _set_account_id(finding, account_id)
    _set_region(finding, region)
    _set_resource(finding, resource)
    _set_message(finding, message)
    _set_evidence(finding, evidence)
    _set_resource_name(finding, resource_name)
    return finding

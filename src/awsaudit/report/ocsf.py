"""OCSF 1.5.0 Compliance Finding events (class_uid 2003), e.g. for Amazon Security Lake or a SIEM.

Collection errors are Compliance Findings too, so the file stays one event class (a Security
Lake custom source takes one class): compliance status Warning, which OCSF defines as no result
for missing information, told apart from findings by ``finding_info.types``.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from awsaudit.findings import Severity, Status
from awsaudit.report.error_records import (
    RECORD_TYPE,
    SEVERITY,
    error_id,
    error_region,
    error_resource,
    error_title,
)
from awsaudit.report.json_layout import json_records
from awsaudit.report.model import ReportFinding, ReportModel
from awsaudit.report.resource_types import resource_type
from awsaudit.snapshot import CollectionError

OCSF_VERSION = "1.5.0"
CLASS_UID = 2003
CATEGORY_UID = 2  # Findings
ACTIVITY_CREATE = 1
_SEVERITY = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
# compliance.status_id: 1 Pass, 2 Warning (no result for lack of information), 3 Fail.
_COMPLIANCE_STATUS = {
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.UNKNOWN: (2, "Warning"),
    Status.MANUAL: (2, "Warning"),
}
_NO_RESULT = _COMPLIANCE_STATUS[Status.UNKNOWN][0]  # what a collection error leaves its checks with
# Event status_id: 1 New, 3 Suppressed.
_NEW, _SUPPRESSED = (1, "New"), (3, "Suppressed")
_ACCOUNT_TYPE = {"type": "AWS Account", "type_id": 10}


def _header(model: ReportModel, severity: Severity, status: tuple[int, str]) -> dict[str, Any]:
    """The attributes every event of this file shares, findings and collection errors alike."""
    severity_id, severity_name = _SEVERITY[severity]
    return {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": _time_ms(model),
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": status[0],
        "status": status[1],
    }


def _time_ms(model: ReportModel) -> int:
    return int(model.collected_at.timestamp() * 1000)


def _metadata(model: ReportModel, event_code: str, uid: str) -> dict[str, Any]:
    return {
        "version": OCSF_VERSION,
        "product": {"name": "awsaudit", "vendor_name": "awsaudit", "version": model.tool_version},
        "event_code": event_code,
        "uid": uid,
    }


def _cloud(region: str, account_id: str) -> dict[str, Any]:
    # The alias is not collected; the id doubles as the name.
    return {
        "provider": "AWS",
        "region": region,
        "account": {"uid": account_id, "name": account_id, **_ACCOUNT_TYPE},
    }


def ocsf_event(model: ReportModel, item: ReportFinding) -> dict[str, Any]:
    finding, check = item.finding, item.check
    compliance_id, compliance_name = _COMPLIANCE_STATUS[finding.status]
    region = model.region_of(finding)
    event: dict[str, Any] = {
        **_header(model, finding.severity, _NEW if item.suppression is None else _SUPPRESSED),
        "message": finding.message,
        "metadata": _metadata(model, finding.check_id, finding.id),
        "cloud": _cloud(region, finding.account_id),
        "finding_info": {
            "uid": finding.id,
            "title": check.title,
            "desc": finding.message,
            "types": [f"awsaudit/{check.service}"],
            "created_time": _time_ms(model),
        },
        "compliance": {
            "standards": list(check.standards) or ["awsaudit"],
            "requirements": list(check.requirements),
            "control": finding.check_id,
            "status_id": compliance_id,
            "checks": [
                {
                    "uid": finding.check_id,
                    "name": check.title,
                    "status": compliance_name,
                    "status_id": compliance_id,
                }
            ],
        },
        "resources": [
            {
                "uid": finding.resource,
                **({} if finding.resource_name is None else {"name": finding.resource_name}),
                "type": resource_type(finding.resource),
                "region": region,
                "cloud_partition": model.partition,
                "data": dict(finding.evidence),
            }
        ],
    }
    if check.remediation:
        event["remediation"] = {"desc": check.remediation, "references": list(check.references)}
    if item.suppression is not None:
        event["status_detail"] = f"suppressed: {item.suppression.reason}"
    return event


def ocsf_error_event(model: ReportModel, error: CollectionError) -> dict[str, Any]:
    """A collection error: no check judged anything, so the event names no control or check."""
    uid = error_id(model, error)
    region = error_region(model, error)
    resource = error_resource(model, error)
    return {
        **_header(model, SEVERITY, _NEW),
        "status_code": error.code,
        "status_detail": f"{error.operation} failed with {error.code}: {error.message}",
        "message": error.describe(),
        "metadata": _metadata(model, RECORD_TYPE, uid),
        "cloud": _cloud(region, model.account_id),
        "finding_info": {
            "uid": uid,
            "title": error_title(error),
            "desc": error.describe(),
            "types": [f"awsaudit/{RECORD_TYPE}"],
            "created_time": _time_ms(model),
        },
        "compliance": {"standards": ["awsaudit"], "status_id": _NO_RESULT},
        "resources": [
            {
                "uid": resource,
                "type": resource_type(resource),
                "region": region,
                "cloud_partition": model.partition,
                "data": error.to_json(),
            }
        ],
    }


def render_ocsf(model: ReportModel) -> bytes:
    """A JSON array of events: one per collection error, then one per finding."""
    events = chain(
        (ocsf_error_event(model, error) for error in model.errors),
        (ocsf_event(model, item) for item in model.findings),
    )
    return json_records(events)

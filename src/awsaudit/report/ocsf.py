"""OCSF 1.5.0 Compliance Finding events (class_uid 2003), e.g. for Amazon Security Lake or a SIEM."""

from __future__ import annotations

from typing import Any

from awsaudit.findings import Severity, Status
from awsaudit.report.json_layout import json_records
from awsaudit.report.model import ReportFinding, ReportModel
from awsaudit.report.resource_types import resource_type

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
# Event status_id: 1 New, 3 Suppressed.
_NEW, _SUPPRESSED = (1, "New"), (3, "Suppressed")


def ocsf_event(model: ReportModel, item: ReportFinding) -> dict[str, Any]:
    finding, check = item.finding, item.check
    compliance_id, compliance_name = _COMPLIANCE_STATUS[finding.status]
    severity_id, severity_name = _SEVERITY[finding.severity]
    status_id, status_name = _NEW if item.suppression is None else _SUPPRESSED
    time_ms = int(model.collected_at.timestamp() * 1000)
    standards = list(check.standards) or ["awsaudit"]
    event: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": time_ms,
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": status_id,
        "status": status_name,
        "message": finding.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "awsaudit", "vendor_name": "awsaudit", "version": model.tool_version},
            "event_code": finding.check_id,
            "uid": finding.id,
        },
        "cloud": {
            "provider": "AWS",
            "region": model.region_of(finding),
            # The alias is not collected; the id doubles as the name.
            "account": {
                "uid": finding.account_id,
                "name": finding.account_id,
                "type": "AWS Account",
                "type_id": 10,
            },
        },
        "finding_info": {
            "uid": finding.id,
            "title": check.title,
            "desc": finding.message,
            "types": [f"awsaudit/{check.service}"],
            "created_time": time_ms,
        },
        "compliance": {
            "standards": standards,
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
                "type": resource_type(finding.resource),
                "region": model.region_of(finding),
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


def render_ocsf(model: ReportModel) -> bytes:
    """A JSON array of events, one per finding."""
    return json_records(ocsf_event(model, item) for item in model.findings)

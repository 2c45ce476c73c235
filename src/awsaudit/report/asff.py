"""AWS Security Finding Format for Security Hub (``BatchImportFindings``).

The file is a JSON array of findings; BatchImportFindings takes at most 100 per
call, so importers send it in chunks. Times are the collection time, so the same
audit always yields the same file and a re-import updates rather than duplicates.
Each collection error is a finding of its own (compliance NOT_AVAILABLE), so Security
Hub shows where the audit is incomplete.
"""

from __future__ import annotations

import json
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

SCHEMA_VERSION = "2018-10-08"
# Documented ASFF limits.
MAX_TITLE, MAX_DESCRIPTION, MAX_RECOMMENDATION, MAX_NOTE, MAX_PRODUCT_FIELD = 256, 1024, 512, 512, 2048
MAX_GENERATOR_ID = 512
MAX_REQUIREMENTS = 32
MAX_TAG_VALUE = 256

_LABEL = {
    Severity.INFO: "INFORMATIONAL",
    Severity.LOW: "LOW",
    Severity.MEDIUM: "MEDIUM",
    Severity.HIGH: "HIGH",
    Severity.CRITICAL: "CRITICAL",
}
# UNKNOWN: the check could not run for missing data; MANUAL: Security Hub cannot decide, a person must.
_COMPLIANCE = {
    Status.PASS: "PASSED",
    Status.FAIL: "FAILED",
    Status.UNKNOWN: "NOT_AVAILABLE",
    Status.MANUAL: "WARNING",
}
# Types is namespace/category/classifier; categories and classifiers beyond AWS's list are allowed.
_COLLECTION_ERROR_TYPE = "Software and Configuration Checks/Audit Coverage/Collection Error"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _timestamp(model: ReportModel) -> str:
    return model.collected_at_iso.replace("Z", ".000Z")


def _product_arn(model: ReportModel, region: str, account_id: str) -> str:
    return f"arn:{model.partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def asff_finding(model: ReportModel, item: ReportFinding) -> dict[str, Any]:
    finding, check = item.finding, item.check
    region = model.region_of(finding)
    partition = model.partition
    timestamp = _timestamp(model)
    category = (
        "Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
        if check.in_cis
        else "AWS Security Best Practices"
    )
    label = "INFORMATIONAL" if finding.status is Status.PASS else _LABEL[finding.severity]
    evidence = json.dumps(dict(finding.evidence), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    document: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": f"awsaudit/{finding.account_id}/{region}/{finding.id}",
        "ProductArn": _product_arn(model, region, finding.account_id),
        "ProductName": "awsaudit",
        "CompanyName": "awsaudit",
        "GeneratorId": f"awsaudit/{finding.check_id}",
        "AwsAccountId": finding.account_id,
        "Types": [f"Software and Configuration Checks/{category}"],
        "CreatedAt": timestamp,
        "UpdatedAt": timestamp,
        "Severity": {"Label": label, "Original": finding.severity.value},
        "Title": _clip(check.title, MAX_TITLE),
        "Description": _clip(finding.message or check.title, MAX_DESCRIPTION),
        "Resources": [
            {
                "Type": resource_type(finding.resource),
                "Id": finding.resource,
                "Partition": partition,
                "Region": region,
            }
        ],
        "Compliance": {"Status": _COMPLIANCE[finding.status]},
        "Workflow": {"Status": "NEW" if item.suppression is None else "SUPPRESSED"},
        "RecordState": "ACTIVE",
        "ProductFields": {
            "awsaudit/RecordType": "finding",
            "awsaudit/CheckId": finding.check_id,
            "awsaudit/Status": item.status.value,
            "awsaudit/Evidence": _clip(evidence, MAX_PRODUCT_FIELD),
        },
    }
    requirements = list(check.requirements[:MAX_REQUIREMENTS])
    if requirements:
        document["Compliance"]["RelatedRequirements"] = requirements
    if check.remediation:
        recommendation: dict[str, str] = {"Text": _clip(check.remediation, MAX_RECOMMENDATION)}
        url = next((r for r in check.references if r.startswith("https://")), None)
        if url is not None:
            recommendation["Url"] = url
        document["Remediation"] = {"Recommendation": recommendation}
    if finding.resource_name is not None:
        # Security Hub shows a resource's tags beside it; the Name is what people search for.
        document["Resources"][0]["Tags"] = {"Name": _clip(finding.resource_name, MAX_TAG_VALUE)}
        document["ProductFields"]["awsaudit/ResourceName"] = _clip(finding.resource_name, MAX_PRODUCT_FIELD)
    if item.suppression is not None:
        document["Note"] = {
            "Text": _clip(f"Suppressed: {item.suppression.reason}", MAX_NOTE),
            "UpdatedBy": _clip(item.suppression.owner or "awsaudit suppressions file", MAX_NOTE),
            "UpdatedAt": timestamp,
        }
    return document


def asff_error_finding(model: ReportModel, error: CollectionError) -> dict[str, Any]:
    """A collection error: NOT_AVAILABLE, as Security Hub reports a control it could not evaluate."""
    region = error_region(model, error)
    resource = error_resource(model, error)
    timestamp = _timestamp(model)
    fields = {
        "awsaudit/RecordType": RECORD_TYPE,
        "awsaudit/Service": error.service,
        "awsaudit/Region": error.region,
        "awsaudit/Dataset": error.dataset,
        "awsaudit/Operation": error.operation,
        "awsaudit/ErrorCode": error.code,
        "awsaudit/ErrorMessage": error.message,
    }
    if error.resource is not None:
        fields["awsaudit/Resource"] = error.resource
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": f"awsaudit/{model.account_id}/{region}/{RECORD_TYPE}/{error_id(model, error)}",
        "ProductArn": _product_arn(model, region, model.account_id),
        "ProductName": "awsaudit",
        "CompanyName": "awsaudit",
        "GeneratorId": _clip(f"awsaudit/{RECORD_TYPE}/{error.service}/{error.dataset}", MAX_GENERATOR_ID),
        "AwsAccountId": model.account_id,
        "Types": [_COLLECTION_ERROR_TYPE],
        "CreatedAt": timestamp,
        "UpdatedAt": timestamp,
        "Severity": {"Label": _LABEL[SEVERITY], "Original": SEVERITY.value},
        "Title": _clip(error_title(error), MAX_TITLE),
        "Description": _clip(error.describe(), MAX_DESCRIPTION),
        "Resources": [
            {
                "Type": resource_type(resource),
                "Id": resource,
                "Partition": model.partition,
                "Region": region,
            }
        ],
        "Compliance": {"Status": "NOT_AVAILABLE"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        # Empty values (an error read from an older snapshot may lack its operation) are left out.
        "ProductFields": {key: _clip(value, MAX_PRODUCT_FIELD) for key, value in fields.items() if value},
    }


def render_asff(model: ReportModel) -> bytes:
    """A JSON array: one finding per collection error, then one per audit finding."""
    documents = chain(
        (asff_error_finding(model, error) for error in model.errors),
        (asff_finding(model, item) for item in model.findings),
    )
    return json_records(documents)

"""The canonical JSON report (schema ``awsaudit.findings/2``, published in schemas/)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from awsaudit.report.json_layout import json_document
from awsaudit.report.model import REPORT_SCHEMA, CheckInfo, FrameworkReport, ReportFinding, ReportModel


def _check(info: CheckInfo) -> dict[str, Any]:
    return {
        "title": info.title,
        "severity": info.severity.value,
        "service": info.service,
        "rationale": info.rationale,
        "remediation": info.remediation,
        "references": list(info.references),
        "controls": [{"framework": ref.framework, "control": ref.control} for ref in info.controls],
    }


def finding_document(item: ReportFinding) -> dict[str, Any]:
    finding = item.finding
    suppression = item.suppression
    return {
        "id": finding.id,
        "check_id": finding.check_id,
        "title": item.check.title,
        "service": item.check.service,
        "status": item.status.value,
        "original_status": finding.status.value,
        "severity": finding.severity.value,
        "account_id": finding.account_id,
        "region": finding.region,
        "resource": finding.resource,
        "resource_name": finding.resource_name,
        "message": finding.message,
        "evidence": dict(finding.evidence),
        "suppression": None
        if suppression is None
        else {
            "entry": suppression.entry,
            "reason": suppression.reason,
            "owner": suppression.owner,
            "expires": None if suppression.expires is None else suppression.expires.isoformat(),
        },
    }


def _framework(framework: FrameworkReport) -> dict[str, Any]:
    rate = framework.pass_rate()
    return {
        "title": framework.title,
        "counts": {status.value: count for status, count in framework.counts().items()},
        "pass_rate": None if rate is None else round(rate, 4),
        "controls": [
            {
                "control": c.id,
                "title": c.title,
                "section": c.section,
                "level": c.level,
                "automated": c.automated,
                "automated_here": c.automated_here,
                "status": c.status.value,
                "checks": list(c.checks),
                "counts": dict(c.counts),
            }
            for c in framework.controls
        ],
    }


def report_document(model: ReportModel) -> dict[str, Any]:
    return _document(model, [finding_document(item) for item in model.findings])


def _document(model: ReportModel, findings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": REPORT_SCHEMA,
        "tool_version": model.tool_version,
        "account": {"id": model.account_id, "partition": model.partition, "caller_arn": model.caller_arn},
        "collected_at": model.collected_at_iso,
        "collection_seconds": round(model.collection_seconds, 3),
        "scope": {
            "accounts": list(model.accounts),
            "regions": list(model.regions),
            "frameworks": [f.key for f in model.frameworks],
            "checks": list(model.checks),
        },
        "summary": {status.value: count for status, count in model.status_counts().items()},
        "checks": {check_id: _check(info) for check_id, info in model.checks.items()},
        "findings": findings,
        "collection_errors": [e.to_json() for e in model.errors],
        "compliance": {f.key: _framework(f) for f in model.frameworks},
        "expired_suppressions": [
            {**e.suppression.to_json(), "resurfaced": e.resurfaced} for e in model.expired_suppressions
        ],
    }


def render_json(model: ReportModel) -> bytes:
    return json_document(_document(model, (finding_document(item) for item in model.findings)))

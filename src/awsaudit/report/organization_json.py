"""`organization-summary.json` (schema `awsaudit.organization-summary/1`) from the organization summary."""

from __future__ import annotations

from typing import Any

from awsaudit import __version__
from awsaudit.report.json_layout import json_document
from awsaudit.report.organization_model import OrganizationSummary, account_of, not_scanned_reason

SUMMARY_SCHEMA = "awsaudit.organization-summary/1"


def summary_document(summary: OrganizationSummary) -> dict[str, Any]:
    structure = summary.structure
    names = structure.unit_names()
    return {
        "schema": SUMMARY_SCHEMA,
        "tool_version": __version__,
        "scan_id": summary.scan_id,
        "started_at": summary.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(summary.seconds, 3),
        "organization": {
            "id": structure.organization_id,
            "management_account": structure.management_account_id,
            "caller_account": structure.caller_account_id,
        },
        "frameworks": [f.key for f in summary.selection.frameworks],
        "accounts_by_status": dict(summary.status_counts()),
        "accounts": [
            {
                "id": row.target.account_id,
                "name": row.target.name,
                "ou_path": [{"id": u, "name": names.get(u, u)} for u in row.target.ou_path],
                "status": row.outcome.status.value,
                "reason": row.outcome.reason,
                "credentials": row.outcome.credentials_source,
                "findings": dict(row.outcome.counts),
                "collection_errors": row.outcome.collection_errors,
                "api_calls": row.outcome.api_calls,
                "seconds": round(row.outcome.seconds, 3),
                "files": list(row.outcome.files),
                "checks": dict(sorted(row.statuses.items())),
                "resolved_by_organization": dict(row.resolved),
                "controls": {key: dict(controls) for key, controls in row.controls.items()},
            }
            for row in summary.rows
        ],
        "not_scanned": [
            {"id": a.account_id, "name": a.name, "status": a.status, "reason": not_scanned_reason(a)}
            for a in summary.not_scanned
        ],
        "organizational_units": summary.unit_rollup(),
        "worst_accounts": [row.target.account_id for row in summary.worst_rows()],
        "organization_findings": [
            {
                "id": f.id,
                "check_id": f.check_id,
                "status": f.status.value,
                "severity": f.severity.value,
                "account_id": account_of(f),
                "resource": f.resource,
                "message": f.message,
                "evidence": dict(f.evidence),
            }
            for f in summary.organization_findings
        ],
    }


def render_organization_summary(summary: OrganizationSummary) -> bytes:
    return json_document(summary_document(summary))

"""The organization page: accounts, worst accounts, OU rollup, and a matrix of accounts × controls.

Static (no script): it shows statuses and links to each account's own interactive report.
Everything from the organization (account and OU names) is escaped by Jinja2's autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

from awsaudit import __version__
from awsaudit.compliance.frameworks_model import ControlStatus
from awsaudit.findings import Status
from awsaudit.report.html_report import compiled_template
from awsaudit.report.organization_model import (
    ORGANIZATION_REPORT_FILE,
    OrganizationSummary,
    not_scanned_reason,
)

__all__ = ["ACCOUNT_REPORT_FILE", "ORGANIZATION_REPORT_FILE", "render_organization_html"]
ACCOUNT_REPORT_FILE = "awsaudit-report.html"
_MARKS = {
    ControlStatus.FAIL: "F",
    ControlStatus.UNKNOWN: "?",
    ControlStatus.MANUAL: "M",
    ControlStatus.PASS: "P",
    ControlStatus.NOT_AUTOMATED: "–",
    ControlStatus.NOT_SELECTED: "·",
}
_MATRIX_CSS = """
.matrix-wrap { overflow-x: auto; }
table.matrix { width: auto; }
table.matrix th.control { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  font-size: 11px; }
.cell { text-align: center; color: #fff; font-weight: 600; min-width: 22px; padding: 2px 4px; }
.bg-NOT_AUTOMATED, .bg-NOT_SELECTED { background: var(--na); }
.legend .cell { display: inline-block; }
"""


def _asset(name: str) -> str:
    return (resources.files("awsaudit.report") / "templates" / name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def render_organization_html(summary: OrganizationSummary, organization_report: str | None = None) -> bytes:
    """The organization's page; ``organization_report`` is the relative link to the organization
    checks' own report (written beside it), every scanned account's report is linked from its row."""
    css = _asset("report.css") + _MATRIX_CSS
    structure = summary.structure
    names = structure.unit_names()
    accounts = []
    for row in summary.rows:
        counts = row.outcome.counts
        report = next((f for f in row.outcome.files if Path(f).name == ACCOUNT_REPORT_FILE), None)
        accounts.append(
            {
                "id": row.target.account_id,
                "name": row.target.name,
                "ou": " / ".join(names.get(u, u) for u in row.target.ou_path),
                "status": row.outcome.status.value,
                "status_class": "PASS" if row.outcome.scanned else "UNKNOWN",
                "reason": row.outcome.reason,
                "fail": counts.get(Status.FAIL.value, 0),
                # The terminal's "worst accounts" counts failing checks: the same number here.
                "failing_checks": len(row.failing(summary.checks)),
                "unknown": counts.get(Status.UNKNOWN.value, 0),
                "passed": counts.get(Status.PASS.value, 0),
                "report": None if report is None else f"{row.target.account_id}/{ACCOUNT_REPORT_FILE}",
            }
        )
    checks = summary.checks
    frameworks = []
    for framework in summary.selection.frameworks:
        frameworks.append(
            {
                "key": framework.key,
                "title": framework.title,
                "controls": [{"id": c.id, "title": c.title} for c in framework.controls],
                "rows": [
                    {
                        "id": row.target.account_id,
                        "name": row.target.name,
                        "cells": [row.controls[framework.key][c.id] for c in framework.controls],
                    }
                    for row in summary.rows
                ],
            }
        )
    page = compiled_template("organization.html.j2").render(
        css=css,
        style_hash=_hash(css),
        organization_id=structure.organization_id,
        management_account=structure.management_account_id,
        caller_arn=structure.caller_arn,
        scan_id=summary.scan_id,
        organization_report=organization_report,
        started_at=summary.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=summary.seconds,
        tool_version=__version__,
        account_counts=sorted(summary.status_counts().items()),
        not_scanned=[
            {"id": a.account_id, "name": a.name, "reason": not_scanned_reason(a)} for a in summary.not_scanned
        ],
        accounts=accounts,
        worst=[
            {
                "id": row.target.account_id,
                "name": row.target.name,
                "failing": row.failing(checks),
                "reason": row.outcome.reason or "",
            }
            for row in summary.worst_rows()
        ],
        units=[_unit(u) for u in summary.unit_rollup()],
        frameworks=frameworks,
        marks=[(s.value, m) for s, m in _MARKS.items()],
        mark_of={s.value: m for s, m in _MARKS.items()},
        findings=[
            {
                "status": f.status.value,
                "severity": f.severity.value,
                "check_id": f.check_id,
                "account": f.resource.split(":")[4] if f.resource.count(":") >= 4 else f.account_id,
                "message": f.message,
            }
            for f in summary.organization_findings
        ],
    )
    return page.encode()


def _unit(rollup: dict[str, Any]) -> dict[str, Any]:
    return {**rollup, "top_failing": list(rollup["failing_checks"].items())[:5]}

"""CSV: one row per finding and one per collection error, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

from awsaudit.report.error_records import RECORD_TYPE, error_id, error_title
from awsaudit.report.model import ReportFinding, ReportModel
from awsaudit.terminal import BIDI_CONTROLS

FINDING = "finding"
COLUMNS = (
    "record_type",
    "finding_id",
    "check_id",
    "title",
    "status",
    "original_status",
    "severity",
    "service",
    "account_id",
    "region",
    "resource",
    "resource_name",
    "message",
    "remediation",
    "suppression_reason",
    "suppression_owner",
    "suppression_expires",
    "evidence",
    "dataset",
    "operation",
    "error_code",
)
# Spreadsheets evaluate cells starting with these as formulas (CSV injection); a leading
# apostrophe makes them text. Resource names and tags come from the audited account.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# Control characters but tab and line breaks (which CSV quoting carries): shown raw by a terminal
# that prints the file, they are ANSI escape sequences. Bidi controls would make a cell read in
# another order than it is written (Trojan Source).
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def neutralise(cell: str) -> str:
    cell = _CONTROL.sub("\ufffd", cell)
    return "'" + cell if cell.startswith(_FORMULA_TRIGGERS) else cell


def _finding_row(item: ReportFinding) -> tuple[str, ...]:
    finding, suppression = item.finding, item.suppression
    return (
        FINDING,
        finding.id,
        finding.check_id,
        item.check.title,
        item.status.value,
        finding.status.value,
        finding.severity.value,
        item.check.service,
        finding.account_id,
        finding.region,
        finding.resource,
        finding.resource_name or "",
        finding.message,
        item.check.remediation,
        "" if suppression is None else suppression.reason,
        "" if suppression is None or suppression.owner is None else suppression.owner,
        "" if suppression is None or suppression.expires is None else suppression.expires.isoformat(),
        json.dumps(dict(finding.evidence), separators=(",", ":"), ensure_ascii=False, sort_keys=True),
        "",
        "",
        "",
    )


def _error_rows(model: ReportModel) -> Iterator[tuple[str, ...]]:
    # No check judged anything, so the judgement, suppression and evidence cells stay empty.
    for error in model.errors:
        yield (
            RECORD_TYPE,
            error_id(model, error),
            "",
            error_title(error),
            "",
            "",
            "",
            error.service,
            model.account_id,
            error.region,
            error.resource or "",
            "",
            error.message,
            "",
            "",
            "",
            "",
            "",
            error.dataset,
            error.operation,
            error.code,
        )


def render_csv(model: ReportModel) -> bytes:
    """UTF-8 with a byte-order mark (so Excel detects the encoding) and CRLF rows (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in _error_rows(model):
        writer.writerow([neutralise(cell) for cell in row])
    for item in model.findings:
        writer.writerow([neutralise(cell) for cell in _finding_row(item)])
    return buffer.getvalue().encode("utf-8-sig")

"""Process exit codes for CI: what a pipeline can branch on (documented in docs/reports.md)."""

from __future__ import annotations

from enum import IntEnum

from awsaudit.findings import Severity
from awsaudit.report.model import ReportModel, ReportStatus


class ExitCode(IntEnum):
    OK = 0
    FAILURES = 1  # unsuppressed FAIL findings at or above --fail-on
    USAGE = 2  # bad command line or input file (the CLI's one-line errors)
    INCOMPLETE = 3  # with --fail-on-unknown: some results are UNKNOWN, so the audit is incomplete


class FailOnError(ValueError):
    """--fail-on names no known severity."""


def parse_fail_on(text: str | None) -> Severity | None:
    if text is None:
        return None
    try:
        return Severity(text.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise FailOnError(f"unknown severity {text!r} for --fail-on (choose from {choices})") from None


def exit_code(model: ReportModel, fail_on: Severity | None, fail_on_unknown: bool) -> int:
    """FAILURES wins over INCOMPLETE: a known failure is the more specific signal.

    Suppressed findings never count. Without ``fail_on`` no failure changes the code.
    """
    if fail_on is not None and any(
        item.status is ReportStatus.FAIL and item.finding.severity.rank >= fail_on.rank
        for item in model.findings
    ):
        return ExitCode.FAILURES
    if fail_on_unknown and any(item.status is ReportStatus.UNKNOWN for item in model.findings):
        return ExitCode.INCOMPLETE
    return ExitCode.OK

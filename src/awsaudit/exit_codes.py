"""The exit-code policy: which code a run ends with (documented in docs/reports.md).

One place decides it for every command: the verdict over a single account's report, over an
organization's summary, and the code an error ends the run with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from awsaudit.accounts import AccountStatus
from awsaudit.errors import AwsauditError, ExitCode, did_you_mean
from awsaudit.findings import Severity, Status
from awsaudit.report.model import ReportModel, ReportStatus
from awsaudit.report.verdict import Verdict

if TYPE_CHECKING:
    from awsaudit.report.organization_model import OrganizationSummary

__all__ = [
    "ExitCode",
    "FailOnError",
    "Verdict",
    "account_verdict",
    "delivery_exit_code",
    "delivery_verdict",
    "error_exit_code",
    "exit_code",
    "organization_exit_code",
    "organization_verdict",
    "parse_fail_on",
    "unreached_members",
]


class FailOnError(AwsauditError, ValueError):
    """--fail-on names no known severity."""


def parse_fail_on(text: str | None) -> Severity | None:
    if text is None:
        return None
    try:
        return Severity(text.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        hint = did_you_mean(text.strip(), (s.value for s in Severity))
        raise FailOnError(f"unknown severity {text!r} for --fail-on{hint} (choose from {choices})") from None


def _verdict(
    results: Iterable[tuple[str, Severity | None]], fail_on: Severity | None, fail_on_unknown: bool
) -> ExitCode:
    """FAILURES wins over INCOMPLETE: a known failure is the more specific signal.

    ``results`` are (status, severity) pairs; a FAIL without a known severity cannot reach --fail-on.
    Without ``fail_on`` no failure changes the code.
    """
    results = list(results)
    if fail_on is not None and any(
        status == Status.FAIL and severity is not None and severity.rank >= fail_on.rank
        for status, severity in results
    ):
        return ExitCode.FAILURES
    if fail_on_unknown and any(status == Status.UNKNOWN for status, _ in results):
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def exit_code(model: ReportModel, fail_on: Severity | None, fail_on_unknown: bool) -> int:
    """One account's audit. Suppressed findings never count (their report status is SUPPRESSED)."""
    return _verdict(
        ((item.status, item.finding.severity) for item in model.findings), fail_on, fail_on_unknown
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def account_verdict(model: ReportModel, fail_on: Severity | None, fail_on_unknown: bool) -> Verdict:
    """:func:`exit_code` with the reason a person reads at the end of the run."""
    code = exit_code(model, fail_on, fail_on_unknown)
    failing = [item for item in model.findings if item.status is ReportStatus.FAIL]
    unknown = sum(1 for item in model.findings if item.status is ReportStatus.UNKNOWN)
    if code == ExitCode.FAILURES:
        assert fail_on is not None
        reached = sum(1 for item in failing if item.finding.severity.rank >= fail_on.rank)
        return Verdict(code, f"{_count(reached, 'FAIL finding')} at or above --fail-on {fail_on.value}")
    if code == ExitCode.INCOMPLETE:
        return Verdict(code, f"{_count(unknown, 'UNKNOWN finding')} with --fail-on-unknown")
    if fail_on is None:
        reason = (
            f"{_count(len(failing), 'FAIL finding')}, none fails the run without --fail-on"
            if failing
            else "no FAIL findings"
        )
    else:
        below = f" ({_count(len(failing), 'FAIL finding')} below it)" if failing else ""
        reason = f"no FAIL finding at or above --fail-on {fail_on.value}{below}"
    if unknown and not fail_on_unknown:
        reason += f"; {_count(unknown, 'UNKNOWN finding')} (--fail-on-unknown would exit 3)"
    return Verdict(code, reason)


def delivery_verdict(verdict: Verdict, delivered: bool) -> Verdict:
    """:func:`delivery_exit_code` with its reason."""
    code = delivery_exit_code(verdict.code, delivered)
    if code == verdict.code:
        return verdict
    return Verdict(code, "Security Hub did not receive the findings in every region (reports were written)")


def delivery_exit_code(verdict: int, delivered: bool) -> int:
    """--security-hub: a region that did not receive the findings ends a run that had nothing worse.

    The audit's own verdict (1 failures, 3 incomplete) wins: it is about the account, the
    delivery code only about where the findings went.
    """
    return int(ExitCode.PARTIAL_DELIVERY) if verdict == ExitCode.OK and not delivered else verdict


def organization_exit_code(
    summary: OrganizationSummary, fail_on: Severity | None, fail_on_unknown: bool
) -> int:
    """As for one account, over every account's check statuses: an account not scanned is UNKNOWN."""
    checks = summary.checks
    return _verdict(
        (
            (status, checks[check_id].severity if check_id in checks else None)
            for row in summary.rows
            for check_id, status in row.statuses.items()
        ),
        fail_on,
        fail_on_unknown,
    )


def unreached_members(summary: OrganizationSummary) -> tuple[int, int]:
    """(members whose audit role could not be assumed, members in scope); the scanning account's
    own row is no member: it is audited with the caller's credentials."""
    caller = summary.structure.caller_account_id
    members = [row for row in summary.rows if row.target.account_id != caller]
    unreached = sum(1 for row in members if row.outcome.status is AccountStatus.UNREACHABLE)
    return unreached, len(members)


def organization_verdict(
    summary: OrganizationSummary, fail_on: Severity | None, fail_on_unknown: bool, audit_role: str
) -> Verdict:
    """:func:`organization_exit_code` with its reason; an organization scan that reached no member
    at all exits 3 whatever the options: its report would describe the scanning account alone."""
    unreached, members = unreached_members(summary)
    if members and unreached == members:
        return Verdict(
            ExitCode.INCOMPLETE,
            f"role {audit_role} could not be assumed in {unreached}/{members} members — check --audit-role",
        )
    code = organization_exit_code(summary, fail_on, fail_on_unknown)
    checks = summary.checks
    results = [(row, c, s) for row in summary.rows for c, s in row.statuses.items()]
    failing = [(row, c) for row, c, s in results if s == Status.FAIL.value and c in checks]
    not_scanned = sum(1 for row in summary.rows if not row.outcome.scanned)
    if code == ExitCode.FAILURES:
        assert fail_on is not None
        reached = [(row, c) for row, c in failing if checks[c].severity.rank >= fail_on.rank]
        accounts = len({row.target.account_id for row, _ in reached})
        reason = (
            f"{_count(len(reached), 'failing check')} at or above --fail-on {fail_on.value} "
            f"in {_count(accounts, 'account')}"
        )
    elif code == ExitCode.INCOMPLETE:
        unknown = sum(1 for _, _, s in results if s == Status.UNKNOWN.value)
        reason = f"{_count(unknown, 'UNKNOWN check result')} with --fail-on-unknown"
    elif fail_on is None:
        reason = (
            f"{_count(len(failing), 'failing check')}, none fails the run without --fail-on"
            if failing
            else "no failing checks"
        )
    else:
        reason = f"no failing check at or above --fail-on {fail_on.value}"
    if not_scanned:
        reason += f"; {_count(not_scanned, 'account')} not scanned"
    return Verdict(code, reason)


def error_exit_code(error: BaseException) -> ExitCode | None:
    """The code an error ends a command with, or None when it is not one awsaudit anticipates (a bug)."""
    if isinstance(error, AwsauditError):
        return error.exit_code
    if isinstance(error, OSError):  # an unreadable or unwritable file named on the command line
        return ExitCode.USAGE
    return None

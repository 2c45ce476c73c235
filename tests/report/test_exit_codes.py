"""Exit codes: failures at or above --fail-on, unsuppressed only; UNKNOWN with --fail-on-unknown."""

from __future__ import annotations

import pytest

from awsaudit.exit_codes import ExitCode, FailOnError, delivery_exit_code, exit_code, parse_fail_on
from awsaudit.findings import Finding, Severity, Status
from awsaudit.report.model import ReportModel, build_report_model
from awsaudit.suppressions import Suppression
from tests.report.sample import ACCOUNT, audit_result


def _model(*findings: tuple[Status, Severity, str], suppress: str | None = None) -> ReportModel:
    built = tuple(
        Finding("ec2.security_group_admin_ports", status, severity, ACCOUNT, "eu-west-1", resource, "m")
        for status, severity, resource in findings
    )
    entries = [Suppression("*", suppress, "accepted")] if suppress else []
    return build_report_model(audit_result(built), entries)


def test_without_fail_on_failures_never_fail() -> None:
    model = _model((Status.FAIL, Severity.CRITICAL, "a"))
    assert exit_code(model, None, False) == ExitCode.OK


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [(Severity.INFO, 1), (Severity.MEDIUM, 1), (Severity.HIGH, 1), (Severity.CRITICAL, 0)],
)
def test_failures_at_or_above_the_threshold(fail_on: Severity, expected: int) -> None:
    model = _model((Status.FAIL, Severity.HIGH, "a"), (Status.PASS, Severity.CRITICAL, "b"))
    assert exit_code(model, fail_on, False) == expected


def test_suppressed_failures_do_not_count() -> None:
    model = _model((Status.FAIL, Severity.CRITICAL, "a"), suppress="a")
    assert exit_code(model, Severity.INFO, True) == ExitCode.OK


def test_unknown_fails_only_with_fail_on_unknown_and_failures_take_precedence() -> None:
    incomplete = _model((Status.UNKNOWN, Severity.LOW, "a"), (Status.FAIL, Severity.LOW, "b"))
    assert exit_code(incomplete, None, False) == 0
    assert exit_code(incomplete, None, True) == ExitCode.INCOMPLETE
    assert exit_code(incomplete, Severity.HIGH, True) == ExitCode.INCOMPLETE
    assert exit_code(incomplete, Severity.LOW, True) == ExitCode.FAILURES
    assert exit_code(_model((Status.UNKNOWN, Severity.LOW, "a"), suppress="a"), None, True) == 0


def test_parse_fail_on() -> None:
    assert parse_fail_on(None) is None
    assert parse_fail_on(" High ") is Severity.HIGH
    with pytest.raises(FailOnError, match="unknown severity 'severe' for --fail-on"):
        parse_fail_on("severe")


def test_documented_values() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "FAILURES": 1,
        "USAGE": 2,
        "INCOMPLETE": 3,
        "INTERNAL": 4,
        "PARTIAL_DELIVERY": 5,
    }


def test_partial_delivery_only_when_the_audit_itself_is_ok() -> None:
    assert delivery_exit_code(ExitCode.OK, delivered=False) == ExitCode.PARTIAL_DELIVERY
    assert delivery_exit_code(ExitCode.OK, delivered=True) == ExitCode.OK
    assert delivery_exit_code(ExitCode.FAILURES, delivered=False) == ExitCode.FAILURES
    assert delivery_exit_code(ExitCode.INCOMPLETE, delivered=False) == ExitCode.INCOMPLETE

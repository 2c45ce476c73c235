"""diff, history, trend and prune against a store, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
import typer
from typer.testing import CliRunner

from awsaudit.cli.history import register
from awsaudit.findings import Finding, Severity, Status
from awsaudit.history.compare import DiffError, compare
from awsaudit.history.report_history import report_history
from awsaudit.history.trend import TrendError, parse_age
from awsaudit.report.history import sparkline
from awsaudit.report.history_model import Change
from awsaudit.store import ScanId, open_store, record_audit
from awsaudit.suppressions import parse_suppressions
from tests.report.sample import ACCOUNT
from tests.store.helpers import BUCKET_CHECK, finding, model_of

OTHER_ACCOUNT = "999988887777"


def _run(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _record(url: str, day: int, *findings: Finding, account: str = ACCOUNT) -> int:
    model = model_of(list(findings), f"2026-06-{day:02d}T00:00:00Z", account)
    return int(record_audit(url, model, None))


def test_a_finding_fixed_then_failing_again_is_a_regression(store_url: str) -> None:
    _record(store_url, 1, finding("sg-a"), finding("sg-b"))
    fixed = _record(store_url, 2, finding("sg-a", Status.PASS), finding("sg-b"))
    again = _record(store_url, 3, finding("sg-a"), finding("sg-b"), finding("sg-c"))
    comparison = compare(str(fixed), str(again), store_url)
    assert {(c.change, c.finding.resource) for c in comparison.findings.changes} == {
        (Change.REGRESSED, "sg-a"),
        (Change.NEW, "sg-c"),
        (Change.UNCHANGED, "sg-b"),
    }
    assert comparison.notes == tuple(
        f"scan {n} was recorded without its snapshot: configuration changes not shown" for n in (fixed, again)
    )
    assert comparison.configuration is None
    default = compare(None, None, store_url)
    assert (default.old.findings.label, default.new.findings.label) == (f"scan {fixed}", f"scan {again}")
    only_old = compare(str(fixed), None, store_url)
    assert only_old.new.findings.label == f"scan {again}"


def test_suppressed_failures_are_neither_new_nor_failing(store_url: str) -> None:
    suppressions = parse_suppressions(
        f"""
suppressions:
  - check: "{BUCKET_CHECK}"
    resource: "bucket"
    account: "{ACCOUNT}"
    reason: "accepted"
    expires: "2030-01-01"
""",
        "s.yaml",
    )
    first = record_audit(store_url, model_of([finding("bucket", check=BUCKET_CHECK)]), None)
    model = model_of(
        [finding("bucket", check=BUCKET_CHECK)], "2026-06-02T00:00:00Z", suppressions=suppressions
    )
    second = record_audit(store_url, model, None)
    (change,) = compare(str(first), str(second), store_url).findings.changes
    assert (change.change, change.old_status, change.new_status) == (Change.SUPPRESSED, "FAIL", "SUPPRESSED")


def test_the_default_diff_needs_an_account_when_the_store_holds_several(store_url: str) -> None:
    _record(store_url, 1, finding("a"))
    _record(store_url, 2, finding("a", account=OTHER_ACCOUNT), account=OTHER_ACCOUNT)
    with pytest.raises(DiffError, match=r"several accounts .*use --account"):
        compare(None, None, store_url)
    with pytest.raises(DiffError, match="fewer than two scans"):
        compare(None, None, store_url, ACCOUNT)
    with pytest.raises(DiffError, match="audits account 111122223333 but scan 2 audits 999988887777"):
        compare("1", "2", store_url)
    code, output = _run("diff", "--store", store_url)
    assert code == 2 and output.startswith("awsaudit: error: the store holds scans of several accounts")
    code, output = _run("diff", "7", "8", "--store", store_url)
    assert code == 2 and "no scan 7 in the store" in output


def test_history_lists_scans_per_account(store_url: str) -> None:
    first = _record(store_url, 1, finding("a"), finding("b", Status.PASS))
    _record(store_url, 2, finding("a", account=OTHER_ACCOUNT), account=OTHER_ACCOUNT)
    code, output = _run("history", "--store", store_url, "--format", "json")
    assert code == 0, output
    listing = json.loads(output)
    assert sorted(listing) == [ACCOUNT, OTHER_ACCOUNT]
    (scan,) = listing[ACCOUNT]
    assert (scan["id"], scan["status_counts"]["FAIL"], scan["status_counts"]["PASS"]) == (first, 1, 1)
    code, output = _run("history", "--store", store_url, "--account", OTHER_ACCOUNT)
    assert code == 0 and f"Account {OTHER_ACCOUNT}" in output and f"Account {ACCOUNT}" not in output


def test_trend_charts_pass_rates_and_failing_counts(store_url: str) -> None:
    for day, failing in enumerate((3, 1, 2), start=1):
        _record(store_url, day, *(finding(f"sg-{i}") for i in range(failing)), finding("ok", Status.PASS))
    code, output = _run("trend", "--store", store_url)
    assert code == 0, output
    assert "3 scans, 2026-06-01 → 2026-06-03" in output
    high = next(line for line in output.splitlines() if "failing high" in line)
    assert [cell.strip() for cell in high.split("│")[2:5]] == ["█▃▆", "3", "2"]
    assert "pass rate cis-aws-foundations@7.0.0" in output


def test_scans_of_different_severities_compare_like_with_like(store_url: str) -> None:
    """A --severity high scan left a low finding out: the next full scan lists it as newly checked,
    and the trend (terminal and HTML) draws only scans of the newest one's severity."""
    low = finding("sg-low", severity=Severity.LOW)
    every = _record(store_url, 1, finding("sg-a"), low)
    narrow = model_of([finding("sg-a")], "2026-06-02T00:00:00Z")
    high = int(record_audit(store_url, dataclasses.replace(narrow, min_severity=Severity.HIGH), None))
    again = _record(store_url, 3, finding("sg-a"), low)
    comparison = compare(str(high), str(again), store_url)
    assert {(c.change, c.finding.resource) for c in comparison.findings.changes} == {
        (Change.NEWLY_CHECKED, "sg-low"),
        (Change.UNCHANGED, "sg-a"),
    }
    assert comparison.notes[0] == (
        "the audits judged different things (findings below high severity only in the newer): failing "
        "findings the older audit did not judge are listed as newly checked, not new"
    )
    with open_store(store_url) as store:
        history = report_history(store, ScanId(again))
    assert [point.scan_id for point in history.trend] == [every, again]
    assert history.trend_note == (
        "1 scan(s) with a different selection (checks, regions or --severity) left out: only audits "
        "that judged the same things are compared"
    )
    code, output = _run("trend", "--store", store_url)
    assert code == 0 and "2 scans, 2026-06-01 → 2026-06-03" in output, output


def test_prune_removes_scans_older_than_the_given_age(store_url: str) -> None:
    recent = datetime.now(UTC) - timedelta(days=1)
    old = datetime.now(UTC) - timedelta(days=400)
    for moment in (old, recent):
        record_audit(store_url, model_of([finding("a")], moment.strftime("%Y-%m-%dT%H:%M:%SZ")), None)
    code, output = _run("prune", "--older-than", "180d", "--store", store_url, "--dry-run")
    assert code == 0 and output.startswith("Would remove 1 scan(s) and 1 finding(s)")
    code, output = _run("prune", "--older-than", "180d", "--store", store_url)
    assert code == 0 and output.startswith("Removed 1 scan(s)")
    with open_store(store_url) as store:
        assert len(store.scans()) == 1
    code, output = _run("prune", "--older-than", "half a year", "--store", store_url)
    assert code == 2 and "not a duration: 'half a year'" in output


def test_durations_and_sparklines() -> None:
    assert parse_age("180d") == timedelta(days=180)
    assert parse_age("2w") == timedelta(weeks=2)
    assert parse_age("12h") == timedelta(hours=12)
    with pytest.raises(TrendError):
        parse_age("-1d")
    assert sparkline([0.0, 0.5, 1.0, None]) == "▁▅█ "
    assert sparkline([2.0, 2.0]) == "██"
    assert sparkline([0.75, 0.75], high=1.0) == "▆▆"
    assert sparkline([0.0, 0.0]) == "▁▁"
    assert sparkline([None]) == " "

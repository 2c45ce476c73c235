"""diff, history and trend for organization runs: per account and for the organization."""

from __future__ import annotations

import dataclasses
import json

import pytest
import typer
from typer.testing import CliRunner

from awsaudit.cli.history import register
from awsaudit.findings import Severity, Status
from awsaudit.history.organization import (
    OrganizationHistoryError,
    compare_organization,
    organization_trends,
    since_previous_run,
)
from awsaudit.report.history_model import Change
from awsaudit.report.verdict import organization_changes_line
from awsaudit.store import open_store
from tests.store.helpers import BUCKET_CHECK, finding, model_of
from tests.store.test_organization_runs import MANAGEMENT, MEMBER, ORGANIZATION, UNREACHABLE, run_entry

BUDGETS = "organizations.member_budgets"


def _run(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _record_two_runs(url: str) -> tuple[int, int]:
    first, second = "2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z"
    with open_store(url) as store:
        old = store.record_organization(
            run_entry(
                first,
                [
                    model_of([finding("sg-m"), finding("bucket", check=BUCKET_CHECK)], first),
                    model_of([finding("sg-x", account=MEMBER)], first, MEMBER),
                ],
                model_of([finding("budget-member", check=BUDGETS, account=MEMBER)], first),
            )
        )
        new = store.record_organization(
            run_entry(
                second,
                [
                    # Management: the bucket is fixed, a second security group opened.
                    model_of(
                        [
                            finding("sg-m"),
                            finding("bucket", Status.PASS, check=BUCKET_CHECK),
                            finding("sg-n", severity=Severity.CRITICAL),
                        ],
                        second,
                    ),
                    model_of([finding("sg-x", Status.UNKNOWN, account=MEMBER)], second, MEMBER),
                ],
                model_of([finding("budget-member", Status.PASS, check=BUDGETS, account=MEMBER)], second),
            )
        )
    return old, new


def test_two_runs_compare_account_by_account_and_for_the_organization(store_url: str) -> None:
    old, new = _record_two_runs(store_url)
    comparison = compare_organization(None, None, store_url)
    assert (comparison.old.id, comparison.new.id) == (old, new)
    accounts = {row.account_id: row for row in comparison.accounts}
    assert set(accounts) == {MANAGEMENT, MEMBER, UNREACHABLE}
    management = accounts[MANAGEMENT].findings
    assert management is not None
    assert [
        (c.change, c.finding.resource) for c in management.changes if c.change is not Change.UNCHANGED
    ] == [
        (Change.NEW, "sg-n"),
        (Change.RESOLVED, "bucket"),
    ]
    member = accounts[MEMBER].findings
    assert member is not None
    # UNKNOWN now: never counted as resolved.
    assert [c.change for c in member.changes] == [Change.UNVERIFIED]
    unreachable = accounts[UNREACHABLE]
    assert (unreachable.old_status, unreachable.new_status, unreachable.findings) == (
        "UNREACHABLE",
        "UNREACHABLE",
        None,
    )
    assert comparison.organization is not None
    assert [c.change for c in comparison.organization.changes] == [Change.RESOLVED]
    # Explicit run ids give the same answer; OLD alone is compared with the latest run.
    assert compare_organization(str(old), str(new), store_url).new.id == new
    assert compare_organization(str(old), None, store_url).new.id == new


def test_an_account_scanned_in_one_run_only_has_no_findings_diff(store_url: str) -> None:
    at, later = "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z"
    with open_store(store_url) as store:
        store.record_organization(run_entry(at, [model_of([finding("sg-m")], at)]))
        store.record_organization(
            run_entry(
                later,
                [model_of([finding("sg-m")], later), model_of([finding("a", account=MEMBER)], later, MEMBER)],
            )
        )
    (member,) = [
        row for row in compare_organization(None, None, store_url).accounts if row.account_id == MEMBER
    ]
    assert (member.old_status, member.new_status, member.findings) == (None, "COMPLETE", None)


def test_the_organization_trend_sums_every_account_of_each_run(store_url: str) -> None:
    _record_two_runs(store_url)
    ((points, note),) = organization_trends(store_url, None, 30).values()
    assert note is None
    assert [p.run.started_at.day for p in points] == [1, 8]
    # Run 1: management 2 HIGH failing, member 1, organization checks 1 (the helpers' default: HIGH).
    assert points[0].failing[Severity.HIGH] == 4
    assert (points[1].failing[Severity.HIGH], points[1].failing[Severity.CRITICAL]) == (1, 1)
    assert [p.not_scanned for p in points] == [1, 1]
    assert [p.run.scanned for p in points] == [2, 2]
    assert set(points[0].rates) and all(
        rate.passed + rate.failed + rate.other for rate in points[0].rates.values()
    )


def test_the_organization_trend_compares_runs_of_the_same_selection(store_url: str) -> None:
    """A later run with --severity high is the newest: the two full runs before it are left out of its
    trend, and the note says so (terminal too)."""
    _record_two_runs(store_url)
    at = "2026-06-15T00:00:00Z"
    high = [dataclasses.replace(model_of([finding("sg-m")], at), min_severity=Severity.HIGH)]
    with open_store(store_url) as store:
        store.record_organization(run_entry(at, high))
    ((points, note),) = organization_trends(store_url, None, 30).values()
    assert [p.run.started_at.day for p in points] == [15]
    expected = (
        "2 run(s) with a different selection (checks or --severity) left out: only runs that judged the "
        "same things are compared"
    )
    assert note == expected
    code, out = _run("trend", "--organization", "--store", store_url)
    assert code == 0 and out.rstrip().splitlines()[-1] == f"note: {expected}", out


def test_the_result_block_says_what_changed_since_the_previous_run(store_url: str) -> None:
    old, new = _record_two_runs(store_url)
    first = organization_changes_line(ORGANIZATION, since_previous_run(store_url, old))
    assert first == f"first recorded run of organization {ORGANIZATION}"
    # Management: 1 new, 1 resolved; member: 1 unverified; organization checks: 1 resolved.
    assert organization_changes_line(ORGANIZATION, since_previous_run(store_url, new)) == (
        f"since organization run {old} (2026-06-01 00:00): 1 new, 0 regressed, 2 resolved, 0 newly checked, "
        "1 unverified in 2 account(s) scanned in both runs and the organization checks "
        "(awsaudit diff --organization)"
    )


def test_errors_name_what_is_missing(store_url: str) -> None:
    with pytest.raises(OrganizationHistoryError, match="no organization runs yet"):
        compare_organization(None, None, store_url)
    _record_two_runs(store_url)
    with pytest.raises(OrganizationHistoryError, match="not an organization run id"):
        compare_organization("abc", None, store_url)
    with pytest.raises(OrganizationHistoryError, match="no runs of organization o-nope"):
        compare_organization(None, None, store_url, "o-nope")


def test_history_diff_and_trend_commands_for_the_organization(store_url: str) -> None:
    old, new = _record_two_runs(store_url)
    code, out = _run("history", "--organization", "--store", store_url, "--format", "json")
    assert code == 0, out
    runs = json.loads(out)["organization_runs"]
    assert [r["id"] for r in runs] == [new, old]
    assert {a["account_id"]: a["status"] for a in runs[0]["accounts"]}[UNREACHABLE] == "UNREACHABLE"
    code, out = _run("history", "--organization", "--store", store_url)
    assert code == 0 and ORGANIZATION in out, out
    code, out = _run("history", "--account", MEMBER, "--store", store_url, "--format", "json")
    assert code == 0, out
    assert {s["organization_run"] for s in json.loads(out)[MEMBER]} == {old, new}
    code, out = _run("diff", "--organization", "--store", store_url, "--format", "json")
    assert code == 0, out
    document = json.loads(out)
    assert document["schema"] == "awsaudit.organization-diff/1"
    counts = {a["account_id"]: a["counts"] for a in document["accounts"]}
    assert (counts[MANAGEMENT]["new"], counts[MANAGEMENT]["resolved"]) == (1, 1)
    assert counts[UNREACHABLE] is None
    assert document["organization"]["counts"]["resolved"] == 1
    code, out = _run("diff", "--organization", "--store", store_url)
    assert code == 0 and "Failing findings per account" in out, out
    # Per account, the member's two scans of the two runs diff like any two scans.
    code, out = _run("diff", "--account", MEMBER, "--store", store_url, "--format", "json")
    assert code == 0, out
    assert [f["change"] for f in json.loads(out)["findings"]] == ["unverified"]
    code, out = _run("trend", "--organization", "--store", store_url)
    assert code == 0, out
    assert "accounts not scanned" in out and "failing critical" in out


def test_organization_diff_in_markdown(store_url: str) -> None:
    old, new = _record_two_runs(store_url)
    code, out = _run("diff", "--organization", "--store", store_url, "--format", "markdown")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == f"## awsaudit diff: organization {ORGANIZATION}"
    assert lines[2] == f"run {old} (2026-06-01 00:00 UTC) → run {new} (2026-06-08 00:00 UTC)"
    assert lines[4] == (
        "| account | name | status | new | newly checked | regressed | resolved | unchanged | suppressed "
        "| unverified |"
    )
    # Accounts whose findings or status moved come first; one scanned in neither run has no counts.
    assert lines[6:9] == [
        f"| {MANAGEMENT} | n{MANAGEMENT} | COMPLETE | 1 | 0 | 0 | 1 | 1 | 0 | 0 |",
        f"| {MEMBER} | n{MEMBER} | COMPLETE | 0 | 0 | 0 | 0 | 0 | 0 | 1 |",
        f"| {UNREACHABLE} | gone | UNREACHABLE | - | - | - | - | - | - | - |",
    ]
    assert lines[10:14] == [
        "### Organization checks: resolved (1)",
        "",
        "| severity | check | resource | was → now |",
        "|---|---|---|---|",
    ]
    # Markdown cells escape what would format (the account diff's Markdown does the same).
    assert lines[14] == "| high | organizations.member\\_budgets | budget-member | FAIL → PASS |"


def test_organization_options_are_checked(store_url: str) -> None:
    code, out = _run("trend", "--organization-id", ORGANIZATION, "--store", store_url)
    assert code == 2 and "--organization-id needs --organization" in out
    code, out = _run("history", "--organization", "--account", MEMBER, "--store", store_url)
    assert code == 2
    code, out = _run("diff", "--organization", "--store", store_url)
    assert code != 0 and "no organization runs yet" in out

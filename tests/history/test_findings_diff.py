"""Classifying findings between two audits: new, regressed, resolved, unchanged, suppressed, unverified."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from awsaudit.findings import Severity, Status
from awsaudit.history.findings_diff import diff_findings
from awsaudit.report.history_model import AuditFindings, Change
from awsaudit.store import StoredFinding
from tests.store.helpers import BUCKET_CHECK, SG_CHECK, finding


def _side(
    *findings: StoredFinding, checks: tuple[str, ...] = (SG_CHECK,), regions: tuple[str, ...] = ("eu-west-1",)
) -> AuditFindings:
    return AuditFindings(
        "side",
        "111122223333",
        datetime(2026, 6, 1, tzinfo=UTC),
        regions,
        frozenset(checks),
        {f.finding_id: f for f in findings},
    )


def _stored(
    resource: str, status: Status = Status.FAIL, suppressed: bool = False, **kw: Any
) -> StoredFinding:
    return StoredFinding.of(finding(resource, status, **kw), suppressed)


def _changes(old: AuditFindings, new: AuditFindings, earlier: frozenset[str] = frozenset()) -> dict[str, str]:
    return {c.finding.resource: c.change.value for c in diff_findings(old, new, earlier).changes}


def test_each_transition_of_a_failing_finding_has_its_name() -> None:
    old = _side(
        _stored("still"),
        _stored("fixed"),
        _stored("deleted"),
        _stored("accepted"),
        _stored("unreadable"),
        _stored("broke", Status.PASS),
        _stored("fine", Status.PASS),
    )
    new = _side(
        _stored("still"),
        _stored("fixed", Status.PASS),
        _stored("accepted", suppressed=True),
        _stored("unreadable", Status.UNKNOWN),
        _stored("broke"),
        _stored("fine", Status.PASS),
        _stored("created"),
    )
    assert _changes(old, new) == {
        "still": "unchanged",
        "fixed": "resolved",
        "deleted": "resolved",
        "accepted": "suppressed",
        "unreadable": "unverified",
        "broke": "new",
        "created": "new",
    }


def test_a_finding_that_failed_before_the_older_audit_and_fails_again_regressed() -> None:
    again = _stored("again")
    old = _side(_stored("again", Status.PASS))
    new = _side(again, _stored("first-time"))
    assert _changes(old, new, frozenset({again.finding_id})) == {"again": "regressed", "first-time": "new"}


def test_a_finding_absent_because_its_check_or_region_left_the_scope_is_unverified_not_resolved() -> None:
    old = _side(
        _stored("sg", region="eu-west-1"),
        _stored("bucket", check=BUCKET_CHECK),
        checks=(SG_CHECK, BUCKET_CHECK),
    )
    new = _side(checks=(SG_CHECK,), regions=("us-east-1",))
    assert _changes(old, new) == {"sg": "unverified", "bucket": "unverified"}
    global_finding = _stored("root", region="global")
    assert _changes(_side(global_finding), _side(regions=("us-east-1",))) == {"root": "resolved"}


def test_a_suppressed_failure_that_stays_suppressed_is_not_reported() -> None:
    assert _changes(_side(_stored("a", suppressed=True)), _side(_stored("a", suppressed=True))) == {}


def test_counts_are_by_change_and_severity_and_the_list_is_worst_first() -> None:
    old = _side()
    new = _side(
        _stored("low", severity=Severity.LOW),
        _stored("critical", severity=Severity.CRITICAL),
    )
    diff = diff_findings(old, new)
    assert diff.counts()[Change.NEW] == {
        Severity.CRITICAL: 1,
        Severity.HIGH: 0,
        Severity.MEDIUM: 0,
        Severity.LOW: 1,
        Severity.INFO: 0,
    }
    assert [c.finding.resource for c in diff.of(Change.NEW)] == ["critical", "low"]

"""Suppressions: file validation with one-line errors, glob matching, expiry against the collection time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from awsaudit.findings import Finding, Severity, Status
from awsaudit.suppressions import (
    Suppression,
    SuppressionError,
    apply_suppressions,
    load_suppressions,
    parse_suppressions,
)

AT = datetime(2026, 6, 1, 23, 59, tzinfo=UTC)
SG = "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1"


def _finding(
    status: Status = Status.FAIL,
    check: str = "ec2.open_ports",
    resource: str = SG,
    region: str = "eu-west-1",
    account: str = "111122223333",
) -> Finding:
    return Finding(check, status, Severity.HIGH, account, region, resource, "m")


def test_parses_every_field_in_file_order() -> None:
    [first, second] = parse_suppressions(
        """
suppressions:
  - {check: "ec2.*", resource: "arn:aws:ec2:*", reason: r1, account: "111122223333", region: eu-*,
     expires: 2026-12-31, owner: sec}
  - {check: s3.x, resource: "*", reason: r2, expires: "2027-01-02"}
"""
    )
    assert first == Suppression(
        "ec2.*", "arn:aws:ec2:*", "r1", "111122223333", "eu-*", date(2026, 12, 31), "sec", 1
    )
    assert (second.entry, second.expires, second.owner) == (2, date(2027, 1, 2), None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "suppressions:\n  - {check: a.b, resource: '*'}",
            "suppression entry 1 (check 'a.b'): missing required 'reason'",
        ),
        (
            "suppressions:\n  - {check: a.b, resource: '*', reason: ' '}",
            "entry 1 (check 'a.b'): 'reason' must not be empty",
        ),
        (
            "suppressions:\n  - {check: a.b, resource: '*', reason: r, expiry: 2026-01-01}",
            "unknown key(s) expiry",
        ),
        (
            "suppressions:\n  - {check: a.b, resource: '*', reason: r, expires: soon}",
            "must be a date (YYYY-MM-DD)",
        ),
        (
            "suppressions:\n  - {check: a.b, resource: '*', reason: r, expires: 2026-01-01T10:00:00}",
            "not a date and time",
        ),
        ("suppressions:\n  - {check: a.b, resource: [x], reason: r}", "'resource' must be a string"),
        (
            "suppressions:\n  - {check: a.b, resource: '*', reason: r, account: 012345670123}",
            "'account' must be a string (quote it)",
        ),
        (
            "suppressions:\n  - {check: a.b, resource: '*', reason: r}\n  - just text",
            "suppression entry 2: expected a mapping",
        ),
        ("- {check: a.b}", "expected a top-level 'suppressions:' list"),
        ("suppressions: {check: a.b}", "expected a top-level 'suppressions:' list"),
        ("suppressions: []\nextra: 1", "unknown top-level key(s) extra"),
        ("suppressions: [", "invalid YAML"),
    ],
)
def test_malformed_file_is_a_one_line_error_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(SuppressionError) as raised:
        parse_suppressions(text, "s.yaml")
    assert message in str(raised.value)
    assert str(raised.value).startswith("s.yaml: ")
    assert "\n" not in str(raised.value)


def test_empty_file_has_no_entries() -> None:
    assert parse_suppressions("") == ()
    assert parse_suppressions("suppressions:\n") == ()


def test_unreadable_file_is_a_suppression_error(tmp_path: Path) -> None:
    with pytest.raises(SuppressionError, match="cannot read suppressions file"):
        load_suppressions(tmp_path / "missing.yaml")
    (tmp_path / "s.yaml").write_text("suppressions:\n  - {check: a.b, resource: '*', reason: r}\n")
    assert len(load_suppressions(tmp_path / "s.yaml")) == 1


@pytest.mark.parametrize(
    ("entry", "matches"),
    [
        (Suppression("ec2.*", "*sg-1", "r"), True),
        (Suppression("ec2.open_ports", SG, "r", account="111122223333", region="eu-west-1"), True),
        (Suppression("ec2.open_ports", SG, "r", region="us-*"), False),
        (Suppression("ec2.open_ports", SG, "r", account="444455556666"), False),
        (Suppression("s3.*", SG, "r"), False),
        (Suppression("ec2.open_ports", "*sg-2", "r"), False),
        (Suppression("EC2.*", SG, "r"), False),  # ids are lower case; globs are case-sensitive
    ],
)
def test_glob_matching_on_check_resource_account_region(entry: Suppression, matches: bool) -> None:
    assert entry.matches(_finding()) is matches


def test_expiry_is_inclusive_of_the_day_and_judged_at_collection_time() -> None:
    on_the_day = Suppression("*", "*", "r", expires=date(2026, 6, 1))
    day_before = Suppression("*", "*", "r", expires=date(2026, 5, 31))
    assert not on_the_day.is_expired(AT)
    assert day_before.is_expired(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    assert not day_before.is_expired(datetime(2026, 5, 31, 23, 59, tzinfo=UTC))


def test_first_active_entry_wins_and_expired_entries_resurface_their_findings() -> None:
    expired = Suppression("ec2.*", "*", "old", expires=date(2026, 1, 1), entry=1)
    first = Suppression("ec2.*", "*sg-1", "first", entry=2)
    second = Suppression("*", "*", "second", entry=3)
    findings = [_finding(), _finding(resource="sg-2"), _finding(Status.UNKNOWN, check="s3.x")]
    outcome = apply_suppressions(findings, [expired, first, second], AT)
    assert outcome.applied == (first, second, second)
    assert outcome.expired == (expired,)
    assert outcome.resurfaced == {1: 0}
    alone = apply_suppressions(findings, [expired], AT)
    assert alone.applied == (None, None, None)
    assert alone.resurfaced == {1: 2}


def test_passing_findings_are_never_suppressed() -> None:
    outcome = apply_suppressions(
        [_finding(Status.PASS), _finding(Status.MANUAL)], [Suppression("*", "*", "r")], AT
    )
    assert outcome.applied[0] is None
    assert outcome.applied[1] is not None

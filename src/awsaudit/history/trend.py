"""Posture over time: scans of one account with framework pass rates and failing findings by severity."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from awsaudit.errors import AwsauditError, shorten
from awsaudit.report.history_model import TrendPoint
from awsaudit.store import ScanRecord, Store, open_store

_MAX_AGE_DIGITS = 9  # timedelta holds at most 999,999,999 days
_DURATION = re.compile(r"^\s*(\d+)\s*([dwh])\s*$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class TrendError(AwsauditError):
    """A bad duration, or no scans to show."""


def same_selection(scan: ScanRecord, reference: ScanRecord) -> bool:
    """Both audits judged the same checks in the same regions and kept the same severities
    (--severity): their pass rates and counts compare."""
    return (
        set(scan.checks) == set(reference.checks)
        and set(scan.regions) == set(reference.regions)
        and scan.min_severity is reference.min_severity
    )


def _up_to(store: Store, account: str, until: ScanRecord | None) -> list[ScanRecord]:
    recent = store.scans(account)
    if until is not None:
        recent = [s for s in recent if (s.collected_at, s.id) <= (until.collected_at, until.id)]
    return recent


def other_selections(store: Store, account: str, limit: int = 30, until: ScanRecord | None = None) -> int:
    """How many of the last ``limit`` scans :func:`trend` leaves out for judging something else."""
    recent = _up_to(store, account, until)[:limit]
    return sum(1 for s in recent if not same_selection(s, recent[0]))


def selection_note(left_out: int) -> str | None:
    if not left_out:
        return None
    return (
        f"{left_out} scan(s) with a different selection (checks, regions or --severity) left out: "
        "only audits that judged the same things are compared"
    )


def trend(store: Store, account: str, limit: int = 30, until: ScanRecord | None = None) -> list[TrendPoint]:
    """The last ``limit`` scans of an account (up to and including ``until``), oldest first, that
    judged the same checks in the same regions as the newest of them: a narrower scan's pass rate
    is not a change of posture."""
    recent = _up_to(store, account, until)[:limit]
    scans = [s for s in reversed(recent) if same_selection(s, recent[0])]
    ids = [scan.id for scan in scans]
    rates = store.framework_rates(ids)
    failing = store.failing_by_severity(ids)
    return [
        TrendPoint(scan, {rate.framework: rate for rate in rates[scan.id]}, failing[scan.id])
        for scan in scans
    ]


def account_trends(
    store_url: str | None, account: str | None, limit: int
) -> dict[str, tuple[list[TrendPoint], str | None]]:
    """The trend of ``account`` (default: every account in the store); an account without scans is an
    error, so that a typo in --account is not shown as an empty chart."""
    with open_store(store_url) as opened:
        accounts = [account] if account else opened.accounts()
        if not accounts:
            raise TrendError(f"the store {opened.location} holds no scans yet")
        points = {
            a: (trend(opened, a, limit), selection_note(other_selections(opened, a, limit))) for a in accounts
        }
    for name, (series, _) in points.items():
        if not series:
            raise TrendError(f"no scans of account {name}")
    return points


def parse_age(text: str) -> timedelta:
    """``180d``, ``26w`` or ``12h``."""
    match = _DURATION.match(text)
    if match is None:
        raise TrendError(f"not a duration: {text!r} (use e.g. 180d, 26w or 12h)")
    digits = match.group(1)
    try:
        if len(digits) > _MAX_AGE_DIGITS:
            raise OverflowError
        return int(digits) * _UNITS[match.group(2)]
    except OverflowError:
        raise TrendError(f"the duration {shorten(text)} is too long to be a date span") from None


def cutoff(now: datetime, age: str) -> datetime:
    try:
        return now - parse_age(age)
    except OverflowError:
        raise TrendError(f"the duration {shorten(age)} reaches back before the year 1") from None

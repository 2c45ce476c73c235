"""The HTML report's "since last scan" section and trend charts, filled from the store."""

from __future__ import annotations

import re

from awsaudit.findings import Finding, Status
from awsaudit.history.report_history import attach_history
from awsaudit.report.html_report import render_html
from awsaudit.report.model import ReportModel
from awsaudit.store import ScanId, record_audit
from tests.report.sample import HOSTILE
from tests.store.helpers import finding, model_of


def _record(url: str, day: int, *findings: Finding) -> tuple[ScanId, ReportModel]:
    model = model_of(list(findings), f"2026-06-{day:02d}T00:00:00Z")
    return record_audit(url, model, None), model


def test_a_first_scan_has_no_history_sections(store_url: str) -> None:
    scan_id, model = _record(store_url, 1, finding("sg-a"))
    page = render_html(attach_history(store_url, model, scan_id)).decode()
    assert 'id="since-last-scan"' not in page and 'id="trend"' not in page


def test_since_last_scan_lists_new_regressed_and_resolved_and_the_trend_is_charted(store_url: str) -> None:
    hostile = f"sg-{HOSTILE}"
    _record(store_url, 1, finding("sg-back"), finding("sg-fixed"))
    _record(store_url, 2, finding("sg-back", Status.PASS), finding("sg-fixed"))
    scan_id, model = _record(
        store_url, 3, finding("sg-back"), finding("sg-fixed", Status.PASS), finding(hostile)
    )
    with_history = attach_history(store_url, model, scan_id)
    history = with_history.history
    assert history is not None and history.since_last_scan is not None
    since = history.since_last_scan
    assert dict(since.counts) == {
        "new": 1,
        "newly_checked": 0,
        "regressed": 1,
        "resolved": 1,
        "unchanged": 0,
        "suppressed": 0,
        "unverified": 0,
    }
    assert {(f.change, f.resource) for f in since.findings} == {
        ("new", hostile),
        ("regressed", "sg-back"),
        ("resolved", "sg-fixed"),
    }
    assert [p.collected_at.day for p in history.trend] == [1, 2, 3]

    page = render_html(with_history).decode()
    section = page[page.index('id="since-last-scan"') : page.index('id="trend"')]
    assert "Compared with scan 2, collected 2026-06-02T00:00:00Z" in section
    assert re.findall(r"<tr><td>(new|regressed|resolved)</td>", section) == ["new", "regressed", "resolved"]
    assert HOSTILE not in page and "&lt;img src=x onerror=alert(1)&gt;" in section
    trend_start = page.index('id="trend"')
    charts = page[trend_start : page.index("<h2", trend_start)]  # up to the next section
    assert "3 scans, 2026-06-01 to 2026-06-03" in charts
    assert (
        charts.count("<polyline") >= 2 and 'id="trend-pass-rate"' in charts and 'id="trend-failing"' in charts
    )
    assert "high on 2026-06-03 00:00: 2" in charts  # two unsuppressed high FAILs in scan 3
    assert " style=" not in page, "inline styles would be refused by the page's CSP"

"""The HTML report in real headless Chromium: loads cleanly, filters, searches, sorts, pages, stays inert."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from awsaudit.findings import Finding, Severity, Status
from awsaudit.report.html_report import render_html
from awsaudit.report.model import build_report_model
from tests.prerequisites import require
from tests.report.sample import ACCOUNT, HOSTILE, SG_HOSTILE, audit_result, sample_model

pytest.importorskip("playwright.sync_api", reason="pip install playwright (no browser download needed)")
if shutil.which("chromium") is None and not os.path.exists("/usr/bin/chromium"):
    require(False, "Debian's chromium is not installed")

from tests.report.browser import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Page:
    """One report opened in a fresh page, recording console messages, errors, dialogs and requests."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page()
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def rows(self) -> list[list[str]]:
        rows: list[list[str]] = self.page.eval_on_selector_all(
            "#findings-body tr.finding", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
        )
        return rows

    def choose(self, name: str, value: str) -> None:
        self.page.select_option(f"#f-{name}", value)

    def search(self, text: str) -> None:
        before = self.page.inner_text("#count")
        self.page.fill("#f-search", text)
        if text:
            self.page.wait_for_function(
                "before => document.getElementById('count').textContent !== before", arg=before
            )


@pytest.fixture
def report(browser: Any, tmp_path: Path) -> Iterator[Page]:
    path = tmp_path / "report.html"
    path.write_bytes(render_html(sample_model()))
    opened = Page(browser, path)
    yield opened
    opened.page.close()


def test_loads_without_console_errors_or_network_requests(report: Page) -> None:
    assert report.problems == []
    assert len(report.rows()) == 10
    assert report.requests == [report.page.url]
    assert report.page.inner_text("#count") == "Showing 1–10 of 10 matching (10 findings)"
    assert "arn:aws:sts::111122223333:assumed-role/Auditor/session" in report.page.inner_text("#scope")


def test_filters_and_search_change_the_visible_rows(report: Page) -> None:
    report.choose("status", "FAIL")
    assert {row[1] for row in report.rows()} == {"FAIL"} and len(report.rows()) == 4
    report.choose("severity", "medium")
    assert len(report.rows()) == 2
    report.choose("status", "")
    report.choose("severity", "")
    report.choose("service", "ec2")
    assert len(report.rows()) == 4
    report.choose("region", "us-east-1")
    assert [row[1] for row in report.rows()] == ["UNKNOWN"]
    report.choose("region", "")
    report.choose("service", "")
    report.choose("account", ACCOUNT)
    assert len(report.rows()) == 10
    report.choose("framework", "0")
    assert len(report.rows()) == 10
    report.search("bastion vpn")  # every term must match (the second one matches the suppression reason)
    assert [row[1] for row in report.rows()] == ["SUPPRESSED"]
    report.search("no-such-thing")
    assert report.rows() == []
    assert report.page.inner_text("#count").startswith("Showing 0 of 0")
    assert report.problems == []


def test_hostile_resource_names_show_as_text_and_execute_nothing(report: Page) -> None:
    hostile = next(row for row in report.rows() if row[3] == SG_HOSTILE)
    assert HOSTILE in hostile[6]
    assert report.page.evaluate("window.__pwned") is None
    assert report.page.query_selector("img") is None
    assert report.page.query_selector("main script, #findings-body script") is None
    report.page.click(f"#findings-body tr.finding:has-text('{SG_HOSTILE.split()[0]} ')")
    detail = report.page.inner_text("#findings-body tr.detail")
    assert f'"GroupName": "{HOSTILE}"' in detail
    assert "Restrict SSH and RDP to trusted CIDRs." in detail
    assert HOSTILE in report.page.inner_text("#errors-table")
    assert report.page.evaluate("window.__pwned") is None
    assert report.problems == []


def test_sorting_findings_and_static_tables(report: Page) -> None:
    report.page.click("#findings-table th[data-key=resource]")
    resources = [row[3] for row in report.rows()]
    assert resources == sorted(resources)
    report.page.click("#findings-table th[data-key=resource]")
    assert [row[3] for row in report.rows()] == sorted(resources, reverse=True)
    controls = "table.controls tbody tr td:first-child"
    report.page.click("table.controls th:has-text('Control')")
    assert report.page.eval_on_selector_all(controls, "c => c.map(x => x.textContent)") == [
        "1.1",
        "1.2",
        "1.3",
        "2.1",
        "3.1",
        "5.1",
    ]


def test_details_show_suppression_and_expired_entries_are_listed(report: Page) -> None:
    report.choose("status", "SUPPRESSED")
    report.page.click("#findings-body tr.finding")
    detail = report.page.inner_text("#findings-body tr.detail")
    assert "Suppressed (the check judged FAIL)" in detail and "owner secops@example.com" in detail
    assert "Accepted until the migration" in report.page.inner_text("#expired-table")


def test_large_reports_render_one_page_at_a_time(browser: Any, tmp_path: Path) -> None:
    findings = tuple(
        Finding(
            "s3.bucket_public_access_block",
            Status.FAIL if n % 3 else Status.PASS,
            Severity.MEDIUM,
            ACCOUNT,
            "eu-west-1",
            f"arn:aws:s3:::bucket-{n:04d}",
            "m",
        )
        for n in range(250)
    )
    path = tmp_path / "big.html"
    path.write_bytes(render_html(build_report_model(audit_result(findings))))
    page = Page(browser, path)
    assert len(page.rows()) == 100
    assert page.page.inner_text("#count") == "Showing 1–100 of 250 matching (250 findings)"
    page.page.click("#pager-top button:has-text('Last')")
    assert len(page.rows()) == 50
    page.choose("status", "PASS")
    assert page.page.inner_text("#count") == "Showing 1–84 of 84 matching (250 findings)"
    assert page.problems == []


def test_resource_names_are_shown_under_the_resource_and_searchable(report: Page) -> None:
    report.search("rdp-servers")
    (row,) = report.rows()
    assert row[3].endswith("=rdp-servers <b>"), row[3]  # the hostile Name tag is text, not markup
    assert report.page.inner_text("#findings-body tr.finding .resource-name") == "=rdp-servers <b>"
    assert report.page.query_selector("#findings-body b") is None
    assert report.problems == []

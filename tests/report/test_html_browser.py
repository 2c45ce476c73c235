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
    # FAIL is what the first screen shows; "all" is one choice away.
    assert report.page.input_value("#f-status") == "FAIL"
    assert {row[1] for row in report.rows()} == {"FAIL"} and len(report.rows()) == 4
    assert report.page.inner_text("#count") == "Showing 1–4 of 4 matching (10 findings)"
    report.choose("status", "")
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
    page.choose("status", "")
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


# ---------------------------------------------------------------- what to fix first


def test_fix_first_comes_first_and_findings_come_before_compliance(report: Page) -> None:
    order = report.page.eval_on_selector_all(
        "main > section, main > h2", "nodes => nodes.map(n => n.id || n.textContent)"
    )
    assert order[0] == "fix-first"
    assert order.index("findings") < order.index("compliance")
    causes = report.page.eval_on_selector_all(
        "#fix-first li.cause > a.cause-link", "links => links.map(a => a.dataset.check)"
    )
    # The critical open admin port first, then the medium bucket settings: risk order.
    assert causes == ["ec2.security_group_admin_ports", "s3.bucket_public_access_block"]
    assert "4 in all" in report.page.inner_text("#fix-first")
    assert report.problems == []


def test_a_fix_first_link_opens_that_finding_and_a_cause_filters_its_check(report: Page) -> None:
    report.choose("service", "s3")
    report.page.click("#fix-first a.finding-link >> nth=0")
    detail = report.page.inner_text("#findings-body tr.detail")
    opened = report.page.evaluate(
        "() => document.querySelector('#findings-body tr.detail').previousElementSibling.cells[3].textContent"
    )
    assert (
        opened.startswith("arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0open")
        and "Restrict SSH and RDP to trusted CIDRs." in detail
    )
    assert report.page.input_value("#f-service") == ""  # filters that would hide it were cleared
    report.page.click("#fix-first a.cause-link[data-check='s3.bucket_public_access_block']")
    assert {(row[1], row[2]) for row in report.rows()} == {("FAIL", "s3.bucket_public_access_block")}
    assert len(report.rows()) == 2
    assert report.problems == []


def test_clicking_a_control_lists_its_findings_whatever_their_status(report: Page) -> None:
    report.page.click("table.controls tr.control-row:has(td:text-is('5.1'))")
    assert report.page.input_value("#f-status") == ""
    rows = report.rows()
    assert {row[2] for row in rows} == {"ec2.security_group_admin_ports"}
    assert {row[1] for row in rows} == {"FAIL", "SUPPRESSED", "UNKNOWN"}
    assert report.page.inner_text("#control-filter-label") == "Findings of cis-aws-foundations@7.0.0 5.1"
    report.page.click("#control-filter-clear")
    assert len(report.rows()) == 10
    assert report.page.is_hidden("#control-filter")
    assert report.problems == []


def test_zero_percent_bars_are_drawn_as_failed_not_as_empty(report: Page) -> None:
    tracks = report.page.eval_on_selector_all(
        "rect.rate-track", "rects => rects.map(r => [r.getAttribute('fill'), r.textContent])"
    )
    assert tracks and all(fill == "#f4c7c3" for fill, _ in tracks)
    assert any(" failed" in title for _, title in tracks)


def test_details_link_references_name_controls_and_severity_changes(report: Page) -> None:
    report.page.click("#fix-first a.finding-link >> nth=0")  # sg-0open: critical, the check says high
    detail = report.page.inner_text("#findings-body tr.detail")
    assert "Severity critical (the check's default is high)" in detail
    controls = report.page.inner_text("#findings-body tr.detail p.controls-mapped")
    assert controls == "CIS Amazon Web Services Foundations Benchmark v7.0.0 5.1"
    report.choose("status", "FAIL")
    report.choose("service", "s3")
    report.page.click("#findings-body tr.finding >> nth=0")
    link = report.page.query_selector("#findings-body tr.detail a[href^='https://']")
    assert link is not None
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener noreferrer"
    assert report.problems == []


def test_remediation_commands_carry_the_real_identifiers_and_copy(browser: Any, tmp_path: Path) -> None:
    bucket = Finding(
        "s3.block_public_access",
        Status.FAIL,
        Severity.HIGH,
        ACCOUNT,
        "global",
        "arn:aws:s3:::team-data",
        "Bucket team-data does not block public access",
    )
    path = tmp_path / "fix.html"
    path.write_bytes(render_html(build_report_model(audit_result((bucket,)))))
    page = Page(browser, path)
    page.page.click("#fix-first a.finding-link")
    commands = page.page.inner_text("#findings-body tr.detail pre.fix-commands")
    assert commands == (
        "aws s3api put-public-access-block --bucket team-data --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
    )
    page.page.click("#findings-body tr.detail button.copy")
    page.page.wait_for_function(
        "() => document.querySelector('#findings-body button.copy').textContent !== 'Copy'"
    )
    assert page.page.inner_text("#findings-body button.copy") in ("Copied", "Selected: press Ctrl+C")
    assert page.page.query_selector("#findings-body tr.detail") is not None  # the click did not fold it
    assert page.problems == []


def test_organization_reports_link_to_each_other_in_the_browser(browser: Any, tmp_path: Path) -> None:
    """From the organization page to an account's report and back, then to the organization checks'
    report and back, after the output folder was moved: file:// links, no console errors."""
    from tests.organization.test_summary import MEMBER
    from tests.report.test_organization_links import write_run

    write_run(tmp_path / "run")
    moved = tmp_path / "moved"
    (tmp_path / "run").rename(moved)
    problems: list[str] = []
    page = browser.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    organization_page = (moved / "organization-report.html").as_uri()
    page.goto(organization_page)
    for link, report in (
        ("a.account-report", f"{MEMBER}/awsaudit-report.html"),
        ("#organization-report-link", "organization/awsaudit-report.html"),
    ):
        page.click(link)
        page.wait_for_selector("body[data-ready=true]")
        assert page.url == (moved / report).as_uri()
        page.click("#organization-page-link")
        page.wait_for_load_state()
        assert page.url == organization_page
    page.close()
    assert problems == []

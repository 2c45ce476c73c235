"""The organization page and the reports it links to link to each other, relatively: the output
folder can be moved (or served from anywhere) and every link still lands on its file."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

from awsaudit.config import AuditConfig
from awsaudit.organization.scan import _organization_reports
from awsaudit.organization.summary import summarize
from awsaudit.report.html_report import render_html
from awsaudit.report.organization_html import ACCOUNT_REPORT_FILE, ORGANIZATION_REPORT_FILE
from awsaudit.report.organization_model import ORGANIZATION_PAGE_FROM_REPORTS
from tests.organization.test_summary import MEMBER, OUTCOMES, SELECTION, STRUCTURE
from tests.report.sample import sample_model

_HREF = re.compile(r'<a (?:id|class)="(?P<name>[a-z-]+)" href="(?P<href>[^"]+)"')


def _links(page: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for match in _HREF.finditer(page.read_text()):
        found.setdefault(match["name"], []).append(match["href"])
    return found


def write_run(output: Path) -> None:
    """A member's report as its task writes it, then the organization checks' report and the page."""
    member_report = output / MEMBER / ACCOUNT_REPORT_FILE
    member_report.parent.mkdir(parents=True)
    model = dataclasses.replace(sample_model(), organization_page=ORGANIZATION_PAGE_FROM_REPORTS)
    member_report.write_bytes(render_html(model))
    outcomes = [
        dataclasses.replace(o, files=(str(member_report),)) if o.account_id == MEMBER else o for o in OUTCOMES
    ]
    summary, _ = summarize(
        STRUCTURE,
        SELECTION,
        AuditConfig(),
        STRUCTURE.accounts,
        outcomes,
        role_arn_of={},
        scan_id="s-1",
        started_at=sample_model().collected_at,
        seconds=1.0,
    )
    _organization_reports(summary, ["json", "html"], (), output)


def test_every_report_links_back_to_the_organization_page_wherever_the_folder_goes(tmp_path: Path) -> None:
    write_run(tmp_path / "run")
    moved = tmp_path / "elsewhere" / "run"
    moved.parent.mkdir()
    shutil.move(tmp_path / "run", moved)
    page = moved / ORGANIZATION_REPORT_FILE
    forward = _links(page)
    assert forward["organization-report-link"] == ["organization/awsaudit-report.html"]
    assert forward["account-report"] == [f"{MEMBER}/awsaudit-report.html"]
    for href in [*forward["organization-report-link"], *forward["account-report"]]:
        report = (page.parent / href).resolve()
        assert report.is_file(), href
        (back,) = _links(report)["organization-page-link"]
        assert back == "../organization-report.html"
        assert (report.parent / back).resolve() == page.resolve()


def test_a_report_outside_an_organization_run_has_no_link_back() -> None:
    assert 'id="organization-page-link"' not in render_html(sample_model()).decode()

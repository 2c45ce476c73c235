"""Hostile resource data scanned end to end: every output escapes it and stays in its directory."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from awsaudit.audit import AuditResult, evaluate, select
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.lab.server import Lab
from awsaudit.report.console import print_summary
from awsaudit.report.model import ReportModel, build_report_model
from awsaudit.report.writer import FORMATS, write_reports
from awsaudit.snapshot import CollectionError, Snapshot, load, save
from tests.robustness.hostile import (
    CONTROL,
    FORMULA,
    HOSTILE_GROUP,
    IMAGE,
    SCRIPT,
    build_hostile_account,
    hostile_session,
)

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def hostile_snapshot(lab: Lab) -> Snapshot:
    session = hostile_session(lab)
    build_hostile_account(lab, session)
    options = CollectOptions(
        regions=("eu-west-1", "us-east-1"),
        datasets=select().dataset_keys(),
        endpoint_url=lab.endpoint_url,
        client_hooks=lab.client_hooks(),
    )
    return collect(session, options)


@pytest.fixture(scope="module")
def hostile_result(hostile_snapshot: Snapshot) -> AuditResult:
    return evaluate(hostile_snapshot, select(), AuditConfig())


@pytest.fixture(scope="module")
def written(
    hostile_result: AuditResult, hostile_snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    out = root / "out"
    write_reports(build_report_model(hostile_result), list(FORMATS), out)
    save(hostile_snapshot, out / "snapshot.json.gz")
    return out


def test_the_hostile_data_reached_the_findings(hostile_result: AuditResult) -> None:
    said = json.dumps(
        [(f.resource, f.message, dict(f.evidence)) for f in hostile_result.findings], default=str
    )
    for text in (SCRIPT, FORMULA, IMAGE):
        assert json.dumps(text)[1:-1] in said, text


def test_no_file_is_written_outside_the_output_directory(written: Path) -> None:
    assert sorted(p.name for p in written.parent.iterdir()) == ["out"]
    companions = [f.companion for f in FORMATS.values() if f.companion is not None]
    expected = sorted([f.file_name for f in FORMATS.values()] + companions + ["snapshot.json.gz"])
    assert sorted(p.name for p in written.iterdir()) == expected
    for path in written.iterdir():
        assert path.stat().st_mode & 0o077 == 0, f"{path.name} is readable by others"


def test_the_snapshot_round_trips_the_hostile_data(written: Path, hostile_snapshot: Snapshot) -> None:
    assert load(written / "snapshot.json.gz").datasets == hostile_snapshot.datasets


def test_html_escapes_every_name(written: Path) -> None:
    page = (written / "awsaudit-report.html").read_text(encoding="utf-8")
    for raw in (SCRIPT, IMAGE, "<img", "alert(1)>"):
        assert raw not in page
    # The page's own two script elements (the findings data and the code), nothing more.
    assert page.count("<script") == page.count("</script") == 2


def test_markdown_escapes_every_name(written: Path) -> None:
    text = (written / "awsaudit-summary.md").read_text(encoding="utf-8")
    for raw in ("<script", "<img", "\x1b", "\x07", "\x00"):
        assert raw not in text


def test_csv_neutralises_formulas(written: Path) -> None:
    rows = list(csv.reader(io.StringIO((written / "awsaudit-findings.csv").read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(FORMULA in cell for cell in cells)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_junit_is_well_formed_xml(written: Path) -> None:
    tree = ET.parse(written / "awsaudit-findings.junit.xml")
    assert tree.getroot().tag == "testsuites"


@pytest.mark.parametrize("name", ["json", "ocsf", "asff"])
def test_json_formats_keep_the_data_as_inert_strings(written: Path, name: str) -> None:
    text = (written / FORMATS[name].file_name).read_text(encoding="utf-8")
    json.loads(text)
    for raw in ("\x1b", "\x07", "\x00"):
        assert raw not in text


def _summary(model: ReportModel) -> str:
    stream = io.StringIO()
    print_summary(model, Console(file=stream, width=200, force_terminal=True))
    return stream.getvalue()


def test_terminal_summary_carries_no_control_sequence_from_the_account(hostile_result: AuditResult) -> None:
    model = build_report_model(hostile_result)
    # A collection error whose message quotes a hostile name, as AWS messages do.
    hostile_error = CollectionError(
        "ec2", "us-east-1", "SecurityGroups", "DescribeSecurityGroups", "X", CONTROL
    )
    printed = _summary(
        ReportModel(
            **{**model.__dict__, "errors": (hostile_error,), "account_id": f"{CONTROL}{HOSTILE_GROUP}"}
        )
    )
    for raw in ("\x1b]0;", "\x1b[2J", "\x07", "\x00"):
        assert raw not in printed


def test_control_characters_a_check_echoes_are_inert_in_every_format(
    hostile_result: AuditResult, tmp_path: Path
) -> None:
    # Checks echo names into messages and resources; put the control characters there.
    echoed = tuple(
        replace(f, message=f"{f.message} {CONTROL}", resource=f"{CONTROL}{f.resource}")
        for f in hostile_result.findings
    )
    model = build_report_model(replace(hostile_result, findings=echoed))
    for path in write_reports(model, list(FORMATS), tmp_path):
        text = path.read_text(encoding="utf-8-sig")
        for raw in ("\x1b", "\x07", "\x00"):
            assert raw not in text, (path.name, raw)

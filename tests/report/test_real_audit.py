"""Reports from a real evaluation: registered checks and bundled frameworks on a snapshot with gaps."""

from __future__ import annotations

import io
import json
from pathlib import Path

from jsonschema import Draft202012Validator
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from rich.console import Console

from awsaudit.audit import evaluate, select
from awsaudit.config import AuditConfig
from awsaudit.exit_codes import ExitCode, exit_code
from awsaudit.report.console import print_summary
from awsaudit.report.model import ReportStatus, build_report_model
from awsaudit.report.writer import FORMATS, write_reports
from tests.builders import SnapshotBuilder
from tests.report.sample import sample_model

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _validate(schema_file: str, document: object) -> list[str]:
    validator = Draft202012Validator(
        json.loads((SCHEMAS / schema_file).read_text()), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_nothing_collected_gives_unknown_everywhere_and_valid_reports(tmp_path: Path) -> None:
    snapshot = SnapshotBuilder().with_error("iam", "CredentialReport").build()
    result = evaluate(snapshot, select(), AuditConfig())
    model = build_report_model(result)
    assert model.findings and {f.status for f in model.findings} == {ReportStatus.UNKNOWN}
    assert all(f.check.remediation for f in model.findings), "registered checks carry their remediation"
    assert exit_code(model, None, True) == ExitCode.INCOMPLETE

    written = write_reports(model, list(FORMATS), tmp_path)
    assert len(written) == len(FORMATS) + sum(f.companion is not None for f in FORMATS.values())
    document = json.loads((tmp_path / "awsaudit-findings.json").read_text())
    assert _validate("awsaudit-findings-2.schema.json", document) == []
    assert {key.split("@")[0] for key in document["compliance"]} == {"cis-aws-foundations", "guide"}
    assert (
        _validate(
            "asff-findings.schema.json", json.loads((tmp_path / "awsaudit-findings.asff.json").read_text())
        )
        == []
    )
    for event in json.loads((tmp_path / "awsaudit-findings.ocsf.json").read_text()):
        ComplianceFinding.model_validate(event)


def test_terminal_summary_without_colour_lists_suppressions_and_files() -> None:
    output = io.StringIO()
    print_summary(
        sample_model(), Console(file=output, width=140, no_color=True), ["out/awsaudit-report.html"]
    )
    text = output.getvalue()
    assert "\x1b[" not in text
    assert "SUPPRESSED" in text and "ec2.security_group_admin_ports │ critical │" in text
    assert "Suppression entry 2 (s3.* on arn:aws:s3:::=HYPERLINK*) expired on 2026-05-31" in text
    assert "cis-aws-foundations@7.0.0" in text and "50%" in text
    assert "Wrote out/awsaudit-report.html" in text

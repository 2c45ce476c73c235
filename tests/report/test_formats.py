"""Machine formats: schema-valid, hostile text kept inert, and the writer's file handling."""

from __future__ import annotations

import csv
import io
import json
import stat
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud

from awsaudit.report.asff import render_asff
from awsaudit.report.csv_report import neutralise, render_csv
from awsaudit.report.json_report import render_json
from awsaudit.report.junit import render_junit
from awsaudit.report.markdown import cell, render_markdown
from awsaudit.report.model import build_report_model
from awsaudit.report.ocsf import render_ocsf
from awsaudit.report.resource_types import resource_type
from awsaudit.report.writer import FORMATS, ReportFormatError, parse_formats, write_reports
from awsaudit.snapshot import CollectionError
from tests.report.sample import BUCKET_MARKDOWN, HOSTILE, SG_BASTION, SG_HOSTILE, audit_result, sample_model

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_json_validates_against_the_published_schema() -> None:
    document = json.loads(render_json(sample_model()))
    validator = _validator("awsaudit-findings-2.schema.json")
    assert _errors(validator, document) == []
    suppressed = next(f for f in document["findings"] if f["resource"] == SG_BASTION)
    assert (suppressed["status"], suppressed["original_status"]) == ("SUPPRESSED", "FAIL")
    suppressed["suppression"] = None
    assert _errors(validator, document), "a SUPPRESSED finding without its suppression must be rejected"


def test_json_keeps_expired_suppressions_and_collection_errors() -> None:
    document = json.loads(render_json(sample_model()))
    [expired] = document["expired_suppressions"]
    assert (expired["entry"], expired["expires"], expired["resurfaced"]) == (2, "2026-05-31", 1)
    assert document["collection_errors"][0]["code"] == "AccessDenied"
    assert document["summary"] == {"PASS": 3, "FAIL": 4, "UNKNOWN": 1, "MANUAL": 1, "SUPPRESSED": 1}


def test_asff_validates_and_maps_status_workflow_and_region() -> None:
    findings = json.loads(render_asff(sample_model()))
    assert _errors(_validator("asff-findings.schema.json"), findings) == []
    by_resource = {f["Resources"][0]["Id"]: f for f in findings}
    bastion = by_resource[SG_BASTION]
    assert bastion["Workflow"]["Status"] == "SUPPRESSED"
    assert bastion["Compliance"]["Status"] == "FAILED"
    assert bastion["Note"]["UpdatedBy"] == "secops@example.com"
    assert bastion["Resources"][0]["Type"] == "AwsEc2SecurityGroup"
    root = by_resource["arn:aws:iam::111122223333:root"]
    # Global findings are filed in the home region; a PASS is informational as in Security Hub.
    assert root["ProductArn"] == "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"
    statuses = {f["Compliance"]["Status"] for f in findings}
    assert statuses == {"PASSED", "FAILED", "NOT_AVAILABLE", "WARNING"}
    assert {f["CreatedAt"] for f in findings} == {"2026-06-01T12:00:00.000Z"}
    assert len({f["Id"] for f in findings}) == len(findings)


def test_asff_schema_rejects_a_finding_without_required_fields() -> None:
    [finding, *_] = json.loads(render_asff(sample_model()))
    del finding["GeneratorId"]
    finding["Severity"]["Label"] = "SEVERE"
    assert len(_errors(_validator("asff-findings.schema.json"), [finding])) == 2


def test_ocsf_events_validate_as_compliance_findings_without_dropping_fields() -> None:
    events = json.loads(render_ocsf(sample_model()))
    for event in events:
        model = ComplianceFinding.model_validate(event)
        # Everything we emit is a modelled attribute of the class (nothing silently ignored),
        # except ``cloud`` from OCSF's Cloud profile, which the package models separately.
        assert model.model_dump(mode="json", exclude_none=True) == {
            k: v for k, v in event.items() if k != "cloud"
        }
        Cloud.model_validate(event["cloud"])
        assert (event["class_uid"], event["type_uid"], event["category_uid"]) == (2003, 200301, 2)
    suppressed = next(e for e in events if e["resources"][0]["uid"] == SG_BASTION)
    assert (suppressed["status_id"], suppressed["compliance"]["status_id"]) == (3, 3)


def test_csv_one_row_per_finding_with_formulas_neutralised() -> None:
    text = render_csv(sample_model()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["record_type"] for r in rows] == ["collection_error"] + ["finding"] * len(
        sample_model().findings
    )
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    assert not [value for row in rows for value in row.values() if value.startswith(dangerous)]
    bucket = next(
        r for r in rows if r["message"].endswith("Block Public Access is off") and r["message"][0] == "'"
    )
    assert bucket["message"] == "'-Block Public Access is off"
    assert json.loads(bucket["evidence"]) == {"Tags": [{"Key": "+cmd", "Value": "@SUM(1+1)"}]}
    hostile = next(r for r in rows if r["resource"] == SG_HOSTILE)
    assert json.loads(hostile["evidence"])["GroupName"] == HOSTILE


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_prefixes_formula_triggers(trigger: str) -> None:
    assert neutralise(f"{trigger}1+1") == f"'{trigger}1+1"
    assert neutralise(f"a{trigger}") == f"a{trigger}"


def test_junit_counts_and_hostile_text_roundtrip() -> None:
    root = ET.fromstring(render_junit(sample_model()))
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "11",
        "failures": "4",
        "errors": "2",
        "skipped": "2",
    }
    cases = root.findall("./testsuite/testcase")
    hostile = next(c for c in cases if c.get("name", "").startswith(SG_HOSTILE))
    failure = hostile.find("failure")
    assert failure is not None and HOSTILE in failure.get("message", "")
    bastion = next(c for c in cases if c.get("name", "").startswith(SG_BASTION))
    skipped = bastion.find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("suppressed (FAIL): Bastion host")


def test_junit_replaces_characters_xml_cannot_carry() -> None:
    model = sample_model()
    finding = model.findings[0].finding
    broken = type(model.findings[0])(
        type(finding)(
            finding.check_id,
            finding.status,
            finding.severity,
            finding.account_id,
            finding.region,
            "bell\x07null\x00",
            finding.message,
        ),
        model.findings[0].check,
        None,
    )
    error = CollectionError(
        "s3", "global", "Buckets.Policy", "GetBucketPolicy", "Access\x1bDenied", "no", "b\x00"
    )
    rendered = render_junit(replace(model, findings=(broken,), errors=(error,)))
    names = [case.get("name") for case in ET.fromstring(rendered).iter("testcase")]
    assert names == ["global/Buckets.Policy (b\ufffd)", "bell\ufffdnull\ufffd [global]"]
    assert "Access\ufffdDenied" in rendered.decode()


def test_markdown_cells_are_inert() -> None:
    assert cell("a|b`c<d>&e\nf[g](h)*i_@team") == "a\\|b\\`c&lt;d&gt;&amp;e f\\[g\\](h)\\*i\\_@\u200bteam"
    text = render_markdown(sample_model()).decode()
    assert "<script>" not in text and "<img" not in text
    assert cell(BUCKET_MARKDOWN) in text
    assert "### Expired suppressions (1)" in text and "### Collection errors (1)" in text
    assert len(cell("x" * 1000)) == 200


@pytest.mark.parametrize(
    ("arn", "kind"),
    [
        ("arn:aws:ec2:eu-west-1:1:security-group/sg-1", "AwsEc2SecurityGroup"),
        ("arn:aws:s3:::bucket", "AwsS3Bucket"),
        ("arn:aws:iam::1:root", "AwsAccount"),
        ("arn:aws:ec2:eu-west-1:1:account", "AwsAccount"),
        ("arn:aws:iam::1:user/path/alice", "AwsIamUser"),
        ("arn:aws:sns:eu-west-1:1:alerts", "AwsSnsTopic"),
        ("arn:aws:logs:eu-west-1:1:log-group:trail", "Other"),
        ("not an arn", "Other"),
    ],
)
def test_resource_types_follow_security_hub_names(arn: str, kind: str) -> None:
    assert resource_type(arn) == kind


def test_writer_writes_fixed_names_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir"
    written = write_reports(sample_model(), ["json,csv", "junit", "json", "markdown"], out)
    assert [p.name for p in written] == [FORMATS[n].file_name for n in ("json", "csv", "junit", "markdown")]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)  # no temp files left
    for path in written:
        assert path.parent == out
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_unknown_format_is_rejected_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ReportFormatError, match="unknown output format 'pdf'"):
        write_reports(sample_model(), ["json", "pdf"], tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert parse_formats([" JSON , html", ""]) == ["json", "html"]


def test_an_audit_without_findings_renders_every_format(tmp_path: Path) -> None:
    model = build_report_model(audit_result(()))
    write_reports(model, list(FORMATS), tmp_path)
    document = json.loads((tmp_path / "awsaudit-findings.json").read_text())
    assert (
        document["findings"] == [] and _errors(_validator("awsaudit-findings-2.schema.json"), document) == []
    )
    # The collection error is all there is to report, and every format reports it.
    [event] = json.loads((tmp_path / "awsaudit-findings.ocsf.json").read_text())
    assert event["finding_info"]["types"] == ["awsaudit/collection_error"]
    [finding] = json.loads((tmp_path / "awsaudit-findings.asff.json").read_text())
    assert finding["Compliance"]["Status"] == "NOT_AVAILABLE"
    junit = ET.parse(tmp_path / "awsaudit-findings.junit.xml").getroot()
    assert (junit.get("tests"), junit.get("errors")) == ("1", "1")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "awsaudit-findings.csv").read_text("utf-8-sig"))))
    assert [r["record_type"] for r in rows] == ["collection_error"]


def test_an_audit_without_findings_or_errors_renders_empty_records(tmp_path: Path) -> None:
    model = replace(build_report_model(audit_result(())), errors=())
    write_reports(model, ["ocsf", "asff", "junit", "csv"], tmp_path)
    assert json.loads((tmp_path / "awsaudit-findings.ocsf.json").read_text()) == []
    assert json.loads((tmp_path / "awsaudit-findings.asff.json").read_text()) == []
    junit = ET.parse(tmp_path / "awsaudit-findings.junit.xml").getroot()
    assert junit.get("tests") == "0" and junit.find("testsuite") is None
    assert (tmp_path / "awsaudit-findings.csv").read_text("utf-8-sig").count("\n") == 1

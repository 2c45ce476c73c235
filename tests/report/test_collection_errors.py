"""The per-record formats (CSV, OCSF, ASFF, JUnit) list every collection error as a record of its own."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from jsonschema import Draft202012Validator
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud

from awsaudit.report.asff import MAX_DESCRIPTION, MAX_PRODUCT_FIELD, render_asff
from awsaudit.report.csv_report import render_csv
from awsaudit.report.error_records import error_id
from awsaudit.report.junit import render_junit
from awsaudit.report.model import ReportModel
from awsaudit.report.ocsf import render_ocsf
from awsaudit.snapshot import CollectionError
from tests.report.sample import ACCOUNT, ERRORS, HOSTILE, sample_model

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
BUCKET_ARN = "arn:aws:s3:::audit-logs"
# A bucket named by its name (not its ARN), a hostile message, a formula and a huge message.
POLICY = CollectionError(
    "s3", "global", "Buckets.Policy", "GetBucketPolicy", "AccessDenied", "=cmd|'/c calc'!A1", "@bucket"
)
ENCRYPTION = CollectionError(
    "s3", "global", "Buckets.Encryption", "GetBucketEncryption", "InternalError", "x" * 5000, BUCKET_ARN
)
TRAILS = CollectionError("cloudtrail", "eu-west-1", "Trails", "DescribeTrails", "ThrottlingException", "")
EXTRA = (POLICY, ENCRYPTION, TRAILS)


def _model() -> ReportModel:
    model = sample_model()
    return replace(model, errors=(*model.errors, *EXTRA))


def _all_errors() -> tuple[CollectionError, ...]:
    return (*ERRORS, *EXTRA)


def test_csv_has_one_row_per_error_before_the_findings_and_neutralises_formulas() -> None:
    model = _model()
    rows = list(csv.DictReader(io.StringIO(render_csv(model).decode("utf-8-sig"), newline="")))
    errors = [r for r in rows if r["record_type"] == "collection_error"]
    assert rows[: len(errors)] == errors and len(rows) == len(errors) + len(model.findings)
    assert [(r["service"], r["region"], r["dataset"], r["operation"], r["error_code"]) for r in errors] == [
        (e.service, e.region, e.dataset, e.operation, e.code) for e in _all_errors()
    ]
    policy = errors[1]
    assert (policy["message"], policy["resource"]) == ("'=cmd|'/c calc'!A1", "'@bucket")
    assert (policy["title"], policy["account_id"]) == ("Could not collect s3 Buckets.Policy", ACCOUNT)
    # No check judged anything: the judgement columns stay empty.
    assert {policy[c] for c in ("check_id", "status", "original_status", "severity", "evidence")} == {""}
    findings = [r for r in rows if r["record_type"] == "finding"]
    assert {(r["dataset"], r["operation"], r["error_code"]) for r in findings} == {("", "", "")}


def test_junit_reports_each_error_as_an_errored_case_in_a_collection_suite() -> None:
    root = ET.fromstring(render_junit(_model()))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "collection"
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("4", "4", "0")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("collection.ec2", "us-east-1/SecurityGroups"),
        ("collection.s3", "global/Buckets.Policy (@bucket)"),
        ("collection.s3", f"global/Buckets.Encryption ({BUCKET_ARN})"),
        ("collection.cloudtrail", "eu-west-1/Trails"),
    ]
    for case, error in zip(cases, _all_errors(), strict=True):
        element = case.find("error")
        assert element is not None and element.get("type") == error.code
        assert element.get("message", "").startswith(f"{error.operation} failed with {error.code}: ")
        assert element.text == error.describe()
    # The totals count them: 1 UNKNOWN finding and 4 collection errors are errors.
    assert (root.get("tests"), root.get("errors")) == ("14", "5")


def test_ocsf_error_events_are_valid_compliance_findings_with_no_result() -> None:
    model = _model()
    events = json.loads(render_ocsf(model))
    errors = [e for e in events if e["finding_info"]["types"] == ["awsaudit/collection_error"]]
    assert events[: len(errors)] == errors and len(errors) == len(_all_errors())
    for event, error in zip(errors, _all_errors(), strict=True):
        validated = ComplianceFinding.model_validate(event)
        assert validated.model_dump(mode="json", exclude_none=True) == {
            k: v for k, v in event.items() if k != "cloud"
        }
        Cloud.model_validate(event["cloud"])
        assert (event["class_uid"], event["type_uid"], event["severity_id"]) == (2003, 200301, 3)
        # Warning: OCSF's "did not yield a result due to missing information".
        assert event["compliance"] == {"standards": ["awsaudit"], "status_id": 2}
        assert (event["status_code"], event["metadata"]["event_code"]) == (error.code, "collection_error")
        assert event["finding_info"]["uid"] == event["metadata"]["uid"] == error_id(model, error)
        assert event["resources"][0]["data"] == error.to_json()
    hostile, policy, encryption, trails = errors
    assert HOSTILE in hostile["message"]
    # Account-wide errors are filed in the home region and name the account unless the resource is an ARN.
    assert (policy["cloud"]["region"], policy["resources"][0]["uid"]) == (
        "eu-west-1",
        f"arn:aws:iam::{ACCOUNT}:root",
    )
    assert encryption["resources"][0]["uid"] == BUCKET_ARN
    assert trails["resources"][0]["uid"] == f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:account"


def test_asff_error_findings_validate_and_are_not_available() -> None:
    findings = json.loads(render_asff(_model()))
    schema = json.loads((SCHEMAS / "asff-findings.schema.json").read_text())
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(findings)] == []
    errors = [f for f in findings if f["ProductFields"]["awsaudit/RecordType"] == "collection_error"]
    assert findings[: len(errors)] == errors and len(errors) == len(_all_errors())
    assert {f["ProductFields"]["awsaudit/RecordType"] for f in findings[len(errors) :]} == {"finding"}
    for finding, error in zip(errors, _all_errors(), strict=True):
        assert finding["Compliance"] == {"Status": "NOT_AVAILABLE"}
        assert finding["Types"] == ["Software and Configuration Checks/Audit Coverage/Collection Error"]
        assert finding["Severity"] == {"Label": "MEDIUM", "Original": "medium"}
        fields = finding["ProductFields"]
        assert (fields["awsaudit/Operation"], fields["awsaudit/ErrorCode"]) == (error.operation, error.code)
        assert fields.get("awsaudit/Resource") == error.resource
    _, policy, encryption, trails = errors
    assert policy["ProductArn"] == f"arn:aws:securityhub:eu-west-1:{ACCOUNT}:product/{ACCOUNT}/default"
    assert policy["Resources"][0] == {
        "Type": "AwsAccount",
        "Id": f"arn:aws:iam::{ACCOUNT}:root",
        "Partition": "aws",
        "Region": "eu-west-1",
    }
    assert (encryption["Resources"][0]["Type"], encryption["Resources"][0]["Id"]) == (
        "AwsS3Bucket",
        BUCKET_ARN,
    )
    assert len(encryption["Description"]) == MAX_DESCRIPTION
    assert len(encryption["ProductFields"]["awsaudit/ErrorMessage"]) == MAX_PRODUCT_FIELD
    assert "awsaudit/ErrorMessage" not in trails["ProductFields"], "empty values are left out"
    assert len({f["Id"] for f in findings}) == len(findings)


def test_error_ids_are_stable_and_tell_apart_operations_on_one_resource() -> None:
    model = _model()
    other_call = replace(POLICY, operation="GetBucketPolicyStatus")
    assert error_id(model, POLICY) == error_id(_model(), replace(POLICY, message="another message"))
    assert len({error_id(model, e) for e in (*_all_errors(), other_call)}) == len(_all_errors()) + 1

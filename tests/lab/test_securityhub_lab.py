"""--security-hub on the lab: import FAIL findings, re-scan after a fix: the fixed one is archived, PASSED."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from awsaudit.audit import evaluate, select
from awsaudit.cli import app
from awsaudit.cli.security_hub import asff_by_region
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.collect.securityhub_import import MAX_BATCH, batches, import_findings
from awsaudit.config import AuditConfig
from awsaudit.exit_codes import ExitCode
from awsaudit.lab.server import Lab
from awsaudit.report.model import build_report_model
from awsaudit.snapshot import Snapshot, save

from .conftest import build_and_collect

pytestmark = pytest.mark.lab

CHECKS = ("ec2.ebs_default_encryption", "kms.key_rotation")


def _client(lab: Lab, service: str, region: str) -> Any:
    return boto3.Session(region_name=region).client(service, endpoint_url=lab.endpoint_url)


def _import(lab: Lab, snapshot: Snapshot) -> Any:
    model = build_report_model(evaluate(snapshot, select(include=CHECKS), AuditConfig()))
    documents = asff_by_region(model)
    return model, import_findings(
        boto3.Session(region_name="us-east-1"),
        documents,
        model.account_id,
        model.collected_at_iso.replace("Z", ".000Z"),
        endpoint_url=lab.endpoint_url,
    )


def _recollect(lab: Lab, regions: tuple[str, ...]) -> Snapshot:
    options = CollectOptions(regions=regions, endpoint_url=lab.endpoint_url, client_hooks=lab.client_hooks())
    return collect(boto3.Session(region_name="us-east-1"), options)


def test_import_then_fix_archives_the_finding(lab: Lab) -> None:
    built, snapshot = build_and_collect(lab, "misconfigured")
    enabled, disabled = built.regions[0], built.regions[1]
    _client(lab, "securityhub", enabled).enable_security_hub()
    hub = _client(lab, "securityhub", disabled)
    with pytest.raises(hub.exceptions.InvalidAccessException):
        hub.describe_hub()

    model, first = _import(lab, snapshot)
    by_region = {r.region: r for r in first.regions}
    assert by_region[disabled].problem == "not enabled in this region; nothing sent"
    assert by_region[enabled].imported >= 1 and by_region[enabled].archived == 0
    assert not first.complete
    findings = _client(lab, "securityhub", enabled).get_findings()["Findings"]
    ebs = [f for f in findings if f["GeneratorId"] == "awsaudit/ec2.ebs_default_encryption"]
    assert len(ebs) == 1 and ebs[0]["Compliance"]["Status"] == "FAILED" and ebs[0]["RecordState"] == "ACTIVE"
    assert all(f["Compliance"]["Status"] == "FAILED" for f in findings)

    _client(lab, "ec2", enabled).enable_ebs_encryption_by_default()
    _, second = _import(lab, _recollect(lab, built.regions))
    again = {r.region: r for r in second.regions}[enabled]
    assert again.archived == 1 and again.imported == by_region[enabled].imported - 1
    findings = _client(lab, "securityhub", enabled).get_findings()["Findings"]
    (ebs_after,) = [f for f in findings if f["GeneratorId"] == "awsaudit/ec2.ebs_default_encryption"]
    assert ebs_after["Id"] == ebs[0]["Id"], "stable ids: the same finding is updated"
    assert ebs_after["Compliance"]["Status"] == "PASSED" and ebs_after["RecordState"] == "ARCHIVED"
    # Nothing is duplicated by the second import.
    assert len(findings) == len({f["Id"] for f in findings})
    assert model.account_id == snapshot.account.account_id


def test_batches_hold_at_most_100() -> None:
    documents = [{"Id": str(n)} for n in range(250)]
    sizes = [len(b) for b in batches(documents)]
    assert sizes == [MAX_BATCH, MAX_BATCH, 50]


def _evaluate_with_hub(lab: Lab, snapshot_file: Path, tmp_path: Path) -> Any:
    return CliRunner().invoke(
        app,
        [
            "evaluate",
            str(snapshot_file),
            "--security-hub",
            "--endpoint-url",
            lab.endpoint_url,
            "--checks",
            CHECKS[0],
            "--fail-on",
            "critical",
            "--no-store",
            "--output-dir",
            str(tmp_path),
            "--output-format",
            "json",
        ],
    )


def test_evaluate_imports_a_saved_snapshot_into_security_hub(lab: Lab, tmp_path: Path) -> None:
    built, snapshot = build_and_collect(lab, "misconfigured")
    for region in built.regions:
        _client(lab, "securityhub", region).enable_security_hub()
    snapshot_file = save(snapshot, tmp_path / "snapshot.json.gz")

    result = _evaluate_with_hub(lab, snapshot_file, tmp_path)

    assert result.exit_code == 0, result.output
    home = built.regions[1]
    assert f"Security Hub {home}: 1 imported, 0 archived" in result.output
    findings = _client(lab, "securityhub", home).get_findings()["Findings"]
    assert [f["GeneratorId"] for f in findings] == [f"awsaudit/{CHECKS[0]}"]


def test_evaluate_sends_nothing_for_another_accounts_snapshot(lab: Lab, tmp_path: Path) -> None:
    built, snapshot = build_and_collect(lab, "misconfigured")
    for region in built.regions:
        _client(lab, "securityhub", region).enable_security_hub()
    caller = snapshot.account.account_id
    other = dataclasses.replace(
        snapshot, account=dataclasses.replace(snapshot.account, account_id="999988887777")
    )
    snapshot_file = save(other, tmp_path / "other.json.gz")

    result = _evaluate_with_hub(lab, snapshot_file, tmp_path)

    assert result.exit_code == ExitCode.PARTIAL_DELIVERY, result.output
    assert f"the credentials are account {caller}'s, the findings account 999988887777's; nothing sent" in (
        " ".join(result.output.split())
    )
    for region in built.regions:
        assert _client(lab, "securityhub", region).get_findings()["Findings"] == []

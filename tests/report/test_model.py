"""The report model: suppression state, rollups that treat suppressions as accepted risk, check metadata."""

from __future__ import annotations

from awsaudit.compliance.frameworks_model import ControlStatus
from awsaudit.findings import Finding, Severity, Status
from awsaudit.report.model import ReportStatus, build_report_model
from awsaudit.suppressions import Suppression
from tests.report.sample import ACCOUNT, SG_BASTION, audit_result, sample_model


def test_suppressed_findings_keep_their_original_status_and_entry() -> None:
    model = sample_model()
    bastion = next(f for f in model.findings if f.finding.resource == SG_BASTION)
    assert bastion.status is ReportStatus.SUPPRESSED
    assert bastion.original_status is Status.FAIL
    assert bastion.suppression is not None and bastion.suppression.entry == 1
    assert [e.suppression.entry for e in model.expired_suppressions] == [2]
    assert model.status_counts()[ReportStatus.SUPPRESSED] == 1


def test_rollups_count_suppressed_findings_without_letting_them_fail_a_control() -> None:
    model = sample_model()
    controls = {c.id: c for c in model.frameworks[0].controls}
    assert controls["5.1"].status is ControlStatus.FAIL
    assert dict(controls["5.1"].counts) == {"FAIL": 2, "UNKNOWN": 1, "SUPPRESSED": 1}
    assert controls["1.3"].status is ControlStatus.NOT_AUTOMATED
    everything = [Suppression("ec2.*", "*", "accepted"), Suppression("s3.*", "*", "accepted")]
    accepted = {c.id: c for c in build_report_model(audit_result(), everything).frameworks[0].controls}
    assert accepted["5.1"].status is ControlStatus.PASS
    assert dict(accepted["5.1"].counts) == {"SUPPRESSED": 4}
    assert accepted["2.1"].status is ControlStatus.PASS
    assert model.frameworks[0].pass_rate() == 0.5


def test_findings_of_unregistered_checks_keep_their_own_metadata() -> None:
    stray = Finding(
        "legacy.removed_check", Status.FAIL, Severity.LOW, "444455556666", "eu-west-1", "arn:x", "m"
    )
    model = build_report_model(audit_result((stray,)))
    [item] = model.findings
    assert (item.check.title, item.check.service, item.check.severity) == (
        "legacy.removed_check",
        "legacy",
        Severity.LOW,
    )
    assert model.accounts == (ACCOUNT, "444455556666")
    assert model.region_of(stray) == "eu-west-1"
    assert model.home_region == "eu-west-1"

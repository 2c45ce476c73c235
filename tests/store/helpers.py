"""Small report models for store and history tests, built through the real report pipeline."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from awsaudit.findings import Finding, Severity, Status
from awsaudit.report.model import ReportModel, build_report_model
from awsaudit.suppressions import Suppression
from tests.report.sample import ACCOUNT, audit_result

SG_CHECK = "ec2.security_group_admin_ports"
BUCKET_CHECK = "s3.bucket_public_access_block"


def finding(
    resource: str,
    status: Status = Status.FAIL,
    check: str = SG_CHECK,
    severity: Severity = Severity.HIGH,
    region: str = "eu-west-1",
    account: str = ACCOUNT,
) -> Finding:
    return Finding(check, status, severity, account, region, resource, f"{check} on {resource}", {"n": 1})


def model_of(
    findings: Sequence[Finding],
    collected_at: str = "2026-06-01T12:00:00Z",
    account: str = ACCOUNT,
    suppressions: Sequence[Suppression] = (),
) -> ReportModel:
    result = dataclasses.replace(
        audit_result(tuple(findings)), collected_at=collected_at, snapshot_account=account
    )
    return build_report_model(result, suppressions)


def many(count: int, status: Status = Status.FAIL) -> list[Finding]:
    return [
        finding(f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-{i:06d}", status) for i in range(count)
    ]

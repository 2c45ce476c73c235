"""End to end through the real boto3 path: each scenario yields exactly the findings it plants."""

from __future__ import annotations

import boto3

from awsaudit.audit import AuditResult, evaluate, select
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.findings import Severity, Status
from awsaudit.lab.scenarios import BuiltScenario, build_scenario
from awsaudit.lab.server import Lab


def _scan(lab: Lab, scenario: str) -> tuple[BuiltScenario, AuditResult]:
    lab.reset()
    built = build_scenario(scenario, lab)
    selection = select()
    options = CollectOptions(
        regions=built.regions,
        datasets=selection.dataset_keys(),
        endpoint_url=lab.endpoint_url,
        client_hooks=lab.client_hooks(),
    )
    snapshot = collect(boto3.Session(region_name="us-east-1"), options)
    return built, evaluate(snapshot, selection, AuditConfig())


def test_misconfigured_yields_exactly_its_planted_failures(lab: Lab) -> None:
    built, result = _scan(lab, "misconfigured")
    failures = {
        (f.check_id, f.resource)
        for f in result.findings
        if f.status is Status.FAIL and f.check_id not in built.unplanned_checks
    }
    planted = {(p.check_id, p.resource) for p in built.planted}
    assert sorted(failures - planted) == [], "FAILs the scenario does not plant"
    assert sorted(planted - failures) == [], "planted problems the scan missed"
    assert result.errors == ()
    assert [f for f in result.findings if f.status is Status.UNKNOWN] == []
    _judged_by_effect(result)


def _judged_by_effect(result: AuditResult) -> None:
    """The issue-16 cases planted in the misconfigured account, judged by effect through the boto3 path."""
    by_key = {(f.check_id, f.resource.rsplit(":", 1)[-1]): f for f in result.findings}
    pat = by_key["iam.privilege_escalation", "user/pat"]
    assert [(hop["kind"], hop["method"]) for hop in pat.evidence["hops"]] == [
        ("acts-as", "sts:AssumeRole"),
        ("grants", "iam:AttachUserPolicy"),
    ]
    assert pat.evidence["granter"].endswith(":role/user-admin")
    sso = by_key["iam.external_trust", "role/corp-sso"]
    assert (sso.status, sso.severity) == (Status.FAIL, Severity.MEDIUM)
    ci = by_key["iam.external_trust", "role/ci-deploy"]
    assert ci.severity is Severity.HIGH and "any repository" in ci.message
    reporting = by_key["iam.full_admin_policy", "policy/ReportingAccess"]
    assert reporting.evidence["kind"] == "self-grant"
    erin = by_key["iam.cloudshell_full_access", "user/erin"]
    assert erin.evidence["from_AWSCloudShellFullAccess"] is False
    ops = by_key["iam.cloudshell_full_access", "role/ops-console"]
    assert ops.evidence["from_AWSCloudShellFullAccess"] is True
    shared = next(
        f for f in result.findings if f.check_id == "s3.bucket_policy_encryption" and "shared" in f.resource
    )
    assert (shared.severity, shared.evidence["enforcement"]) == (Severity.LOW, "redundant")


def test_well_configured_yields_no_failure_at_all(lab: Lab) -> None:
    _, result = _scan(lab, "well-configured")
    failures = sorted((f.check_id, f.resource, f.message) for f in result.findings if f.status is Status.FAIL)
    assert failures == []
    assert result.findings, "the scan judged nothing"
    # The look-alikes that pass: KMS-only bucket policies, an audience-pinned SAML trust, a support role.
    passed = {(f.check_id, f.resource.rsplit(":", 1)[-1]) for f in result.findings if f.status is Status.PASS}
    assert ("iam.external_trust", "role/corp-sso") in passed
    enforced = [f for f in result.findings if f.check_id == "s3.bucket_policy_encryption"]
    assert sorted(f.evidence.get("enforcement", "log target") for f in enforced) == [
        "enforced",
        "enforced",
        "log target",
    ]
    support = next(f for f in result.findings if f.check_id == "iam.support_role")
    assert support.status is Status.PASS and any(
        arn.endswith("role/aws-support") for arn in support.evidence["roles"]
    )

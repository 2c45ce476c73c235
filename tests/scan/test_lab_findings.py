"""End to end through the real boto3 path: each scenario yields exactly the findings it plants."""

from __future__ import annotations

import boto3

from awsaudit.audit import AuditResult, evaluate, select
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.findings import Status
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


def test_well_configured_yields_no_failure_at_all(lab: Lab) -> None:
    _, result = _scan(lab, "well-configured")
    failures = sorted((f.check_id, f.resource, f.message) for f in result.findings if f.status is Status.FAIL)
    assert failures == []
    assert result.findings, "the scan judged nothing"

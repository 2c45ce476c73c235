"""Soak: transient faults are absorbed without changing a single finding; permanent ones fail closed."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from awsaudit.audit import select
from awsaudit.checks.registry import CheckMeta, Scope, all_checks
from awsaudit.exit_codes import ExitCode, exit_code
from awsaudit.findings import Finding, Severity, Status
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import Lab
from awsaudit.report.console import print_summary
from awsaudit.report.model import build_report_model
from awsaudit.report.writer import FORMATS, renderer
from awsaudit.snapshot import GLOBAL, CollectionError
from tests.collect.faults import FaultInjector, FaultKind
from tests.robustness.scanning import Scan, comparable, scan_lab

pytestmark = pytest.mark.lab

SEED = 20261128
FAULT_RATE = 0.3

# Permanent failures of one kind each, on datasets and on per-resource sub-calls.
PERMANENT = (
    (FaultKind.ACCESS_DENIED, "ec2", "DescribeFlowLogs", "eu-west-1"),
    (FaultKind.ACCESS_DENIED, "iam", "GetAccountPasswordPolicy", None),
    (FaultKind.SERVER_ERROR, "s3", "GetBucketPolicy", None),
    (FaultKind.MALFORMED, "kms", "ListKeys", "us-east-1"),
    (FaultKind.TRUNCATED, "cloudtrail", "GetEventSelectors", None),
    (FaultKind.READ_TIMEOUT, "logs", "DescribeMetricFilters", "eu-west-1"),
    (FaultKind.CONNECTION_RESET, "sns", "ListSubscriptions", "us-east-1"),
)


def _assert_same_findings(scan: Scan, clean: Scan) -> None:
    assert scan.snapshot.errors == []
    assert [comparable(f) for f in scan.result.findings] == [comparable(f) for f in clean.result.findings]


@pytest.mark.parametrize(
    ("kind", "retried_as"),
    [(FaultKind.THROTTLE, "throttling"), (FaultKind.SERVER_ERROR, "transient")],
    ids=["throttled", "5xx"],
)
def test_thirty_percent_faults_change_no_finding(
    lab: Lab, misconfigured: BuiltScenario, clean_scan: Scan, kind: FaultKind, retried_as: str
) -> None:
    # Independent faults, no bound on how often one request is hit in a row: a call's attempts
    # (16) must outlast any run of faults that can happen in practice.
    faults = FaultInjector(SEED).sometimes(kind, FAULT_RATE)
    faulted = scan_lab(lab, misconfigured, [faults.hook])
    _assert_same_findings(faulted, clean_scan)
    injected = sum(faults.by_kind.values())
    share = injected / faults.requests
    assert 0.2 < share < 0.4, f"{share:.0%} of requests faulted"
    assert set(faults.by_kind) == {kind.value}
    # Every fault the collection met was retried and none exhausted a call; the statistics say so.
    # (Calls the lab answers itself, in place of moto, take the lab's answer over the fault's: its
    # handlers are registered for the operation, more specific than the injector's. About ten.)
    statistics = faulted.snapshot.statistics
    retried = statistics["retried_operations"]
    assert set(statistics["retries"]) == {retried_as} and statistics["gave_up"] == {}
    assert sum(retried.values()) == statistics["retries"][retried_as]
    assert all(count <= faults.injected[operation] for operation, count in retried.items()), retried
    unanswered = {op: n - retried.get(op, 0) for op, n in faults.injected.items() if n != retried.get(op, 0)}
    assert sum(retried.values()) >= 0.8 * injected, unanswered
    print(
        f"\nsoak ({kind.value}): {faults.requests} requests, {injected} faulted ({share:.1%}); "
        f"scan {faulted.seconds:.1f} s vs {clean_scan.seconds:.1f} s clean; not retried: {unanswered}"
    )


def test_mixed_transient_faults_change_no_finding(
    lab: Lab, misconfigured: BuiltScenario, clean_scan: Scan
) -> None:
    faults = FaultInjector(SEED + 1)
    for kind in (FaultKind.SERVER_ERROR, FaultKind.CONNECTION_RESET, FaultKind.READ_TIMEOUT):
        faults.sometimes(kind, 0.1, max_consecutive=1)
    faults.sometimes(FaultKind.THROTTLE, 0.1, max_consecutive=1)
    mixed = scan_lab(lab, misconfigured, [faults.hook])
    _assert_same_findings(mixed, clean_scan)
    assert set(faults.by_kind) == {"throttle", "server-error", "connection-reset", "read-timeout"}
    print(f"\nmixed soak: {faults.requests} requests, faults {dict(sorted(faults.by_kind.items()))}")


def test_the_same_seed_faults_the_same_requests(lab: Lab, misconfigured: BuiltScenario) -> None:
    # EC2 only: the IAM credential report is generated once, so later runs send fewer requests.
    def run(seed: int) -> dict[str, int]:
        faults = FaultInjector(seed).sometimes(FaultKind.SERVER_ERROR, 0.3, max_consecutive=2)
        scan_lab(lab, misconfigured, [faults.hook], selection=select(include=["ec2.*"]))
        return dict(faults.injected)

    first = run(SEED)
    assert first and run(SEED) == first
    assert run(SEED + 7) != first


@pytest.fixture(scope="module")
def failing_scan(lab: Lab, misconfigured: BuiltScenario) -> Scan:
    faults = FaultInjector(SEED)
    for kind, service, operation, region in PERMANENT:
        faults.always(kind, service, operation, region=region)
    return scan_lab(lab, misconfigured, [faults.hook])


def _regions_read(meta: CheckMeta, region: str, collected: list[str], regional: bool) -> list[str]:
    if not regional:
        return [GLOBAL]
    return [region] if meta.scope is Scope.REGION else collected


def test_permanent_failures_are_recorded_where_they_hit_and_nowhere_else(failing_scan: Scan) -> None:
    errors = failing_scan.snapshot.errors
    assert {(e.service, e.operation) for e in errors} == {(p[1], p[2]) for p in PERMANENT}
    for error in errors:
        _, _, _, region = next(p for p in PERMANENT if (p[1], p[2]) == (error.service, error.operation))
        assert region in (None, error.region), error


def test_no_pass_rests_on_a_failed_dataset(failing_scan: Scan) -> None:
    snapshot = failing_scan.snapshot
    failed = {(e.service, e.region, e.dataset): e for e in snapshot.errors if e.resource is None}
    assert failed, "the permanent faults must fail whole datasets"
    registry = all_checks()
    judged = 0
    for finding in failing_scan.result.findings:
        meta = registry[finding.check_id]
        for need in meta.needs:
            if need.optional:
                continue
            for region in _regions_read(meta, finding.region, snapshot.regions, need.regional):
                error = failed.get((need.service, region, need.dataset))
                if error is None:
                    continue
                judged += 1
                assert finding.status not in (Status.PASS, Status.MANUAL), (finding, error)
    assert judged > 0


def _names_a_failure(finding: Finding, errors: list[CollectionError]) -> bool:
    """The reason (operation and error code) is in the message or, for partial judgements, the evidence."""
    said = finding.message + json.dumps(dict(finding.evidence), default=str)
    return any(e.operation in said and e.code in said for e in errors)


def test_only_findings_resting_on_failures_differ_and_none_became_pass(
    failing_scan: Scan, clean_scan: Scan
) -> None:
    errors = failing_scan.snapshot.errors
    clean = {f.id: f for f in clean_scan.result.findings}
    changed = [
        f
        for f in failing_scan.result.findings
        if f.id not in clean or comparable(clean[f.id]) != comparable(f)
    ]
    assert changed, "the permanent faults changed nothing"
    for finding in changed:
        if finding.status is Status.FAIL:
            # A failure that stands on the data that was collected (e.g. a trail that is not
            # multi-region, whatever its unreadable event selectors say) stays a failure.
            assert clean[finding.id].status is Status.FAIL, finding
            continue
        assert finding.status is Status.UNKNOWN, finding
        assert _names_a_failure(finding, errors), finding
    # Findings that vanished were replaced by an UNKNOWN for their check and scope.
    unknown_scopes = {(f.check_id, f.region) for f in changed if f.status is Status.UNKNOWN}
    kept = {f.id for f in failing_scan.result.findings}
    for finding in clean_scan.result.findings:
        if finding.id not in kept:
            assert (finding.check_id, finding.region) in unknown_scopes, finding
    # Every injected failure made at least one result UNKNOWN, but those of the monitoring chain:
    # the account's only trail delivers to no log group, so monitoring fails before reaching them.
    unknown = [f for f in changed if f.status is Status.UNKNOWN]
    for kind, _, operation, _ in PERMANENT:
        if operation in ("DescribeMetricFilters", "ListSubscriptions"):
            continue
        assert any(operation in f.message + json.dumps(dict(f.evidence)) for f in unknown), (kind, operation)


@pytest.mark.parametrize("name", [*FORMATS, "console"])
def test_every_report_and_the_summary_list_the_collection_errors(failing_scan: Scan, name: str) -> None:
    model = build_report_model(failing_scan.result)
    if name == "console":
        terminal = Console(file=io.StringIO(), width=400, record=True)
        print_summary(model, terminal)
        text = terminal.export_text()
    else:
        text = renderer(name)(model).decode("utf-8-sig")
    for error in failing_scan.snapshot.errors:
        assert error.operation in text and error.code in text, error


def test_the_json_report_lists_every_collection_error_verbatim(failing_scan: Scan) -> None:
    listed = json.loads(renderer("json")(build_report_model(failing_scan.result)))["collection_errors"]
    assert listed == [e.to_json() for e in failing_scan.snapshot.errors]


def test_exit_code_for_an_incomplete_audit(failing_scan: Scan, clean_scan: Scan) -> None:
    incomplete = build_report_model(failing_scan.result)
    complete = build_report_model(clean_scan.result)
    assert exit_code(incomplete, None, fail_on_unknown=True) == ExitCode.INCOMPLETE
    assert exit_code(incomplete, None, fail_on_unknown=False) == ExitCode.OK
    assert exit_code(complete, None, fail_on_unknown=True) == ExitCode.OK
    # A known failure is the more specific signal and wins over incompleteness.
    assert exit_code(incomplete, Severity.LOW, fail_on_unknown=True) == ExitCode.FAILURES

"""The runner fails closed: missing data and crashing checks become UNKNOWN, never PASS."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import REGISTRY, CheckDefinitionError, CheckMeta, Needs, Scope, check
from awsaudit.checks.runner import run_checks
from awsaudit.config import AuditConfig
from awsaudit.findings import Severity, Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder


@pytest.fixture
def registered() -> Iterator[list[str]]:
    """Temporary checks, removed from the registry after the test."""
    added: list[str] = []
    before = set(REGISTRY)
    yield added
    for key in set(REGISTRY) - before:
        del REGISTRY[key]


def _define(check_id: str, scope: Scope, needs: list[Needs], body: object) -> CheckMeta:
    check(
        id=check_id,
        title="t",
        severity=Severity.HIGH,
        needs=needs,
        rationale="r",
        remediation="fix",
        scope=scope,
    )(body)  # type: ignore[arg-type]
    return REGISTRY[check_id]


def test_missing_dataset_gives_unknown_with_reason_per_region(registered: list[str]) -> None:
    def judge(ctx: CheckContext) -> Iterator[Result]:
        for group in ctx.dataset("ec2", "SecurityGroups"):
            yield ctx.passed(group["GroupId"], "ok")

    meta = _define("test.regional", Scope.REGION, [Needs("ec2", "SecurityGroups", regional=True)], judge)
    snapshot = (
        SnapshotBuilder(regions=("eu-west-1", "us-east-1"))
        .with_dataset("ec2", "SecurityGroups", [{"GroupId": "sg-1"}], region="eu-west-1")
        .with_error("ec2", "SecurityGroups", region="us-east-1", code="UnauthorizedOperation")
        .build()
    )
    findings = run_checks(snapshot, [meta], AuditConfig())
    by_region = {f.region: f for f in findings}
    assert by_region["eu-west-1"].status is Status.PASS
    unknown = by_region["us-east-1"]
    assert unknown.status is Status.UNKNOWN
    assert "UnauthorizedOperation" in unknown.message
    assert unknown.resource == f"arn:aws:test:us-east-1:{ACCOUNT_ID}:account"


def test_not_collected_mid_check_discards_partial_results(registered: list[str]) -> None:
    def judge(ctx: CheckContext) -> Iterator[Result]:
        yield ctx.passed("first", "judged before the gap")
        ctx.global_dataset("iam", "CredentialReport")
        yield ctx.passed("second", "never reached")

    meta = _define("test.partial", Scope.ACCOUNT, [], judge)
    findings = run_checks(SnapshotBuilder().build(), [meta], AuditConfig())
    assert [(f.status, f.resource) for f in findings] == [(Status.UNKNOWN, f"arn:aws:iam::{ACCOUNT_ID}:root")]


def test_crashing_check_is_unknown_not_a_crash(registered: list[str]) -> None:
    def judge(ctx: CheckContext) -> Iterator[Result]:
        raise KeyError("Unexpected")
        yield  # pragma: no cover

    meta = _define("test.crash", Scope.ACCOUNT, [], judge)
    [finding] = run_checks(SnapshotBuilder().build(), [meta], AuditConfig())
    assert finding.status is Status.UNKNOWN
    assert "KeyError" in finding.message


def test_each_makes_only_the_item_with_missing_data_unknown(registered: list[str]) -> None:
    def judge(ctx: CheckContext) -> Iterator[Result]:
        buckets = ctx.global_dataset("s3", "Buckets")

        def one(bucket: dict[str, object]) -> Result:
            policy = ctx.field(bucket, "Policy")
            return ctx.passed(str(bucket["Name"]), f"policy {policy}")

        yield from ctx.each(buckets, lambda b: str(b["Name"]), one)

    meta = _define("test.each", Scope.ACCOUNT, [Needs("s3", "Buckets")], judge)
    buckets = [
        {"Name": "good", "Policy": None},
        {
            "Name": "bad",
            "_errors": {"Policy": {"operation": "GetBucketPolicy", "code": "AccessDenied", "message": ""}},
        },
    ]
    snapshot = SnapshotBuilder().with_dataset("s3", "Buckets", buckets).build()
    statuses = {f.resource: f.status for f in run_checks(snapshot, [meta], AuditConfig())}
    assert statuses == {"good": Status.PASS, "bad": Status.UNKNOWN}


def test_results_are_sorted_and_ids_stable(registered: list[str]) -> None:
    def judge(ctx: CheckContext) -> Iterator[Result]:
        yield ctx.failed("b", "x")
        yield ctx.failed("a", "x")

    meta = _define("test.order", Scope.ACCOUNT, [], judge)
    first = run_checks(SnapshotBuilder().build(), [meta], AuditConfig())
    second = run_checks(SnapshotBuilder().build(), [meta], AuditConfig())
    assert [f.resource for f in first] == ["a", "b"]
    assert [f.id for f in first] == [f.id for f in second]


def test_findings_are_in_one_stable_sort_order_across_checks_and_regions(registered: list[str]) -> None:
    def judge(ctx: CheckContext) -> Iterator[Result]:
        # Out of order, an account-wide result among regional ones, and two results on one resource.
        for resource, message in (("r2", "1"), ("r1", "2"), ("r2", "3"), ("r0", "4")):
            yield ctx.passed(resource, f"{ctx.meta.id} {message}")
        yield ctx.passed("r1", "elsewhere", region="ap-south-1")

    later = _define("test.z_later", Scope.REGION, [], judge)
    earlier = _define("test.a_earlier", Scope.REGION, [], judge)
    snapshot = SnapshotBuilder(regions=("us-east-1", "eu-west-1")).build()
    findings = run_checks(snapshot, [later, earlier, later], AuditConfig())
    expected = sorted(findings, key=lambda f: (f.check_id, f.account_id, f.region, f.resource))
    assert [id(f) for f in findings] == [id(f) for f in expected]
    assert [(f.region, f.resource, f.message) for f in findings[:6]] == [
        ("ap-south-1", "r1", "elsewhere"),
        ("ap-south-1", "r1", "elsewhere"),
        ("eu-west-1", "r0", "test.a_earlier 4"),
        ("eu-west-1", "r1", "test.a_earlier 2"),
        ("eu-west-1", "r2", "test.a_earlier 1"),
        ("eu-west-1", "r2", "test.a_earlier 3"),
    ]


def test_duplicate_and_malformed_ids_are_rejected(registered: list[str]) -> None:
    _define("test.dup", Scope.ACCOUNT, [], lambda ctx: [])
    with pytest.raises(CheckDefinitionError, match="duplicate"):
        _define("test.dup", Scope.ACCOUNT, [], lambda ctx: [])
    with pytest.raises(CheckDefinitionError, match="must look like"):
        _define("NoService", Scope.ACCOUNT, [], lambda ctx: [])


def test_derived_analyses_are_shared_within_one_evaluation_only(registered: list[str]) -> None:
    builds: list[str] = []

    def judge(ctx: CheckContext) -> Iterator[Result]:
        def build() -> int:
            builds.append(ctx.meta.id)
            return len(builds)

        yield ctx.passed(f"built-{ctx.derived('test.analysis', build)}", "read the shared analysis")

    first = _define("test.first_reader", Scope.ACCOUNT, [], judge)
    second = _define("test.second_reader", Scope.ACCOUNT, [], judge)
    snapshot = SnapshotBuilder().build()
    findings = run_checks(snapshot, [first, second], AuditConfig())
    assert builds == ["test.first_reader"]
    assert {f.resource for f in findings} == {"built-1"}
    again = run_checks(snapshot, [second], AuditConfig())
    assert builds == ["test.first_reader", "test.second_reader"]
    assert [f.resource for f in again] == ["built-2"]
    assert vars(snapshot).keys().isdisjoint({"derived", "_derived"})


def test_a_missing_dataset_in_a_shared_analysis_is_reported_by_each_reader(registered: list[str]) -> None:
    def judge(ctx: CheckContext) -> Iterator[Result]:
        ctx.derived("test.needs_report", lambda: ctx.global_dataset("iam", "CredentialReport"))
        yield ctx.passed("never", "not reached")

    metas = [_define(f"test.reader_{n}", Scope.ACCOUNT, [], judge) for n in ("a", "b")]
    findings = run_checks(SnapshotBuilder().build(), metas, AuditConfig())
    assert [(f.check_id, f.status) for f in findings] == [
        ("test.reader_a", Status.UNKNOWN),
        ("test.reader_b", Status.UNKNOWN),
    ]


def test_the_runner_leaves_the_garbage_collector_alone(registered: list[str]) -> None:
    seen: list[bool] = []

    def judge(ctx: CheckContext) -> Iterator[Result]:
        seen.append(gc.isenabled())
        yield ctx.passed("gc", "observed the collector")

    meta = _define("test.gc_observer", Scope.ACCOUNT, [], judge)
    assert gc.isenabled()
    run_checks(SnapshotBuilder().build(), [meta], AuditConfig())
    assert seen == [True] and gc.isenabled()

"""A call stuck in throttling stops at its deadline, and so does the whole collection."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import Lab
from awsaudit.snapshot import GLOBAL, Snapshot
from tests.collect.faults import FaultInjector, FaultKind

pytestmark = pytest.mark.lab

THROTTLED = ("kms", "us-east-1", "Keys")
DATASETS = frozenset({"kms/Keys", "iam/AccountSummary", "ec2/Vpcs"})


def _collect(lab: Lab, built: BuiltScenario, **options: Any) -> tuple[Snapshot, float]:
    faults = FaultInjector().always(FaultKind.THROTTLE, "kms", "ListKeys", region="us-east-1")
    started = time.monotonic()
    snapshot = collect(
        boto3.Session(region_name="us-east-1"),
        CollectOptions(
            regions=built.regions,
            datasets=DATASETS,
            endpoint_url=lab.endpoint_url,
            client_hooks=(*lab.client_hooks(), faults.hook),
            **options,
        ),
    )
    return snapshot, time.monotonic() - started


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"call_deadline": 2.0, "max_attempts": 50}, "the call has not succeeded within its deadline of 2 s"),
        ({"deadline": 10.0, "max_attempts": 50}, "the collection deadline of 10 s has passed"),
    ],
    ids=["per-call", "overall"],
)
def test_a_call_throttled_forever_stops_at_the_deadline(
    lab: Lab, misconfigured: BuiltScenario, options: dict[str, float], reason: str
) -> None:
    snapshot, seconds = _collect(lab, misconfigured, **options)
    # 50 attempts of backoff would take minutes; one more attempt and backoff at most follow.
    assert seconds < 60
    throttled = [
        e for e in snapshot.errors if (e.service, e.region, e.dataset) == ("kms", "us-east-1", "Keys")
    ]
    (error,) = throttled
    assert (error.operation, error.code, error.message) == ("ListKeys", "DeadlineExceeded", reason)
    # On a quiet machine every healthy call finishes well inside the deadline; on a heavily loaded
    # one a healthy call may reach it too, and must then fail the same way, never otherwise.
    others = [e for e in snapshot.errors if e is not error]
    assert all(e.code == "DeadlineExceeded" for e in others), others
    if not others:
        assert snapshot.has("kms", "eu-west-1", "Keys") and snapshot.has("iam", GLOBAL, "AccountSummary")

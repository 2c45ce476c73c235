"""Retry decisions: which failures are retried, how long a retry waits, when a call gives up."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from awsaudit.collect.retries import THROTTLING, TRANSIENT, RetryHandler, RetryPolicy, RetryStatistics

STARTED = "test_call_started"


def _operation(service: str, name: str) -> Any:
    client = boto3.client(
        service, region_name="us-east-1", aws_access_key_id="AKIATEST", aws_secret_access_key="test"
    )
    return client.meta.service_model.operation_model(name)


def _kwargs(
    status: int | None = None,
    code: str | None = None,
    exception: Exception | None = None,
    attempts: int = 1,
    started: float | None = None,
    operation: Any = None,
) -> dict[str, Any]:
    response = None
    if status is not None:
        parsed = {"Error": {"Code": code, "Message": ""}} if code else {}
        response = (SimpleNamespace(status_code=status, headers={}), parsed)
    context = {} if started is None else {STARTED: started}
    return {
        "response": response,
        "attempts": attempts,
        "operation": operation or _operation("kms", "ListKeys"),
        "caught_exception": exception,
        "request_dict": {"context": context},
    }


def _handler(policy: RetryPolicy | None = None, call_deadline: float = 120.0) -> RetryHandler:
    return RetryHandler(policy or RetryPolicy(), RetryStatistics(), call_deadline, STARTED)


@pytest.mark.parametrize(
    ("service", "operation", "status", "code", "kind"),
    [
        ("kms", "ListKeys", 400, "ThrottlingException", THROTTLING),
        ("iam", "GetAccountSummary", 400, "Throttling", THROTTLING),
        ("ec2", "DescribeVpcs", 503, "RequestLimitExceeded", THROTTLING),
        ("s3", "ListBuckets", 503, "SlowDown", THROTTLING),
        ("lambda", "ListFunctions", 429, "TooManyRequestsException", THROTTLING),
        ("kms", "ListKeys", 503, "ServiceUnavailable", TRANSIENT),
        ("s3", "ListBuckets", 500, "InternalError", TRANSIENT),
        ("kms", "ListKeys", 504, None, TRANSIENT),
    ],
)
def test_throttling_and_transient_errors_are_retried(
    service: str, operation: str, status: int, code: str | None, kind: str
) -> None:
    handler = _handler()
    delay = handler.needs_retry(**_kwargs(status, code, operation=_operation(service, operation)))
    assert delay is not None and delay >= 0
    assert handler.statistics.to_json()["retries"] == {kind: 1}
    assert handler.statistics.to_json()["retried_operations"] == {f"{service}.{operation}": 1}


@pytest.mark.parametrize(
    "exception",
    [ConnectionClosedError(endpoint_url="https://kms"), ReadTimeoutError(endpoint_url="https://kms")],
)
def test_broken_connections_are_retried(exception: Exception) -> None:
    handler = _handler()
    assert handler.needs_retry(**_kwargs(exception=exception)) is not None
    assert handler.statistics.to_json()["retries"] == {TRANSIENT: 1}


@pytest.mark.parametrize(
    ("status", "code"),
    [(403, "AccessDeniedException"), (400, "ValidationException"), (404, "NotFoundException"), (200, None)],
)
def test_permanent_errors_and_successes_get_one_attempt(status: int, code: str | None) -> None:
    handler = _handler()
    assert handler.needs_retry(**_kwargs(status, code)) is None
    assert handler.statistics.to_json() == {"retries": {}, "gave_up": {}, "retried_operations": {}}


def test_a_call_gives_up_after_its_attempts_and_says_so() -> None:
    handler = _handler(RetryPolicy(max_attempts=4))
    for attempts in (1, 2, 3):
        assert handler.needs_retry(**_kwargs(400, "ThrottlingException", attempts=attempts)) is not None
    assert handler.needs_retry(**_kwargs(400, "ThrottlingException", attempts=4)) is None
    assert handler.statistics.to_json()["retries"] == {THROTTLING: 3}
    assert handler.statistics.to_json()["gave_up"] == {THROTTLING: 1}


def test_backoff_is_full_jitter_under_a_doubling_capped_bound() -> None:
    policy = RetryPolicy(throttling_base=0.1, throttling_cap=5.0, transient_base=0.05, transient_cap=1.0)
    for attempts, bound in ((1, 0.1), (2, 0.2), (3, 0.4), (7, 5.0), (15, 5.0), (200, 5.0)):
        delays = [policy.backoff(THROTTLING, attempts) for _ in range(300)]
        assert all(0 <= d <= bound for d in delays)
        assert max(delays) > bound / 2 and min(delays) < bound / 2  # spread over the range
    assert all(0 <= policy.backoff(TRANSIENT, 10) <= 1.0 for _ in range(300))


def test_no_backoff_sleeps_past_the_call_deadline() -> None:
    policy = RetryPolicy(throttling_base=100.0, throttling_cap=100.0)
    handler = _handler(policy, call_deadline=2.0)
    delay = handler.needs_retry(
        **_kwargs(400, "ThrottlingException", attempts=3, started=time.monotonic() - 1.5)
    )
    assert delay is not None and delay <= 0.51
    # Past the deadline: retried at once, and the next attempt stops with DeadlineExceeded.
    late = handler.needs_retry(**_kwargs(400, "ThrottlingException", started=time.monotonic() - 5))
    assert late == 0.0


def test_sixteen_attempts_outlast_thirty_percent_faults() -> None:
    # The chance that one call meets a fault on every attempt; ~1,000 calls per large scan.
    assert 0.3 ** RetryPolicy().max_attempts * 1000 < 1e-5

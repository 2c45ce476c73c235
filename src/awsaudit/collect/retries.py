"""Retries of throttled and transiently failed calls: many attempts, short capped backoff, deadlines.

botocore's own retry modes give a call 3 to 5 attempts. Under sustained throttling (or the fault
harness's 30 %) one call in a few hundred exhausts them and a dataset is lost: a control turns
UNKNOWN in about every second scan. Its adaptive mode avoids that only by slowing every client
down after each throttle, which made a throttled scan nine times slower than a clean one.

Here a call gets ``max_attempts`` (16) attempts for throttling and transient errors: at a 30 %
fault rate all of them fail for one call in about 230 million. Each retry waits a random time
between zero and an exponentially growing bound (full jitter), capped so that a retried call
does not idle for long; the call's deadline and the collection's deadline still stop it (the
engine checks them before each attempt), and no backoff sleeps past the call's deadline.
Anything else (AccessDenied, a validation error, an unparseable answer) gets one attempt.

Classification is botocore's standard one (error codes, HTTP status, the model's retryable
traits, connection errors). Every retry is counted by kind, and so is every call that ran
out of attempts, for the run's statistics.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.retries import special, standard

THROTTLING = "throttling"
TRANSIENT = "transient"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 16  # per call, the first included
    throttling_base: float = 0.1  # seconds; the bound doubles with each attempt
    throttling_cap: float = 5.0
    transient_base: float = 0.05
    transient_cap: float = 1.0

    def backoff(self, kind: str, attempts: int) -> float:
        """Full jitter: uniform between 0 and min(cap, base × 2^(attempts-1))."""
        if kind == THROTTLING:
            base, cap = self.throttling_base, self.throttling_cap
        else:
            base, cap = self.transient_base, self.transient_cap
        bound = min(cap, base * 2 ** min(attempts - 1, 30))
        return random.uniform(0.0, bound)  # jitter, not a secret


@dataclass
class RetryStatistics:
    """What the retries of one collection did; shared by its clients (thread-safe)."""

    retries: Counter[str] = field(default_factory=Counter)  # kind -> retries
    gave_up: Counter[str] = field(default_factory=Counter)  # kind -> calls out of attempts
    by_operation: Counter[str] = field(default_factory=Counter)  # "service.Operation" -> retries
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note_retry(self, kind: str, operation: str) -> None:
        with self._lock:
            self.retries[kind] += 1
            self.by_operation[operation] += 1

    def note_gave_up(self, kind: str) -> None:
        with self._lock:
            self.gave_up[kind] += 1

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "retries": dict(sorted(self.retries.items())),
                "gave_up": dict(sorted(self.gave_up.items())),
                "retried_operations": dict(sorted(self.by_operation.items())),
            }


_ADAPTER = standard.RetryEventAdapter()
_THROTTLING = standard.ThrottlingErrorDetector(_ADAPTER)
_TRANSIENT = standard.OrRetryChecker(
    [
        standard.TransientRetryableChecker(),
        standard.ModeledRetryableChecker(),
        special.RetryIDPCommunicationError(),
        special.RetryDDBChecksumError(),
    ]
)


def classify(context: Any) -> str | None:
    """THROTTLING, TRANSIENT, or None for a failure a retry cannot cure (or no failure at all)."""
    if _THROTTLING.is_throttling_error_from_context(context):
        return THROTTLING
    if _TRANSIENT.is_retryable(context):
        return TRANSIENT
    return None


class RetryHandler:
    """botocore ``needs-retry`` handler: the seconds to wait before the next attempt, or None."""

    def __init__(
        self,
        policy: RetryPolicy,
        statistics: RetryStatistics,
        call_deadline: float,
        call_started_key: str,
    ) -> None:
        self._policy = policy
        self.statistics = statistics
        self._call_deadline = call_deadline
        self._call_started_key = call_started_key

    def needs_retry(self, **kwargs: Any) -> float | None:
        if kwargs.get("response") is None and kwargs.get("caught_exception") is None:
            return None
        context = _ADAPTER.create_retry_context(**kwargs)
        kind = classify(context)
        if kind is None:
            return None
        attempts = int(kwargs.get("attempts") or 1)
        if attempts >= self._policy.max_attempts:
            self.statistics.note_gave_up(kind)
            return None
        delay = self._policy.backoff(kind, attempts)
        started = (context.request_context or {}).get(self._call_started_key)
        if started is not None:
            # Sleep no longer than the call has left: its next attempt then stops at the deadline.
            left = started + self._call_deadline - time.monotonic()
            delay = max(0.0, min(delay, left + 0.001))
        operation = kwargs.get("operation")
        service = operation.service_model.service_name if operation is not None else "?"
        name = operation.name if operation is not None else "?"
        self.statistics.note_retry(kind, f"{service}.{name}")
        return delay


def install(client: Any, handler: RetryHandler) -> None:
    """Replace the client's botocore retry handler (standard mode) by ``handler``."""
    service_event_name = client.meta.service_model.service_id.hyphenize()
    client.meta.events.unregister(
        f"needs-retry.{service_event_name}", unique_id=f"retry-config-{service_event_name}"
    )
    client.meta.events.register(
        f"needs-retry.{service_event_name}",
        handler.needs_retry,
        unique_id=f"awsaudit-retries-{service_event_name}",
    )

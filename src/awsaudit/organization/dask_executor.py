"""The per-account task on a Dask cluster: one account = one task, credentials for that account only.

The driver assumes the audit role for each account as its turn comes (a window of twice the
cluster's threads is in flight, so credentials are fresh whatever the organization's size) and
submits ``run_account`` with those short-lived credentials, or, with worker credentials, only the
role to assume. The driver's own account is scanned in the driver, so its own keys never leave it.

Faults: the scheduler reruns the task of a worker that dies; ``retries`` reruns a task that raised
(only infrastructure does: the task reports an account's own failures as its outcome, which is
never retried). Each task's key is the scan's session name and the account, and it rewrites the
same files, so a rerun replaces them and the outcomes hold each account once. Interrupting the
driver cancels every outstanding task.

``distributed`` is imported only here, and only when a Dask scan is asked for.
"""

from __future__ import annotations

import importlib
import queue
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future as LocalFuture
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from awsaudit.accounts import AccountCredentials, AccountOutcome, AccountTarget
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.organization.credentials import (
    AuditRoleCredentials,
    CredentialsRefused,
    WorkerRoleAssumption,
)
from awsaudit.errors import AwsauditError
from awsaudit.organization.output import publish, remove_temporary_files
from awsaudit.organization.runner import OutcomeCallback
from awsaudit.organization.task import AccountScanRequest, account_dir, failed, scan_account, unreachable

AccountAccess = AccountCredentials | WorkerRoleAssumption
AccountTask = Callable[[AccountTarget, AccountAccess, AccountScanRequest, str | None], AccountOutcome]
DEFAULT_RETRIES = 2
_POLL_SECONDS = 0.5


class DaskUnavailable(AwsauditError):
    """``--executor dask`` without the ``distributed`` extra installed."""


def run_account(
    target: AccountTarget, access: AccountAccess, request: AccountScanRequest, destination: str | None
) -> AccountOutcome:
    """The task: credentials (given, or assumed with the worker's identity), scan, write; never raises
    for the account's own reasons. Files go under ``request.output_dir``, or are published to
    ``destination`` (a URI); a failed upload raises, so that Dask retries it."""
    started = time.monotonic()
    if isinstance(access, WorkerRoleAssumption):
        try:
            access = access.for_account(target.account_id)
        except CredentialsRefused as refused:
            return unreachable(target, refused.code, refused.message, time.monotonic() - started)
    if destination is None:
        return scan_account(target, access, request)
    with tempfile.TemporaryDirectory(prefix="awsaudit-staging-") as staged:
        outcome = scan_account(target, access, replace(request, output_dir=Path(staged)))
        if not outcome.scanned:
            return outcome
        files = publish(Path(staged), destination)  # <destination>/<account id>/...
    return replace(outcome, files=tuple(files))


class DaskExecutor:
    """Runs every account's task on ``client``'s cluster (an ``AccountExecutor``)."""

    def __init__(
        self,
        client: Any,
        *,
        worker_credentials: bool = False,
        retries: int = DEFAULT_RETRIES,
        task: AccountTask = run_account,
        on_running: Callable[[int], None] | None = None,
    ) -> None:
        self._client = client
        self._worker_credentials = worker_credentials
        self._retries = retries
        self._task = task
        self._on_running = on_running

    def __call__(
        self,
        targets: Sequence[AccountTarget],
        credentials: AuditRoleCredentials,
        request: AccountScanRequest,
        *,
        destination: str | None,
        on_outcome: OutcomeCallback | None,
    ) -> list[AccountOutcome]:
        finished: queue.Queue[tuple[AccountTarget, float, Any]] = queue.Queue()
        waiting, in_flight = deque(targets), {}
        outcomes: dict[str, AccountOutcome] = {}
        driver = ThreadPoolExecutor(1, thread_name_prefix="own-account")

        def record(outcome: AccountOutcome) -> None:
            outcomes[outcome.account_id] = outcome
            if on_outcome is not None:
                on_outcome(outcome)

        def submit(target: AccountTarget) -> None:
            started = time.monotonic()
            try:
                access = self._access(target, credentials)
            except CredentialsRefused as refused:
                record(unreachable(target, refused.code, refused.message, time.monotonic() - started))
                return
            future: Any
            if isinstance(access, AccountCredentials) and access.source == "caller":
                future = driver.submit(run_account, target, access, request, destination)
            else:
                future = self._client.submit(
                    self._task,
                    target,
                    access,
                    request,
                    destination,
                    key=f"{credentials.session_name}-{target.account_id}",
                    retries=self._retries,
                    pure=False,
                )
            in_flight[target.account_id] = future
            future.add_done_callback(lambda done: finished.put((target, started, done)))

        try:
            while waiting or in_flight:
                while waiting and len(in_flight) < self._window():
                    submit(waiting.popleft())
                try:
                    target, started, future = finished.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    self._report_running(in_flight)
                    continue
                del in_flight[target.account_id]
                record(_outcome(target, started, future))
        except BaseException:
            self._client.cancel([f for f in in_flight.values() if not isinstance(f, LocalFuture)])
            raise
        finally:
            driver.shutdown(wait=True, cancel_futures=True)
            if destination is None:  # a killed worker may have left its temp files behind
                remove_temporary_files([account_dir(request.output_dir, t.account_id) for t in targets])
        return [outcomes[t.account_id] for t in targets]

    def _access(self, target: AccountTarget, credentials: AuditRoleCredentials) -> AccountAccess:
        if self._worker_credentials:
            return credentials.for_workers()
        try:
            return credentials.for_account(target.account_id)
        except CredentialsRefused:
            raise
        except Exception as exc:  # a broken credential chain must not stop the other accounts
            _, code, message = describe_failure(exc)
            raise CredentialsRefused(target.account_id, code, message) from None

    def _window(self) -> int:
        """Twice the cluster's threads: workers never starve, and no credentials wait long unused."""
        threads: int = sum(self._client.nthreads().values())
        return max(2, 2 * threads)

    def _report_running(self, in_flight: dict[str, Any]) -> None:
        if self._on_running is None:
            return
        ours = {f.key for f in in_flight.values() if not isinstance(f, LocalFuture)}
        on_workers = sum(len(ours.intersection(keys)) for keys in self._client.processing().values())
        in_driver = sum(1 for f in in_flight.values() if isinstance(f, LocalFuture))
        self._on_running(on_workers + in_driver)


def _outcome(target: AccountTarget, started: float, future: Any) -> AccountOutcome:
    try:
        outcome: AccountOutcome = future.result()
    except Exception as exc:  # retries exhausted, or the worker running it died too often
        return failed(target, f"the task failed on the cluster: {type(exc).__name__}: {exc}", started)
    return outcome


@contextmanager
def dask_client(scheduler: str | None, *, workers: int = 2, threads_per_worker: int = 1) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a LocalCluster (processes, 127.0.0.1) for the run."""
    try:
        distributed: Any = importlib.import_module("distributed")  # imported only when asked for
    except ImportError:
        raise DaskUnavailable(
            "--executor dask needs the distributed extra: pip install 'awsaudit[distributed]'"
        ) from None
    if scheduler is not None:
        with distributed.Client(scheduler) as client:
            yield client
        return
    cluster = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=threads_per_worker,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def dashboard_link(client: Any) -> str | None:
    """The cluster's dashboard, when it serves one (it needs bokeh)."""
    services = client.scheduler_info().get("services", {})
    return str(client.dashboard_link) if "dashboard" in services else None

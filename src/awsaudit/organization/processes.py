"""Accounts scanned in worker processes: a few processes, several accounts in flight in each.

Collection, evaluation and report writing are Python work, and threads of one process share one
core: an organization scan in threads was CPU-bound at about one core (client creation and request
handling are most of it). Here ``processes`` worker processes each run up to ``slots`` accounts at
a time in threads, whose API calls overlap the latency. The driver obtains each account's
credentials and hands the account to the process with the most free slots; the outcome comes back
as soon as the account's files are written. The driver sends no more accounts than its own pool of
``max_accounts_parallel`` threads, so memory stays bounded by the accounts in flight.

Workers start from a forkserver that imported the task once (where the platform has one): a
worker costs a fork, not a fresh interpreter's imports. A forked worker would inherit the
forkserver's environment, from whenever it started: each takes the driver's current one instead
(AWS configuration, proxies, CA bundle), selects the checks once, and sets the garbage collector
as the CLI sets it for its own process (``awsaudit.heap``).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from awsaudit.accounts import AccountCredentials, AccountOutcome, AccountTarget
from awsaudit.errors import AwsauditError
from awsaudit.heap import tune_collector
from awsaudit.organization.task import AccountScanRequest, scan_account

_TASK_MODULE = "awsaudit.organization.task"


class WorkerLost(AwsauditError):
    """A worker process ended while it had accounts in flight."""


def _start_context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Applies if this process has not started a forkserver yet. The main module is multiprocessing's
        # default preload: each worker would import it otherwise (the CLI's, for `awsaudit`).
        context.set_forkserver_preload(["__main__", _TASK_MODULE])
        return context
    return multiprocessing.get_context("spawn")


@dataclass
class _Worker:
    process: Any  # multiprocessing's Process of the chosen context
    connection: Connection
    pending: dict[int, Future[AccountOutcome]] = field(default_factory=dict)
    alive: bool = True


class AccountProcesses:
    """``processes`` worker processes of ``slots`` accounts each; ``scan`` is called from the driver's
    threads (one per account in flight) and blocks until that account's outcome is back."""

    def __init__(self, request: AccountScanRequest, *, processes: int, accounts_in_flight: int) -> None:
        self._request = request
        self._processes = max(1, processes)
        self._slots = max(1, math.ceil(accounts_in_flight / self._processes))
        self._context = _start_context()
        self._lock = threading.Lock()
        self._tickets = itertools.count()
        self._readers: list[threading.Thread] = []
        self._workers = [self._start() for _ in range(self._processes)]

    def _start(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(  # type: ignore[attr-defined]  # every context has Process
            target=_serve,
            args=(theirs, self._request, self._slots, dict(os.environ)),
            name="awsaudit-accounts",
            daemon=True,
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        reader = threading.Thread(target=self._read, args=(worker,), name="account-outcomes", daemon=True)
        reader.start()
        self._readers.append(reader)
        return worker

    def scan(self, target: AccountTarget, credentials: AccountCredentials) -> AccountOutcome:
        """The account's outcome; raises WorkerLost if its process ended before answering."""
        future: Future[AccountOutcome] = Future()
        with self._lock:
            live = [w for w in self._workers if w.alive]
            if len(live) < self._processes:  # a process died: its replacement takes new accounts
                self._workers = [*live, *(self._start() for _ in range(self._processes - len(live)))]
            worker = min(self._workers, key=lambda w: len(w.pending))
            ticket = next(self._tickets)
            worker.pending[ticket] = future
            try:
                worker.connection.send((ticket, target, credentials))
            except OSError:
                del worker.pending[ticket]
                raise WorkerLost(f"the scan process {worker.process.pid} is gone") from None
        return future.result()

    def _read(self, worker: _Worker) -> None:
        while True:
            try:
                ticket, outcome = worker.connection.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future = worker.pending.pop(ticket)
            future.set_result(outcome)
        worker.process.join(timeout=5)
        with self._lock:
            worker.alive = False
            lost = list(worker.pending.values())
            worker.pending.clear()
        for future in lost:
            future.set_exception(
                WorkerLost(f"the scan process {worker.process.pid} ended with code {worker.process.exitcode}")
            )

    def close(self) -> None:
        """Let every process finish and stop (none has an account in flight when the driver's done)."""
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            with contextlib.suppress(OSError):  # already gone
                worker.connection.send(None)
        self._join(workers)

    def abort(self) -> None:
        """Stop every process now (the run is being interrupted): files are written atomically, so an
        account cut short leaves none."""
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            worker.process.terminate()
        self._join(workers)

    def _join(self, workers: list[_Worker]) -> None:
        for worker in workers:
            worker.process.join()
        for reader in self._readers:
            reader.join()
        for worker in workers:
            worker.connection.close()


def _serve(
    connection: Connection, request: AccountScanRequest, slots: int, environment: dict[str, str]
) -> None:
    """Worker process: scan the accounts the driver sends, ``slots`` at a time, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the driver decides
    os.environ.clear()
    os.environ.update(environment)
    tune_collector()
    selection = request.selection()
    sending = threading.Lock()

    def run(ticket: int, target: AccountTarget, credentials: AccountCredentials) -> None:
        outcome = scan_account(target, credentials, request, selection)
        with sending:
            connection.send((ticket, outcome))

    with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="account") as pool:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):  # the driver is gone
                break
            if message is None:
                break
            pool.submit(run, *message)
    gc.freeze()  # the interpreter's exit need not traverse the heap it is about to drop

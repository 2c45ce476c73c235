"""Run the per-account task for every account in a bounded pool (the local executor).

The concurrency budget is shared: ``max_accounts_parallel`` accounts at a time, each collecting
with ``per_account_workers(total, parallel)`` threads, so the API calls in flight stay near
``total`` whatever the number of accounts. Credentials are obtained in the driver, one account at a
time as its turn comes, and handed to the task; the task's outcome is all that is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Protocol

from awsaudit.accounts import AccountCredentials, AccountOutcome, AccountTarget
from awsaudit.audit import Selection
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.organization.credentials import AuditRoleCredentials, CredentialsRefused
from awsaudit.organization.processes import AccountProcesses, WorkerLost
from awsaudit.organization.task import AccountScanRequest, failed, scan_account, unreachable


class CredentialSource(Protocol):
    def for_account(self, account_id: str) -> AccountCredentials: ...


OutcomeCallback = Callable[[AccountOutcome], None]


class AccountExecutor(Protocol):
    """Runs the per-account task for every target elsewhere (a Dask cluster); outcomes in target order.

    ``destination`` is None when the tasks write under ``request.output_dir`` (a local or shared
    directory), or the URI they publish their files to.
    """

    def __call__(
        self,
        targets: Sequence[AccountTarget],
        credentials: AuditRoleCredentials,
        request: AccountScanRequest,
        *,
        destination: str | None,
        on_outcome: OutcomeCallback | None,
    ) -> list[AccountOutcome]: ...


def per_account_workers(total: int, parallel: int) -> int:
    """Each account's share of the total concurrency budget (at least one)."""
    return max(1, total // max(1, parallel))


def scan_accounts(
    targets: Sequence[AccountTarget],
    credentials: CredentialSource,
    request: AccountScanRequest,
    *,
    max_accounts_parallel: int,
    processes: int = 0,
    selection: Selection | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> list[AccountOutcome]:
    """Scan every target; one account's failure never stops the others. Outcomes in target order.

    With ``processes`` > 0 the accounts' tasks run in that many worker processes (never more than
    accounts in flight; organization/processes.py): collection, evaluation and report writing are
    Python work, and threads of one process share one core. Credentials are still obtained here,
    in the driver.
    """
    parallel = max(1, max_accounts_parallel)
    workers = None
    if processes > 0:
        workers = AccountProcesses(request, processes=min(processes, parallel), accounts_in_flight=parallel)
    chosen = None if workers is not None else (selection or request.selection())

    def job(target: AccountTarget) -> AccountOutcome:
        started = time.monotonic()
        try:
            issued = credentials.for_account(target.account_id)
        except CredentialsRefused as refused:
            return unreachable(target, refused.code, refused.message, time.monotonic() - started)
        except Exception as exc:  # a broken credential chain must not stop the other accounts
            _, code, message = describe_failure(exc)
            return unreachable(target, code, message, time.monotonic() - started)
        if workers is None:
            return scan_account(target, issued, request, chosen)
        try:
            return workers.scan(target, issued)
        except WorkerLost as lost:  # its process died: this account failed, the others go on
            return failed(target, str(lost), started)

    outcomes: dict[str, AccountOutcome] = {}
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="account") as pool:
        pending: dict[Future[AccountOutcome], AccountTarget] = {pool.submit(job, t): t for t in targets}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    target = pending.pop(future)
                    outcome = future.result()
                    outcomes[target.account_id] = outcome
                    if on_outcome is not None:
                        on_outcome(outcome)
        except BaseException:
            for future in pending:
                future.cancel()
            if workers is not None:
                workers.abort()  # the threads waiting on them return at once
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    if workers is not None:
        workers.close()
    return [outcomes[t.account_id] for t in targets]

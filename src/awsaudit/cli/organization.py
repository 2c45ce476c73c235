"""`awsaudit scan --organization`: the scope and executor options, progress, the summary and its exit code."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from awsaudit.audit import Selection
from awsaudit.cli.common import console, error_console, split_list
from awsaudit.cli.delivery import AccountAccess, ReportRequest
from awsaudit.collect.organization.credentials import DEFAULT_AUDIT_ROLE
from awsaudit.collect.session import make_session
from awsaudit.config import AuditConfig
from awsaudit.errors import UsageProblem
from awsaudit.exit_codes import organization_verdict
from awsaudit.report.verdict import Recorded, organization_changes_line, print_verdict

if TYPE_CHECKING:  # the organization machinery is imported when an organization scan runs
    from awsaudit.organization.runner import AccountExecutor
    from awsaudit.report.organization_model import OrganizationSummary
    from awsaudit.report.progress import AccountProgress

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class OrganizationScope:
    audit_role: str
    accounts: str | None
    exclude_accounts: str | None
    ous: str | None
    max_accounts_parallel: int

    def narrows(self) -> bool:
        default_role = self.audit_role == DEFAULT_AUDIT_ROLE
        return bool(self.accounts or self.exclude_accounts or self.ous or not default_role)


@dataclass(frozen=True)
class ExecutorChoice:
    executor: str
    scheduler: str | None
    dask_workers: int
    worker_credentials: bool
    account_processes: int = 0  # 0: the accounts run as threads of this process

    def check(self, organization: bool, output_is_uri: bool) -> None:
        if self.executor not in EXECUTORS:
            raise UsageProblem(f"--executor {self.executor!r}: choose {' or '.join(EXECUTORS)}")
        if self.account_processes and (self.executor != "local" or not organization):
            raise UsageProblem("--account-processes sizes --organization --executor local")
        if self.executor == "dask" and not organization:
            raise UsageProblem("--executor dask needs --organization")
        dask_only = self.scheduler is not None or self.worker_credentials or self.dask_workers != 2
        if dask_only and self.executor != "dask":
            raise UsageProblem("--scheduler, --dask-workers and --worker-credentials need --executor dask")
        if self.scheduler is not None and self.dask_workers != 2:
            raise UsageProblem(
                "--dask-workers sizes the local cluster; the cluster at --scheduler has its own"
            )
        if output_is_uri and self.executor != "dask":
            raise UsageProblem("an --output-dir URI needs --organization --executor dask")


def scan_organization_command(
    request: ReportRequest,
    output: str,
    selection: Selection,
    audit_config: AuditConfig,
    scope: OrganizationScope,
    placement: ExecutorChoice,
    access: AccountAccess,
    regions: str | None,
    client_hooks: tuple[Callable[[Any], None], ...],
) -> int:
    # Here, not at the top: a single-account scan never loads the organization scan, Dask's
    # executor or the organization console (about fifty modules).
    from awsaudit.organization.scan import OrganizationScanOptions, scan_organization
    from awsaudit.report.organization_console import print_organization_summary
    from awsaudit.report.progress import AccountProgress

    session = make_session(
        profile=access.profile,
        role_arn=access.role_arn,
        external_id=access.external_id,
        endpoint_url=access.endpoint_url,
    )
    options = OrganizationScanOptions(
        audit_role=scope.audit_role,
        external_id=access.external_id,
        accounts=split_list(scope.accounts) or (),
        exclude_accounts=split_list(scope.exclude_accounts) or (),
        ous=split_list(scope.ous) or (),
        max_accounts_parallel=scope.max_accounts_parallel,
        max_workers=access.max_workers,
        processes=placement.account_processes,
        regions=split_list(regions),
        endpoint_url=access.endpoint_url,
        client_hooks=client_hooks,
    )
    with contextlib.ExitStack() as stack:
        progress = stack.enter_context(
            AccountProgress(error_console, show_running=placement.executor == "dask", hidden=request.quiet)
        )
        executor = None
        if placement.executor == "dask":
            executor = stack.enter_context(_dask_executor(placement, scope, progress))
        scan = scan_organization(
            session,
            selection,
            audit_config,
            output,
            formats=request.formats,
            suppressions=request.suppressions,
            options=options,
            on_targets=progress.start,
            on_outcome=progress.done,
            executor=executor,
        )
    written = list(scan.written)
    if not request.quiet:
        print_organization_summary(scan.summary, console, [], scope.audit_role)
    recorded, changes = _record(request, scan.summary, output) if request.record else (None, None)
    verdict = organization_verdict(scan.summary, request.fail_on, request.fail_on_unknown, scope.audit_role)
    print_verdict(console, verdict, _reports_first(written), recorded, changes)
    return verdict.code


def _reports_first(written: list[str]) -> list[str]:
    """The organization report leads the list: it links to every account's own report."""
    from awsaudit.report.organization_model import ORGANIZATION_REPORT_FILE

    return sorted(written, key=lambda path: (not path.endswith(ORGANIZATION_REPORT_FILE), path))


def _record(request: ReportRequest, summary: OrganizationSummary, output: str) -> tuple[Recorded, str]:
    """Record the run; where it went, and what changed since the organization's previous run."""
    # Lazy on purpose: the store pulls in SQLAlchemy and Alembic, which `--no-store` runs never need.
    from awsaudit.history.organization import since_previous_run
    from awsaudit.organization.history import record_organization_scan
    from awsaudit.store.database import describe, resolve_url

    run_id = record_organization_scan(request.store, summary, request.suppressions, output)
    recorded = Recorded(run_id, describe(resolve_url(request.store)), organization_accounts=len(summary.rows))
    changes = organization_changes_line(
        summary.structure.organization_id, since_previous_run(request.store, run_id)
    )
    return recorded, changes


@contextlib.contextmanager
def _dask_executor(
    placement: ExecutorChoice, scope: OrganizationScope, progress: AccountProgress
) -> Iterator[AccountExecutor]:
    """The cluster at --scheduler, or a local one of --dask-workers processes sharing
    --max-accounts-parallel accounts in flight; its dashboard link is printed when it has one."""
    from awsaudit.organization.dask_executor import DaskExecutor, dashboard_link, dask_client

    threads = max(1, scope.max_accounts_parallel // placement.dask_workers)
    with dask_client(
        placement.scheduler, workers=placement.dask_workers, threads_per_worker=threads
    ) as client:
        link = dashboard_link(client)
        if link:
            error_console.print(f"Dask dashboard: {link}", highlight=False, soft_wrap=True)
        yield DaskExecutor(
            client, worker_credentials=placement.worker_credentials, on_running=progress.running
        )

"""The ``awsaudit`` command line."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from awsaudit import __version__
from awsaudit.cli_history import StoreOpt
from awsaudit.cli_history import register as register_history_commands
from awsaudit.cli_iam import register as register_iam_commands

app = typer.Typer(
    name="awsaudit",
    help="Audit the security configuration of AWS accounts (CIS AWS Foundations and the audit guide).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lab_app = typer.Typer(
    help="The embedded AWS lab (moto) for demos, tests and manual exploration.", no_args_is_help=True
)
app.add_typer(lab_app, name="lab")

console = Console()
error_console = Console(stderr=True)

T = TypeVar("T")


class UsageProblem(Exception):
    """Bad input from the user: reported as one line, exit code 2."""


def _fail(message: str) -> NoReturn:
    error_console.print(f"awsaudit: error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _guard(action: Callable[[], T]) -> T:
    """Run a command body, turning every known input problem into one line and exit code 2."""
    from awsaudit.audit import SelectionError
    from awsaudit.collect.organization.credentials import AuditRoleError
    from awsaudit.collect.organization.discovery import DiscoveryError
    from awsaudit.compliance.frameworks_model import FrameworkError
    from awsaudit.config import ConfigError
    from awsaudit.exit_codes import FailOnError
    from awsaudit.history.compare import DiffError
    from awsaudit.history.trend import TrendError
    from awsaudit.organization.dask_executor import DaskUnavailable
    from awsaudit.organization.model import OrganizationScopeError
    from awsaudit.organization.output import OutputLocationError
    from awsaudit.report.writer import ReportFormatError
    from awsaudit.snapshot import SnapshotError
    from awsaudit.store import StoreError
    from awsaudit.suppressions import SuppressionError

    known: tuple[type[Exception], ...] = (
        UsageProblem,
        DiscoveryError,
        OrganizationScopeError,
        OutputLocationError,
        DaskUnavailable,
        AuditRoleError,
        SelectionError,
        FrameworkError,
        ConfigError,
        SnapshotError,
        SuppressionError,
        StoreError,
        DiffError,
        TrendError,
        ReportFormatError,
        FailOnError,
        OSError,
    )
    try:
        from awsaudit.collect.engine import CollectionFailed

        known = (*known, CollectionFailed)
    except ImportError:  # pragma: no cover - boto3 is a hard dependency
        pass
    try:
        return action()
    except known as problem:
        _fail(str(problem))


def _version(value: bool) -> None:
    if value:
        console.print(f"awsaudit {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """awsaudit: collect → snapshot → checks → findings."""


# ----------------------------------------------------------------- options
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS profile from ~/.aws/config.")]
RegionsOpt = Annotated[
    str | None, typer.Option("--regions", help="Comma-separated regions (default: every enabled region).")
]
RoleOpt = Annotated[str | None, typer.Option("--role-arn", help="Assume this role before collecting.")]
ExternalIdOpt = Annotated[
    str | None,
    typer.Option(
        "--external-id", help="External id for --role-arn (and for --audit-role with --organization)."
    ),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint-url", envvar="AWS_ENDPOINT_URL", help="Send every API call to this endpoint."),
]
WorkersOpt = Annotated[int, typer.Option("--max-workers", min=1, max=256, help="Concurrent API calls.")]
FrameworkOpt = Annotated[
    list[str] | None, typer.Option("--framework", help="Framework id or id@version (repeatable).")
]
ChecksOpt = Annotated[
    list[str] | None, typer.Option("--checks", help="Check ids or globs to run (repeatable).")
]
ExcludeOpt = Annotated[list[str] | None, typer.Option("--exclude-checks", help="Check ids or globs to skip.")]
SeverityOpt = Annotated[str | None, typer.Option("--severity", help="Only checks at or above this severity.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="YAML or TOML file with audit settings.")]
TrustedOpt = Annotated[
    list[str] | None,
    typer.Option("--trusted-cidr", help="A company CIDR (repeatable; overrides the config)."),
]
FormatOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--output-format",
        help="Report formats, repeatable or comma-separated: json, csv, ocsf, asff, junit, markdown, html.",
    ),
]
OutputDirOpt = Annotated[Path, typer.Option("--output-dir", help="Directory the reports are written to.")]
SuppressionsOpt = Annotated[
    Path | None,
    typer.Option("--suppressions", help="YAML file of suppressions (reason and expiry required)."),
]
FailOnOpt = Annotated[
    str | None, typer.Option("--fail-on", help="Exit 1 when a FAIL at or above this severity remains.")
]
FailOnUnknownOpt = Annotated[
    bool, typer.Option("--fail-on-unknown", help="Exit 3 when collection errors left controls UNKNOWN.")
]
NoStoreOpt = Annotated[
    bool, typer.Option("--no-store", help="Do not keep this audit in the history database.")
]
DEFAULT_FORMATS = ["json", "html"]
OrganizationOpt = Annotated[
    bool,
    typer.Option(
        "--organization",
        help="Scan every active account of the organization (management or delegated administrator "
        "credentials), assuming --audit-role in each.",
    ),
]
AuditRoleOpt = Annotated[
    str,
    typer.Option("--audit-role", help="Role name assumed in each member account (with --organization)."),
]
AccountsOpt = Annotated[
    str | None, typer.Option("--accounts", help="Comma-separated account ids: scan only these.")
]
ExcludeAccountsOpt = Annotated[
    str | None, typer.Option("--exclude-accounts", help="Comma-separated account ids to skip.")
]
OusOpt = Annotated[
    str | None,
    typer.Option("--ous", help="Comma-separated OU (or root) ids or names: accounts beneath them only."),
]
AccountsParallelOpt = Annotated[
    int,
    typer.Option(
        "--max-accounts-parallel",
        min=1,
        max=64,
        help="Accounts scanned at once; they share --max-workers (each gets max-workers / this).",
    ),
]

ScanOutputOpt = Annotated[
    str,
    typer.Option(
        "--output-dir",
        help="Directory the reports are written to; with --organization --executor dask also a URI "
        "(s3://bucket/prefix) that every worker can write to.",
    ),
]
ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        help="Where an organization's accounts are scanned: local (threads of this process) or dask.",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Address of an existing Dask scheduler (tcp://HOST:PORT); default: a local cluster for the run.",
    ),
]
DaskWorkersOpt = Annotated[
    int,
    typer.Option(
        "--dask-workers", min=1, max=256, help="Worker processes of the local Dask cluster (no --scheduler)."
    ),
]
WorkerCredentialsOpt = Annotated[
    bool,
    typer.Option(
        "--worker-credentials",
        help="Dask workers assume --audit-role with their own identity instead of receiving credentials.",
    ),
]
EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class ReportRequest:
    """What the user asked of the output side, validated before any work starts."""

    formats: list[str]
    output_dir: Path
    suppressions: tuple[Any, ...]
    fail_on: Any
    fail_on_unknown: bool
    store: str | None = None  # history database URL (None: the default one)
    record: bool = False  # keep this audit in the history store


def _report_request(
    formats: list[str] | None,
    output_dir: Path,
    suppressions: Path | None,
    fail_on: str | None,
    fail_on_unknown: bool,
    store: str | None = None,
    record: bool = False,
) -> ReportRequest:
    from awsaudit.exit_codes import parse_fail_on
    from awsaudit.report.writer import parse_formats
    from awsaudit.suppressions import load_suppressions

    return ReportRequest(
        formats=parse_formats(formats or DEFAULT_FORMATS),
        output_dir=output_dir,
        suppressions=tuple(load_suppressions(suppressions)) if suppressions else (),
        fail_on=parse_fail_on(fail_on),
        fail_on_unknown=fail_on_unknown,
        store=store,
        record=record,
    )


def _deliver(
    result: Any,
    request: ReportRequest,
    extra_written: list[str] | None = None,
    snapshot_path: Path | None = None,
) -> int:
    """Record the audit in the history store, write every report, print the summary, return the exit code."""
    from awsaudit.exit_codes import exit_code
    from awsaudit.report.console import print_summary
    from awsaudit.report.model import build_report_model
    from awsaudit.report.writer import write_reports

    model = build_report_model(result, request.suppressions)
    if request.record:
        from awsaudit.history.report_history import attach_history
        from awsaudit.store import record_audit

        scan_id = record_audit(request.store, model, snapshot_path)
        model = attach_history(request.store, model, scan_id)
    written = [
        *(extra_written or []),
        *(str(p) for p in write_reports(model, request.formats, request.output_dir)),
    ]
    print_summary(model, console, written)
    return int(exit_code(model, request.fail_on, request.fail_on_unknown))


def _split(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _collect(
    profile: str | None,
    regions: str | None,
    role_arn: str | None,
    external_id: str | None,
    endpoint_url: str | None,
    max_workers: int,
    datasets: frozenset[str] | None,
) -> Any:
    from awsaudit.collect.engine import CollectOptions, collect
    from awsaudit.collect.registry import all_specs
    from awsaudit.collect.session import make_session

    if datasets is not None:
        unknown = sorted(datasets - set(all_specs()))
        if unknown:
            raise UsageProblem(f"unknown dataset(s): {', '.join(unknown)} (see docs/snapshot.md)")
    session = make_session(
        profile=profile, role_arn=role_arn, external_id=external_id, endpoint_url=endpoint_url
    )
    options = CollectOptions(
        regions=_split(regions),
        datasets=datasets,
        max_workers=max_workers,
        endpoint_url=endpoint_url,
        client_hooks=_lab_hooks(),
        show_progress=True,
    )
    return collect(session, options)


def _lab_hooks() -> tuple[Any, ...]:
    """When pointed at `awsaudit lab serve`, apply the lab's emulator work-arounds (never against AWS)."""
    import os

    if os.environ.get("AWSAUDIT_LAB_ENDPOINT") and os.environ.get("AWSAUDIT_LAB_ENDPOINT") == os.environ.get(
        "AWS_ENDPOINT_URL"
    ):
        from awsaudit.lab.scenarios.organization import lab_hooks
        from awsaudit.lab.server import Lab

        return lab_hooks(Lab(endpoint_url=os.environ["AWS_ENDPOINT_URL"]))
    return ()


# ---------------------------------------------------------------- commands
@app.command()
def collect(
    output: Annotated[Path, typer.Option("--output", "-o", help="Snapshot file (.json.gz, or .json).")],
    profile: ProfileOpt = None,
    regions: RegionsOpt = None,
    role_arn: RoleOpt = None,
    external_id: ExternalIdOpt = None,
    endpoint_url: EndpointOpt = None,
    max_workers: WorkersOpt = 16,
    datasets: Annotated[
        str | None, typer.Option("--datasets", help="Comma-separated service/Dataset keys (default: all).")
    ] = None,
) -> None:
    """Collect a snapshot of the account (read-only API calls) and save it."""

    def body() -> None:
        from awsaudit.snapshot import save

        wanted = _split(datasets)
        snapshot = _collect(
            profile,
            regions,
            role_arn,
            external_id,
            endpoint_url,
            max_workers,
            None if wanted is None else frozenset(wanted),
        )
        save(snapshot, output)
        calls = sum(snapshot.api_calls.values())
        error_console.print(
            f"Collected account {snapshot.account.account_id} in {len(snapshot.regions)} region(s): "
            f"{calls} API requests in {snapshot.duration_seconds:.1f} s, "
            f"{len(snapshot.errors)} collection error(s). Wrote {output}",
            highlight=False,
            soft_wrap=True,
        )

    _guard(body)


def _audit_config(path: Path | None, trusted: list[str] | None, selection: Any) -> Any:
    """The config file plus overrides; one selected CIS version also sets the monitoring event lists."""
    from awsaudit.config import load_config

    cis = [f.version for f in selection.frameworks if f.id == "cis-aws-foundations"]
    return load_config(
        path,
        {
            "trusted_cidrs": tuple(trusted) if trusted else None,
            "cis_version": cis[0] if len(cis) == 1 else None,
        },
    )


@app.command()
def evaluate(
    snapshot_path: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="A snapshot written by collect.")],
    output_format: FormatOpt = None,
    output_dir: OutputDirOpt = Path("."),
    framework: FrameworkOpt = None,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    severity: SeverityOpt = None,
    config: ConfigOpt = None,
    trusted_cidr: TrustedOpt = None,
    suppressions: SuppressionsOpt = None,
    fail_on: FailOnOpt = None,
    fail_on_unknown: FailOnUnknownOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Audit a saved snapshot offline (no AWS access needed)."""

    def body() -> int:
        from awsaudit.audit import evaluate as run_evaluation
        from awsaudit.audit import select
        from awsaudit.snapshot import load

        request = _report_request(
            output_format, output_dir, suppressions, fail_on, fail_on_unknown, store, not no_store
        )
        selection = select(framework or (), checks or (), exclude_checks or (), severity)
        audit_config = _audit_config(config, trusted_cidr, selection)
        result = run_evaluation(load(snapshot_path), selection, audit_config)
        return _deliver(result, request, snapshot_path=snapshot_path)

    raise typer.Exit(_guard(body))


@app.command()
def scan(
    output_format: FormatOpt = None,
    output_dir: ScanOutputOpt = ".",
    snapshot_out: Annotated[
        Path | None, typer.Option("--snapshot", help="Also save the collected snapshot here.")
    ] = None,
    profile: ProfileOpt = None,
    regions: RegionsOpt = None,
    role_arn: RoleOpt = None,
    external_id: ExternalIdOpt = None,
    endpoint_url: EndpointOpt = None,
    max_workers: WorkersOpt = 16,
    framework: FrameworkOpt = None,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    severity: SeverityOpt = None,
    config: ConfigOpt = None,
    trusted_cidr: TrustedOpt = None,
    suppressions: SuppressionsOpt = None,
    fail_on: FailOnOpt = None,
    fail_on_unknown: FailOnUnknownOpt = False,
    organization: OrganizationOpt = False,
    audit_role: AuditRoleOpt = "OrganizationAccountAccessRole",
    accounts: AccountsOpt = None,
    exclude_accounts: ExcludeAccountsOpt = None,
    ous: OusOpt = None,
    max_accounts_parallel: AccountsParallelOpt = 4,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    dask_workers: DaskWorkersOpt = 2,
    worker_credentials: WorkerCredentialsOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Collect only what the selected checks need, then evaluate and write the reports.

    With --organization: one snapshot and findings file per account under --output-dir/<account-id>/,
    plus organization-summary.json (and organization-report.html with the html format).
    """

    def body() -> int:
        from awsaudit.audit import evaluate as run_evaluation
        from awsaudit.audit import select
        from awsaudit.organization.output import is_uri
        from awsaudit.snapshot import save

        # Organization scans keep per-account files; only single-account audits go to the history store.
        request = _report_request(
            output_format,
            Path(output_dir),
            suppressions,
            fail_on,
            fail_on_unknown,
            store,
            not (no_store or organization),
        )
        selection = select(framework or (), checks or (), exclude_checks or (), severity)
        audit_config = _audit_config(config, trusted_cidr, selection)
        scope = OrganizationScope(audit_role, accounts, exclude_accounts, ous, max_accounts_parallel)
        placement = ExecutorChoice(executor, scheduler, dask_workers, worker_credentials)
        placement.check(organization, is_uri(output_dir))
        if organization:
            if snapshot_out is not None:
                raise UsageProblem("--snapshot names one file; an organization scan writes one per account")
            return _scan_organization(
                request,
                output_dir,
                selection,
                audit_config,
                scope,
                placement,
                profile,
                regions,
                role_arn,
                external_id,
                endpoint_url,
                max_workers,
            )
        if scope.narrows():
            raise UsageProblem("--accounts, --exclude-accounts, --ous and --audit-role need --organization")
        snapshot = _collect(
            profile, regions, role_arn, external_id, endpoint_url, max_workers, selection.dataset_keys()
        )
        saved = save(snapshot, snapshot_out) if snapshot_out is not None else None
        result = run_evaluation(snapshot, selection, audit_config)
        return _deliver(result, request, [str(saved)] if saved else [], snapshot_path=saved)

    raise typer.Exit(_guard(body))


@dataclass(frozen=True)
class OrganizationScope:
    audit_role: str
    accounts: str | None
    exclude_accounts: str | None
    ous: str | None
    max_accounts_parallel: int

    def narrows(self) -> bool:
        default_role = self.audit_role == "OrganizationAccountAccessRole"
        return bool(self.accounts or self.exclude_accounts or self.ous or not default_role)


@dataclass(frozen=True)
class ExecutorChoice:
    executor: str
    scheduler: str | None
    dask_workers: int
    worker_credentials: bool

    def check(self, organization: bool, output_is_uri: bool) -> None:
        if self.executor not in EXECUTORS:
            raise UsageProblem(f"--executor {self.executor!r}: choose {' or '.join(EXECUTORS)}")
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


def _scan_organization(
    request: ReportRequest,
    output: str,
    selection: Any,
    audit_config: Any,
    scope: OrganizationScope,
    placement: ExecutorChoice,
    profile: str | None,
    regions: str | None,
    role_arn: str | None,
    external_id: str | None,
    endpoint_url: str | None,
    max_workers: int,
) -> int:
    from awsaudit.collect.session import make_session
    from awsaudit.organization.scan import OrganizationScanOptions, scan_organization
    from awsaudit.report.organization_console import print_organization_summary

    session = make_session(
        profile=profile, role_arn=role_arn, external_id=external_id, endpoint_url=endpoint_url
    )
    options = OrganizationScanOptions(
        audit_role=scope.audit_role,
        external_id=external_id,
        accounts=_split(scope.accounts) or (),
        exclude_accounts=_split(scope.exclude_accounts) or (),
        ous=_split(scope.ous) or (),
        max_accounts_parallel=scope.max_accounts_parallel,
        max_workers=max_workers,
        regions=_split(regions),
        endpoint_url=endpoint_url,
        client_hooks=_lab_hooks(),
    )
    with contextlib.ExitStack() as stack:
        progress = stack.enter_context(_AccountProgress(show_running=placement.executor == "dask"))
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
    print_organization_summary(scan.summary, console, list(scan.written))
    return _organization_exit_code(scan.summary, request)


@contextlib.contextmanager
def _dask_executor(
    placement: ExecutorChoice, scope: OrganizationScope, progress: _AccountProgress
) -> Iterator[Any]:
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


class _AccountProgress:
    """Accounts done / running / not scanned out of the accounts in scope, on stderr when it is a terminal."""

    def __init__(self, *, show_running: bool = False) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        running = [TextColumn("{task.fields[running]} running")] if show_running else []
        self._bar = Progress(
            TextColumn("accounts"),
            BarColumn(),
            MofNCompleteColumn(),
            *running,
            TextColumn("{task.fields[failed]} not scanned"),
            TimeElapsedColumn(),
            console=error_console,
            transient=True,
            disable=not error_console.is_terminal,
        )
        self._task = self._bar.add_task("accounts", total=0, failed=0, running=0)
        self._failed = 0

    def start(self, targets: Any) -> None:
        self._bar.update(self._task, total=len(targets))

    def running(self, count: int) -> None:
        self._bar.update(self._task, running=count)

    def done(self, outcome: Any) -> None:
        self._failed += not outcome.scanned
        self._bar.update(self._task, advance=1, failed=self._failed)

    def __enter__(self) -> _AccountProgress:
        self._bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._bar.stop()


def _organization_exit_code(summary: Any, request: ReportRequest) -> int:
    """As for one account: FAIL at or above --fail-on gives 1; with --fail-on-unknown any UNKNOWN
    (an account not scanned included) gives 3."""
    from awsaudit.exit_codes import ExitCode

    checks = summary.checks
    statuses = [(check_id, status) for row in summary.rows for check_id, status in row.statuses.items()]
    if request.fail_on is not None and any(
        status == "FAIL" and check_id in checks and checks[check_id].severity.rank >= request.fail_on.rank
        for check_id, status in statuses
    ):
        return int(ExitCode.FAILURES)
    if request.fail_on_unknown and any(status == "UNKNOWN" for _, status in statuses):
        return int(ExitCode.INCOMPLETE)
    return int(ExitCode.OK)


@app.command()
def demo(
    output_dir: OutputDirOpt = Path("awsaudit-demo"),
    scenario: Annotated[str, typer.Option("--scenario", help="Lab scenario to scan.")] = "misconfigured",
) -> None:
    """Scan the embedded lab's deliberately misconfigured account (no AWS account needed)."""

    def body() -> None:
        from awsaudit.audit import select
        from awsaudit.config import AuditConfig

        run_demo = _lab_module("demo").run_demo
        request = _report_request(["json", "csv", "markdown", "html"], output_dir, None, None, False)
        console.print(f"Starting the embedded AWS lab and building the '{scenario}' scenario…")
        run = run_demo(select(), AuditConfig(), scenario)
        _deliver(run.result, request)
        console.print(
            f"The scenario planted {run.planted} problems. Open the report: "
            f"{(output_dir / 'awsaudit-report.html').resolve()}",
            highlight=False,
            soft_wrap=True,
        )

    _guard(body)


@app.command("checks")
def list_checks(
    output_format: Annotated[str, typer.Option("--format", help="table, markdown or json.")] = "table",
) -> None:
    """List every check with its severity, scope and the frameworks that use it."""

    def body() -> None:
        from awsaudit.catalogue import render_checks

        if output_format not in {"table", "markdown", "json"}:
            raise UsageProblem(f"unknown format {output_format!r} (choose table, markdown or json)")
        render_checks(output_format, console)

    _guard(body)


@app.command("frameworks")
def list_frameworks(
    name: Annotated[
        str | None, typer.Argument(help="Show one framework's controls (id or id@version).")
    ] = None,
) -> None:
    """List the compliance frameworks, or the controls of one."""

    def body() -> None:
        from awsaudit.catalogue import render_framework, render_frameworks

        if name is None:
            render_frameworks(console)
        else:
            render_framework(name, console)

    _guard(body)


@app.command()
def permissions() -> None:
    """Print the read-only IAM policy awsaudit needs (every action its collectors call)."""
    from awsaudit.collect.registry import required_actions

    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AwsauditReadOnly", "Effect": "Allow", "Action": required_actions(), "Resource": "*"}
        ],
    }
    sys.stdout.write(json.dumps(policy, indent=2) + "\n")


@lab_app.command("serve")
def lab_serve(
    scenario: Annotated[
        str, typer.Option("--scenario", help="Scenario to build (see `awsaudit lab scenarios`).")
    ] = "misconfigured",
) -> None:
    """Run a lab server with a scenario and print how to point boto3 / the AWS CLI at it."""

    def body() -> None:
        serve = _lab_module("serve").serve
        serve(scenario)

    _guard(body)


@lab_app.command("scenarios")
def lab_scenarios() -> None:
    """List the lab's scenarios."""

    def body() -> None:
        scenarios = _lab_module("scenarios").SCENARIOS
        for name, scenario in sorted(scenarios.items()):
            console.print(f"[bold]{name}[/]: {scenario.description}", highlight=False)

    _guard(body)


def _lab_module(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"awsaudit.lab.{name}")
    except ImportError as exc:
        if "moto" in str(exc):
            raise UsageProblem("the lab needs moto: pip install 'awsaudit[lab]'") from None
        raise


register_iam_commands(app)
register_history_commands(app)


def _terminate(signum: int, _frame: object) -> None:
    # Unwind like Ctrl-C so atomic writers remove their temporary files.
    raise KeyboardInterrupt


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except KeyboardInterrupt:
        error_console.print("awsaudit: interrupted; nothing half-written was left behind")
        sys.exit(130)

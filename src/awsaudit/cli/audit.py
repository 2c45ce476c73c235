"""`awsaudit collect`, `evaluate` and `scan`: one account (or, with --organization, every account)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from awsaudit.account_audit import SnapshotNotKept, audit_collected, audit_saved
from awsaudit.audit import Selection, select
from awsaudit.cli.common import client_hooks, error_console, guard, split_list
from awsaudit.cli.delivery import AccountAccess, deliver, report_request
from awsaudit.cli.options import (
    AccountProcessesOpt,
    AccountsOpt,
    AccountsParallelOpt,
    AuditRoleOpt,
    ChecksOpt,
    ConfigOpt,
    DaskWorkersOpt,
    DebugOpt,
    EndpointOpt,
    ExcludeAccountsOpt,
    ExcludeOpt,
    ExecutorOpt,
    ExternalIdOpt,
    FailOnOpt,
    FailOnUnknownOpt,
    FormatOpt,
    FrameworkOpt,
    NoStoreOpt,
    OrganizationContextOpt,
    OrganizationOpt,
    OusOpt,
    OutputDirOpt,
    ProfileOpt,
    QuietOpt,
    RegionsOpt,
    RoleOpt,
    ScanOutputOpt,
    SchedulerOpt,
    SecurityHubOpt,
    SeverityOpt,
    StoreOpt,
    SuppressionsOpt,
    TrustedOpt,
    WorkerCredentialsOpt,
    WorkersOpt,
)
from awsaudit.cli.organization import ExecutorChoice, OrganizationScope, scan_organization_command
from awsaudit.cli.preflight import known_regions, writable_file
from awsaudit.cli.security_hub import security_hub_sender
from awsaudit.collect.engine import CollectOptions
from awsaudit.collect.engine import collect as collect_snapshot
from awsaudit.collect.organization.credentials import DEFAULT_AUDIT_ROLE
from awsaudit.collect.registry import all_specs
from awsaudit.collect.session import make_session
from awsaudit.config import AuditConfig, load_config
from awsaudit.errors import AwsauditError, UsageProblem
from awsaudit.heap import tune_collector_for_one_account
from awsaudit.organization.output import is_uri
from awsaudit.report.console import print_collection
from awsaudit.report.progress import CollectionBar
from awsaudit.snapshot import Snapshot, save


def _collection(
    ctx: typer.Context,
    access: AccountAccess,
    regions: str | None,
    datasets: frozenset[str] | None,
    progress: CollectionBar,
    fields: Mapping[str, frozenset[str]] | None = None,
) -> tuple[Any, CollectOptions]:
    """The session and the collection options the command line's options describe (``fields``:
    the sub-calls of the selected checks, Selection.dataset_fields; None: every one)."""
    if datasets is not None:
        unknown = sorted(datasets - set(all_specs()))
        if unknown:
            raise UsageProblem(f"unknown dataset(s): {', '.join(unknown)} (see docs/snapshot.md)")
    session = make_session(
        profile=access.profile,
        role_arn=access.role_arn,
        external_id=access.external_id,
        endpoint_url=access.endpoint_url,
    )
    options = CollectOptions(
        regions=split_list(regions),
        datasets=datasets,
        fields=fields or {},
        max_workers=access.max_workers,
        endpoint_url=access.endpoint_url,
        client_hooks=client_hooks(ctx, access.endpoint_url),
        progress=progress,
    )
    return session, options


def _rescue(snapshot: Snapshot, problem: Exception) -> NoReturn:
    """Reports or the store failed after a finished collection: keep the collection, say where, and
    how to finish the audit from it (the problem and the rescue in one line)."""
    stamp = snapshot.collected_at_iso.replace(":", "").replace("-", "")
    target = Path(tempfile.gettempdir()) / f"awsaudit-snapshot-{snapshot.account.account_id}-{stamp}.json.gz"
    try:
        save(snapshot, target)
    except OSError as lost:
        raise ReportsNotWritten(f"{problem}; the collection could not be saved either: {lost}") from None
    raise ReportsNotWritten(
        f"{problem}; the collection was saved to {target}: finish with `awsaudit evaluate {target}`"
    ) from None


class ReportsNotWritten(AwsauditError):
    """The collection finished but its reports (or its history record) could not be written."""


def _audit_config(path: Path | None, trusted: list[str] | None, selection: Selection) -> AuditConfig:
    """The config file plus overrides; one selected CIS version also sets the monitoring event lists."""
    cis = [f.version for f in selection.frameworks if f.id == "cis-aws-foundations"]
    return load_config(
        path,
        {
            "trusted_cidrs": tuple(trusted) if trusted else None,
            "cis_version": cis[0] if len(cis) == 1 else None,
        },
    )


def collect(
    ctx: typer.Context,
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
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Collect a snapshot of the account (read-only API calls) and save it."""

    def body() -> None:
        wanted = split_list(datasets)
        known_regions(split_list(regions))
        writable_file(output, "--output")
        access = AccountAccess(profile, role_arn, external_id, endpoint_url, max_workers)
        with CollectionBar(enabled=not quiet) as progress:
            session, options = _collection(
                ctx, access, regions, None if wanted is None else frozenset(wanted), progress
            )
            snapshot = collect_snapshot(session, options)
        try:
            save(snapshot, output)
        except OSError as problem:
            _rescue(snapshot, problem)
        print_collection(snapshot, str(output), error_console)

    guard(body)


def evaluate(
    ctx: typer.Context,
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
    security_hub: SecurityHubOpt = False,
    profile: ProfileOpt = None,
    role_arn: RoleOpt = None,
    external_id: ExternalIdOpt = None,
    endpoint_url: EndpointOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    organization_context: Annotated[
        Path | None,
        typer.Option(
            "--organization-context",
            help="Judge the account with its organization's facts from this snapshot (one written by "
            "scan --organization, or the management account's).",
        ),
    ] = None,
) -> None:
    """Audit a saved snapshot offline (no AWS access needed).

    With --security-hub the FAIL findings are also imported into Security Hub, with the credentials
    of --profile/--role-arn, which must belong to the snapshot's account.
    """

    def body() -> int:
        if not security_hub and any(value is not None for value in (profile, role_arn, external_id)):
            raise UsageProblem(
                "--profile, --role-arn and --external-id need --security-hub: evaluate is offline"
            )
        request = report_request(
            output_format, output_dir, suppressions, fail_on, fail_on_unknown, store, not no_store, quiet
        )
        selection = select(framework or (), checks or (), exclude_checks or (), severity)
        request.preflight()
        audit_config = _audit_config(config, trusted_cidr, selection)
        tune_collector_for_one_account()
        audit = audit_saved(snapshot_path, selection, audit_config, context_file=organization_context)
        access = AccountAccess(profile, role_arn, external_id, endpoint_url, max_workers=1)
        sender = security_hub_sender(access, client_hooks(ctx, endpoint_url)) if security_hub else None
        return deliver(
            audit.result,
            request,
            snapshot_path=snapshot_path,
            security_hub=sender,
            management_account=audit.management_account,
        )

    raise typer.Exit(guard(body))


def scan(
    ctx: typer.Context,
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
    audit_role: AuditRoleOpt = DEFAULT_AUDIT_ROLE,
    accounts: AccountsOpt = None,
    exclude_accounts: ExcludeAccountsOpt = None,
    ous: OusOpt = None,
    max_accounts_parallel: AccountsParallelOpt = 4,
    executor: ExecutorOpt = "local",
    account_processes: AccountProcessesOpt = 0,
    scheduler: SchedulerOpt = None,
    dask_workers: DaskWorkersOpt = 2,
    worker_credentials: WorkerCredentialsOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    security_hub: SecurityHubOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    organization_context: OrganizationContextOpt = None,
) -> None:
    """Collect only what the selected checks need, then evaluate and write the reports.

    With --organization: one snapshot and findings file per account under --output-dir/<account-id>/,
    plus organization-summary.json (and organization-report.html with the html format).
    """

    def body() -> int:
        # An organization scan is recorded as one run with one scan per account (organization.history).
        request = report_request(
            output_format,
            Path(output_dir),
            suppressions,
            fail_on,
            fail_on_unknown,
            store,
            not no_store,
            quiet,
        )
        selection = select(framework or (), checks or (), exclude_checks or (), severity)
        audit_config = _audit_config(config, trusted_cidr, selection)
        scope = OrganizationScope(audit_role, accounts, exclude_accounts, ous, max_accounts_parallel)
        placement = ExecutorChoice(executor, scheduler, dask_workers, worker_credentials, account_processes)
        placement.check(organization, is_uri(output_dir))
        access = AccountAccess(profile, role_arn, external_id, endpoint_url, max_workers)
        if security_hub and organization:
            raise UsageProblem("--security-hub imports one account's findings; run it without --organization")
        known_regions(split_list(regions))
        if organization:
            if snapshot_out is not None:
                raise UsageProblem("--snapshot names one file; an organization scan writes one per account")
            if organization_context is not None:
                raise UsageProblem(
                    "--organization-context is for one account scanned alone: an organization scan "
                    "collects its context itself"
                )
            if not is_uri(output_dir):
                request.preflight()
            hooks = client_hooks(ctx, endpoint_url)
            return scan_organization_command(
                request, output_dir, selection, audit_config, scope, placement, access, regions, hooks
            )
        if scope.narrows():
            raise UsageProblem("--accounts, --exclude-accounts, --ous and --audit-role need --organization")
        if snapshot_out is not None:
            writable_file(snapshot_out, "--snapshot")
        request.preflight()
        tune_collector_for_one_account()
        context = None
        if organization_context is not None:
            context = _organization_context(ctx, organization_context, audit_config, access)
        try:
            with CollectionBar(enabled=not quiet) as progress:
                session, options = _collection(
                    ctx, access, regions, selection.dataset_keys(), progress, selection.dataset_fields()
                )
                audit = audit_collected(
                    session, options, selection, audit_config, context=context, keep=snapshot_out
                )
        except SnapshotNotKept as unsaved:
            _rescue(unsaved.snapshot, unsaved.problem)
        sender = security_hub_sender(access, client_hooks(ctx, endpoint_url)) if security_hub else None
        saved = audit.snapshot_path
        try:
            return deliver(
                audit.result,
                request,
                [str(saved)] if saved else [],
                snapshot_path=saved,
                security_hub=sender,
                management_account=audit.management_account,
            )
        except (OSError, AwsauditError) as problem:
            if saved is not None:
                raise
            _rescue(audit.snapshot, problem)

    raise typer.Exit(guard(body))


def _organization_context(
    ctx: typer.Context, source: str, config: AuditConfig, access: AccountAccess
) -> dict[str, Any]:
    """The organization's facts for a member scanned alone (see organization.member_context)."""
    # Imported here: a scan without --organization-context never loads the organization machinery.
    from awsaudit.organization.member_context import obtain_context

    def caller_session() -> Any:
        return make_session(
            profile=access.profile,
            role_arn=access.role_arn,
            external_id=access.external_id,
            endpoint_url=access.endpoint_url,
        )

    return obtain_context(
        source,
        config,
        caller_session=caller_session,
        home_region=caller_session().region_name or "us-east-1",
        endpoint_url=access.endpoint_url,
        client_hooks=client_hooks(ctx, access.endpoint_url),
        max_workers=min(8, access.max_workers),
    )


def register(app: typer.Typer) -> None:
    """Add the audit commands to a command line (the lab group adds collect and scan a second time)."""
    app.command()(collect)
    app.command()(evaluate)
    app.command()(scan)

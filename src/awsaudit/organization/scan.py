"""An organization scan from end to end: discover, scan every account in scope, judge, write."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from awsaudit.accounts import AccountOutcome, AccountTarget, OrganizationStructure
from awsaudit.audit import Selection
from awsaudit.collect.organization.credentials import DEFAULT_AUDIT_ROLE, AuditRoleCredentials
from awsaudit.collect.organization.discovery import discover, select_targets
from awsaudit.config import AuditConfig
from awsaudit.organization.context import collect_context
from awsaudit.organization.output import OutputLocationError, is_uri, join, staging
from awsaudit.organization.runner import AccountExecutor, per_account_workers, scan_accounts
from awsaudit.organization.summary import ORGANIZATION_DIR, summarize, write_summary
from awsaudit.organization.task import FINDINGS_FILE, AccountScanRequest
from awsaudit.redaction import redact_bytes
from awsaudit.report.json_report import render_json
from awsaudit.report.model import build_report_model
from awsaudit.report.organization_model import ORGANIZATION_PAGE_FROM_REPORTS, OrganizationSummary
from awsaudit.report.writer import write_reports
from awsaudit.snapshot import now_utc, write_private_atomic
from awsaudit.suppressions import Suppression


@dataclass(frozen=True)
class OrganizationScanOptions:
    audit_role: str = DEFAULT_AUDIT_ROLE
    external_id: str | None = None
    accounts: tuple[str, ...] = ()
    exclude_accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    max_accounts_parallel: int = 4
    max_workers: int = 16  # the whole scan's concurrent API calls, shared by the accounts in flight
    processes: int = 0  # worker processes for the accounts (runner.scan_accounts); 0: threads of this one
    regions: tuple[str, ...] | None = None
    endpoint_url: str | None = None
    client_hooks: tuple[Callable[[Any], None], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class OrganizationScan:
    summary: OrganizationSummary
    written: tuple[str, ...]


def new_scan_id() -> str:
    """Time-ordered and unique: ``20261128T153000Z-1a2b3c``."""
    return f"{now_utc().strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def scan_organization(
    session: Any,  # the boto3 Session of the management (or delegated administrator) account
    selection: Selection,
    config: AuditConfig,
    output_dir: Path | str,
    *,
    formats: Sequence[str] = ("json",),
    suppressions: Sequence[Suppression] = (),
    options: OrganizationScanOptions = OrganizationScanOptions(),
    on_targets: Callable[[Sequence[AccountTarget]], None] | None = None,
    on_outcome: Callable[[AccountOutcome], None] | None = None,
    executor: AccountExecutor | None = None,
) -> OrganizationScan:
    """Scan with the local runner, or with ``executor`` (e.g. a Dask cluster).

    ``output_dir`` is a directory, or a URI (``s3://bucket/prefix``) when an executor is given: the
    tasks publish each account's files there and the driver its summary files.
    """
    if is_uri(output_dir) and executor is None:
        raise OutputLocationError(f"{output_dir} is a URI: writing there needs --executor dask")
    with staging(output_dir) as local_dir:
        scan = _scan(
            session,
            selection,
            config,
            local_dir,
            formats,
            suppressions,
            options,
            on_targets,
            on_outcome,
            executor,
            str(output_dir) if is_uri(output_dir) else None,
        )
    if not is_uri(output_dir):
        return scan
    relative = (Path(p).relative_to(local_dir).as_posix() for p in scan.written)
    return OrganizationScan(scan.summary, tuple(join(str(output_dir), r) for r in relative))


def _scan(
    session: Any,  # the boto3 Session of the management (or delegated administrator) account
    selection: Selection,
    config: AuditConfig,
    output_dir: Path,
    formats: Sequence[str],
    suppressions: Sequence[Suppression],
    options: OrganizationScanOptions,
    on_targets: Callable[[Sequence[AccountTarget]], None] | None,
    on_outcome: Callable[[AccountOutcome], None] | None,
    executor: AccountExecutor | None,
    destination: str | None,
) -> OrganizationScan:
    started_at, started = now_utc(), time.monotonic()
    structure = discover(session, endpoint_url=options.endpoint_url, client_hooks=options.client_hooks)
    targets = select_targets(structure, options.accounts, options.exclude_accounts, options.ous)
    if on_targets is not None:
        on_targets(targets)
    scan_id = new_scan_id()
    credentials = AuditRoleCredentials(
        session,
        role_name=options.audit_role,
        caller_account_id=structure.caller_account_id,
        partition=structure.partition,
        scan_id=scan_id,
        external_id=options.external_id,
        endpoint_url=options.endpoint_url,
        client_hooks=options.client_hooks,
        pool=options.max_accounts_parallel,
    )
    context, _ = collect_context(
        session,
        config,
        home_region=session.region_name or "us-east-1",
        endpoint_url=options.endpoint_url,
        client_hooks=options.client_hooks,
        max_workers=min(8, options.max_workers),
    )
    request = AccountScanRequest.for_selection(
        selection,
        output_dir,
        config=config,
        regions=options.regions,
        max_workers=per_account_workers(options.max_workers, options.max_accounts_parallel),
        formats=tuple(formats),
        suppressions=tuple(suppressions),
        endpoint_url=options.endpoint_url,
        home_region=session.region_name or "us-east-1",
        client_hooks=options.client_hooks,
        organization_context=context,
        management_account=structure.management_account_id,
    )
    if executor is None:
        outcomes = scan_accounts(
            targets,
            credentials,
            request,
            max_accounts_parallel=options.max_accounts_parallel,
            processes=options.processes,
            selection=selection,
            on_outcome=on_outcome,
        )
    else:
        outcomes = executor(targets, credentials, request, destination=destination, on_outcome=on_outcome)
    summary, snapshot = summarize(
        structure,
        selection,
        config,
        targets,
        outcomes,
        role_arn_of=_role_arns(structure, targets, credentials),
        scan_id=scan_id,
        started_at=started_at,
        seconds=time.monotonic() - started,
        caller_arn=structure.caller_arn,
    )
    written = write_summary(summary, snapshot, output_dir)
    written += _organization_reports(summary, formats, suppressions, output_dir)
    return OrganizationScan(summary, tuple(str(path) for path in written))


def _role_arns(
    structure: OrganizationStructure, targets: Sequence[AccountTarget], credentials: AuditRoleCredentials
) -> dict[str, str]:
    return {
        t.account_id: credentials.role_arn(t.account_id)
        for t in targets
        if t.account_id != structure.caller_account_id
    }


def _organization_reports(
    summary: OrganizationSummary,
    formats: Sequence[str],
    suppressions: Sequence[Suppression],
    output_dir: Path,
) -> list[Path]:
    """The organization checks' findings as a report of their own, and the organization HTML page."""
    # Lazy like report.writer's formats: Jinja2 only when the html format is asked for.
    from awsaudit.report.organization_html import (
        ACCOUNT_REPORT_FILE,
        ORGANIZATION_REPORT_FILE,
        render_organization_html,
    )

    model = replace(
        build_report_model(summary.organization_result, suppressions),
        organization_page=ORGANIZATION_PAGE_FROM_REPORTS,
    )
    directory = output_dir / ORGANIZATION_DIR
    findings = directory / FINDINGS_FILE
    write_private_atomic(findings, redact_bytes(render_json(model)))
    written = [findings, *write_reports(model, [f for f in formats if f != "json"], directory)]
    if "html" in formats:
        page = output_dir / ORGANIZATION_REPORT_FILE
        organization_report = f"{ORGANIZATION_DIR}/{ACCOUNT_REPORT_FILE}"
        write_private_atomic(page, redact_bytes(render_organization_html(summary, organization_report)))
        written.append(page)
    return written

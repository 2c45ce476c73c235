"""What the audit commands share: the validated output request, delivering an audit, account access."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from awsaudit.audit import AuditResult
from awsaudit.cli.common import console
from awsaudit.exit_codes import delivery_exit_code, exit_code, parse_fail_on
from awsaudit.findings import Severity
from awsaudit.report.console import print_summary
from awsaudit.report.model import ReportModel, build_report_model
from awsaudit.report.writer import parse_formats, write_reports
from awsaudit.suppressions import Suppression, load_suppressions

DEFAULT_FORMATS = ["json", "html"]


@dataclass(frozen=True)
class ReportRequest:
    """What the user asked of the output side, validated before any work starts."""

    formats: list[str]
    output_dir: Path
    suppressions: tuple[Suppression, ...]
    fail_on: Severity | None
    fail_on_unknown: bool
    store: str | None = None  # history database URL (None: the default one)
    record: bool = False  # keep this audit in the history store


def report_request(
    formats: list[str] | None,
    output_dir: Path,
    suppressions: Path | None,
    fail_on: str | None,
    fail_on_unknown: bool,
    store: str | None = None,
    record: bool = False,
) -> ReportRequest:
    return ReportRequest(
        formats=parse_formats(formats or DEFAULT_FORMATS),
        output_dir=output_dir,
        suppressions=tuple(load_suppressions(suppressions)) if suppressions else (),
        fail_on=parse_fail_on(fail_on),
        fail_on_unknown=fail_on_unknown,
        store=store,
        record=record,
    )


def deliver(
    result: AuditResult,
    request: ReportRequest,
    extra_written: list[str] | None = None,
    snapshot_path: Path | None = None,
    security_hub: Callable[[ReportModel], bool] | None = None,
) -> int:
    """Record the audit in the history store, write every report, print the summary, return the exit code.

    ``security_hub`` sends the findings on (``--security-hub``) and says whether every region took them.
    """
    model = build_report_model(result, request.suppressions)
    if request.record:
        # Lazy on purpose: the store pulls in SQLAlchemy and Alembic, which `--no-store` runs never need.
        from awsaudit.history.report_history import attach_history
        from awsaudit.store import record_audit

        scan_id = record_audit(request.store, model, snapshot_path)
        model = attach_history(request.store, model, scan_id)
    written = [
        *(extra_written or []),
        *(str(p) for p in write_reports(model, request.formats, request.output_dir)),
    ]
    print_summary(model, console, written)
    verdict = int(exit_code(model, request.fail_on, request.fail_on_unknown))
    if security_hub is None:
        return verdict
    return delivery_exit_code(verdict, security_hub(model))


@dataclass(frozen=True)
class AccountAccess:
    """How to reach the account: credentials, endpoint and how many API calls run at once."""

    profile: str | None
    role_arn: str | None
    external_id: str | None
    endpoint_url: str | None
    max_workers: int

"""What the audit commands share: the validated output request, delivering an audit, account access."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from awsaudit.audit import AuditResult
from awsaudit.cli.common import console
from awsaudit.cli.preflight import usable_store, writable_directory
from awsaudit.exit_codes import account_verdict, delivery_verdict, parse_fail_on
from awsaudit.findings import Severity
from awsaudit.interrupts import deferred_interrupts
from awsaudit.report.console import print_summary
from awsaudit.report.model import ReportModel, build_report_model
from awsaudit.report.verdict import Recorded, changes_line, print_verdict
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
    quiet: bool = False  # print only the closing verdict block

    def preflight(self) -> None:
        """Prove the reports and the history store can be written before any work starts."""
        writable_directory(self.output_dir, "--output-dir")
        if self.record:
            usable_store(self.store)


def report_request(
    formats: list[str] | None,
    output_dir: Path,
    suppressions: Path | None,
    fail_on: str | None,
    fail_on_unknown: bool,
    store: str | None = None,
    record: bool = False,
    quiet: bool = False,
) -> ReportRequest:
    return ReportRequest(
        formats=parse_formats(formats or DEFAULT_FORMATS),
        output_dir=output_dir,
        suppressions=tuple(load_suppressions(suppressions)) if suppressions else (),
        fail_on=parse_fail_on(fail_on),
        fail_on_unknown=fail_on_unknown,
        store=store,
        record=record,
        quiet=quiet,
    )


def deliver(
    result: AuditResult,
    request: ReportRequest,
    extra_written: list[str] | None = None,
    snapshot_path: Path | None = None,
    security_hub: Callable[[ReportModel], bool] | None = None,
    management_account: str | None = None,
) -> int:
    """Record the audit in the history store, write every report, print the summary, return the exit code.

    ``security_hub`` sends the findings on (``--security-hub``) and says whether every region took them.
    ``management_account``: the organization's, when the audit was judged with its context.
    """
    model = build_report_model(result, request.suppressions)
    model, paths, recorded = _record_and_write(model, request, snapshot_path, management_account)
    written = [*(extra_written or []), *(str(p) for p in paths)]
    if not request.quiet:
        print_summary(model, console)
        if model.below_severity:
            console.print(
                f"{model.below_severity} finding(s) below --severity were left out "
                "(their evidence lowered them below the checks' severity)",
                highlight=False,
                soft_wrap=True,
            )
    verdict = account_verdict(model, request.fail_on, request.fail_on_unknown)
    if security_hub is not None:
        verdict = delivery_verdict(verdict, security_hub(model))
    print_verdict(console, verdict, written, recorded, changes_line(model, recorded))
    return verdict.code


def _record_and_write(
    model: ReportModel, request: ReportRequest, snapshot_path: Path | None, management_account: str | None
) -> tuple[ReportModel, list[Path], Recorded | None]:
    """Write the reports; with the store, the scan stays recorded only if all of them were written.

    The HTML report shows this scan in its history, so the scan is recorded first; should writing
    the reports then fail or be interrupted, the scan is removed again (interrupts held back
    meanwhile), and the store never holds an audit whose reports do not exist.
    """
    if not request.record:
        return model, write_reports(model, request.formats, request.output_dir), None
    # Lazy on purpose: the store pulls in SQLAlchemy and Alembic, which `--no-store` runs never need.
    from awsaudit.history.report_history import attach_history
    from awsaudit.store import ScanLink, forget_audit, record_audit
    from awsaudit.store.database import describe, resolve_url

    scan_id = record_audit(
        request.store, model, snapshot_path, ScanLink(management_account_id=management_account)
    )
    try:
        model = attach_history(request.store, model, scan_id)
        written = write_reports(model, request.formats, request.output_dir)
    except BaseException:
        with deferred_interrupts():
            forget_audit(request.store, scan_id)
        raise
    return model, written, Recorded(scan_id, describe(resolve_url(request.store)))


@dataclass(frozen=True)
class AccountAccess:
    """How to reach the account: credentials, endpoint and how many API calls run at once."""

    profile: str | None
    role_arn: str | None
    external_id: str | None
    endpoint_url: str | None
    max_workers: int

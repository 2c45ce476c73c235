"""Record an organization scan in the history store: the run, one scan per scanned account, and the
organization checks' own scan, linked together.

The driver never holds the accounts' findings (memory stays flat in the number of accounts), so each
account's scan is read back from the findings.json its task wrote, one account at a time, inside the
one transaction that records the whole run. An account's scan is its account-local view (what
``awsaudit evaluate`` on its snapshot says); the organization summary's resolved statuses are the
organization run's, not the account's.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from awsaudit import __version__
from awsaudit.findings import Severity
from awsaudit.organization.output import is_uri
from awsaudit.organization.task import FINDINGS_FILE, SNAPSHOT_FILE
from awsaudit.report.model import build_report_model
from awsaudit.report.organization_model import AccountRow, OrganizationSummary
from awsaudit.scan_records import SKIPPED
from awsaudit.store import (
    AccountScanEntry,
    OrganizationRunEntry,
    OrganizationRunId,
    StoreError,
    open_store,
)
from awsaudit.store.content import content_of_model, content_of_report_data
from awsaudit.store.store import sha256_of
from awsaudit.suppressions import Suppression


def record_organization_scan(
    store_url: str | None,
    summary: OrganizationSummary,
    suppressions: Sequence[Suppression] = (),
    output_location: str | None = None,
) -> OrganizationRunId:
    """Record the run; returns its id (``awsaudit history --organization`` lists it)."""
    entry = organization_run_entry(summary, suppressions, output_location)
    with open_store(store_url) as store:
        return store.record_organization(entry)


def organization_run_entry(
    summary: OrganizationSummary,
    suppressions: Sequence[Suppression] = (),
    output_location: str | None = None,
) -> OrganizationRunEntry:
    structure = summary.structure
    accounts: list[dict[str, Any]] = [_account(row) for row in summary.rows]
    for target in summary.not_scanned:
        reason = "outside the requested scope" if target.active else f"account status {target.status}"
        accounts.append(
            {
                "account_id": target.account_id,
                "name": target.name,
                "status": SKIPPED,
                "reason": reason,
                "ou_path": list(target.ou_path),
            }
        )
    organization_model = build_report_model(summary.organization_result, suppressions)
    return OrganizationRunEntry(
        run_key=summary.scan_id,
        organization_id=structure.organization_id,
        management_account_id=structure.management_account_id,
        caller_arn=structure.caller_arn,
        started_at=summary.started_at,
        seconds=summary.seconds,
        tool_version=__version__,
        accounts=tuple(accounts),
        account_scans=lambda: _account_scans(summary.rows, organization_model.min_severity),
        organization_scan=content_of_model(organization_model),
        output_location=output_location,
    )


def _account(row: AccountRow) -> dict[str, Any]:
    return {
        "account_id": row.target.account_id,
        "name": row.target.name,
        "status": row.outcome.status.value,
        "reason": row.outcome.reason,
        "ou_path": list(row.target.ou_path),
    }


def _account_scans(rows: Sequence[AccountRow], min_severity: Severity | None) -> Iterator[AccountScanEntry]:
    """Each account's scan; a findings.json does not say which --severity the run had, so it is set here."""
    for row in rows:
        if not row.outcome.scanned:
            continue
        findings = _file_named(row.outcome.files, FINDINGS_FILE)
        if findings is None:
            raise StoreError(f"account {row.target.account_id} was scanned but wrote no {FINDINGS_FILE}")
        content = replace(
            content_of_report_data(_read(findings), findings), min_severity=min_severity or Severity.INFO
        )
        snapshot = _file_named(row.outcome.files, SNAPSHOT_FILE)
        reference = (None, None) if snapshot is None else (_absolute(snapshot), _sha256(snapshot))
        yield AccountScanEntry(content, reference)


def _file_named(files: Sequence[str], name: str) -> str | None:
    return next((f for f in files if f.rsplit("/", 1)[-1] == name), None)


def _read(location: str) -> bytes:
    """A local file, or an object at a URI (a Dask run publishing to s3://…) through fsspec."""
    try:
        if not is_uri(location):
            return Path(location).read_bytes()
        fsspec: Any = importlib.import_module("fsspec")
        with fsspec.open(location, "rb") as handle:
            data: bytes = handle.read()
            return data
    except (OSError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot read {location} to record it in the history: {exc}") from None


def _absolute(location: str) -> str:
    return location if is_uri(location) else str(Path(location).resolve())


def _sha256(location: str) -> str:
    if not is_uri(location):
        return sha256_of(Path(location))
    return hashlib.sha256(_read(location)).hexdigest()

"""Rows in and out of the history tables, on a connection already inside its transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy.engine import Connection, Row

from awsaudit.findings import Severity
from awsaudit.scan_records import (
    ORGANIZATION_SCAN,
    OrganizationRunId,
    OrganizationRunRecord,
    ScanId,
    ScanRecord,
)
from awsaudit.store.content import ScanContent, ScanLink
from awsaudit.store.records import OrganizationRunEntry
from awsaudit.store.schema import findings, organization_runs, scan_frameworks, scans

# Rows per INSERT batch, and ids per IN (...) list: well under SQLite's and PostgreSQL's
# bound-parameter limits, large enough that round trips do not dominate.
BATCH = 2_000

_FINDING_COLUMNS = (
    "scan_id",
    "finding_id",
    "check_id",
    "status",
    "suppressed",
    "severity",
    "account_id",
    "region",
    "resource",
    "message",
    "evidence",
)


def insert_scan(
    connection: Connection,
    content: ScanContent,
    snapshot: tuple[str | None, str | None],
    link: ScanLink,
) -> ScanId:
    """One scan with its framework counts and findings; ``snapshot`` is (location, SHA-256)."""
    inserted = connection.execute(
        scans.insert(),
        {
            "collected_at": content.collected_at,
            "recorded_at": datetime.now(UTC),
            "account_id": content.account_id,
            "partition": content.partition,
            "caller_arn": content.caller_arn,
            "regions": list(content.regions),
            "frameworks": [f.key for f in content.frameworks],
            "checks": list(content.checks),
            "tool_version": content.tool_version,
            "collection_seconds": content.collection_seconds,
            "errors": list(content.errors),
            "status_counts": dict(content.status_counts),
            "snapshot_path": snapshot[0],
            "snapshot_sha256": snapshot[1],
            "kind": link.kind,
            "organization_run_id": link.organization_run_id,
            "management_account_id": link.management_account_id,
            "min_severity": content.min_severity.value,
        },
    )
    key = inserted.inserted_primary_key
    assert key is not None
    scan_id = ScanId(key[0])
    rates = [
        {
            "scan_id": scan_id,
            "framework": f.key,
            "title": f.title,
            "passed": f.passed,
            "failed": f.failed,
            "other": f.other,
        }
        for f in content.frameworks
    ]
    if rates:
        connection.execute(scan_frameworks.insert(), rates)
    _insert_findings(connection, scan_id, content)
    return scan_id


def insert_organization_run(connection: Connection, run: OrganizationRunEntry) -> OrganizationRunId:
    """The run, then each account's scan and the organization checks' scan, linked to it."""
    inserted = connection.execute(
        organization_runs.insert(),
        {
            "run_key": run.run_key,
            "organization_id": run.organization_id,
            "management_account_id": run.management_account_id,
            "caller_arn": run.caller_arn,
            "started_at": run.started_at,
            "recorded_at": datetime.now(UTC),
            "seconds": run.seconds,
            "tool_version": run.tool_version,
            "accounts": [],
            "output_location": run.output_location,
        },
    )
    key = inserted.inserted_primary_key
    assert key is not None
    run_id = OrganizationRunId(key[0])
    link = ScanLink(organization_run_id=run_id, management_account_id=run.management_account_id)
    scan_ids: dict[str, int] = {}
    for account_scan in run.account_scans():
        scan_ids[account_scan.content.account_id] = insert_scan(
            connection, account_scan.content, account_scan.snapshot, link
        )
    if run.organization_scan is not None:
        organization_link = ScanLink(ORGANIZATION_SCAN, run_id, run.management_account_id)
        insert_scan(connection, run.organization_scan, (None, None), organization_link)
    accounts = [{**account, "scan_id": scan_ids.get(str(account["account_id"]))} for account in run.accounts]
    connection.execute(
        organization_runs.update().where(organization_runs.c.id == run_id).values(accounts=accounts)
    )
    return run_id


def _finding_rows(scan_id: ScanId, content: ScanContent) -> Iterator[tuple[Any, ...]]:
    for row in content.findings:
        yield (scan_id, *row)


def _insert_findings(connection: Connection, scan_id: ScanId, content: ScanContent) -> None:
    rows = _finding_rows(scan_id, content)
    if connection.dialect.name == "postgresql":
        # COPY streams rows in one statement: several times faster than multi-row INSERTs.
        columns = ", ".join(_FINDING_COLUMNS)
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(f"COPY findings ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:-1], json.dumps(row[-1], separators=(",", ":"))))
        return
    for batch in batches(rows):
        connection.execute(
            findings.insert(), [dict(zip(_FINDING_COLUMNS, row, strict=True)) for row in batch]
        )


def batches(rows: Iterator[Any]) -> Iterator[list[Any]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def scan_record(row: Row[Any]) -> ScanRecord:
    return ScanRecord(
        id=ScanId(row.id),
        collected_at=utc(row.collected_at),
        recorded_at=utc(row.recorded_at),
        account_id=row.account_id,
        partition=row.partition,
        caller_arn=row.caller_arn,
        regions=tuple(row.regions),
        frameworks=tuple(row.frameworks),
        checks=tuple(row.checks),
        tool_version=row.tool_version,
        collection_seconds=row.collection_seconds,
        errors=tuple(row.errors),
        status_counts=dict(row.status_counts),
        snapshot_path=row.snapshot_path,
        snapshot_sha256=row.snapshot_sha256,
        kind=row.kind,
        organization_run_id=None
        if row.organization_run_id is None
        else OrganizationRunId(row.organization_run_id),
        management_account_id=row.management_account_id,
        min_severity=Severity(row.min_severity),
    )


def _run_id(value: int | None) -> OrganizationRunId | None:
    return None if value is None else OrganizationRunId(value)


def organization_run_record(row: Row[Any]) -> OrganizationRunRecord:
    return OrganizationRunRecord(
        id=OrganizationRunId(row.id),
        run_key=row.run_key,
        organization_id=row.organization_id,
        management_account_id=row.management_account_id,
        caller_arn=row.caller_arn,
        started_at=utc(row.started_at),
        recorded_at=utc(row.recorded_at),
        seconds=row.seconds,
        tool_version=row.tool_version,
        accounts=tuple(dict(a) for a in row.accounts),
        output_location=row.output_location,
    )

"""The history store: record audits, read scans and findings back, prune old ones."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import SQLAlchemyError

from awsaudit.compliance.frameworks_model import ControlStatus
from awsaudit.findings import Severity, Status
from awsaudit.redaction import redact, redact_json
from awsaudit.report.model import FrameworkReport, ReportModel
from awsaudit.store.database import (
    WRITE,
    StoreError,
    create_engine,
    describe,
    first_line,
    migrate,
    resolve_url,
)
from awsaudit.store.records import FrameworkRate, ScanId, ScanRecord, StoredFinding
from awsaudit.store.schema import findings, scan_frameworks, scans

# Rows per INSERT batch, and ids per IN (...) list: well under SQLite's and PostgreSQL's
# bound-parameter limits, large enough that round trips do not dominate.
_BATCH = 2_000


@dataclass(frozen=True)
class PruneResult:
    scans: int
    findings: int


class Store:
    """One open history database. Each recorded scan is written in one transaction."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self.engine = engine
        self.url = url

    @property
    def location(self) -> str:
        return describe(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ---------------------------------------------------------------- writing
    def record(self, model: ReportModel, snapshot_path: Path | None = None) -> ScanId:
        snapshot_location, snapshot_sha256 = _snapshot_reference(snapshot_path)
        with self._writing() as connection:
            inserted = connection.execute(
                scans.insert(),
                {
                    "collected_at": model.collected_at,
                    "recorded_at": datetime.now(UTC),
                    "account_id": model.account_id,
                    "partition": model.partition,
                    "caller_arn": model.caller_arn,
                    "regions": list(model.regions),
                    "frameworks": [f.key for f in model.frameworks],
                    "checks": list(model.checks),
                    "tool_version": model.tool_version,
                    "collection_seconds": model.collection_seconds,
                    "errors": [redact_json(e.to_json()) for e in model.errors],
                    "status_counts": {s.value: n for s, n in model.status_counts().items()},
                    "snapshot_path": snapshot_location,
                    "snapshot_sha256": snapshot_sha256,
                },
            )
            key = inserted.inserted_primary_key
            assert key is not None
            scan_id = ScanId(key[0])
            rates = [_framework_row(scan_id, framework) for framework in model.frameworks]
            if rates:
                connection.execute(scan_frameworks.insert(), rates)
            _insert_findings(connection, scan_id, model)
        return scan_id

    def forget(self, scan_id: ScanId) -> None:
        """Remove one scan and its rows (its reports were not written: see ``cli/delivery.py``)."""
        with self._writing() as connection:
            for table in (findings, scan_frameworks):
                connection.execute(table.delete().where(table.c.scan_id == scan_id))
            connection.execute(scans.delete().where(scans.c.id == scan_id))

    def prune(self, older_than: datetime, *, dry_run: bool = False) -> PruneResult:
        """Forget scans collected before ``older_than`` (their snapshot files are left alone)."""
        with self._writing() as connection:
            doomed = sa.select(scans.c.id).where(scans.c.collected_at < older_than).scalar_subquery()
            finding_count = connection.execute(
                sa.select(sa.func.count()).select_from(findings).where(findings.c.scan_id.in_(doomed))
            ).scalar_one()
            scan_count = connection.execute(
                sa.select(sa.func.count()).select_from(scans).where(scans.c.collected_at < older_than)
            ).scalar_one()
            if not dry_run:
                for table in (findings, scan_frameworks):
                    connection.execute(table.delete().where(table.c.scan_id.in_(doomed)))
                connection.execute(scans.delete().where(scans.c.collected_at < older_than))
        return PruneResult(scan_count, finding_count)

    # ---------------------------------------------------------------- reading
    def scans(self, account: str | None = None, limit: int | None = None) -> list[ScanRecord]:
        """Scans, newest first."""
        query = sa.select(scans).order_by(scans.c.collected_at.desc(), scans.c.id.desc()).limit(limit)
        if account is not None:
            query = query.where(scans.c.account_id == account)
        with self._reading() as connection:
            return [_scan_record(row) for row in connection.execute(query)]

    def scan(self, scan_id: int) -> ScanRecord:
        with self._reading() as connection:
            row = connection.execute(sa.select(scans).where(scans.c.id == scan_id)).one_or_none()
        if row is None:
            raise StoreError(f"no scan {scan_id} in the store {self.location} (see `awsaudit history`)")
        return _scan_record(row)

    def previous(self, scan: ScanRecord) -> ScanRecord | None:
        """The scan of the same account just before this one."""
        query = (
            sa.select(scans)
            .where(scans.c.account_id == scan.account_id)
            .where(
                sa.or_(
                    scans.c.collected_at < scan.collected_at,
                    sa.and_(scans.c.collected_at == scan.collected_at, scans.c.id < scan.id),
                )
            )
            .order_by(scans.c.collected_at.desc(), scans.c.id.desc())
            .limit(1)
        )
        with self._reading() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _scan_record(row)

    def accounts(self) -> list[str]:
        with self._reading() as connection:
            query = sa.select(scans.c.account_id).distinct().order_by(scans.c.account_id)
            return list(connection.execute(query).scalars())

    def findings(self, scan_id: int, *, evidence: bool = True) -> list[StoredFinding]:
        columns = [
            findings.c.finding_id,
            findings.c.check_id,
            findings.c.status,
            findings.c.suppressed,
            findings.c.severity,
            findings.c.account_id,
            findings.c.region,
            findings.c.resource,
            findings.c.message,
        ]
        if evidence:
            columns.append(findings.c.evidence)
        query = sa.select(*columns).where(findings.c.scan_id == scan_id).order_by(findings.c.id)
        with self._reading() as connection:
            rows = connection.execute(query).all()
        # Enum lookups by value are slow at 100,000 rows: map the stored strings once.
        statuses, severities = {s.value: s for s in Status}, {s.value: s for s in Severity}
        return [
            StoredFinding(
                row[0],
                row[1],
                statuses[row[2]],
                bool(row[3]),
                severities[row[4]],
                row[5],
                row[6],
                row[7],
                row[8],
                row[9] if evidence else None,
            )
            for row in rows
        ]

    def failed_before(self, scan: ScanRecord, finding_ids: Iterable[str]) -> set[str]:
        """Which of these findings failed (unsuppressed) in an earlier scan of the scan's account."""
        earlier = (
            sa.select(scans.c.id)
            .where(scans.c.account_id == scan.account_id)
            .where(scans.c.collected_at < scan.collected_at)
        )
        found: set[str] = set()
        with self._reading() as connection:
            for batch in _batches(iter(sorted(set(finding_ids)))):
                query = (
                    sa.select(findings.c.finding_id)
                    .distinct()
                    .where(findings.c.finding_id.in_(batch))
                    .where(findings.c.status == Status.FAIL.value)
                    .where(findings.c.suppressed.is_(False))
                    .where(findings.c.scan_id.in_(earlier))
                )
                found.update(connection.execute(query).scalars())
        return found

    def framework_rates(self, scan_ids: Sequence[int]) -> dict[ScanId, list[FrameworkRate]]:
        rates: dict[ScanId, list[FrameworkRate]] = {ScanId(i): [] for i in scan_ids}
        query = (
            sa.select(scan_frameworks)
            .where(scan_frameworks.c.scan_id.in_(list(scan_ids)))
            .order_by(scan_frameworks.c.framework)
        )
        with self._reading() as connection:
            for row in connection.execute(query):
                rates[ScanId(row.scan_id)].append(
                    FrameworkRate(row.framework, row.title, row.passed, row.failed, row.other)
                )
        return rates

    def failing_by_severity(self, scan_ids: Sequence[int]) -> dict[ScanId, dict[Severity, int]]:
        counts: dict[ScanId, dict[Severity, int]] = {ScanId(i): dict.fromkeys(Severity, 0) for i in scan_ids}
        query = (
            sa.select(findings.c.scan_id, findings.c.severity, sa.func.count())
            .where(findings.c.scan_id.in_(list(scan_ids)))
            .where(findings.c.status == Status.FAIL.value)
            .where(findings.c.suppressed.is_(False))
            .group_by(findings.c.scan_id, findings.c.severity)
        )
        with self._reading() as connection:
            for scan_id, severity, count in connection.execute(query):
                counts[ScanId(scan_id)][Severity(severity)] = count
        return counts

    # ------------------------------------------------------------ connections
    def _writing(self) -> _Transaction:
        return _Transaction(self, write=True)

    def _reading(self) -> _Transaction:
        return _Transaction(self, write=False)


class _Transaction:
    """A connection in one transaction; database failures become one-line StoreErrors."""

    def __init__(self, store: Store, *, write: bool) -> None:
        self._store = store
        self._write = write
        self._connection: Connection | None = None

    def __enter__(self) -> Connection:
        try:
            connection = self._store.engine.connect().execution_options(**{WRITE: self._write})
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot use the store {self._store.location}: {first_line(exc)}") from None
        try:
            connection.begin()
        except SQLAlchemyError as exc:
            connection.close()
            raise StoreError(f"cannot use the store {self._store.location}: {first_line(exc)}") from None
        self._connection = connection
        return connection

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: Any) -> None:
        connection = self._connection
        assert connection is not None
        try:
            if kind is None:
                connection.commit()
            else:
                connection.rollback()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot write to the store {self._store.location}: {first_line(exc)}") from None
        finally:
            connection.close()
        if isinstance(error, SQLAlchemyError):
            raise StoreError(f"store {self._store.location}: {first_line(error)}") from None


def open_store(url: str | None = None) -> Store:
    """Open (creating or upgrading if needed) the store at ``url``, $AWSAUDIT_STORE or the default."""
    resolved = resolve_url(url)
    engine = create_engine(resolved)
    try:
        migrate(engine, resolved)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, resolved)


def record_audit(store_url: str | None, model: ReportModel, snapshot_path: Path | None) -> ScanId:
    """Record one audit (its findings with suppression state, and its snapshot's location and hash)."""
    with open_store(store_url) as store:
        return store.record(model, snapshot_path)


def forget_audit(store_url: str | None, scan_id: ScanId) -> None:
    with open_store(store_url) as store:
        store.forget(scan_id)


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


def _finding_rows(scan_id: ScanId, model: ReportModel) -> Iterator[tuple[Any, ...]]:
    for item in model.findings:
        finding = item.finding
        yield (
            scan_id,
            finding.id,
            finding.check_id,
            finding.status.value,
            item.suppression is not None,
            finding.severity.value,
            finding.account_id,
            finding.region,
            finding.resource,
            redact(finding.message),
            redact_json(dict(finding.evidence)),
        )


def _insert_findings(connection: Connection, scan_id: ScanId, model: ReportModel) -> None:
    rows = _finding_rows(scan_id, model)
    if connection.dialect.name == "postgresql":
        # COPY streams rows in one statement: several times faster than multi-row INSERTs.
        columns = ", ".join(_FINDING_COLUMNS)
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(f"COPY findings ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:-1], json.dumps(row[-1], separators=(",", ":"))))
        return
    for batch in _batches(rows):
        connection.execute(
            findings.insert(), [dict(zip(_FINDING_COLUMNS, row, strict=True)) for row in batch]
        )


def _snapshot_reference(path: Path | None) -> tuple[str | None, str | None]:
    if path is None:
        return None, None
    return str(path.resolve()), sha256_of(path)


def sha256_of(path: Path) -> str:
    """The hash recorded beside a snapshot's location, to notice a file replaced since the scan."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise StoreError(f"cannot read the snapshot {path}: {exc.strerror or exc}") from None
    return digest.hexdigest()


def _framework_row(scan_id: ScanId, framework: FrameworkReport) -> dict[str, Any]:
    tally = framework.counts()
    passed, failed = tally[ControlStatus.PASS], tally[ControlStatus.FAIL]
    return {
        "scan_id": scan_id,
        "framework": framework.key,
        "title": framework.title,
        "passed": passed,
        "failed": failed,
        "other": sum(tally.values()) - passed - failed,
    }


def _batches(rows: Iterator[Any]) -> Iterator[list[Any]]:
    while batch := list(islice(rows, _BATCH)):
        yield batch


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _scan_record(row: Row[Any]) -> ScanRecord:
    return ScanRecord(
        id=ScanId(row.id),
        collected_at=_utc(row.collected_at),
        recorded_at=_utc(row.recorded_at),
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
    )

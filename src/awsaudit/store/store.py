"""The history store: record audits, read scans and findings back, prune old ones."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import SQLAlchemyError

from awsaudit.errors import quoted
from awsaudit.findings import Severity, Status
from awsaudit.report.model import ReportModel
from awsaudit.scan_records import (
    ACCOUNT_SCAN,
    FrameworkRate,
    OrganizationRunId,
    OrganizationRunRecord,
    ScanId,
    ScanRecord,
    StoredFinding,
)
from awsaudit.store.content import ScanContent, ScanLink, content_of_model
from awsaudit.store.database import (
    WRITE,
    StoreError,
    create_engine,
    describe,
    first_line,
    migrate,
    resolve_url,
)
from awsaudit.store.records import OrganizationRunEntry
from awsaudit.store.rows import (
    batches,
    insert_organization_run,
    insert_scan,
    organization_run_record,
    scan_record,
)
from awsaudit.store.schema import findings, organization_runs, scan_frameworks, scans

# SQLite and PostgreSQL take 64-bit integers only: a larger id or limit cannot even be asked.
_LARGEST_ID = 2**63 - 1


@dataclass(frozen=True)
class PruneResult:
    scans: int
    findings: int
    organization_runs: int = 0


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
    def record(
        self, model: ReportModel, snapshot_path: Path | None = None, link: ScanLink = ScanLink()
    ) -> ScanId:
        return self.record_content(content_of_model(model), snapshot_path, link)

    def record_content(
        self, content: ScanContent, snapshot_path: Path | None = None, link: ScanLink = ScanLink()
    ) -> ScanId:
        with self._writing() as connection:
            return insert_scan(connection, content, snapshot_reference(snapshot_path), link)

    def record_organization(self, run: OrganizationRunEntry) -> OrganizationRunId:
        """An organization run with its accounts' scans and its own checks' scan, in one transaction."""
        with self._writing() as connection:
            return insert_organization_run(connection, run)

    def forget(self, scan_id: ScanId) -> None:
        """Remove one scan and its rows (its reports were not written: see ``cli/delivery.py``)."""
        with self._writing() as connection:
            for table in (findings, scan_frameworks):
                connection.execute(table.delete().where(table.c.scan_id == scan_id))
            connection.execute(scans.delete().where(scans.c.id == scan_id))

    def prune(self, older_than: datetime, *, dry_run: bool = False) -> PruneResult:
        """Forget scans collected before ``older_than`` (their snapshot files are left alone), and
        organization runs started before it, whole: a run never keeps only some of its accounts."""
        with self._writing() as connection:
            old_runs = sa.select(organization_runs.c.id).where(organization_runs.c.started_at < older_than)
            doomed_scans = sa.or_(
                scans.c.collected_at < older_than, scans.c.organization_run_id.in_(old_runs.scalar_subquery())
            )
            doomed = sa.select(scans.c.id).where(doomed_scans).scalar_subquery()
            finding_count = connection.execute(
                sa.select(sa.func.count()).select_from(findings).where(findings.c.scan_id.in_(doomed))
            ).scalar_one()
            scan_count = connection.execute(
                sa.select(sa.func.count()).select_from(scans).where(doomed_scans)
            ).scalar_one()
            run_count = connection.execute(
                sa.select(sa.func.count()).select_from(old_runs.subquery())
            ).scalar_one()
            if not dry_run:
                for table in (findings, scan_frameworks):
                    connection.execute(table.delete().where(table.c.scan_id.in_(doomed)))
                connection.execute(scans.delete().where(doomed_scans))
                connection.execute(
                    organization_runs.delete().where(organization_runs.c.started_at < older_than)
                )
        return PruneResult(scan_count, finding_count, run_count)

    # ---------------------------------------------------------------- reading
    def scans(
        self, account: str | None = None, limit: int | None = None, kind: str = ACCOUNT_SCAN
    ) -> list[ScanRecord]:
        """Scans of accounts (``kind="organization"``: organization runs' own checks), newest first."""
        if limit is not None:
            limit = min(limit, _LARGEST_ID)
        query = (
            sa.select(scans)
            .where(scans.c.kind == kind)
            .order_by(scans.c.collected_at.desc(), scans.c.id.desc())
            .limit(limit)
        )
        if account is not None:
            query = query.where(scans.c.account_id == account)
        with self._reading() as connection:
            return [scan_record(row) for row in connection.execute(query)]

    def scan(self, scan_id: int) -> ScanRecord:
        if not 0 < scan_id <= _LARGEST_ID:  # no such row, and the database could not even be asked
            raise StoreError(
                f"no scan {quoted(scan_id)} in the store {self.location} (see `awsaudit history`)"
            )
        with self._reading() as connection:
            row = connection.execute(sa.select(scans).where(scans.c.id == scan_id)).one_or_none()
        if row is None:
            raise StoreError(f"no scan {scan_id} in the store {self.location} (see `awsaudit history`)")
        return scan_record(row)

    def previous(self, scan: ScanRecord) -> ScanRecord | None:
        """The scan of the same account (and kind) just before this one."""
        query = (
            sa.select(scans)
            .where(scans.c.account_id == scan.account_id)
            .where(scans.c.kind == scan.kind)
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
        return None if row is None else scan_record(row)

    def accounts(self) -> list[str]:
        with self._reading() as connection:
            query = (
                sa.select(scans.c.account_id)
                .where(scans.c.kind == ACCOUNT_SCAN)
                .distinct()
                .order_by(scans.c.account_id)
            )
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
        """Which of these findings failed (unsuppressed) in an earlier scan of the account (same kind)."""
        earlier = (
            sa.select(scans.c.id)
            .where(scans.c.account_id == scan.account_id)
            .where(scans.c.kind == scan.kind)
            .where(scans.c.collected_at < scan.collected_at)
        )
        found: set[str] = set()
        with self._reading() as connection:
            for batch in batches(iter(sorted(set(finding_ids)))):
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

    def organization_runs(
        self, organization_id: str | None = None, limit: int | None = None
    ) -> list[OrganizationRunRecord]:
        """Organization runs, newest first."""
        query = (
            sa.select(organization_runs)
            .order_by(organization_runs.c.started_at.desc(), organization_runs.c.id.desc())
            .limit(limit)
        )
        if organization_id is not None:
            query = query.where(organization_runs.c.organization_id == organization_id)
        with self._reading() as connection:
            return [organization_run_record(row) for row in connection.execute(query)]

    def organization_run(self, run_id: int) -> OrganizationRunRecord:
        query = sa.select(organization_runs).where(organization_runs.c.id == run_id)
        with self._reading() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            raise StoreError(
                f"no organization run {run_id} in the store {self.location} "
                "(see `awsaudit history --organization`)"
            )
        return organization_run_record(row)

    def organizations(self) -> list[str]:
        query = (
            sa.select(organization_runs.c.organization_id)
            .distinct()
            .order_by(organization_runs.c.organization_id)
        )
        with self._reading() as connection:
            return list(connection.execute(query).scalars())

    def run_scans(self, run_id: int) -> list[ScanRecord]:
        """The scans of an organization run: its accounts' (by account) and its own checks' (last)."""
        query = (
            sa.select(scans)
            .where(scans.c.organization_run_id == run_id)
            .order_by(scans.c.kind, scans.c.account_id, scans.c.id)
        )
        with self._reading() as connection:
            return [scan_record(row) for row in connection.execute(query)]

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


def record_audit(
    store_url: str | None, model: ReportModel, snapshot_path: Path | None, link: ScanLink = ScanLink()
) -> ScanId:
    """Record one audit (its findings with suppression state, and its snapshot's location and hash)."""
    with open_store(store_url) as store:
        return store.record(model, snapshot_path, link)


def forget_audit(store_url: str | None, scan_id: ScanId) -> None:
    with open_store(store_url) as store:
        store.forget(scan_id)


def snapshot_reference(path: Path | None) -> tuple[str | None, str | None]:
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

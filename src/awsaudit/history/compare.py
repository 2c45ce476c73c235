"""`awsaudit diff`: resolve the two audits to compare (stored scans or snapshot files) and compare them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from awsaudit.audit import evaluate, select
from awsaudit.config import AuditConfig
from awsaudit.errors import AwsauditError
from awsaudit.history.findings_diff import diff_findings
from awsaudit.history.resource_diff import diff_snapshots
from awsaudit.report.history_model import AuditFindings, AuditSource, Comparison, FindingsDiff
from awsaudit.snapshot import Snapshot, SnapshotError, load
from awsaudit.store import ScanRecord, Store, StoredFinding, StoreError, open_store
from awsaudit.store.store import sha256_of


class DiffError(AwsauditError):
    """The audits to compare cannot be found or do not belong together."""


def compare(
    old: str | None, new: str | None, store_url: str | None = None, account: str | None = None
) -> Comparison:
    """Compare OLD with NEW: scan ids or snapshot files; by default the last two scans of an account."""
    store: Store | None = None
    try:
        if any(arg is None or _is_scan_id(arg) for arg in (old, new)):
            store = open_store(store_url)
        old_source, new_source = _sources(old, new, store, account)
        if old_source.findings.account_id != new_source.findings.account_id:
            raise DiffError(
                f"{old_source.findings.label} audits account {old_source.findings.account_id} but "
                f"{new_source.findings.label} audits {new_source.findings.account_id}"
            )
        failed_earlier: set[str] = set()
        if store is not None and old_source.scan is not None:
            candidates = _failing(new_source.findings) - _failing(old_source.findings)
            failed_earlier = store.failed_before(old_source.scan, candidates)
    finally:
        if store is not None:
            store.close()
    notes = [s.snapshot_note for s in (old_source, new_source) if s.snapshot_note]
    scope_note = selection_note(old_source.findings, new_source.findings)
    if scope_note:
        notes.insert(0, scope_note)
    configuration = None
    if old_source.snapshot is not None and new_source.snapshot is not None:
        configuration = diff_snapshots(old_source.snapshot, new_source.snapshot)
    return Comparison(
        old_source,
        new_source,
        diff_findings(old_source.findings, new_source.findings, failed_earlier),
        configuration,
        tuple(notes),
    )


def selection_note(old: AuditFindings, new: AuditFindings) -> str | None:
    """Say so when the two audits judged different checks, regions or severities: a finding only the
    newer one looked at is *newly checked*, not new, and one only the older looked at is unverified."""
    differences = []
    for label, mine, theirs in (("newer", new, old), ("older", old, new)):
        checks = len(mine.checks - theirs.checks)
        regions = sorted(set(mine.regions) - set(theirs.regions))
        lower = mine.min_severity.rank < theirs.min_severity.rank
        if checks or regions or lower:
            parts = [f"{checks} check(s)"] if checks else []
            parts += [f"region(s) {', '.join(regions)}"] if regions else []
            parts += [f"findings below {theirs.min_severity.value} severity"] if lower else []
            differences.append(f"{' and '.join(parts)} only in the {label}")
    if not differences:
        return None
    return (
        f"the audits judged different things ({'; '.join(differences)}): failing findings the older "
        "audit did not judge are listed as newly checked, not new"
    )


def _is_scan_id(arg: str) -> bool:
    return arg.isascii() and arg.isdigit() and not Path(arg).exists()  # int() takes other digits too


def _sources(
    old: str | None, new: str | None, store: Store | None, account: str | None
) -> tuple[AuditSource, AuditSource]:
    if old is None and new is None:
        assert store is not None
        latest = store.scans(_account(store, account), limit=2)
        if len(latest) < 2:
            raise DiffError(f"the store {store.location} holds fewer than two scans of this account")
        return _from_scan(store, latest[1]), _from_scan(store, latest[0])
    assert old is not None
    old_source = _source(old, store)
    if new is None:
        assert store is not None
        newest = store.scans(old_source.findings.account_id, limit=1)
        if not newest or (old_source.scan is not None and newest[0].id == old_source.scan.id):
            raise DiffError(f"no scan of account {old_source.findings.account_id} newer than {old}")
        return old_source, _from_scan(store, newest[0])
    return old_source, _source(new, store)


def _account(store: Store, account: str | None) -> str:
    accounts = store.accounts()
    if account is not None:
        if account not in accounts:
            raise DiffError(f"no scans of account {account} in the store {store.location}")
        return account
    if not accounts:
        raise DiffError(f"the store {store.location} holds no scans yet")
    if len(accounts) > 1:
        raise DiffError(f"the store holds scans of several accounts ({', '.join(accounts)}): use --account")
    return accounts[0]


def _source(arg: str, store: Store | None) -> AuditSource:
    if _is_scan_id(arg):
        assert store is not None
        return _from_scan(store, store.scan(int(arg)))
    return _from_snapshot(Path(arg))


def findings_since(store: Store, old: ScanRecord, new: ScanRecord) -> FindingsDiff:
    """The findings diff of two stored scans, without loading their snapshots."""
    before, after = _scan_findings(store, old), _scan_findings(store, new)
    return diff_findings(before, after, store.failed_before(old, _failing(after) - _failing(before)))


def _scan_findings(store: Store, scan: ScanRecord) -> AuditFindings:
    return AuditFindings(
        label=f"scan {scan.id}",
        account_id=scan.account_id,
        collected_at=scan.collected_at,
        regions=scan.regions,
        checks=frozenset(scan.checks),
        findings=_by_id(store.findings(scan.id, evidence=False)),
        min_severity=scan.min_severity,
    )


def _from_scan(store: Store, scan: ScanRecord) -> AuditSource:
    snapshot, note = _stored_snapshot(scan)
    return AuditSource(_scan_findings(store, scan), scan, snapshot, note)


def _stored_snapshot(scan: ScanRecord) -> tuple[Snapshot | None, str | None]:
    if scan.snapshot_path is None:
        return None, f"scan {scan.id} was recorded without its snapshot: configuration changes not shown"
    path = Path(scan.snapshot_path)
    if not path.exists():
        return None, f"the snapshot of scan {scan.id} ({path}) is gone: configuration changes not shown"
    try:
        if sha256_of(path) != scan.snapshot_sha256:
            return (
                None,
                f"the snapshot of scan {scan.id} ({path}) changed since: configuration changes not shown",
            )
        return load(path), None
    except (SnapshotError, StoreError) as problem:
        return (
            None,
            f"the snapshot of scan {scan.id} cannot be read ({problem}): configuration changes not shown",
        )


def _from_snapshot(path: Path) -> AuditSource:
    snapshot = load(path)
    selection = select()
    result = evaluate(snapshot, selection, AuditConfig())
    findings = AuditFindings(
        label=str(path),
        account_id=snapshot.account.account_id,
        collected_at=snapshot.collected_at,
        regions=tuple(snapshot.regions),
        checks=frozenset(c.id for c in selection.checks),
        findings=_by_id(StoredFinding.of(f, suppressed=False) for f in result.findings),
    )
    return AuditSource(findings, None, snapshot, None)


def _failing(side: AuditFindings) -> set[str]:
    return {finding_id for finding_id, f in side.findings.items() if f.failing}


def _by_id(findings: Iterable[StoredFinding]) -> dict[str, StoredFinding]:
    return {f.finding_id: f for f in findings}

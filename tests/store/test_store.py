"""Recording audits and reading them back, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from awsaudit.findings import Severity, Status
from awsaudit.store import StoreError, open_store, record_audit
from awsaudit.store.database import resolve_url
from awsaudit.store.schema import metadata
from tests.report.sample import ACCOUNT, sample_model
from tests.store.helpers import finding, many, model_of


def test_a_recorded_audit_reads_back_with_scope_identity_and_suppression_state(
    store_url: str, tmp_path: Path
) -> None:
    model = sample_model()
    snapshot = tmp_path / "snapshot.json.gz"
    snapshot.write_bytes(b"snapshot bytes")
    scan_id = record_audit(store_url, model, snapshot)
    with open_store(store_url) as store:
        scan = store.scan(scan_id)
        stored = store.findings(scan_id)
        rates = store.framework_rates([scan_id])[scan_id]
        failing = store.failing_by_severity([scan_id])[scan_id]
    assert scan.account_id == ACCOUNT
    assert scan.collected_at == datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert scan.caller_arn == model.caller_arn
    assert scan.regions == ("eu-west-1", "us-east-1")
    assert scan.frameworks == tuple(f.key for f in model.frameworks)
    assert scan.checks == tuple(model.checks)
    assert scan.tool_version == "1.2.3-test"
    assert scan.collection_seconds == pytest.approx(12.3456)
    assert [e["code"] for e in scan.errors] == [e.code for e in model.errors]
    assert scan.snapshot_path == str(snapshot.resolve())
    assert scan.snapshot_sha256 == hashlib.sha256(b"snapshot bytes").hexdigest()
    assert scan.status_counts == {s.value: n for s, n in model.status_counts().items()}
    expected = {
        (i.finding.id, i.finding.status, i.suppression is not None, i.finding.resource, i.finding.message)
        for i in model.findings
    }
    assert {(f.finding_id, f.status, f.suppressed, f.resource, f.message) for f in stored} == expected
    assert {f.finding_id: f.evidence for f in stored} == {
        i.finding.id: dict(i.finding.evidence) for i in model.findings
    }
    assert any(f.suppressed and f.status is Status.FAIL for f in stored), "the sample suppresses a FAIL"
    (framework,) = model.frameworks
    assert [(r.framework, r.pass_rate) for r in rates] == [(framework.key, framework.pass_rate())]
    unsuppressed = [i.finding for i in model.findings if i.status.value == "FAIL"]
    assert failing == {s: sum(f.severity is s for f in unsuppressed) for s in Severity}


def test_scans_list_newest_first_and_previous_is_the_same_accounts_last(store_url: str) -> None:
    with open_store(store_url) as store:
        first = store.record(model_of([finding("a")], "2026-06-01T00:00:00Z"))
        other = store.record(
            model_of([finding("a", account="999988887777")], "2026-06-02T00:00:00Z", "999988887777")
        )
        second = store.record(model_of([finding("a")], "2026-06-03T00:00:00Z"))
        assert [s.id for s in store.scans()] == [second, other, first]
        assert [s.id for s in store.scans(ACCOUNT)] == [second, first]
        assert store.accounts() == [ACCOUNT, "999988887777"]
        previous = store.previous(store.scan(second))
        assert previous is not None and previous.id == first
        assert store.previous(store.scan(first)) is None


def test_a_scan_records_its_severity_selection(store_url: str) -> None:
    with open_store(store_url) as store:
        every = store.record(model_of([finding("a")], "2026-06-01T00:00:00Z"))
        high = store.record(
            dataclasses.replace(model_of([finding("a")], "2026-06-02T00:00:00Z"), min_severity=Severity.HIGH)
        )
        assert store.scan(every).min_severity is Severity.INFO
        assert store.scan(high).min_severity is Severity.HIGH


def test_prune_forgets_old_scans_with_their_findings_and_never_reuses_their_ids(store_url: str) -> None:
    with open_store(store_url) as store:
        old = store.record(model_of(many(30), "2025-01-01T00:00:00Z"))
        recent = store.record(model_of(many(5), "2026-06-01T00:00:00Z"))
        cutoff = datetime(2026, 1, 1, tzinfo=UTC)
        counted = store.prune(cutoff, dry_run=True)
        assert (counted.scans, counted.findings) == (1, 30)
        assert [s.id for s in store.scans()] == [recent, old]
        removed = store.prune(cutoff)
        assert (removed.scans, removed.findings) == (1, 30)
        assert [s.id for s in store.scans()] == [recent]
        assert store.findings(old) == []
        newest = store.record(model_of(many(1), "2026-06-02T00:00:00Z"))
        assert newest > recent


def test_an_unknown_scan_is_a_clear_error(store_url: str) -> None:
    with open_store(store_url) as store, pytest.raises(StoreError, match="no scan 42 in the store"):
        store.scan(42)


def test_the_code_schema_matches_the_migrated_database(store_url: str) -> None:
    with open_store(store_url) as store:
        inspector = sa.inspect(store.engine)
        for table in metadata.sorted_tables:
            assert {c["name"] for c in inspector.get_columns(table.name)} == {c.name for c in table.columns}
            assert {i["name"] for i in inspector.get_indexes(table.name)} == {i.name for i in table.indexes}


def test_a_database_newer_than_the_code_is_refused_in_one_line(store_url: str) -> None:
    with open_store(store_url) as store, store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError) as raised:
        open_store(store_url)
    message = str(raised.value)
    assert "schema revision 9999, newer than this awsaudit knows" in message
    assert "upgrade awsaudit" in message and "\n" not in message


def test_the_default_store_is_a_private_sqlite_file_and_the_environment_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWSAUDIT_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = resolve_url(None)
    assert default.get_backend_name() == "sqlite"
    assert default.database == str(tmp_path / "data" / "awsaudit" / "history.sqlite")
    open_store(None).close()
    assert stat.S_IMODE(Path(default.database).stat().st_mode) == 0o600
    monkeypatch.setenv("AWSAUDIT_STORE", str(tmp_path / "elsewhere.db"))
    assert resolve_url(None).database == str(tmp_path / "elsewhere.db")
    assert resolve_url("postgresql://u:secret@db/audits").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/audits", "unsupported store 'mysql'"),
        ("sqlite+nosuchdriver:///x.db", "cannot use store"),
        ("postgresql+psycopg://nobody:secret@127.0.0.1:1/none", "cannot open the store"),
        ("host=localhost password=secret dbname=audits", "a libpq connection string"),
        ("postgresql://nobody:secret@db:fivefourthree/audits", "port is not a number"),
        ("postgresql://nobody:secret@db:99999/audits", "port is out of range"),
        ("postgresql://nobody:sec@ret@db/audits", "more than one '@'"),
        ("postgresql://127.0.0.1:1/none?password=secret", "cannot open the store"),
        ("oracle://nobody:secret@db/audits", "unsupported store 'oracle'"),
    ],
)
def test_bad_store_urls_are_one_line_errors_without_the_password(
    url: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=message) as raised:
        open_store(url)
    assert "secret" not in str(raised.value) and "ret@" not in str(raised.value)
    assert "\n" not in str(raised.value)
    assert list(tmp_path.iterdir()) == [], "a refused store leaves no file behind"


def test_an_unrelated_sqlite_file_is_refused_not_migrated(tmp_path: Path) -> None:
    foreign = tmp_path / "notes.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    before = foreign.read_bytes()
    with pytest.raises(StoreError, match="not an awsaudit history store"):
        open_store(str(foreign))
    with sqlite3.connect(foreign) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["notes"]
    assert foreign.read_bytes() == before


def test_an_empty_file_becomes_a_store_and_a_world_readable_store_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    path.touch(mode=0o644)
    path.chmod(0o644)
    open_store(str(path)).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o666)
    open_store(str(path)).close()  # an existing awsaudit store, opened again
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

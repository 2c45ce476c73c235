"""A database created by an older awsaudit is upgraded on open, its history intact."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from awsaudit.findings import Severity
from awsaudit.store import open_store
from awsaudit.store.database import create_engine, current_revision, head_revision, migrate, resolve_url

INITIAL = "0001"


def _create_at_initial_revision(url: str) -> None:
    resolved = resolve_url(url)
    engine = create_engine(resolved)
    migrate(engine, resolved, INITIAL)
    with engine.begin() as connection:
        assert current_revision(connection) == INITIAL
        assert "ix_scans_account_time" not in {i["name"] for i in sa.inspect(connection).get_indexes("scans")}
        scan_id = connection.execute(
            sa.text(
                "INSERT INTO scans (collected_at, recorded_at, account_id, partition, caller_arn, regions,"
                " frameworks, checks, tool_version, collection_seconds, errors, status_counts)"
                " VALUES (:at, :at, '111122223333', 'aws', 'arn:aws:iam::111122223333:user/old',"
                " '[\"eu-west-1\"]', '[\"cis@1\"]', '[\"iam.root_mfa\"]', '0.0.1', 3.5, '[]',"
                " '{\"FAIL\": 1}')"
                " RETURNING id"
            ),
            {"at": datetime(2025, 3, 1, tzinfo=UTC)},
        ).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO findings (scan_id, finding_id, check_id, status, suppressed, severity,"
                " account_id, region, resource, message, evidence)"
                " VALUES (:scan, 'f1', 'iam.root_mfa', 'FAIL', false, 'critical', '111122223333', 'global',"
                " 'arn:aws:iam::111122223333:root', 'no MFA', '{}')"
            ),
            {"scan": scan_id},
        )
    engine.dispose()


def test_opening_a_revision_1_database_upgrades_it_and_keeps_its_scans(store_url: str) -> None:
    _create_at_initial_revision(store_url)
    with open_store(store_url) as store:
        with store.engine.connect() as connection:
            assert current_revision(connection) == head_revision() != INITIAL
            indexes = {i["name"] for i in sa.inspect(connection).get_indexes("findings")}
        assert "ix_findings_finding_status" in indexes
        (scan,) = store.scans()
        assert (scan.account_id, scan.caller_arn, scan.regions) == (
            "111122223333",
            "arn:aws:iam::111122223333:user/old",
            ("eu-west-1",),
        )
        assert scan.collected_at == datetime(2025, 3, 1, tzinfo=UTC)
        assert scan.min_severity is Severity.INFO  # recorded before --severity was: every severity kept
        (stored,) = store.findings(scan.id)
        assert (stored.finding_id, stored.status.value, stored.suppressed) == ("f1", "FAIL", False)

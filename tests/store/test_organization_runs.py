"""Organization runs in the store: the run, its accounts' scans and its own checks' scan, linked."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from awsaudit.findings import Status
from awsaudit.report.json_report import report_document
from awsaudit.report.model import ReportModel
from awsaudit.store import (
    ORGANIZATION_SCAN,
    AccountScanEntry,
    OrganizationRunEntry,
    StoreError,
    open_store,
)
from awsaudit.store.content import content_of_model, content_of_report
from tests.report.sample import ACCOUNT, sample_model
from tests.store.helpers import finding, model_of

MANAGEMENT = ACCOUNT
MEMBER = "444455556666"
UNREACHABLE = "777788889999"
ORGANIZATION = "o-abc123"


def run_entry(
    started: str,
    members: Sequence[ReportModel],
    own: ReportModel | None = None,
    key: str | None = None,
    organization: str = ORGANIZATION,
) -> OrganizationRunEntry:
    accounts = [
        {"account_id": m.account_id, "name": f"n{m.account_id}", "status": "COMPLETE", "reason": None}
        for m in members
    ]
    accounts.append(
        {"account_id": UNREACHABLE, "name": "gone", "status": "UNREACHABLE", "reason": "AccessDenied"}
    )
    return OrganizationRunEntry(
        run_key=key or f"{started}-run",
        organization_id=organization,
        management_account_id=MANAGEMENT,
        caller_arn=f"arn:aws:iam::{MANAGEMENT}:user/auditor",
        started_at=datetime.fromisoformat(started.replace("Z", "+00:00")),
        seconds=42.0,
        tool_version="1.2.3-test",
        accounts=tuple(accounts),
        account_scans=lambda: iter(AccountScanEntry(content_of_model(m), (None, None)) for m in members),
        organization_scan=None if own is None else content_of_model(own),
    )


def members_at(at: str, member_status: Status = Status.FAIL) -> list[ReportModel]:
    return [
        model_of([finding("sg-m")], at),
        model_of([finding("sg-x", member_status, account=MEMBER)], at, MEMBER),
    ]


def own_checks(at: str) -> ReportModel:
    return model_of([finding("budget", check="organizations.member_budgets", account=MEMBER)], at)


def test_a_run_links_its_account_scans_and_keeps_its_own_checks_apart(store_url: str) -> None:
    at = "2026-06-01T00:00:00Z"
    with open_store(store_url) as store:
        alone = store.record(model_of([finding("sg-m")], "2026-05-01T00:00:00Z"))
        run_id = store.record_organization(run_entry(at, members_at(at), own_checks(at)))
        (run,) = store.organization_runs()
        assert (run.id, run.organization_id, run.management_account_id) == (run_id, ORGANIZATION, MANAGEMENT)
        assert run.started_at == datetime(2026, 6, 1, tzinfo=UTC)
        scans = store.run_scans(run_id)
        by_account = {s.account_id: s for s in scans if s.kind != ORGANIZATION_SCAN}
        assert set(by_account) == {MANAGEMENT, MEMBER}
        assert {s.organization_run_id for s in scans} == {run_id}
        assert {s.management_account_id for s in scans} == {MANAGEMENT}
        # The accounts of the run, scanned or not, with their scan ids.
        assert {a["account_id"]: a["scan_id"] for a in run.accounts} == {
            MANAGEMENT: by_account[MANAGEMENT].id,
            MEMBER: by_account[MEMBER].id,
            UNREACHABLE: None,
        }
        assert run.scanned == 2
        # Account listings show account scans only: the organization checks' scan is the run's.
        assert store.accounts() == [MANAGEMENT, MEMBER]
        assert [s.id for s in store.scans(MANAGEMENT)] == [by_account[MANAGEMENT].id, alone]
        (own,) = store.scans(MANAGEMENT, kind=ORGANIZATION_SCAN)
        assert [f.check_id for f in store.findings(own.id)] == ["organizations.member_budgets"]
        # The management account's previous scan is its own last account scan, not the run's checks.
        previous = store.previous(by_account[MANAGEMENT])
        assert previous is not None and previous.id == alone
        assert store.scan(alone).organization_run_id is None


def test_runs_list_newest_first_per_organization_and_unknown_runs_are_clear_errors(store_url: str) -> None:
    with open_store(store_url) as store:
        first = store.record_organization(
            run_entry("2026-06-01T00:00:00Z", members_at("2026-06-01T00:00:00Z"))
        )
        other = store.record_organization(
            run_entry("2026-06-02T00:00:00Z", [], organization="o-other", key="other")
        )
        second = store.record_organization(
            run_entry("2026-06-03T00:00:00Z", members_at("2026-06-03T00:00:00Z"))
        )
        assert [r.id for r in store.organization_runs()] == [second, other, first]
        assert [r.id for r in store.organization_runs(ORGANIZATION)] == [second, first]
        assert store.organizations() == [ORGANIZATION, "o-other"]
        with pytest.raises(StoreError, match="no organization run 99"):
            store.organization_run(99)


def test_a_run_is_recorded_whole_or_not_at_all(store_url: str) -> None:
    at = "2026-06-01T00:00:00Z"

    def broken() -> object:
        yield AccountScanEntry(content_of_model(members_at(at)[0]), (None, None))
        raise StoreError("cannot read 444455556666/findings.json")

    entry = dataclasses.replace(run_entry(at, members_at(at)), account_scans=broken)  # type: ignore[arg-type]
    with open_store(store_url) as store:
        with pytest.raises(StoreError, match="cannot read"):
            store.record_organization(entry)
        assert store.organization_runs() == []
        assert store.scans() == []


def test_prune_forgets_a_run_with_every_scan_of_it(store_url: str) -> None:
    with open_store(store_url) as store:
        old = store.record_organization(run_entry("2025-12-31T23:59:00Z", members_at("2026-01-01T00:01:00Z")))
        recent = store.record_organization(
            run_entry("2026-06-01T00:00:00Z", members_at("2026-06-01T00:00:00Z"))
        )
        cutoff = datetime(2026, 1, 1, tzinfo=UTC)
        counted = store.prune(cutoff, dry_run=True)
        # The old run's scans were collected after the cutoff, but a run is never kept in part.
        assert (counted.scans, counted.findings, counted.organization_runs) == (2, 2, 1)
        store.prune(cutoff)
        assert [r.id for r in store.organization_runs()] == [recent]
        assert {s.organization_run_id for s in store.scans()} == {recent}
        assert old not in {s.organization_run_id for s in store.scans()}


def test_a_findings_report_records_the_same_scan_as_its_model() -> None:
    """An organization run's accounts are read back from their findings.json: nothing may be lost."""
    model = sample_model()
    direct, from_file = content_of_model(model), content_of_report(report_document(model))
    assert dataclasses.replace(from_file, collection_seconds=direct.collection_seconds) == direct
    assert from_file.collection_seconds == pytest.approx(direct.collection_seconds, abs=1e-3)


def test_a_file_that_is_not_a_findings_report_is_refused() -> None:
    with pytest.raises(ValueError, match="schema"):
        content_of_report({"schema": "awsaudit.organization-summary/1"})

"""One account audited end to end (awsaudit.account_audit), without the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import awsaudit.account_audit
from awsaudit.account_audit import SnapshotNotKept, audit_collected, audit_saved
from awsaudit.audit import select
from awsaudit.collect.engine import CollectOptions
from awsaudit.config import AuditConfig
from awsaudit.findings import Status
from awsaudit.snapshot import Snapshot, load, save
from tests.builders import SnapshotBuilder
from tests.organization_snapshots import MANAGEMENT, WEAK_MEMBER, organization_snapshot

BUDGET_CHECK = "budgets.budget_with_alert"
CAP = [
    {
        "BudgetName": "sandbox-cap",
        "CostFilters": {"LinkedAccount": [WEAK_MEMBER]},
        "Notifications": [{"NotificationType": "ACTUAL"}],
    }
]


def _member() -> Snapshot:
    return SnapshotBuilder(account_id=WEAK_MEMBER).with_dataset("budgets", "Budgets", []).build()


def _collected_as(snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    def collect(session: Any, options: CollectOptions) -> Snapshot:
        return snapshot

    monkeypatch.setattr(awsaudit.account_audit, "collect", collect)


def _statuses(audit: awsaudit.account_audit.AccountAudit) -> list[Status]:
    return [finding.status for finding in audit.result.findings]


def test_a_saved_snapshot_is_judged_alone_or_in_its_organization_context(tmp_path: Path) -> None:
    member = save(_member(), tmp_path / "member.json.gz")
    management = save(organization_snapshot(budgets=CAP).build(), tmp_path / "management.json.gz")
    selection = select((), [BUDGET_CHECK])
    alone = audit_saved(member, selection, AuditConfig())
    assert (_statuses(alone), alone.management_account, alone.snapshot_path) == ([Status.FAIL], None, member)
    # The management account's budget linked to this member meets the control.
    in_context = audit_saved(member, selection, AuditConfig(), context_file=management)
    assert (_statuses(in_context), in_context.management_account) == ([Status.PASS], MANAGEMENT)


def test_a_collection_is_kept_before_it_is_evaluated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _collected_as(_member(), monkeypatch)

    def evaluation_fails(*_: Any) -> None:
        raise RuntimeError("evaluation failed")

    monkeypatch.setattr(awsaudit.account_audit, "evaluate", evaluation_fails)
    kept = tmp_path / "kept.json.gz"
    with pytest.raises(RuntimeError):
        audit_collected(None, CollectOptions(), select((), [BUDGET_CHECK]), AuditConfig(), keep=kept)
    assert load(kept).account.account_id == WEAK_MEMBER


def test_a_collection_that_cannot_be_kept_is_handed_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = _member()
    _collected_as(member, monkeypatch)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    nowhere = blocker / "kept.json.gz"
    with pytest.raises(SnapshotNotKept) as raised:
        audit_collected(None, CollectOptions(), select((), [BUDGET_CHECK]), AuditConfig(), keep=nowhere)
    assert raised.value.snapshot is member and isinstance(raised.value.problem, OSError)


def test_a_collection_is_evaluated_in_the_context_it_is_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from awsaudit.organization.member_context import context_from_file

    management = save(organization_snapshot(budgets=CAP).build(), tmp_path / "management.json.gz")
    _collected_as(_member(), monkeypatch)
    audit = audit_collected(
        None,
        CollectOptions(),
        select((), [BUDGET_CHECK]),
        AuditConfig(),
        context=context_from_file(management, AuditConfig()),
    )
    assert (_statuses(audit), audit.management_account, audit.snapshot_path) == (
        [Status.PASS],
        MANAGEMENT,
        None,
    )

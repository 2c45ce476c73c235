"""The organization summary: unscanned accounts are UNKNOWN everywhere, deferred checks are decided by
the account that can, and the files are written."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

from awsaudit.accounts import AccountOutcome, AccountStatus, AccountTarget, OrganizationStructure
from awsaudit.audit import select
from awsaudit.config import AuditConfig
from awsaudit.findings import Severity
from awsaudit.organization.history import organization_run_entry
from awsaudit.organization.summary import summarize, write_summary
from awsaudit.organization.task import AccountScanRequest
from awsaudit.report.organization_model import OrganizationSummary
from awsaudit.snapshot import Snapshot, load

MANAGEMENT, MEMBER, LINKED, REFUSED = "111111111111", "222222222222", "333333333333", "444444444444"
SELECTION = select(
    include=(
        "organizations.*",
        "budgets.budget_with_alert",
        "cloudwatch.monitoring_root_account_usage",
        "iam.root_mfa",
    )
)
CHECK_IDS = [m.id for m in SELECTION.checks if not m.function.__module__.endswith("organization_wide")]
STRUCTURE = OrganizationStructure(
    organization_id="o-abc",
    management_account_id=MANAGEMENT,
    caller_account_id=MANAGEMENT,
    caller_arn=f"arn:aws:iam::{MANAGEMENT}:user/auditor",
    partition="aws",
    organization={"Id": "o-abc", "MasterAccountId": MANAGEMENT},
    roots=({"Id": "r-1", "Name": "Root"},),
    units=(),
    accounts=tuple(
        AccountTarget(a, f"name-{a}", f"{a}@example.com", "ACTIVE", "r-1", ("r-1",))
        for a in (MANAGEMENT, MEMBER, LINKED, REFUSED)
    ),
)


def _complete(account_id: str, statuses: dict[str, str], **kw: object) -> AccountOutcome:
    return AccountOutcome(
        account_id=account_id,
        status=AccountStatus.COMPLETE,
        counts={"PASS": 1},
        check_statuses={c: statuses.get(c, "PASS") for c in CHECK_IDS},
        credentials_source="caller" if account_id == MANAGEMENT else "audit-role",
        **kw,  # type: ignore[arg-type]
    )


OUTCOMES = [
    _complete(
        MANAGEMENT,
        {"cloudwatch.monitoring_root_account_usage": "FAIL"},
        facts={"budgets": [{"BudgetName": "m", "Notified": True, "LinkedAccounts": [LINKED]}]},
    ),
    _complete(
        MEMBER,
        {"cloudwatch.monitoring_root_account_usage": "UNKNOWN", "organizations.scp_guardrails": "UNKNOWN"},
        deferred={
            "cloudwatch.monitoring_root_account_usage": MANAGEMENT,
            "organizations.scp_guardrails": MANAGEMENT,
        },
        facts={"budgets": [{"BudgetName": "own", "Notified": True, "LinkedAccounts": None}]},
    ),
    _complete(LINKED, {"budgets.budget_with_alert": "FAIL"}, facts={"budgets": []}),
    AccountOutcome(
        REFUSED,
        AccountStatus.UNREACHABLE,
        reason="the audit role could not be assumed: AccessDenied: no",
        error_code="AccessDenied",
    ),
]


def _summary() -> tuple[OrganizationSummary, Snapshot]:
    return summarize(
        STRUCTURE,
        SELECTION,
        AuditConfig(),
        STRUCTURE.accounts,
        OUTCOMES,
        role_arn_of={a: f"arn:aws:iam::{a}:role/Audit" for a in (MEMBER, LINKED, REFUSED)},
        scan_id="s-1",
        started_at=datetime(2026, 11, 28, 15, 0, tzinfo=UTC),
        seconds=1.5,
    )


def test_an_unscanned_account_has_no_passing_control() -> None:
    summary, _ = _summary()
    row = next(r for r in summary.rows if r.target.account_id == REFUSED)
    assert row.statuses["iam.root_mfa"] == "UNKNOWN"
    assert row.statuses["organizations.audit_role_reachable"] == "FAIL"
    for controls in row.controls.values():
        assert "PASS" not in controls.values()
        assert {"UNKNOWN", "FAIL"} & set(controls.values())


def test_deferred_checks_take_the_deciding_accounts_verdict() -> None:
    summary, _ = _summary()
    row = next(r for r in summary.rows if r.target.account_id == MEMBER)
    assert row.statuses["cloudwatch.monitoring_root_account_usage"] == "FAIL"
    assert row.statuses["organizations.scp_guardrails"] == "PASS"
    assert row.resolved["organizations.scp_guardrails"] == f"decided in account {MANAGEMENT}: PASS"


def test_a_linked_account_budget_satisfies_the_members_budget_check() -> None:
    summary, _ = _summary()
    row = next(r for r in summary.rows if r.target.account_id == LINKED)
    assert row.statuses["organizations.member_budgets"] == "PASS"
    assert row.statuses["budgets.budget_with_alert"] == "PASS"
    assert "organizations.member_budgets" in row.resolved["budgets.budget_with_alert"]


def test_worst_accounts_put_the_unscanned_first() -> None:
    summary, _ = _summary()
    worst = [r.target.account_id for r in summary.worst_rows()]
    assert worst[0] == REFUSED and MANAGEMENT in worst


def test_severity_reaches_every_account_the_organization_checks_and_the_history(tmp_path: Path) -> None:
    """--severity leaves lower findings out in every account's task (whichever process runs it) and in
    the organization checks, and the run records it with its scans."""
    chosen = dataclasses.replace(SELECTION, min_severity=Severity.HIGH)
    request = AccountScanRequest.for_selection(chosen, tmp_path)
    assert request.selection().min_severity is Severity.HIGH
    summary, _ = summarize(
        STRUCTURE,
        chosen,
        AuditConfig(),
        STRUCTURE.accounts,
        OUTCOMES,
        role_arn_of={a: f"arn:aws:iam::{a}:role/Audit" for a in (MEMBER, LINKED, REFUSED)},
        scan_id="s-1",
        started_at=datetime(2026, 11, 28, 15, 0, tzinfo=UTC),
        seconds=1.5,
    )
    assert summary.organization_result.selection.min_severity is Severity.HIGH
    entry = organization_run_entry(summary)
    assert entry.organization_scan is not None
    assert entry.organization_scan.min_severity is Severity.HIGH


def test_summary_files(tmp_path: Path) -> None:
    summary, snapshot = _summary()
    written = write_summary(summary, snapshot, tmp_path)
    document = json.loads(written[0].read_text())
    assert document["schema"] == "awsaudit.organization-summary/1"
    assert document["accounts_by_status"] == {"COMPLETE": 3, "UNREACHABLE": 1}
    refused = next(a for a in document["accounts"] if a["id"] == REFUSED)
    assert refused["status"] == "UNREACHABLE" and "AccessDenied" in refused["reason"]
    assert document["organizational_units"][0]["not_scanned"] == [REFUSED]
    assert {f["check_id"] for f in document["organization_findings"]} == {
        "organizations.audit_role_reachable",
        "organizations.member_budgets",
        "organizations.ou_structure",
    }
    assert load(written[1]).dataset("organization", "global", "Members")[3]["Scan"]["Status"] == "UNREACHABLE"

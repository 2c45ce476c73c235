"""--organization-context from a snapshot file, offline: `evaluate` judges a member with its organization."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from awsaudit.cli import app
from awsaudit.config import AuditConfig
from awsaudit.organization.member_context import (
    OrganizationContextError,
    apply_context,
    context_from_file,
)
from awsaudit.snapshot import save
from tests.builders import SnapshotBuilder
from tests.organization_snapshots import MANAGEMENT, WEAK_MEMBER, organization_snapshot

ALERTING = [{"NotificationType": "ACTUAL"}]
CAP = [
    {"BudgetName": "sandbox-cap", "CostFilters": {"LinkedAccount": [WEAK_MEMBER]}, "Notifications": ALERTING}
]


def _files(tmp_path: Path) -> tuple[Path, Path]:
    management = save(organization_snapshot(budgets=CAP).build(), tmp_path / "management.json.gz")
    member = SnapshotBuilder(account_id=WEAK_MEMBER).with_dataset("budgets", "Budgets", []).build()
    return management, save(member, tmp_path / "member.json.gz")


def _evaluate(tmp_path: Path, member: Path, *args: str) -> tuple[int, str, dict[str, str]]:
    output = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            str(member),
            "--checks",
            "budgets.budget_with_alert",
            "--output-format",
            "json",
            "--output-dir",
            str(output),
            "--no-store",
            *args,
        ],
    )
    if result.exit_code == 2:
        return result.exit_code, result.output, {}
    findings = json.loads((output / "awsaudit-findings.json").read_text())["findings"]
    return result.exit_code, result.output, {f["resource"]: f["status"] for f in findings}


def test_evaluate_with_the_management_snapshot_judges_the_member_with_its_linked_budget(
    tmp_path: Path,
) -> None:
    management, member = _files(tmp_path)
    root = f"arn:aws:iam::{WEAK_MEMBER}:root"
    assert _evaluate(tmp_path, member)[2] == {root: "FAIL"}
    _, out, verdicts = _evaluate(tmp_path, member, "--organization-context", str(management))
    assert verdicts == {root: "PASS"}, out


def test_a_context_built_from_a_management_snapshot_is_kept_in_the_member_snapshot(tmp_path: Path) -> None:
    management, member_file = _files(tmp_path)
    context = context_from_file(management, AuditConfig())
    member = SnapshotBuilder(account_id=WEAK_MEMBER).build()
    assert apply_context(member, context) == MANAGEMENT
    # A snapshot that holds a context (as every account of an organization scan does) gives it back.
    carrier = save(member, tmp_path / "carrier.json.gz")
    assert context_from_file(carrier, AuditConfig()) == context
    del member_file


def test_a_context_of_another_organization_or_no_organization_is_refused(tmp_path: Path) -> None:
    management, _ = _files(tmp_path)
    stranger = SnapshotBuilder(account_id="999999999999").build()
    with pytest.raises(OrganizationContextError, match="not in organization o-example"):
        apply_context(stranger, context_from_file(management, AuditConfig()))
    lone = save(SnapshotBuilder(account_id="999999999999").build(), tmp_path / "lone.json.gz")
    with pytest.raises(OrganizationContextError, match="shows no organization"):
        context_from_file(lone, AuditConfig())
    code, out, _ = _evaluate(tmp_path, lone, "--organization-context", str(management))
    assert code == 2 and "not in organization" in out and "Traceback" not in out

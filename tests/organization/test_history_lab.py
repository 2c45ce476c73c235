"""Organization scans of the lab recorded in the history store, then compared and charted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from awsaudit.cli import app
from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import Lab
from awsaudit.store import ORGANIZATION_SCAN, open_store

pytestmark = pytest.mark.lab

SCOPE = ["--checks", "organizations.member_budgets", "--checks", "budgets.*", "--regions", "us-east-1"]
BUDGET_CHECK = "budgets.budget_with_alert"


@pytest.fixture(scope="module")
def lab_environment(lab: Lab, organization: BuiltScenario) -> Iterator[None]:
    del organization
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", lab.endpoint_url)
        yield


def _scan(output: Path, store: str) -> str:
    """Scan the organization into ``store``; the result block's Changes line."""
    result = CliRunner().invoke(
        app, ["lab", "scan", "--organization", *SCOPE, "--output-dir", str(output), "--store", store]
    )
    assert result.exit_code in (0, 1), result.output
    run_line = next(
        line for line in result.output.splitlines() if line.startswith("Run id:  organization run ")
    )
    assert run_line.endswith(f" in {store} (awsaudit history --organization, awsaudit diff --organization)")
    return result.output.rstrip().splitlines()[-1]


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_two_organization_scans_are_recorded_and_diffed_per_account_and_for_the_organization(
    lab: Lab, lab_environment: None, tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    assert _scan(tmp_path / "first", store).startswith("Changes: first recorded run of organization o-")
    summary = json.loads((tmp_path / "first" / "organization-summary.json").read_text())
    names = {a["name"]: a for a in summary["accounts"]}
    no_budget = names["no-budget"]["id"]
    with open_store(store) as opened:
        (run,) = opened.organization_runs()
        scans = opened.run_scans(run.id)
        # One scan per scanned account plus the organization checks' own; the unreachable member
        # is in the run with its reason and no scan.
        scanned = {a["id"] for a in summary["accounts"] if a["status"] == "COMPLETE"}
        assert {s.account_id for s in scans if s.kind != ORGANIZATION_SCAN} == scanned
        assert [s.kind for s in scans].count(ORGANIZATION_SCAN) == 1
        recorded = {a["account_id"]: a for a in run.accounts}
        assert recorded[names["no-audit-role"]["id"]]["status"] == "UNREACHABLE"
        assert recorded[names["no-audit-role"]["id"]]["scan_id"] is None
        member_scan = next(s for s in scans if s.account_id == no_budget)
        assert member_scan.management_account_id == run.management_account_id
        assert member_scan.snapshot_path == str(
            (tmp_path / "first" / no_budget / "snapshot.json.gz").resolve()
        )
        failing = {f.check_id for f in opened.findings(member_scan.id) if f.failing}
        assert BUDGET_CHECK in failing

    # The budget-less member gets a budget of its own between the two scans.
    member = LabAccount(lab).assume(no_budget)
    member.client("budgets").create_budget(
        AccountId=no_budget,
        Budget={
            "BudgetName": "fixed",
            "BudgetLimit": {"Amount": "10", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
        NotificationsWithSubscribers=[
            {
                "Notification": {
                    "NotificationType": "ACTUAL",
                    "ComparisonOperator": "GREATER_THAN",
                    "Threshold": 80.0,
                    "ThresholdType": "PERCENTAGE",
                },
                "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "owner@example.com"}],
            }
        ],
    )
    changes = _scan(tmp_path / "second", store)
    # The member's budget and the organization check naming it are resolved; nothing new.
    assert changes.startswith("Changes: since organization run 1 (")
    assert "): 0 new, 0 regressed, 2 resolved, 0 newly checked, 0 unverified in " in changes

    diff = json.loads(_cli("diff", "--organization", "--store", store, "--format", "json"))
    accounts = {a["account_id"]: a for a in diff["accounts"]}
    assert accounts[no_budget]["counts"]["resolved"] == 1
    assert all(
        a["counts"] is None or a["counts"]["new"] == a["counts"]["regressed"] == 0 for a in diff["accounts"]
    )
    resolved = [f for f in diff["organization"]["findings"] if f["change"] == "resolved"]
    # The organization checks' findings belong to the management account and name the member.
    assert [(f["check_id"], f["resource"]) for f in resolved] == [
        ("organizations.member_budgets", f"arn:aws:iam::{no_budget}:root")
    ]
    assert accounts[names["no-audit-role"]["id"]]["counts"] is None

    account_diff = json.loads(_cli("diff", "--account", no_budget, "--store", store, "--format", "json"))
    assert [(f["check_id"], f["change"]) for f in account_diff["findings"]] == [(BUDGET_CHECK, "resolved")]
    assert account_diff["configuration"] is not None  # both snapshots are still where the runs left them

    trend = _cli("trend", "--organization", "--store", store)
    assert "2 runs" in trend and "accounts not scanned" in trend
    listing = json.loads(_cli("history", "--organization", "--store", store, "--format", "json"))
    assert len(listing["organization_runs"]) == 2


def test_no_store_leaves_the_history_alone(lab_environment: None, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    result = CliRunner().invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            *SCOPE,
            "--output-dir",
            str(tmp_path),
            "--store",
            store,
            "--no-store",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    with open_store(store) as opened:
        assert opened.organization_runs() == []

"""Organization checks on hand-built organization data, and budgets that cap linked accounts."""

from __future__ import annotations

from typing import Any

from awsaudit.findings import Status
from awsaudit.snapshot import GLOBAL
from tests.builders import SnapshotBuilder, run, statuses

MANAGEMENT, WELL_RUN, LINKED, BARE, REFUSED, FLAKY = (
    "111111111111",
    "222222222222",
    "333333333333",
    "444444444444",
    "555555555555",
    "666666666666",
)


def _arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def _member(
    account_id: str,
    *,
    budgets: list[dict[str, Any]] | None,
    source: str | None = "audit-role",
    status: str = "COMPLETE",
    code: str | None = None,
    management: bool = False,
    parent: str = "ou-prod",
) -> dict[str, Any]:
    return {
        "Id": account_id,
        "Name": account_id,
        "ParentId": parent,
        "Management": management,
        "AuditRole": f"arn:aws:iam::{account_id}:role/Audit",
        "Scan": {
            "Status": status,
            "Reason": None if code is None else f"{code}: no",
            "ErrorCode": code,
            "CredentialsSource": source,
        },
        "Budgets": budgets,
        "BudgetsReason": None if budgets is not None else "not collected",
    }


def _budget(name: str, *, notified: bool = True, linked: list[str] | None = None) -> dict[str, Any]:
    return {"BudgetName": name, "Notified": notified, "LinkedAccounts": linked}


def _organization(members: list[dict[str, Any]]) -> Any:
    return (
        SnapshotBuilder(regions=(), account_id=MANAGEMENT)
        .with_dataset("organization", "Members", members)
        .with_dataset(
            "organization", "OrganizationalUnits", [{"Id": "ou-prod", "Name": "Prod", "ParentId": "r-1"}]
        )
        .build()
    )


MEMBERS = [
    _member(
        MANAGEMENT,
        budgets=[_budget("org"), _budget("linked", linked=[LINKED])],
        source="caller",
        management=True,
        parent="r-1",
    ),
    _member(WELL_RUN, budgets=[_budget("monthly")]),
    _member(LINKED, budgets=[]),
    _member(BARE, budgets=[_budget("silent", notified=False)]),
    _member(REFUSED, budgets=None, source=None, status="UNREACHABLE", code="AccessDenied"),
    _member(FLAKY, budgets=None, source=None, status="UNREACHABLE", code="Throttling"),
]


def test_audit_role_reachable_per_member_account() -> None:
    found = statuses(run(_organization(MEMBERS), "organizations.audit_role_reachable"))
    assert found == {
        _arn(WELL_RUN): Status.PASS,
        _arn(LINKED): Status.PASS,
        _arn(BARE): Status.PASS,
        _arn(REFUSED): Status.FAIL,
        _arn(FLAKY): Status.UNKNOWN,
    }


def test_the_auditing_account_itself_is_not_judged_reachable() -> None:
    delegate = _member(WELL_RUN, budgets=[], source="caller")
    (finding,) = run(_organization([MEMBERS[0], delegate]), "organizations.audit_role_reachable")
    assert finding.status is Status.UNKNOWN and "own identity" in finding.message


def test_member_budgets_own_linked_missing_and_unknown() -> None:
    findings = run(_organization(MEMBERS), "organizations.member_budgets")
    assert statuses(findings) == {
        _arn(WELL_RUN): Status.PASS,
        _arn(LINKED): Status.PASS,
        _arn(BARE): Status.FAIL,
        _arn(REFUSED): Status.UNKNOWN,
        _arn(FLAKY): Status.UNKNOWN,
    }
    linked = next(f for f in findings if f.resource == _arn(LINKED))
    assert "linked-account budget" in linked.message and linked.evidence[
        "management_budgets_for_account"
    ] == ["linked"]


def test_member_budgets_unknown_when_the_management_budgets_are_missing() -> None:
    management = {**MEMBERS[0], "Budgets": None}
    findings = run(_organization([management, MEMBERS[2]]), "organizations.member_budgets")
    assert statuses(findings) == {_arn(LINKED): Status.UNKNOWN}
    assert "management account's budgets" in findings[0].message


def test_ou_structure_is_an_inventory_for_a_person() -> None:
    (finding,) = run(_organization(MEMBERS), "organizations.ou_structure")
    assert finding.status is Status.MANUAL
    assert finding.evidence["organizational_units"][0]["Accounts"] == sorted(
        [WELL_RUN, LINKED, BARE, REFUSED, FLAKY]
    )
    assert finding.evidence["accounts_under_root"] == [MANAGEMENT]


def test_single_account_snapshots_are_not_judged_by_organization_checks() -> None:
    snapshot = SnapshotBuilder().build()
    for check_id in (
        "organizations.audit_role_reachable",
        "organizations.member_budgets",
        "organizations.ou_structure",
    ):
        assert run(snapshot, check_id) == []


def _with_budgets(account_id: str, budgets: list[dict[str, Any]]) -> Any:
    return SnapshotBuilder(account_id=account_id).with_dataset("budgets", "Budgets", budgets).build()


def _raw_budget(name: str, **filters: Any) -> dict[str, Any]:
    alert = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80.0}
    return {"BudgetName": name, "Notifications": [alert], **filters}


def test_a_linked_account_budget_caps_the_member_not_the_management_account() -> None:
    only_for_member = _with_budgets(MANAGEMENT, [_raw_budget("m", CostFilters={"LinkedAccount": [LINKED]})])
    (finding,) = run(only_for_member, "budgets.budget_with_alert")
    assert finding.status is Status.FAIL and "only budgets for linked accounts" in finding.message
    assert finding.evidence["budgets_for_linked_accounts"] == {"m": [LINKED]}
    expression = {"FilterExpression": {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [MANAGEMENT]}}}
    (own,) = run(_with_budgets(MANAGEMENT, [_raw_budget("self", **expression)]), "budgets.budget_with_alert")
    assert own.status is Status.PASS
    (whole,) = run(_with_budgets(MANAGEMENT, [_raw_budget("all")]), "budgets.budget_with_alert")
    assert whole.status is Status.PASS


def test_missing_members_dataset_in_an_organization_snapshot_is_unknown() -> None:
    snapshot = _organization(MEMBERS)
    del snapshot.datasets["organization"][GLOBAL]["OrganizationalUnits"]
    (finding,) = run(snapshot, "organizations.ou_structure")
    assert finding.status is Status.UNKNOWN

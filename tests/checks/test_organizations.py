"""Account and organization checks on hand-built snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.findings import Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run, statuses

ACCOUNT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
OTHER_ACCOUNT = "444455556666"
ROOT_ID = "r-ab12"


def organization(master: str = ACCOUNT_ID) -> dict[str, Any]:
    return {
        "Organization": {
            "Id": "o-exampleorgid",
            "Arn": f"arn:aws:organizations::{master}:organization/o-exampleorgid",
            "FeatureSet": "ALL",
            "MasterAccountArn": f"arn:aws:organizations::{master}:account/o-exampleorgid/{master}",
            "MasterAccountId": master,
            "MasterAccountEmail": "root@example.com",
        }
    }


def only(findings: list[Any]) -> Any:
    assert len(findings) == 1, findings
    return findings[0]


# ---------------------------------------------------------------- account_in_organization


def test_member_account_passes() -> None:
    snapshot = (
        SnapshotBuilder().with_dataset("organizations", "Organization", organization(OTHER_ACCOUNT)).build()
    )
    finding = only(run(snapshot, "organizations.account_in_organization"))
    assert (finding.status, finding.resource) == (Status.PASS, ACCOUNT_ARN)
    assert finding.evidence["Organization"]["MasterAccountId"] == OTHER_ACCOUNT


def test_standalone_account_fails() -> None:
    snapshot = SnapshotBuilder().with_dataset("organizations", "Organization", {"Organization": None}).build()
    assert statuses(run(snapshot, "organizations.account_in_organization")) == {ACCOUNT_ARN: Status.FAIL}


def test_organization_not_collected_is_unknown() -> None:
    snapshot = SnapshotBuilder().with_error("organizations", "Organization").build()
    finding = only(run(snapshot, "organizations.account_in_organization"))
    assert finding.status is Status.UNKNOWN and "AccessDenied" in finding.message


# ---------------------------------------------------------------- budget_with_alert


def budget(name: str, notifications: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "BudgetName": name,
        "BudgetLimit": {"Amount": "100.0", "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
        "Notifications": notifications,
    }


def notification() -> dict[str, Any]:
    return {
        "NotificationType": "ACTUAL",
        "ComparisonOperator": "GREATER_THAN",
        "Threshold": 80.0,
        "ThresholdType": "PERCENTAGE",
        "NotificationState": "OK",
    }


def budgets(*items: dict[str, Any]) -> SnapshotBuilder:
    return SnapshotBuilder().with_dataset("budgets", "Budgets", list(items))


def test_budget_with_an_alert_passes() -> None:
    """AWS requires a subscriber on every notification, so a notification is an alert."""
    snapshot = budgets(budget("quiet", []), budget("monthly", [notification()])).build()
    finding = only(run(snapshot, "budgets.budget_with_alert"))
    assert finding.status is Status.PASS
    assert finding.evidence["alerts"]["monthly"][0]["Threshold"] == 80.0


@pytest.mark.parametrize(
    ("items", "message"),
    [([], "no budget"), ([budget("monthly", [])], "none has an alert")],
    ids=["no budget", "no notification"],
)
def test_no_alert_fails(items: list[dict[str, Any]], message: str) -> None:
    finding = only(run(budgets(*items).build(), "budgets.budget_with_alert"))
    assert (finding.status, finding.resource) == (Status.FAIL, ACCOUNT_ARN)
    assert message in finding.message


def test_budgets_not_collected_is_unknown() -> None:
    snapshot = SnapshotBuilder().with_error("budgets", "Budgets").build()
    assert only(run(snapshot, "budgets.budget_with_alert")).status is Status.UNKNOWN


# ---------------------------------------------------------------- delegated_administrators


def test_delegated_administrators_are_listed_for_a_person() -> None:
    delegate = {
        "Id": OTHER_ACCOUNT,
        "Arn": f"arn:aws:organizations::{ACCOUNT_ID}:account/o-exampleorgid/{OTHER_ACCOUNT}",
        "Email": "security@example.com",
        "Name": "security-tooling",
        "Status": "ACTIVE",
        "JoinedMethod": "CREATED",
        "JoinedTimestamp": "2024-01-01T00:00:00+00:00",
        "DelegationEnabledDate": "2024-02-01T00:00:00+00:00",
    }
    accounts = [
        {"Id": ACCOUNT_ID, "Name": "management", "Email": "root@example.com", "Status": "ACTIVE"},
        {
            "Id": OTHER_ACCOUNT,
            "Name": "security-tooling",
            "Email": "security@example.com",
            "Status": "ACTIVE",
        },
    ]
    snapshot = (
        SnapshotBuilder()
        .with_dataset("organizations", "DelegatedAdministrators", [delegate])
        .with_dataset("organizations", "Accounts", accounts)
        .build()
    )
    finding = only(run(snapshot, "organizations.delegated_administrators"))
    assert finding.status is Status.MANUAL
    assert finding.evidence["delegated_administrators"][0]["Name"] == "security-tooling"
    assert "JoinedMethod" not in finding.evidence["delegated_administrators"][0]
    assert [a["Id"] for a in finding.evidence["accounts"]] == [ACCOUNT_ID, OTHER_ACCOUNT]


def test_delegated_administrators_not_collected_is_unknown() -> None:
    snapshot = (
        SnapshotBuilder()
        .with_error("organizations", "DelegatedAdministrators", code="AWSOrganizationsNotInUseException")
        .with_dataset("organizations", "Accounts", [])
        .build()
    )
    finding = only(run(snapshot, "organizations.delegated_administrators"))
    assert finding.status is Status.UNKNOWN and "AWSOrganizationsNotInUseException" in finding.message


# ---------------------------------------------------------------- contacts


SECURITY_CONTACT = {
    "AlternateContactType": "SECURITY",
    "EmailAddress": "soc@example.com",
    "Name": "SOC",
    "PhoneNumber": "+33100000000",
    "Title": "Security operations",
}


def contacts(**values: Any) -> SnapshotBuilder:
    data = {"BILLING": None, "OPERATIONS": None, "SECURITY": None, **values}
    return SnapshotBuilder().with_dataset("account", "AlternateContacts", data)


def test_contact_details_are_manual_with_the_contacts() -> None:
    finding = only(run(contacts(SECURITY=SECURITY_CONTACT).build(), "account.contact_details"))
    assert finding.status is Status.MANUAL
    assert finding.evidence["SECURITY"]["EmailAddress"] == "soc@example.com"
    assert "BILLING, OPERATIONS not set" in finding.message


def test_contact_type_that_failed_is_named_in_the_evidence() -> None:
    builder = contacts(SECURITY=SECURITY_CONTACT)
    data = builder.snapshot.datasets["account"]["global"]["AlternateContacts"]
    del data["BILLING"]
    data["_errors"] = {
        "BILLING": {"operation": "GetAlternateContact", "code": "AccessDenied", "message": "x"}
    }
    finding = only(run(builder.build(), "account.contact_details"))
    assert finding.status is Status.MANUAL
    assert "AccessDenied" in finding.evidence["BILLING"]["not_collected"]


def test_contact_details_not_collected_is_unknown() -> None:
    snapshot = SnapshotBuilder().with_error("account", "AlternateContacts").build()
    assert only(run(snapshot, "account.contact_details")).status is Status.UNKNOWN


def test_security_contact_registered_passes() -> None:
    finding = only(run(contacts(SECURITY=SECURITY_CONTACT).build(), "account.security_contact"))
    assert finding.status is Status.PASS and finding.evidence["SECURITY"]["Name"] == "SOC"


def test_no_security_contact_fails() -> None:
    builder = contacts(BILLING={**SECURITY_CONTACT, "AlternateContactType": "BILLING"})
    assert statuses(run(builder.build(), "account.security_contact")) == {ACCOUNT_ARN: Status.FAIL}


def test_security_contact_sub_call_failure_is_unknown() -> None:
    builder = contacts()
    data = builder.snapshot.datasets["account"]["global"]["AlternateContacts"]
    del data["SECURITY"]
    data["_errors"] = {
        "SECURITY": {"operation": "GetAlternateContact", "code": "AccessDenied", "message": "x"}
    }
    assert only(run(builder.build(), "account.security_contact")).status is Status.UNKNOWN


def test_security_contact_not_collected_is_unknown() -> None:
    snapshot = SnapshotBuilder().with_error("account", "AlternateContacts").build()
    assert only(run(snapshot, "account.security_contact")).status is Status.UNKNOWN

"""Organizations, account alternate contacts and budgets, collected from the lab."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsaudit.lab.server import Lab
from awsaudit.snapshot import GLOBAL, Snapshot
from tests.collect.faults import FaultInjector
from tests.collect.support import ACCOUNT, collect_lab, error_keys, lab_client

ORG_DATASETS = [
    "organizations/Organization",
    "organizations/Accounts",
    "organizations/Roots",
    "organizations/OrganizationalUnits",
    "organizations/Policies",
    "organizations/DelegatedAdministrators",
]
DATASETS = [*ORG_DATASETS, "account/AlternateContacts", "budgets/Budgets"]
DENY_LEAVING = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}],
    }
)
SECURITY_CONTACT = {
    "AlternateContactType": "SECURITY",
    "Name": "Security Team",
    "Title": "CISO",
    "EmailAddress": "security@example.com",
    "PhoneNumber": "+1-555-0100",
}


def _build(lab: Lab) -> dict[str, str]:
    org = lab_client(lab, "organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    prod = org.create_organizational_unit(ParentId=workloads, Name="Prod")["OrganizationalUnit"]["Id"]
    member = org.create_account(Email="prod@example.com", AccountName="prod")["CreateAccountStatus"][
        "AccountId"
    ]
    org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=prod)
    policy = org.create_policy(
        Content=DENY_LEAVING, Description="", Name="DenyLeaving", Type="SERVICE_CONTROL_POLICY"
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy, TargetId=workloads)
    org.register_delegated_administrator(AccountId=member, ServicePrincipal="guardduty.amazonaws.com")

    lab_client(lab, "account").put_alternate_contact(**SECURITY_CONTACT)
    lab_client(lab, "budgets").create_budget(
        AccountId=ACCOUNT,
        Budget={
            "BudgetName": "monthly",
            "BudgetLimit": {"Amount": "100", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
        NotificationsWithSubscribers=[
            {
                "Notification": {
                    "NotificationType": "ACTUAL",
                    "ComparisonOperator": "GREATER_THAN",
                    "Threshold": 80,
                    "ThresholdType": "PERCENTAGE",
                },
                "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "finance@example.com"}],
            }
        ],
    )
    return {"root": root, "workloads": workloads, "prod": prod, "member": member, "policy": policy}


@pytest.fixture(scope="module")
def built(clean_lab: Lab) -> tuple[Snapshot, Snapshot, dict[str, str]]:
    """(the account before it joined an organization, after, ids)."""
    alone = collect_lab(clean_lab, datasets=DATASETS)
    ids = _build(clean_lab)
    return alone, collect_lab(clean_lab, datasets=DATASETS), ids


def _data(snapshot: Snapshot, service: str, name: str) -> Any:
    return snapshot.dataset(service, GLOBAL, name)


def test_no_organization_no_contacts_no_budgets_is_data(built: tuple[Snapshot, Snapshot, Any]) -> None:
    alone = built[0]
    assert alone.errors == []
    assert _data(alone, "organizations", "Organization") == {"Organization": None}
    for key in ORG_DATASETS[1:]:
        assert _data(alone, "organizations", key.split("/")[1]) == [], key
    assert _data(alone, "account", "AlternateContacts") == {
        "BILLING": None,
        "OPERATIONS": None,
        "SECURITY": None,
    }
    assert _data(alone, "budgets", "Budgets") == []


def test_organization_names_its_management_account(built: tuple[Snapshot, Snapshot, Any]) -> None:
    snapshot, ids = built[1], built[2]
    assert snapshot.errors == []
    assert _data(snapshot, "organizations", "Organization")["Organization"]["MasterAccountId"] == ACCOUNT
    assert {a["Id"] for a in _data(snapshot, "organizations", "Accounts")} == {ACCOUNT, ids["member"]}
    (root,) = _data(snapshot, "organizations", "Roots")
    assert root["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]
    (delegated,) = _data(snapshot, "organizations", "DelegatedAdministrators")
    assert delegated["Id"] == ids["member"]


def test_nested_units_are_walked_with_their_parents(built: tuple[Snapshot, Snapshot, Any]) -> None:
    snapshot, ids = built[1], built[2]
    units = {u["Name"]: u for u in _data(snapshot, "organizations", "OrganizationalUnits")}
    assert units["Workloads"]["ParentId"] == ids["root"]
    assert (units["Prod"]["Id"], units["Prod"]["ParentId"]) == (ids["prod"], ids["workloads"])


def test_scps_carry_content_and_targets(built: tuple[Snapshot, Snapshot, Any]) -> None:
    snapshot, ids = built[1], built[2]
    policies = {p["PolicySummary"]["Name"]: p for p in _data(snapshot, "organizations", "Policies")}
    assert set(policies) == {"FullAWSAccess", "DenyLeaving"}
    deny = policies["DenyLeaving"]
    assert set(deny) == {"PolicySummary", "Content", "Targets"}
    assert json.loads(deny["Content"]) == json.loads(DENY_LEAVING)
    assert [t["TargetId"] for t in deny["Targets"]] == [ids["workloads"]]
    assert ids["root"] in {t["TargetId"] for t in policies["FullAWSAccess"]["Targets"]}


def test_alternate_contacts_and_budget_alerts(built: tuple[Snapshot, Snapshot, Any]) -> None:
    snapshot = built[1]
    contacts = _data(snapshot, "account", "AlternateContacts")
    assert contacts["SECURITY"]["EmailAddress"] == "security@example.com"
    assert (contacts["BILLING"], contacts["OPERATIONS"]) == (None, None)
    (budget,) = _data(snapshot, "budgets", "Budgets")
    (notification,) = budget["Notifications"]
    assert (notification["NotificationType"], notification["Threshold"]) == ("ACTUAL", 80)


def test_member_account_denial_is_an_error_not_an_empty_list(
    clean_lab: Lab, built: tuple[Snapshot, Snapshot, Any]
) -> None:
    # From a member account AWS denies the organization-wide list calls.
    faults = FaultInjector()
    for operation in ("ListAccounts", "ListRoots", "ListPolicies", "ListDelegatedAdministrators"):
        faults.fail("organizations", operation, "AccessDeniedException", status=403)
    snapshot = collect_lab(clean_lab, datasets=ORG_DATASETS, hooks=[faults.hook])
    assert sorted(error_keys(snapshot)) == [
        ("organizations", GLOBAL, name, "AccessDeniedException")
        for name in ("Accounts", "DelegatedAdministrators", "OrganizationalUnits", "Policies", "Roots")
    ]
    assert _data(snapshot, "organizations", "Organization")["Organization"]["MasterAccountId"] == ACCOUNT
    for name in ("Accounts", "Roots", "Policies"):
        assert name not in snapshot.datasets["organizations"][GLOBAL]

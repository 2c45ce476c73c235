"""Account and organization checks on hand-built snapshots."""

from __future__ import annotations

import json
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


# ---------------------------------------------------------------- management_account_no_workloads

REGIONS = ("eu-west-1", "us-east-1")


def inventory(builder: SnapshotBuilder) -> SnapshotBuilder:
    """Every workload dataset collected and empty in every region."""
    for service, name in (
        ("ec2", "Instances"),
        ("rds", "DBInstances"),
        ("lambda", "Functions"),
        ("ecs", "Clusters"),
        ("eks", "Clusters"),
    ):
        builder.with_regional(service, name, [])
    return builder


def management(builder: SnapshotBuilder | None = None) -> SnapshotBuilder:
    builder = builder or SnapshotBuilder(regions=REGIONS)
    return builder.with_dataset("organizations", "Organization", organization(ACCOUNT_ID))


def instance(instance_id: str, state: str) -> dict[str, Any]:
    return {"InstanceId": instance_id, "State": {"Code": 16, "Name": state}, "InstanceType": "t3.micro"}


def test_empty_management_account_passes() -> None:
    snapshot = inventory(management()).build()
    finding = only(run(snapshot, "organizations.management_account_no_workloads"))
    assert finding.status is Status.PASS
    assert finding.evidence["workloads"] == {}


def test_terminated_instances_are_not_workloads() -> None:
    builder = inventory(management())
    builder.with_dataset(
        "ec2",
        "Instances",
        [instance("i-0aaa", "terminated"), instance("i-0bbb", "shutting-down")],
        region="us-east-1",
    )
    assert only(run(builder.build(), "organizations.management_account_no_workloads")).status is Status.PASS


@pytest.mark.parametrize(
    ("service", "name", "items", "label", "expected"),
    [
        ("ec2", "Instances", [instance("i-0abc", "stopped")], "ec2_instances", ["i-0abc"]),
        (
            "rds",
            "DBInstances",
            [{"DBInstanceIdentifier": "orders", "DBInstanceArn": "arn:aws:rds:us-east-1:1:db:orders"}],
            "rds_db_instances",
            ["orders"],
        ),
        (
            "lambda",
            "Functions",
            [
                {
                    "FunctionName": "etl",
                    "FunctionArn": "arn:aws:lambda:us-east-1:1:function:etl",
                    "Runtime": "x",
                }
            ],
            "lambda_functions",
            ["etl"],
        ),
        (
            "ecs",
            "Clusters",
            ["arn:aws:ecs:us-east-1:1:cluster/web"],
            "ecs_clusters",
            ["arn:aws:ecs:us-east-1:1:cluster/web"],
        ),
        ("eks", "Clusters", ["prod"], "eks_clusters", ["prod"]),
    ],
)
def test_each_workload_kind_fails_the_management_account(
    service: str, name: str, items: list[Any], label: str, expected: list[str]
) -> None:
    builder = inventory(management()).with_dataset(service, name, items, region="us-east-1")
    finding = only(run(builder.build(), "organizations.management_account_no_workloads"))
    assert finding.status is Status.FAIL
    assert finding.evidence["workloads"] == {"us-east-1": {label: expected}}
    assert "us-east-1" in finding.message


def test_member_account_is_not_judged_on_workloads() -> None:
    builder = SnapshotBuilder(regions=REGIONS).with_dataset(
        "organizations", "Organization", organization(OTHER_ACCOUNT)
    )
    builder.with_regional("ec2", "Instances", [instance("i-0abc", "running")])
    finding = only(run(builder.build(), "organizations.management_account_no_workloads"))
    assert finding.status is Status.PASS and "not the organization's management account" in finding.message


def test_missing_region_inventory_is_unknown_not_pass() -> None:
    builder = SnapshotBuilder(regions=REGIONS)
    management(builder)
    for service, name in (("ec2", "Instances"), ("rds", "DBInstances"), ("lambda", "Functions")):
        builder.with_regional(service, name, [])
    builder.with_regional("ecs", "Clusters", [])
    builder.with_dataset("eks", "Clusters", [], region="eu-west-1")
    builder.with_error("eks", "Clusters", region="us-east-1")
    finding = only(run(builder.build(), "organizations.management_account_no_workloads"))
    assert finding.status is Status.UNKNOWN
    assert list(finding.evidence["not_collected"]) == ["us-east-1"]
    assert "AccessDenied" in finding.evidence["not_collected"]["us-east-1"][0]


def test_workloads_found_fail_even_if_another_region_is_missing() -> None:
    builder = SnapshotBuilder(regions=REGIONS)
    management(builder)
    for service, name in (
        ("rds", "DBInstances"),
        ("lambda", "Functions"),
        ("ecs", "Clusters"),
        ("eks", "Clusters"),
    ):
        builder.with_regional(service, name, [])
    builder.with_dataset("ec2", "Instances", [instance("i-0abc", "running")], region="eu-west-1")
    finding = only(run(builder.build(), "organizations.management_account_no_workloads"))
    assert finding.status is Status.FAIL
    assert "us-east-1" in finding.evidence["not_collected"]


def test_workloads_check_without_organization_data_is_unknown() -> None:
    snapshot = inventory(SnapshotBuilder(regions=REGIONS)).build()
    assert only(run(snapshot, "organizations.management_account_no_workloads")).status is Status.UNKNOWN


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


# ---------------------------------------------------------------- scp_guardrails


def root(scp_status: str | None = "ENABLED") -> dict[str, Any]:
    types = [] if scp_status is None else [{"Type": "SERVICE_CONTROL_POLICY", "Status": scp_status}]
    return {
        "Id": ROOT_ID,
        "Arn": f"arn:aws:organizations::{ACCOUNT_ID}:root/o-exampleorgid/{ROOT_ID}",
        "Name": "Root",
        "PolicyTypes": types,
    }


def unit(unit_id: str, parent: str = ROOT_ID) -> dict[str, Any]:
    return {
        "Id": unit_id,
        "Arn": f"arn:aws:organizations::{ACCOUNT_ID}:ou/o-exampleorgid/{unit_id}",
        "Name": unit_id,
        "ParentId": parent,
    }


def scp(policy_id: str, name: str, targets: list[str] | None, aws_managed: bool = False) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "PolicySummary": {
            "Id": policy_id,
            "Arn": f"arn:aws:organizations::aws:policy/service_control_policy/{policy_id}",
            "Name": name,
            "Type": "SERVICE_CONTROL_POLICY",
            "AwsManaged": aws_managed,
        },
        "Content": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"}],
            }
        ),
    }
    if targets is None:
        policy["_errors"] = {
            "Targets": {"operation": "ListTargetsForPolicy", "code": "Throttling", "message": "x"}
        }
    else:
        policy["Targets"] = [
            {"TargetId": t, "Arn": f"arn:x/{t}", "Name": t, "Type": "ORGANIZATIONAL_UNIT"} for t in targets
        ]
    return policy


FULL_ACCESS = scp("p-FullAWSAccess", "FullAWSAccess", [ROOT_ID, "ou-prod", "ou-dev"], aws_managed=True)


def org_structure(
    roots: list[dict[str, Any]],
    units: list[dict[str, Any]],
    policies: list[dict[str, Any]],
    master: str = ACCOUNT_ID,
) -> SnapshotBuilder:
    return (
        SnapshotBuilder()
        .with_dataset("organizations", "Organization", organization(master))
        .with_dataset("organizations", "Roots", roots)
        .with_dataset("organizations", "OrganizationalUnits", units)
        .with_dataset("organizations", "Policies", policies)
    )


def scp_verdict(builder: SnapshotBuilder) -> Any:
    return only(run(builder.build(), "organizations.scp_guardrails"))


def test_guardrail_on_root_passes() -> None:
    finding = scp_verdict(
        org_structure([root()], [unit("ou-prod")], [FULL_ACCESS, scp("p-1", "deny-leave", [ROOT_ID])])
    )
    assert finding.status is Status.PASS
    assert finding.evidence["roots_with_guardrail"] == [ROOT_ID]


def test_guardrail_on_every_ou_passes_and_is_inherited_by_nested_ous() -> None:
    units = [unit("ou-prod"), unit("ou-dev"), unit("ou-dev-team", parent="ou-dev")]
    policies = [FULL_ACCESS, scp("p-1", "baseline", ["ou-prod", "ou-dev"])]
    assert scp_verdict(org_structure([root()], units, policies)).status is Status.PASS


def test_only_full_aws_access_fails() -> None:
    finding = scp_verdict(org_structure([root()], [unit("ou-prod"), unit("ou-dev")], [FULL_ACCESS]))
    assert finding.status is Status.FAIL
    assert finding.evidence["units_without_guardrail"] == ["ou-prod", "ou-dev"]


def test_guardrail_on_some_ous_only_fails() -> None:
    policies = [FULL_ACCESS, scp("p-1", "baseline", ["ou-prod"])]
    finding = scp_verdict(org_structure([root()], [unit("ou-prod"), unit("ou-dev")], policies))
    assert finding.status is Status.FAIL and finding.evidence["units_without_guardrail"] == ["ou-dev"]


def test_no_ous_and_no_root_guardrail_fails() -> None:
    assert scp_verdict(org_structure([root()], [], [FULL_ACCESS])).status is Status.FAIL


@pytest.mark.parametrize("status", [None, "PENDING_ENABLE"])
def test_scp_type_not_enabled_on_root_fails(status: str | None) -> None:
    finding = scp_verdict(org_structure([root(status)], [], [scp("p-1", "baseline", [ROOT_ID])]))
    assert finding.status is Status.FAIL and finding.evidence["roots_without_scp_enabled"] == [ROOT_ID]


def test_guardrail_targets_not_collected_is_unknown() -> None:
    policies = [FULL_ACCESS, scp("p-1", "baseline", None)]
    finding = scp_verdict(org_structure([root()], [unit("ou-prod")], policies))
    assert finding.status is Status.UNKNOWN
    assert finding.evidence["policies_with_targets_not_collected"] == ["baseline"]


def test_member_account_cannot_judge_scps() -> None:
    finding = scp_verdict(org_structure([root()], [], [FULL_ACCESS], master=OTHER_ACCOUNT))
    assert (
        finding.status is Status.UNKNOWN and finding.message == "SCPs are judged from the management account"
    )


def test_account_outside_any_organization_has_no_guardrails() -> None:
    builder = org_structure([], [], [])
    builder.with_dataset("organizations", "Organization", {"Organization": None})
    assert scp_verdict(builder).status is Status.FAIL


def test_scp_data_denied_is_unknown() -> None:
    builder = (
        SnapshotBuilder()
        .with_dataset("organizations", "Organization", organization(ACCOUNT_ID))
        .with_dataset("organizations", "Roots", [root()])
        .with_dataset("organizations", "OrganizationalUnits", [])
        .with_error("organizations", "Policies")
    )
    assert scp_verdict(builder).status is Status.UNKNOWN


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

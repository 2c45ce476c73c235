"""Management-account workload inventory and the organization context handed to members."""

from __future__ import annotations

from tests.builders import SnapshotBuilder
from tests.organization_snapshots import (
    GUARDED_MEMBER,
    GUARDED_OU,
    ROOT,
    WEAK_MEMBER,
    failed,
    organization_snapshot,
)

from awsaudit.analyze.organization.context import (
    build_context,
    context_from_dataset,
)
from awsaudit.analyze.organization.workloads import WORKLOAD_KINDS, workloads_of_snapshot
from awsaudit.collect.registry import all_specs
from awsaudit.config import DEFAULT_GOVERNANCE_GLOBS
from awsaudit.snapshot import GLOBAL

REGION = "eu-west-1"


def _empty_inventory() -> SnapshotBuilder:
    builder = SnapshotBuilder(regions=(REGION,))
    for kind in WORKLOAD_KINDS:
        builder.with_dataset(kind.service, kind.dataset, [], REGION if kind.regional else GLOBAL)
    return builder


def test_every_kind_is_collected_with_the_permission_the_table_names() -> None:
    specs = all_specs()
    for kind in WORKLOAD_KINDS:
        spec = specs[f"{kind.service}/{kind.dataset}"]
        assert kind.permission in spec.actions, kind.kind
        assert spec.regional is kind.regional, kind.kind


def test_nothing_collected_is_an_incomplete_inventory() -> None:
    inventory = workloads_of_snapshot(SnapshotBuilder(regions=(REGION,)).build(), DEFAULT_GOVERNANCE_GLOBS)
    assert not inventory.complete
    assert len(inventory.not_collected[REGION]) == sum(k.regional for k in WORKLOAD_KINDS)


def test_governance_is_separated_from_workloads() -> None:
    builder = _empty_inventory()
    builder.with_dataset(
        "ec2",
        "Instances",
        [
            {"InstanceId": "i-app", "State": {"Name": "running"}},
            {"InstanceId": "i-gone", "State": {"Name": "terminated"}},
            {
                "InstanceId": "i-ct",
                "State": {"Name": "running"},
                "Tags": [{"Key": "aws:cloudformation:stack-name", "Value": "StackSet-guardrails-1"}],
            },
        ],
        REGION,
    )
    builder.with_dataset("s3", "Buckets", [{"Name": "org-logs-archive"}, {"Name": "aws-controltower-logs-1"}])
    builder.with_dataset(
        "cloudtrail",
        "Trails",
        [{"Name": "org", "IsOrganizationTrail": True, "S3BucketName": "org-logs-archive"}],
        REGION,
    )
    builder.with_dataset(
        "sqs", "Queues", [{"QueueUrl": f"https://sqs.{REGION}.amazonaws.com/1/orders"}], REGION
    )
    builder.with_dataset(
        "autoscaling",
        "AutoScalingGroups",
        [{"AutoScalingGroupName": "idle", "MinSize": 0, "MaxSize": 0, "DesiredCapacity": 0}],
        REGION,
    )
    inventory = workloads_of_snapshot(builder.build(), DEFAULT_GOVERNANCE_GLOBS)
    assert inventory.complete
    assert sorted((f.kind, f.resource.name) for f in inventory.workloads) == [
        ("ec2-instance", "i-app"),
        ("sqs-queue", "orders"),
    ]
    governance = {f.resource.name: f.governance_reason for f in inventory.governance}
    assert governance["org-logs-archive"] == "bucket of organization trail org"
    assert "StackSet-*" in str(governance["i-ct"])
    assert "aws-controltower-*" in str(governance["aws-controltower-logs-1"])


def test_context_carries_accounts_linked_budgets_features_and_scps() -> None:
    budgets = [
        {"BudgetName": "org", "Notifications": [{"NotificationType": "ACTUAL"}]},
        {
            "BudgetName": "sandbox-cap",
            "CostFilters": {"LinkedAccount": [WEAK_MEMBER]},
            "Notifications": [{"NotificationType": "ACTUAL"}],
        },
        {"BudgetName": "silent", "CostFilters": {"LinkedAccount": [GUARDED_MEMBER]}, "Notifications": []},
    ]
    management = organization_snapshot(budgets=budgets, features=["RootCredentialsManagement"]).build()
    context = build_context(management)
    assert context is not None
    assert context.is_member(WEAK_MEMBER) is True
    assert context.is_member("999999999999") is False
    assert context.budgets_capping(WEAK_MEMBER) == ["sandbox-cap"]
    assert context.budgets_capping(GUARDED_MEMBER) == []
    assert context.root_credentials_managed() is True
    assert context.scps_above.value[GUARDED_MEMBER][GUARDED_OU] == ["FullAWSAccess", "security-baseline"]
    assert ROOT in context.scps_above.value[WEAK_MEMBER]
    assert context_from_dataset(context.to_dataset()) == context


def test_context_facts_not_collected_are_unknown_not_empty() -> None:
    builder = failed(organization_snapshot(), "budgets", "Budgets")
    failed(builder, "iam", "OrganizationsFeatures")
    context = build_context(builder.build())
    assert context is not None
    assert context.budgets_capping(WEAK_MEMBER) is None
    assert context.root_credentials_managed() is None
    assert "AccessDenied" in str(context.linked_budgets.reason)


def test_no_organization_no_context() -> None:
    builder = SnapshotBuilder().with_dataset("organizations", "Organization", {"Organization": None})
    assert build_context(builder.build()) is None

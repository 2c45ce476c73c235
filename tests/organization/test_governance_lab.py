"""The organization analyses on the organization lab's management account: exactly what is planted."""

from __future__ import annotations

import boto3
import pytest

from awsaudit.analyze.organization.context import build_context
from awsaudit.analyze.organization.directory_inventory import (
    EXTERNAL_IDENTITY_PROVIDER,
    identity_center_inventory,
)
from awsaudit.analyze.organization.guardrails import baseline_items, guardrails_of_snapshot
from awsaudit.analyze.organization.tree import NodeKind
from awsaudit.analyze.organization.workloads import WORKLOAD_KINDS, workloads_of_snapshot
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.scenarios.organization_governance import EXTERNAL_IDP
from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot
from tests.organization.conftest import lab_hooks

pytestmark = pytest.mark.lab

DATASETS = {
    "organizations/Organization",
    "organizations/Accounts",
    "organizations/Roots",
    "organizations/OrganizationalUnits",
    "organizations/AccountParents",
    "organizations/Policies",
    "organizations/ResourceControlPolicies",
    "iam/OrganizationsFeatures",
    "budgets/Budgets",
    "cloudtrail/Trails",
    "sso-admin/Instances",
    "ds/Directories",
    *(f"{kind.service}/{kind.dataset}" for kind in WORKLOAD_KINDS),
}


@pytest.fixture(scope="module")
def management(lab: Lab, organization: BuiltScenario) -> Snapshot:
    del organization
    options = CollectOptions(
        regions=("us-east-1",),
        datasets=frozenset(DATASETS),
        endpoint_url=lab.endpoint_url,
        client_hooks=lab_hooks(lab),
        max_workers=8,
    )
    return collect(boto3.Session(region_name="us-east-1"), options)


def _names(snapshot: Snapshot) -> dict[str, str]:
    return {a["Name"]: a["Id"] for a in snapshot.dataset("organizations", "global", "AccountParents")}


def test_guardrails_hold_in_production_only(management: Snapshot) -> None:
    config = AuditConfig()
    report = guardrails_of_snapshot(
        management, baseline_items(config.guardrail_baseline, config.audit_roles, ())
    )
    names = _names(management)
    by_name = {a.name: a for a in report.accounts}
    assert "master" not in by_name  # out of SCP reach
    assert set(by_name) == {
        "well-run",
        "linked-budget",
        "no-budget",
        "no-audit-role",
        "sandbox-dev",
        "at-root",
        "root-less",
    }
    guarded = {name for name, account in by_name.items() if not account.allowed and not account.conditional}
    assert guarded == {"well-run", "linked-budget"}
    # The root denies leaving the organization; nothing else reaches Sandbox or the root's accounts.
    assert "organizations:LeaveOrganization" not in by_name["at-root"].allowed
    assert "cloudtrail:StopLogging" in by_name["sandbox-dev"].allowed
    units = {c.name: c.id for c in report.containers if c.kind is NodeKind.UNIT}
    assert set(by_name["sandbox-dev"].attach_at.values()) == {units["Sandbox"]}
    assert set(by_name["at-root"].attach_at.values()) == {names["at-root"]}
    assert report.policies_without_effect == ("deny-reserved-instance-purchases",)
    assert report.rcps_in_force


def test_management_workloads_beside_governance(management: Snapshot) -> None:
    inventory = workloads_of_snapshot(management, AuditConfig().governance_resources)
    assert inventory.complete, inventory.not_collected
    assert sorted(f.kind for f in inventory.workloads) == [
        "dynamodb-table",
        "ec2-instance",
        "lightsail-instance",
        "sqs-queue",
    ]
    governance = sorted(f.resource.name for f in inventory.governance)
    assert governance == [
        "aws-controltower-SecurityNotifications",
        "aws-controltower-logs-123456789012-us-east-1",
        "organization-trail-123456789012",
    ]


def test_context_for_members(management: Snapshot) -> None:
    context = build_context(management)
    assert context is not None
    names = _names(management)
    assert context.is_member(names["root-less"]) is True
    assert context.budgets_capping(names["linked-budget"]) == [f"member-{names['linked-budget']}"]
    assert context.budgets_capping(names["well-run"]) == []
    assert context.root_credentials_managed() is True


def test_identity_center_instance_and_its_external_identity_source(management: Snapshot) -> None:
    instances, missing = identity_center_inventory(management)
    assert missing == {}
    (instance,) = instances
    assert (instance["Name"], instance["Status"]) == ("corp", "ACTIVE")
    source = instance["identity_source"]
    # The directory corp.example.com sits beside the instance but is not its identity store.
    assert (source["type"], source["issuers"], source["inferred"]) == (
        EXTERNAL_IDENTITY_PROVIDER,
        [EXTERNAL_IDP],
        True,
    )
    assert source["basis"].startswith("2 of 2 sampled user(s)")

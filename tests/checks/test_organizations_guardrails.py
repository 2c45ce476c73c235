"""Organization governance judged by effect: SCP content, management workloads, centralized root
access, delegated administrators of the security services, intervention capability."""

from __future__ import annotations

from typing import Any

from awsaudit.analyze.organization.context import build_context
from awsaudit.analyze.organization.guardrails import baseline_items
from awsaudit.analyze.organization.workloads import WORKLOAD_KINDS
from awsaudit.config import AuditConfig
from awsaudit.findings import Status
from awsaudit.snapshot import GLOBAL
from tests.builders import SnapshotBuilder, run
from tests.organization_snapshots import (
    GUARDED_MEMBER,
    GUARDED_OU,
    MANAGEMENT,
    ROOT,
    ROOT_MEMBER,
    WEAK_MEMBER,
    WEAK_OU,
    default_policies,
    failed,
    organization_snapshot,
    policy,
)

REGION = "eu-west-1"


def _by_resource(findings: list[Any]) -> dict[str, Any]:
    return {f.resource: f for f in findings}


def _account(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


# ---------------------------------------------------------------- scp_guardrails


def test_guardrails_per_ou_and_per_account_from_the_management_account() -> None:
    findings = _by_resource(run(organization_snapshot().build(), "organizations.scp_guardrails"))
    management = findings[_account(MANAGEMENT)]
    assert management.status is Status.MANUAL and "out of SCP reach" in management.message
    assert findings[_account(GUARDED_MEMBER)].status is Status.PASS
    weak = findings[_account(WEAK_MEMBER)]
    assert weak.status is Status.FAIL and "cloudtrail:StopLogging" in weak.message
    assert set(weak.evidence["attach_denying_scp_at"].values()) == {WEAK_OU}
    assert weak.evidence["policies_denying_none_of_the_baseline"] == ["no-reserved-instances"]
    assert findings[_account(ROOT_MEMBER)].status is Status.FAIL
    ou = {
        f.evidence["target"]: f.status for f in findings.values() if f.evidence.get("kind") in ("ou", "root")
    }
    assert ou == {ROOT: Status.FAIL, GUARDED_OU: Status.PASS, WEAK_OU: Status.FAIL}


def test_an_unreadable_scp_makes_only_the_targets_beneath_it_unknown() -> None:
    bad = policy("p-bad", "bad", {"Statement": "nope"}, [WEAK_OU])
    bad["Content"] = "{not json"
    snapshot = organization_snapshot([*default_policies(), bad]).build()
    findings = _by_resource(run(snapshot, "organizations.scp_guardrails"))
    weak = findings[_account(WEAK_MEMBER)]
    assert weak.status is Status.UNKNOWN and "SCP bad" in weak.message
    assert "invalid JSON" in weak.evidence["unreadable_policies"]["SCP bad"]
    assert findings[_account(GUARDED_MEMBER)].status is Status.PASS
    assert findings[_account(ROOT_MEMBER)].status is Status.FAIL
    ou = {
        f.evidence["target"]: f.status for f in findings.values() if f.evidence.get("kind") in ("ou", "root")
    }
    assert ou == {ROOT: Status.FAIL, GUARDED_OU: Status.PASS, WEAK_OU: Status.UNKNOWN}


def test_guardrails_unknown_when_the_tree_is_not_collected() -> None:
    builder = failed(organization_snapshot(), "organizations", "AccountParents")
    (finding,) = run(builder.build(), "organizations.scp_guardrails")
    assert finding.status is Status.UNKNOWN and "AccountParents" in finding.message


def _member_with_context(account_id: str, management: SnapshotBuilder | None) -> SnapshotBuilder:
    member = SnapshotBuilder(account_id=account_id).with_dataset(
        "organizations",
        "Organization",
        {"Organization": {"Id": "o-example", "MasterAccountId": MANAGEMENT}},
    )
    if management is not None:
        config = AuditConfig()
        context = build_context(
            management.build(), baseline_items(config.guardrail_baseline, config.audit_roles, ())
        )
        assert context is not None
        member.with_dataset("organization", "Context", context.to_dataset())
    return member


def test_a_member_judges_its_own_guardrails_from_the_organization_context() -> None:
    guarded = run(
        _member_with_context(GUARDED_MEMBER, organization_snapshot()).build(), "organizations.scp_guardrails"
    )
    weak = run(
        _member_with_context(WEAK_MEMBER, organization_snapshot()).build(), "organizations.scp_guardrails"
    )
    alone = run(_member_with_context(WEAK_MEMBER, None).build(), "organizations.scp_guardrails")
    assert [f.status for f in guarded] == [Status.PASS]
    assert [f.status for f in weak] == [Status.FAIL]
    assert [f.status for f in alone] == [Status.UNKNOWN]


def test_a_member_beneath_an_unreadable_scp_is_unknown() -> None:
    bad = policy("p-bad", "bad", {"Statement": "nope"}, [WEAK_OU])
    bad["Content"] = "{not json"
    management = organization_snapshot([*default_policies(), bad])
    (weak,) = run(_member_with_context(WEAK_MEMBER, management).build(), "organizations.scp_guardrails")
    assert weak.status is Status.UNKNOWN and "SCP bad" in weak.message
    (guarded,) = run(_member_with_context(GUARDED_MEMBER, management).build(), "organizations.scp_guardrails")
    assert guarded.status is Status.PASS


# ---------------------------------------------------------------- management_account_no_workloads


def _inventory(builder: SnapshotBuilder) -> SnapshotBuilder:
    for kind in WORKLOAD_KINDS:
        builder.with_dataset(kind.service, kind.dataset, [], REGION if kind.regional else GLOBAL)
    return builder


def _management() -> SnapshotBuilder:
    return _inventory(organization_snapshot(regions=(REGION,)))


def test_management_account_without_workloads_passes_and_lists_governance() -> None:
    builder = _management().with_dataset("s3", "Buckets", [{"Name": "aws-controltower-logs-1"}])
    (finding,) = run(builder.build(), "organizations.management_account_no_workloads")
    assert finding.status is Status.PASS
    assert [g["resource"] for g in finding.evidence["governance"]] == ["aws-controltower-logs-1"]


def test_management_account_with_a_queue_fails() -> None:
    builder = _management().with_dataset(
        "sqs", "Queues", [{"QueueUrl": f"https://sqs.{REGION}.amazonaws.com/1/orders"}], REGION
    )
    (finding,) = run(builder.build(), "organizations.management_account_no_workloads")
    assert finding.status is Status.FAIL and "sqs-queue" in finding.message


def test_a_kind_not_collected_makes_it_unknown() -> None:
    builder = failed(_management(), "kinesis", "StreamSummaries", REGION)
    (finding,) = run(builder.build(), "organizations.management_account_no_workloads")
    assert finding.status is Status.UNKNOWN
    assert "kinesis/StreamSummaries" in finding.evidence["not_collected"][REGION]


def test_other_accounts_get_no_workload_verdict() -> None:
    member = _inventory(_member_with_context(WEAK_MEMBER, None))
    member.with_dataset("sqs", "Queues", [{"QueueUrl": "https://sqs/1/orders"}], REGION)
    assert run(member.build(), "organizations.management_account_no_workloads") == []


# ---------------------------------------------------------------- centralized_root_access


def test_centralized_root_access() -> None:
    enabled = organization_snapshot(features=["RootCredentialsManagement", "RootSessions"]).build()
    disabled = organization_snapshot(features=[]).build()
    missing = failed(organization_snapshot(features=[]), "iam", "OrganizationsFeatures").build()
    assert [f.status for f in run(enabled, "organizations.centralized_root_access")] == [Status.PASS]
    assert [f.status for f in run(disabled, "organizations.centralized_root_access")] == [Status.FAIL]
    assert [f.status for f in run(missing, "organizations.centralized_root_access")] == [Status.UNKNOWN]
    member = _member_with_context(WEAK_MEMBER, None).build()
    assert run(member, "organizations.centralized_root_access") == []


# ---------------------------------------------------------------- security_delegated_administrators


def test_security_services_need_a_delegated_administrator() -> None:
    delegated = {
        "guardduty.amazonaws.com": [{"Id": "333300000000", "Name": "security"}],
        "securityhub.amazonaws.com": [{"Id": "333300000000", "Name": "security"}],
        "config.amazonaws.com": [{"Id": MANAGEMENT, "Name": "management"}],
        "access-analyzer.amazonaws.com": [],
    }
    builder = organization_snapshot().with_dataset(
        "organizations", "ServiceDelegatedAdministrators", delegated
    )
    verdicts = {
        f.evidence["service_principal"]: f.status
        for f in run(builder.build(), "organizations.security_delegated_administrators")
    }
    assert verdicts == {
        "guardduty.amazonaws.com": Status.PASS,
        "securityhub.amazonaws.com": Status.PASS,
        "config.amazonaws.com": Status.FAIL,
        "access-analyzer.amazonaws.com": Status.FAIL,
    }
    missing = failed(builder, "organizations", "ServiceDelegatedAdministrators").build()
    assert [f.status for f in run(missing, "organizations.security_delegated_administrators")] == [
        Status.UNKNOWN
    ]


# ---------------------------------------------------------------- intervention_capability


def _details(trust_principal: str | None, actions: list[str]) -> dict[str, Any]:
    roles = []
    if trust_principal is not None:
        roles.append(
            {
                "RoleName": "OrganizationAccountAccessRole",
                "Arn": f"arn:aws:iam::{WEAK_MEMBER}:role/OrganizationAccountAccessRole",
                "RoleId": "AROAAUDIT",
                "Path": "/",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": trust_principal}, "Action": "sts:AssumeRole"}
                    ],
                },
                "RolePolicyList": [
                    {
                        "PolicyName": "respond",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
                        },
                    }
                ],
                "AttachedManagedPolicies": [],
            }
        )
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": []}


def _intervention(
    details: dict[str, Any] | None, roles: tuple[str, ...] = ("OrganizationAccountAccessRole",)
) -> list[Any]:
    builder = _member_with_context(WEAK_MEMBER, None)
    if details is None:
        failed(builder, "iam", "AccountAuthorizationDetails")
    else:
        builder.with_dataset("iam", "AccountAuthorizationDetails", details)
    return run(builder.build(), "organizations.intervention_capability", AuditConfig(audit_roles=roles))


def test_intervention_capability() -> None:
    everything = list(AuditConfig().intervention_actions)
    able = _intervention(_details(f"arn:aws:iam::{MANAGEMENT}:root", everything))
    assert [f.status for f in able] == [Status.PASS]
    stranger = _intervention(_details("arn:aws:iam::999900000000:root", everything))
    assert [f.status for f in stranger] == [Status.FAIL] and "trusted by neither" in stranger[0].message
    weak = _intervention(_details(f"arn:aws:iam::{MANAGEMENT}:root", ["ec2:StopInstances"]))
    assert [f.status for f in weak] == [Status.FAIL] and "kms:DisableKey" in weak[0].message
    missing = _intervention(_details(None, []))
    assert [f.status for f in missing] == [Status.FAIL] and "does not exist" in missing[0].message
    assert [f.status for f in _intervention(None)] == [Status.UNKNOWN]
    unconfigured = _intervention(_details(f"arn:aws:iam::{MANAGEMENT}:root", everything), roles=())
    assert [f.status for f in unconfigured] == [Status.MANUAL]

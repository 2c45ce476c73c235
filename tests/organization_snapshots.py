"""Hand-built management-account snapshots of an organization: tree, SCPs, budgets, features."""

from __future__ import annotations

import json
from typing import Any

from awsaudit.snapshot import GLOBAL, RESOURCE_ERRORS_KEY, Snapshot
from tests.builders import SnapshotBuilder

MANAGEMENT = "111122223333"
ROOT = "r-root"
GUARDED_OU, WEAK_OU = "ou-root-guarded", "ou-root-weak"
GUARDED_MEMBER, WEAK_MEMBER, ROOT_MEMBER = "222200000001", "222200000002", "222200000003"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# Denies the whole default baseline and changes to the audit role, except for the audit role itself.
SECURITY_BASELINE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ProtectSecurityServices",
            "Effect": "Deny",
            "Action": [
                "cloudtrail:StopLogging",
                "cloudtrail:DeleteTrail",
                "config:StopConfigurationRecorder",
                "config:DeleteConfigurationRecorder",
                "config:DeleteDeliveryChannel",
                "guardduty:DeleteDetector",
                "guardduty:Disassociate*",
                "securityhub:DisableSecurityHub",
                "access-analyzer:DeleteAnalyzer",
                "organizations:LeaveOrganization",
            ],
            "Resource": "*",
            "Condition": {
                "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}
            },
        },
        {
            "Sid": "ProtectAuditRole",
            "Effect": "Deny",
            "Action": ["iam:*Role*"],
            "Resource": "arn:aws:iam::*:role/OrganizationAccountAccessRole",
            "Condition": {
                "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}
            },
        },
    ],
}
# Looks like a guardrail; denies nothing of the baseline.
COSMETIC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "ec2:PurchaseReservedInstancesOffering", "Resource": "*"}],
}


def policy(
    policy_id: str, name: str, content: Any, targets: list[str], aws_managed: bool = False
) -> dict[str, Any]:
    return {
        "PolicySummary": {
            "Id": policy_id,
            "Name": name,
            "Type": "SERVICE_CONTROL_POLICY",
            "AwsManaged": aws_managed,
        },
        "Content": json.dumps(content),
        "Targets": [
            {"TargetId": t, "Type": "ACCOUNT" if t.isdigit() else "ORGANIZATIONAL_UNIT"} for t in targets
        ],
    }


def default_policies() -> list[dict[str, Any]]:
    everything = [ROOT, GUARDED_OU, WEAK_OU, MANAGEMENT, GUARDED_MEMBER, WEAK_MEMBER, ROOT_MEMBER]
    return [
        policy("p-FullAWSAccess", "FullAWSAccess", ALLOW_ALL, everything, aws_managed=True),
        policy("p-baseline", "security-baseline", SECURITY_BASELINE, [GUARDED_OU]),
        policy("p-cosmetic", "no-reserved-instances", COSMETIC, [WEAK_OU]),
    ]


def organization_snapshot(
    policies: list[dict[str, Any]] | None = None,
    *,
    scp_enabled: bool = True,
    budgets: list[dict[str, Any]] | None = None,
    features: list[str] | None = None,
    regions: tuple[str, ...] = ("eu-west-1",),
) -> SnapshotBuilder:
    """The management account's view: a guarded OU, a weak OU and an account under the root."""
    policy_types = [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}] if scp_enabled else []
    builder = SnapshotBuilder(regions=regions, account_id=MANAGEMENT)
    builder.with_dataset(
        "organizations",
        "Organization",
        {"Organization": {"Id": "o-example", "MasterAccountId": MANAGEMENT, "FeatureSet": "ALL"}},
    )
    builder.with_dataset(
        "organizations", "Roots", [{"Id": ROOT, "Name": "Root", "PolicyTypes": policy_types}]
    )
    builder.with_dataset(
        "organizations",
        "OrganizationalUnits",
        [
            {"Id": GUARDED_OU, "Name": "Production", "ParentId": ROOT},
            {"Id": WEAK_OU, "Name": "Sandbox", "ParentId": ROOT},
        ],
    )
    placed = [
        {"Id": MANAGEMENT, "Name": "management", "ParentId": ROOT},
        {"Id": GUARDED_MEMBER, "Name": "prod", "ParentId": GUARDED_OU},
        {"Id": WEAK_MEMBER, "Name": "sandbox", "ParentId": WEAK_OU},
        {"Id": ROOT_MEMBER, "Name": "loose", "ParentId": ROOT},
    ]
    builder.with_dataset("organizations", "AccountParents", placed)
    builder.with_dataset("organizations", "Accounts", [{k: a[k] for k in ("Id", "Name")} for a in placed])
    builder.with_dataset("organizations", "Policies", default_policies() if policies is None else policies)
    if budgets is not None:
        builder.with_dataset("budgets", "Budgets", budgets)
    if features is not None:
        builder.with_dataset(
            "iam", "OrganizationsFeatures", {"OrganizationId": "o-example", "EnabledFeatures": features}
        )
    return builder


def without_field(entry: dict[str, Any], name: str) -> dict[str, Any]:
    """The entry with one sub-call recorded as failed."""
    broken = {k: v for k, v in entry.items() if k != name}
    broken[RESOURCE_ERRORS_KEY] = {name: {"operation": "Op", "code": "AccessDenied", "message": "denied"}}
    return broken


def dataset(snapshot: Snapshot, service: str, name: str) -> Any:
    return snapshot.dataset(service, GLOBAL, name)


def failed(builder: SnapshotBuilder, service: str, name: str, region: str = GLOBAL) -> SnapshotBuilder:
    """The dataset recorded as failed (AccessDenied) instead of collected."""
    builder.snapshot.datasets.get(service, {}).get(region, {}).pop(name, None)
    return builder.with_error(service, name, region)

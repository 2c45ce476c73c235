"""The IAM policies an organization scan needs, on each side of the role assumption.

The identity that runs ``scan --organization`` (management account or delegated administrator)
discovers the organization, assumes the audit role in every member and audits its own account; in
each member the audit role needs exactly the read-only actions of a single-account scan, and trusts
the scanning account only.
"""

from __future__ import annotations

from typing import Any

from awsaudit.collect.registry import required_actions

# What discovery calls before any account is scanned (collect/organization/discovery.py).
DISCOVERY_ACTIONS = (
    "organizations:DescribeOrganization",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListRoots",
)


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def management_policy(audit_role: str, partition: str = "aws") -> dict[str, Any]:
    """For the scanning identity: its own account's audit, discovery, and the audit role everywhere."""
    return _document(
        {
            "Sid": "AwsauditReadOnly",
            "Effect": "Allow",
            "Action": sorted({*required_actions(), *DISCOVERY_ACTIONS}),
            "Resource": "*",
        },
        {
            "Sid": "AwsauditAssumeMemberAuditRole",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": f"arn:{partition}:iam::*:role/{audit_role}",
        },
    )


def member_policy() -> dict[str, Any]:
    """The audit role's permissions in each member: what a single-account scan calls, nothing else."""
    return _document(
        {"Sid": "AwsauditReadOnly", "Effect": "Allow", "Action": required_actions(), "Resource": "*"}
    )


def member_trust_policy(
    scanning_account: str, partition: str = "aws", external_id: str | None = None
) -> dict[str, Any]:
    """The audit role's trust: the scanning account only (its administrators then grant the scanner
    ``sts:AssumeRole`` on the role, as :func:`management_policy` does)."""
    statement: dict[str, Any] = {
        "Sid": "AwsauditScanner",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{scanning_account}:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return _document(statement)

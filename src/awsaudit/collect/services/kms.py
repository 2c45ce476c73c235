"""KMS: every key of a region with its metadata; rotation and key policy for customer-managed keys."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset


def _key_detail(ctx: CallContext, key: dict[str, Any]) -> None:
    key_id = key["KeyId"]
    attach(key, "KeyMetadata", lambda: ctx.client.describe_key(KeyId=key_id)["KeyMetadata"])
    metadata = key.get("KeyMetadata")
    if not metadata or metadata.get("KeyManager") != "CUSTOMER":
        return  # AWS-managed keys rotate on AWS's schedule and their policies are AWS's
    # Rotation applies to symmetric encryption keys only; AWS refuses the call for others
    # and for keys that are disabled or pending deletion.
    if metadata.get("KeySpec") == "SYMMETRIC_DEFAULT" and metadata.get("KeyState") == "Enabled":
        attach(
            key,
            "KeyRotationEnabled",
            lambda: ctx.client.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"],
        )
    attach(key, "Policy", lambda: ctx.client.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])


@dataset(
    "kms",
    "Keys",
    regional=True,
    actions=["kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy"],
    detail=_key_detail,
)
def keys(ctx: CallContext) -> list[Any]:
    """{KeyId, KeyArn} per key; the detail adds KeyMetadata, KeyRotationEnabled and Policy."""
    return ctx.paginate("list_keys", "Keys")

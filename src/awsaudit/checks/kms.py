"""KMS check: customer managed symmetric keys rotate."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.exposure import judge_kind, kind, policy_check
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity


@check(
    id="kms.key_rotation",
    title="Customer-managed symmetric KMS keys rotate automatically",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("kms", "Keys", regional=True)],
    rationale=(
        "Automatic rotation limits how much data one key version protects if its material is ever exposed."
    ),
    remediation="aws kms enable-key-rotation --key-id <key-id>",
    references=["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
)
def key_rotation(ctx: CheckContext) -> Iterator[Result]:
    def resource(key: Mapping[str, Any]) -> str:
        metadata = key.get("KeyMetadata") or {}
        return str(metadata.get("Arn") or key.get("KeyArn") or key["KeyId"])

    def judge(key: Mapping[str, Any]) -> list[Result]:
        metadata = ctx.field(key, "KeyMetadata")
        if not isinstance(metadata, Mapping):
            return [ctx.unknown(resource(key), f"Key {key.get('KeyId')} has no KeyMetadata to judge", {})]
        # AWS-managed keys rotate on AWS's schedule; disabled, asymmetric, HMAC, imported and
        # custom-key-store keys cannot use automatic rotation, so CIS does not judge them.
        if (
            metadata.get("KeyManager") != "CUSTOMER"
            or metadata.get("KeyState") != "Enabled"
            or metadata.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT"
            or metadata.get("Origin", "AWS_KMS") != "AWS_KMS"
        ):
            return []
        enabled = ctx.field(key, "KeyRotationEnabled")
        evidence = {"KeyRotationEnabled": enabled, "KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT"}
        if enabled is True:
            return [ctx.passed(resource(key), f"Key {metadata.get('KeyId')} rotates automatically", evidence)]
        return [
            ctx.failed(resource(key), f"Key {metadata.get('KeyId')} does not rotate automatically", evidence)
        ]

    return ctx.each(ctx.dataset("kms", "Keys"), resource, judge)


# ------------------------------------------------------- resource policy exposure (CIS 2.21)

KEY_NOT_EXPOSED = kind("kms.key_not_exposed")


@policy_check(KEY_NOT_EXPOSED)
def key_not_exposed(ctx: CheckContext) -> Iterator[Result]:
    return judge_kind(ctx, KEY_NOT_EXPOSED)

"""Secrets Manager: every secret's resource policy. No secret value is ever read."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset


def _secret_detail(ctx: CallContext, secret: dict[str, Any]) -> None:
    # Secrets Manager has no bulk read of resource policies: one call per secret.
    attach(
        secret,
        "ResourcePolicy",
        lambda: ctx.client.get_resource_policy(SecretId=secret["ARN"]).get("ResourcePolicy"),
    )


@dataset(
    "secretsmanager",
    "Secrets",
    regional=True,
    actions=["secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"],
    detail=_secret_detail,
)
def secrets(ctx: CallContext) -> list[dict[str, Any]]:
    """{ARN, Name, ResourcePolicy (JSON text or null)} per secret (ListSecrets carries no values)."""
    return [{"ARN": s["ARN"], "Name": s.get("Name")} for s in ctx.paginate("list_secrets", "SecretList")]

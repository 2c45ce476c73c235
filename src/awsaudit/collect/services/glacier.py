"""S3 Glacier: every vault of a region with its access policy."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset


def _vault_detail(ctx: CallContext, vault: dict[str, Any]) -> None:
    # Glacier has no bulk read of vault policies: one call per vault.
    attach(
        vault,
        "Policy",
        lambda: ctx.client.get_vault_access_policy(vaultName=vault["VaultName"])["policy"]["Policy"],
        absent={"ResourceNotFoundException": None},
    )


@dataset(
    "glacier",
    "Vaults",
    regional=True,
    actions=["glacier:ListVaults", "glacier:GetVaultAccessPolicy"],
    detail=_vault_detail,
)
def vaults(ctx: CallContext) -> list[dict[str, Any]]:
    """{VaultARN, VaultName, Policy (JSON text or null)} per vault."""
    return [
        {"VaultARN": vault["VaultARN"], "VaultName": vault["VaultName"]}
        for vault in ctx.paginate("list_vaults", "VaultList")
    ]

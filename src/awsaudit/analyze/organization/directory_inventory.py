"""Identity Center instances and directories as the federation inventory lists them (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsaudit.snapshot import NotCollected, Snapshot, resource_field


def _field(item: Mapping[str, Any], name: str, service: str, region: str) -> Any:
    try:
        return resource_field(item, name, service=service, region=region)
    except NotCollected as absent:
        return {"not_collected": absent.reason}


def identity_center_inventory(snapshot: Snapshot) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every instance with its permission sets and assignment counts; regions not collected."""
    found: list[dict[str, Any]] = []
    missing: dict[str, str] = {}
    for region in snapshot.regions:
        try:
            instances = snapshot.dataset("sso-admin", region, "Instances")
        except NotCollected as absent:
            missing[region] = absent.reason
            continue
        for instance in instances:
            permission_sets = _field(instance, "PermissionSets", "sso-admin", region)
            listed = permission_sets if isinstance(permission_sets, list) else []
            found.append(
                {
                    "region": region,
                    "InstanceArn": instance.get("InstanceArn"),
                    "IdentityStoreId": instance.get("IdentityStoreId"),
                    "OwnerAccountId": instance.get("OwnerAccountId"),
                    "permission_sets": [
                        {
                            "Name": ps.get("Name"),
                            "assignments": len(ps.get("AccountAssignments") or []),
                        }
                        for ps in listed
                    ],
                    **(
                        {}
                        if isinstance(permission_sets, list)
                        else {"permission_sets_problem": permission_sets}
                    ),
                }
            )
    return found, missing


def directory_inventory(snapshot: Snapshot) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every directory (AD Connectors included) with its trusts; regions not collected."""
    found: list[dict[str, Any]] = []
    missing: dict[str, str] = {}
    for region in snapshot.regions:
        try:
            directories = snapshot.dataset("ds", region, "Directories")
        except NotCollected as absent:
            missing[region] = absent.reason
            continue
        for directory in directories:
            trusts = _field(directory, "Trusts", "ds", region)
            found.append(
                {
                    "region": region,
                    "DirectoryId": directory.get("DirectoryId"),
                    "Name": directory.get("Name"),
                    "Type": directory.get("Type"),
                    "ConnectSettings": directory.get("ConnectSettings"),
                    "trusts": [
                        {
                            k: t.get(k)
                            for k in ("RemoteDomainName", "TrustDirection", "TrustType", "SelectiveAuth")
                        }
                        for t in trusts
                    ]
                    if isinstance(trusts, list)
                    else trusts,
                }
            )
    return found, missing

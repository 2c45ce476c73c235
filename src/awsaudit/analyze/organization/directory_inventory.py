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


# The sub-call fields of sso-admin/Instances this inventory reads (a check reading it names them).
IDENTITY_CENTER_INVENTORY_FIELDS = frozenset(
    {"PermissionSets", "AccountAssignments", "Description", "UserSample"}
)

ACTIVE_DIRECTORY = "ACTIVE_DIRECTORY"
EXTERNAL_IDENTITY_PROVIDER = "EXTERNAL_IDENTITY_PROVIDER"
IDENTITY_CENTER_DIRECTORY = "IDENTITY_CENTER_DIRECTORY"
UNDETERMINED = "UNDETERMINED"
_AD_TYPES = ("MicrosoftAD", "ADConnector", "SimpleAD")


def identity_source(instance: Mapping[str, Any], directories: Any, region: str) -> dict[str, Any]:
    """The instance's identity source as far as the documented APIs show it (AWS publishes no API
    naming it): always marked ``inferred``, with the basis of the inference.

    - a directory of the account whose id is the identity store's: Active Directory;
    - sampled users carrying ``ExternalIds`` (identifiers an external provider issued): an
      external identity provider provisioning over SCIM (or a directory sync), issuers listed;
    - sampled users none of whom carries one: the Identity Center directory;
    - no users, or the sample not collected: undetermined.
    """
    store = instance.get("IdentityStoreId")
    for directory in directories if isinstance(directories, list) else []:
        if directory.get("DirectoryId") == store and directory.get("Type") in _AD_TYPES:
            return {
                "type": ACTIVE_DIRECTORY,
                "inferred": True,
                "basis": f"the identity store is directory {store} ({directory.get('Type')} "
                f"{directory.get('Name')})",
            }
    try:
        sample = resource_field(instance, "UserSample", service="sso-admin", region=region)
    except NotCollected as absent:
        return {"type": UNDETERMINED, "inferred": True, "basis": f"users not sampled: {absent.reason}"}
    sampled, external = int(sample.get("Sampled") or 0), int(sample.get("WithExternalIds") or 0)
    if external:
        return {
            "type": EXTERNAL_IDENTITY_PROVIDER,
            "inferred": True,
            "basis": f"{external} of {sampled} sampled user(s) carry identifiers issued by an "
            "external provider",
            "issuers": list(sample.get("Issuers") or []),
        }
    if sampled:
        return {
            "type": IDENTITY_CENTER_DIRECTORY,
            "inferred": True,
            "basis": f"none of {sampled} sampled user(s) carries an external identifier",
        }
    return {"type": UNDETERMINED, "inferred": True, "basis": "the identity store has no users"}


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
        try:
            directories: Any = snapshot.dataset("ds", region, "Directories")
        except NotCollected:
            directories = None  # the identity source is then inferred from the users alone
        for instance in instances:
            permission_sets = _field(instance, "PermissionSets", "sso-admin", region)
            description = _field(instance, "Description", "sso-admin", region)
            listed = permission_sets if isinstance(permission_sets, list) else []
            found.append(
                {
                    "region": region,
                    "InstanceArn": instance.get("InstanceArn"),
                    "IdentityStoreId": instance.get("IdentityStoreId"),
                    "OwnerAccountId": instance.get("OwnerAccountId"),
                    "Name": description.get("Name"),
                    "Status": description.get("Status"),
                    **({"description_problem": description} if "not_collected" in description else {}),
                    "identity_source": identity_source(instance, directories, region),
                    "permission_sets": [_permission_set_entry(ps, region) for ps in listed],
                    **(
                        {}
                        if isinstance(permission_sets, list)
                        else {"permission_sets_problem": permission_sets}
                    ),
                }
            )
    return found, missing


def _permission_set_entry(permission_set: Mapping[str, Any], region: str) -> dict[str, Any]:
    # Assignments that were not collected are said to be so, never counted as none.
    assignments = _field(permission_set, "AccountAssignments", "sso-admin", region)
    return {
        "Name": permission_set.get("Name"),
        "assignments": len(assignments) if isinstance(assignments, list) else assignments,
    }


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

"""RDS: DB instances (encryption, public accessibility, minor version upgrades) and manual snapshots
with who may restore them."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset


@dataset("rds", "DBInstances", regional=True, actions=["rds:DescribeDBInstances"])
def db_instances(ctx: CallContext) -> list[Any]:
    return ctx.paginate("describe_db_instances", "DBInstances")


def _restore_attribute(attributes: dict[str, Any]) -> list[str]:
    """The accounts (or "all") that may restore a snapshot, from its attributes result."""
    for attribute in (
        attributes.get("DBSnapshotAttributes") or attributes.get("DBClusterSnapshotAttributes") or []
    ):
        if attribute.get("AttributeName") == "restore":
            return [str(value) for value in attribute.get("AttributeValues") or []]
    return []


def _db_snapshot_detail(ctx: CallContext, snapshot: dict[str, Any]) -> None:
    # RDS has no bulk read of snapshot attributes: one call per manual snapshot (only manual
    # snapshots can be shared).
    attach(
        snapshot,
        "RestoreAccounts",
        lambda: _restore_attribute(
            ctx.client.describe_db_snapshot_attributes(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])[
                "DBSnapshotAttributesResult"
            ]
        ),
    )


@dataset(
    "rds",
    "DBSnapshots",
    regional=True,
    actions=["rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes"],
    detail=_db_snapshot_detail,
)
def db_snapshots(ctx: CallContext) -> list[dict[str, Any]]:
    """{DBSnapshotIdentifier, DBSnapshotArn, Encrypted, RestoreAccounts} per manual DB snapshot."""
    return [
        {key: snapshot.get(key) for key in ("DBSnapshotIdentifier", "DBSnapshotArn", "Encrypted")}
        for snapshot in ctx.paginate("describe_db_snapshots", "DBSnapshots", SnapshotType="manual")
    ]


def _cluster_snapshot_detail(ctx: CallContext, snapshot: dict[str, Any]) -> None:
    # As for DB snapshots: one call per manual cluster snapshot.
    attach(
        snapshot,
        "RestoreAccounts",
        lambda: _restore_attribute(
            ctx.client.describe_db_cluster_snapshot_attributes(
                DBClusterSnapshotIdentifier=snapshot["DBClusterSnapshotIdentifier"]
            )["DBClusterSnapshotAttributesResult"]
        ),
    )


@dataset(
    "rds",
    "DBClusterSnapshots",
    regional=True,
    actions=["rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusterSnapshotAttributes"],
    detail=_cluster_snapshot_detail,
)
def db_cluster_snapshots(ctx: CallContext) -> list[dict[str, Any]]:
    """{DBClusterSnapshotIdentifier, DBClusterSnapshotArn, StorageEncrypted, RestoreAccounts} per one."""
    keys = ("DBClusterSnapshotIdentifier", "DBClusterSnapshotArn", "StorageEncrypted")
    return [
        {key: snapshot.get(key) for key in keys}
        for snapshot in ctx.paginate(
            "describe_db_cluster_snapshots", "DBClusterSnapshots", SnapshotType="manual"
        )
    ]

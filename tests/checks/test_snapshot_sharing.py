"""Public EBS snapshots, AMIs, RDS snapshots and the block-public-sharing switches."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.findings import Severity, Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run

REGION = "eu-west-1"
SCOPE = f"arn:aws:ec2:{REGION}:{ACCOUNT_ID}:account"


def regional(service: str, name: str, value: Any) -> SnapshotBuilder:
    return SnapshotBuilder().with_dataset(service, name, value, REGION)


def test_public_ebs_snapshot_fails_and_none_passes_the_region() -> None:
    (finding,) = run(
        regional("ec2", "PublicSnapshots", [{"SnapshotId": "snap-1"}]).build(), "ec2.snapshot_not_public"
    )
    assert (finding.status, finding.resource) == (Status.FAIL, f"arn:aws:ec2:{REGION}::snapshot/snap-1")
    (finding,) = run(regional("ec2", "PublicSnapshots", []).build(), "ec2.snapshot_not_public")
    assert (finding.status, finding.resource) == (Status.PASS, SCOPE)
    (finding,) = run(
        SnapshotBuilder().with_error("ec2", "PublicSnapshots", REGION).build(), "ec2.snapshot_not_public"
    )
    assert finding.status is Status.UNKNOWN


@pytest.mark.parametrize(
    ("check_id", "dataset", "field", "on"),
    [
        ("ec2.snapshot_block_public_access", "SnapshotBlockPublicAccess", "State", "block-all-sharing"),
        (
            "ec2.image_block_public_access",
            "ImageBlockPublicAccess",
            "ImageBlockPublicAccessState",
            "block-new-sharing",
        ),
    ],
)
def test_block_public_sharing_switches(check_id: str, dataset: str, field: str, on: str) -> None:
    assert run(regional("ec2", dataset, {field: on}).build(), check_id)[0].status is Status.PASS
    assert run(regional("ec2", dataset, {field: "unblocked"}).build(), check_id)[0].status is Status.FAIL
    assert run(regional("ec2", dataset, {}).build(), check_id)[0].status is Status.UNKNOWN
    assert (
        run(SnapshotBuilder().with_error("ec2", dataset, REGION).build(), check_id)[0].status
        is Status.UNKNOWN
    )


def test_snapshot_block_new_sharing_leaves_existing_public_snapshots_and_fails() -> None:
    (finding,) = run(
        regional("ec2", "SnapshotBlockPublicAccess", {"State": "block-new-sharing"}).build(),
        "ec2.snapshot_block_public_access",
    )
    assert finding.status is Status.FAIL


def test_amis_judged_by_their_public_flag() -> None:
    images = [
        {"ImageId": "ami-1", "Public": True},
        {"ImageId": "ami-2", "Public": False},
        {"ImageId": "ami-3"},
    ]
    findings = run(regional("ec2", "Images", images).build(), "ec2.ami_not_public")
    assert [f.status for f in findings] == [Status.FAIL, Status.PASS, Status.UNKNOWN]


def db_snapshot(name: str, restore: list[str] | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "DBSnapshotIdentifier": name,
        "DBSnapshotArn": f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:snapshot:{name}",
    }
    if restore is None:
        item["_errors"] = {
            "RestoreAccounts": {"operation": "DescribeDBSnapshotAttributes", "code": "AccessDenied"}
        }
    else:
        item["RestoreAccounts"] = restore
    return item


def test_rds_snapshots_public_shared_outside_inside_and_unreadable() -> None:
    snapshots = [
        db_snapshot("public", ["all"]),
        db_snapshot("stranger", ["999988887777"]),
        db_snapshot("sibling", ["222233334444"]),
        db_snapshot("private", []),
        db_snapshot("denied", None),
    ]
    cluster = [
        {
            "DBClusterSnapshotIdentifier": "c1",
            "DBClusterSnapshotArn": f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:cluster-snapshot:c1",
            "RestoreAccounts": ["all"],
        }
    ]
    builder = (
        regional("rds", "DBSnapshots", snapshots)
        .with_dataset("rds", "DBClusterSnapshots", cluster, REGION)
        .with_dataset("organizations", "Organization", {"Organization": {"Id": "o-1"}})
        .with_dataset("organizations", "Accounts", [{"Id": ACCOUNT_ID}, {"Id": "222233334444"}])
    )
    findings = {f.resource.rsplit(":", 1)[-1]: f for f in run(builder.build(), "rds.snapshot_not_shared")}
    assert {name: (f.status, f.severity) for name, f in findings.items()} == {
        "public": (Status.FAIL, Severity.CRITICAL),
        "stranger": (Status.FAIL, Severity.MEDIUM),
        "sibling": (Status.PASS, Severity.CRITICAL),
        "private": (Status.PASS, Severity.CRITICAL),
        "denied": (Status.UNKNOWN, Severity.CRITICAL),
        "c1": (Status.FAIL, Severity.CRITICAL),
    }

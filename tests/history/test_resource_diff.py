"""The structural diff of datasets: entries matched by natural id, JSON text parsed, telemetry ignored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from awsaudit.history.resource_diff import diff_snapshots, diff_values
from awsaudit.report.history_model import Kind
from awsaudit.snapshot import GLOBAL, Account, CollectionError, Snapshot


def _snapshot(**datasets: Any) -> Snapshot:
    snapshot = Snapshot(
        Account("111122223333", "aws", "arn"), datetime(2026, 6, 1, tzinfo=UTC), ["eu-west-1"], "t"
    )
    for key, value in datasets.items():
        service, region, name = key.split("__")
        snapshot.set(service, region, name, value)
    return snapshot


def _statement(sid: str | None, effect: str = "Allow") -> dict[str, Any]:
    statement = {"Effect": effect, "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    return statement if sid is None else {"Sid": sid, **statement}


def _bucket(*statements: dict[str, Any]) -> dict[str, Any]:
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)}) if statements else None
    return {"Name": "b", "Arn": "arn:aws:s3:::b", "Policy": policy, "Versioning": {"Status": "Enabled"}}


def test_a_statement_added_to_a_bucket_policy_reads_as_that_statement() -> None:
    old = _snapshot(s3__global__Buckets=[_bucket(_statement("Read"))])
    new = _snapshot(s3__global__Buckets=[_bucket(_statement("Read"), _statement("Public", "Deny"))])
    (change,) = diff_snapshots(old, new).resources
    assert (change.where, change.kind) == ("s3/global/Buckets[b]", Kind.CHANGED)
    (field,) = change.fields
    assert (field.path, field.kind, field.new) == (
        "Policy.Statement[Public]",
        Kind.ADDED,
        _statement("Public", "Deny"),
    )


def test_statements_without_sid_compare_as_a_set_and_order_is_no_change() -> None:
    first, second = _statement(None), _statement(None, "Deny")
    same = diff_snapshots(
        _snapshot(s3__global__Buckets=[_bucket(first, second)]),
        _snapshot(s3__global__Buckets=[_bucket(second, first)]),
    )
    assert same.resources == ()
    (change,) = diff_snapshots(
        _snapshot(s3__global__Buckets=[_bucket(first)]),
        _snapshot(s3__global__Buckets=[_bucket(first, second)]),
    ).resources
    assert [(f.path, f.kind) for f in change.fields] == [("Policy.Statement[+]", Kind.ADDED)]


def test_security_group_rules_match_by_protocol_and_ports() -> None:
    def group(*ranges: str) -> dict[str, Any]:
        rule = {
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
            "IpRanges": [{"CidrIp": c} for c in ranges],
        }
        return {"GroupId": "sg-1", "GroupName": "web", "IpPermissions": [rule]}

    (change,) = diff_snapshots(
        _snapshot(ec2__eu_west_1__SecurityGroups=[group("10.0.0.0/8")]),
        _snapshot(ec2__eu_west_1__SecurityGroups=[group("10.0.0.0/8", "0.0.0.0/0")]),
    ).resources
    assert change.resource == "sg-1"
    assert [(f.path, f.kind, f.new) for f in change.fields] == [
        ("IpPermissions[tcp 22 22].IpRanges[0.0.0.0/0]", Kind.ADDED, {"CidrIp": "0.0.0.0/0"})
    ]


def test_entries_added_and_removed_and_keyed_lists_inside_a_dataset_object() -> None:
    old = _snapshot(
        iam__global__AccountAuthorizationDetails={
            "UserDetailList": [{"UserName": "alice"}, {"UserName": "bob"}]
        },
        iam__global__CredentialReport={
            "GeneratedTime": "2026-06-01",
            "Rows": [{"user": "alice", "mfa_active": "true"}],
        },
    )
    new = _snapshot(
        iam__global__AccountAuthorizationDetails={
            "UserDetailList": [{"UserName": "alice"}, {"UserName": "carol"}]
        },
        iam__global__CredentialReport={
            "GeneratedTime": "2026-06-02",
            "Rows": [{"user": "alice", "mfa_active": "false"}],
        },
    )
    changes = {
        (c.where, c.kind): [(f.path, f.old, f.new) for f in c.fields]
        for c in diff_snapshots(old, new).resources
    }
    assert changes == {
        ("iam/global/AccountAuthorizationDetails[UserDetailList[bob]]", Kind.REMOVED): [],
        ("iam/global/AccountAuthorizationDetails[UserDetailList[carol]]", Kind.ADDED): [],
        ("iam/global/CredentialReport[Rows[alice]]", Kind.CHANGED): [("mfa_active", "true", "false")],
    }


def test_a_dataset_on_one_side_only_is_a_gap_with_its_reason_not_a_change() -> None:
    old = _snapshot(iam__global__PasswordPolicy={"PasswordPolicy": None})
    new = _snapshot()
    new.errors.append(
        CollectionError("iam", GLOBAL, "PasswordPolicy", "GetAccountPasswordPolicy", "AccessDenied", "no")
    )
    result = diff_snapshots(old, new)
    assert result.resources == ()
    (gap,) = result.gaps
    assert (gap.dataset, gap.reason) == (
        "PasswordPolicy",
        "not in the newer snapshot: GetAccountPasswordPolicy failed with AccessDenied: no",
    )


def test_values_missing_null_and_scalar_changes() -> None:
    changes = list(diff_values({"a": 1, "b": None, "c": [1, 2]}, {"a": 2, "c": [2, 3], "d": "x"}))
    assert [(c.path, c.kind, c.old, c.new) for c in changes] == [
        ("a", Kind.CHANGED, 1, 2),
        ("c[-]", Kind.REMOVED, 1, None),
        ("c[+]", Kind.ADDED, None, 3),
        ("d", Kind.ADDED, None, "x"),
    ]
    assert list(diff_values("{not json", "{not json either")) != []


def test_rds_and_efs_telemetry_is_not_a_configuration_change() -> None:
    def instance(restorable: str, encrypted: bool) -> dict[str, Any]:
        return {
            "DBInstanceIdentifier": "db1",
            "DBInstanceArn": "arn:aws:rds:eu-west-1:111122223333:db:db1",
            "LatestRestorableTime": restorable,
            "StorageEncrypted": encrypted,
        }

    def file_system(size: int) -> dict[str, Any]:
        return {"FileSystemId": "fs-1", "Encrypted": True, "SizeInBytes": {"Value": size, "Timestamp": size}}

    old = _snapshot(
        rds__eu_west_1__DBInstances=[instance("2026-06-01T10:00:00Z", True)],
        efs__eu_west_1__FileSystems=[file_system(6144)],
    )
    new = _snapshot(
        rds__eu_west_1__DBInstances=[instance("2026-06-02T10:05:00Z", True)],
        efs__eu_west_1__FileSystems=[file_system(12288)],
    )
    assert diff_snapshots(old, new).resources == ()
    # Lists without a natural id compare as sets of entries: telemetry is left out there too.
    unkeyed = [{"Engine": "x", "LatestRestorableTime": "2026-06-01T10:00:00Z"}]
    moved = [{"Engine": "x", "LatestRestorableTime": "2026-06-02T10:00:00Z"}]
    assert list(diff_values({"Things": unkeyed}, {"Things": moved})) == []
    changed = _snapshot(
        rds__eu_west_1__DBInstances=[instance("2026-06-02T10:05:00Z", False)],
        efs__eu_west_1__FileSystems=[file_system(12288)],
    )
    [resource] = diff_snapshots(old, changed).resources
    assert [(c.path, c.old, c.new) for c in resource.fields] == [("StorageEncrypted", True, False)]

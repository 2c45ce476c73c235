"""Snapshot round-trip, atomic private writes, and every bad-input case."""

from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path

import pytest

from awsaudit.snapshot import (
    SCHEMA,
    CollectionError,
    NotCollected,
    SnapshotError,
    load,
    resource_field,
    save,
)
from tests.builders import SnapshotBuilder


def _sample() -> SnapshotBuilder:
    builder = SnapshotBuilder(regions=("eu-west-1", "us-east-1"))
    builder.with_dataset(
        "ec2",
        "SecurityGroups",
        [{"GroupId": "sg-1", "IpPermissions": [], "IpPermissionsEgress": []}],
        region="eu-west-1",
    )
    builder.with_dataset("iam", "PasswordPolicy", {"PasswordPolicy": None})
    builder.with_error(
        "ec2", "FlowLogs", region="us-east-1", code="AccessDenied", operation="DescribeFlowLogs"
    )
    builder.snapshot.api_calls = {"ec2.DescribeSecurityGroups": 2}
    return builder


def test_round_trip_gzip_preserves_everything(tmp_path: Path) -> None:
    original = _sample().build()
    path = save(original, tmp_path / "snap.json.gz")
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    loaded = load(path)
    assert loaded.to_json() == original.to_json()
    assert loaded.dataset("iam", "global", "PasswordPolicy") == {"PasswordPolicy": None}


def test_plain_json_when_the_name_says_so(tmp_path: Path) -> None:
    path = save(_sample().build(), tmp_path / "snap.json")
    assert json.loads(path.read_text())["schema"] == SCHEMA


def test_written_owner_readable_only_and_no_temp_left(tmp_path: Path) -> None:
    path = save(_sample().build(), tmp_path / "out" / "snap.json.gz")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["snap.json.gz"]


def test_failed_dataset_raises_not_collected_with_the_recorded_reason() -> None:
    snapshot = _sample().build()
    with pytest.raises(NotCollected) as caught:
        snapshot.dataset("ec2", "us-east-1", "FlowLogs")
    assert "DescribeFlowLogs failed with AccessDenied" in caught.value.reason


def test_dataset_never_requested_is_distinguished_from_failed() -> None:
    snapshot = _sample().build()
    snapshot.requested = ["ec2/SecurityGroups"]
    with pytest.raises(NotCollected, match="not requested"):
        snapshot.dataset("kms", "eu-west-1", "Keys")


def test_region_outside_the_collection_is_named() -> None:
    with pytest.raises(NotCollected, match="ap-south-1 was not in the collected regions"):
        _sample().build().dataset("ec2", "ap-south-1", "Vpcs")


def test_resource_field_failure_and_absence() -> None:
    bucket = {
        "Name": "b",
        "Policy": None,
        "_errors": {"Acl": {"operation": "GetBucketAcl", "code": "AccessDenied"}},
    }
    assert resource_field(bucket, "Policy", service="s3", region="global") is None
    with pytest.raises(NotCollected, match="GetBucketAcl failed with AccessDenied"):
        resource_field(bucket, "Acl", service="s3", region="global")
    with pytest.raises(NotCollected, match="not collected for this resource"):
        resource_field(bucket, "Logging", service="s3", region="global")


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "not valid JSON"),
        (b'{"schema": "awsaudit.snapshot/1", "account"', "not valid JSON"),
        (b"[1, 2, 3]", "not an awsaudit snapshot"),
        (b'{"Version": "2012-10-17"}', "not an awsaudit snapshot"),
        (b'{"schema": "other.tool/1"}', "not an awsaudit snapshot"),
        (b'{"schema": "awsaudit.snapshot/99"}', "newer than this awsaudit supports"),
        (b'{"schema": "awsaudit.snapshot/x"}', "unreadable schema version"),
        (b'{"schema": "awsaudit.snapshot/0"}', "unsupported snapshot schema version 0"),
        (b'{"schema": "awsaudit.snapshot/1", "account": {}}', "malformed snapshot"),
        (
            b'{"schema": "awsaudit.snapshot/1", "account": {"id": "1"},'
            b' "collected_at": "2026-01-01T00:00:00Z", "regions": [], "datasets": {"ec2": []}}',
            "'datasets' must map service -> region -> dataset",
        ),
        (
            b'{"schema": "awsaudit.snapshot/1", "account": {"id": "1"}, "collected_at": "yesterday",'
            b' "regions": [], "datasets": {}}',
            "malformed snapshot",
        ),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
)
def test_bad_files_give_one_line_errors_naming_the_file(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = _write(tmp_path, "bad.json", content)
    with pytest.raises(SnapshotError) as caught:
        load(path)
    message = str(caught.value)
    assert expected in message
    assert message.startswith(str(path))
    assert "\n" not in message


def test_truncated_gzip(tmp_path: Path) -> None:
    good = save(_sample().build(), tmp_path / "good.json.gz").read_bytes()
    path = _write(tmp_path, "cut.json.gz", good[: len(good) // 2])
    with pytest.raises(SnapshotError, match="truncated or corrupt gzip"):
        load(path)


def test_gzip_of_foreign_json(tmp_path: Path) -> None:
    path = _write(tmp_path, "foreign.json.gz", gzip.compress(b'{"hello": "world"}'))
    with pytest.raises(SnapshotError, match="not an awsaudit snapshot"):
        load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot read"):
        load(tmp_path / "nope.json.gz")


def test_collection_error_round_trip_with_resource() -> None:
    error = CollectionError(
        "s3", "global", "Buckets.Policy", "GetBucketPolicy", "AccessDenied", "no", "arn:aws:s3:::b"
    )
    assert CollectionError.from_json(error.to_json()) == error

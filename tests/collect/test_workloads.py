"""RDS, EFS and the compute inventory (Lambda, ECS, EKS), collected from the lab."""

from __future__ import annotations

import json

import pytest

from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot
from tests.collect.support import ACCOUNT, HOME, OTHER, collect_lab, lab_client

DATASETS = [
    "rds/DBInstances",
    "efs/FileSystems",
    "lambda/Functions",
    "lambda/FunctionPolicies",
    "ecs/Clusters",
    "eks/Clusters",
]
ROLE_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture(scope="module")
def snapshot(clean_lab: Lab) -> Snapshot:
    lab_client(clean_lab, "rds", OTHER).create_db_instance(
        DBInstanceIdentifier="orders",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="not-collected-anyway",
        AllocatedStorage=20,
        StorageEncrypted=True,
        PubliclyAccessible=False,
        AutoMinorVersionUpgrade=True,
    )
    lab_client(clean_lab, "efs", OTHER).create_file_system(CreationToken="shared", Encrypted=True)
    role = lab_client(clean_lab, "iam").create_role(RoleName="fn", AssumeRolePolicyDocument=ROLE_TRUST)[
        "Role"
    ]["Arn"]
    lab_client(clean_lab, "lambda", OTHER).create_function(
        FunctionName="resize",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )
    lab_client(clean_lab, "ecs", OTHER).create_cluster(clusterName="web")
    lab_client(clean_lab, "eks", OTHER).create_cluster(
        name="platform", roleArn=role, resourcesVpcConfig={"subnetIds": []}
    )
    return collect_lab(clean_lab, datasets=DATASETS, regions=(HOME, OTHER))


def test_databases_and_file_systems_keep_security_fields(snapshot: Snapshot) -> None:
    assert snapshot.errors == []
    (db,) = snapshot.dataset("rds", OTHER, "DBInstances")
    assert (db["DBInstanceIdentifier"], db["StorageEncrypted"], db["PubliclyAccessible"]) == (
        "orders",
        True,
        False,
    )
    assert db["AutoMinorVersionUpgrade"] is True
    (file_system,) = snapshot.dataset("efs", OTHER, "FileSystems")
    assert file_system["Encrypted"] is True
    assert snapshot.dataset("rds", HOME, "DBInstances") == []


def test_compute_inventory_is_names_and_arns(snapshot: Snapshot) -> None:
    (function,) = snapshot.dataset("lambda", OTHER, "Functions")
    assert function["FunctionName"] == "resize"
    assert function["FunctionArn"] == f"arn:aws:lambda:{OTHER}:{ACCOUNT}:function:resize"
    assert function["Runtime"] == "python3.12"
    assert set(function) <= {"FunctionName", "FunctionArn", "Runtime", "LastModified", "Role"}
    assert snapshot.dataset("ecs", OTHER, "Clusters") == [f"arn:aws:ecs:{OTHER}:{ACCOUNT}:cluster/web"]
    assert snapshot.dataset("eks", OTHER, "Clusters") == ["platform"]
    assert snapshot.dataset("lambda", HOME, "Functions") == []


def test_one_function_listing_per_region_feeds_both_lambda_datasets(snapshot: Snapshot) -> None:
    assert snapshot.api_calls["lambda.ListFunctions"] == 2  # two regions, two datasets
    (policy,) = snapshot.dataset("lambda", OTHER, "FunctionPolicies")
    assert (policy["FunctionName"], policy["Policy"]) == ("resize", None)
    assert snapshot.dataset("lambda", HOME, "FunctionPolicies") == []

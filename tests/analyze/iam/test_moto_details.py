"""The analysis on `get_account_authorization_details` as moto answers it (boto3 shapes, no policy names)."""

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from awsaudit.analyze.iam import build_graph, separation_of_duties


@pytest.fixture
def details(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for variable, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(variable, value)
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        account = boto3.client("sts").get_caller_identity()["Account"]

        def document(*statements: dict[str, Any]) -> str:
            return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

        admin = iam.create_policy(
            PolicyName="everything",
            PolicyDocument=document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        )
        iam.create_role(
            RoleName="ops-admin",
            AssumeRolePolicyDocument=document(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
        iam.attach_role_policy(RoleName="ops-admin", PolicyArn=admin["Policy"]["Arn"])
        iam.create_group(GroupName="operators")
        iam.put_group_policy(
            GroupName="operators",
            PolicyName="assume-ops",
            PolicyDocument=document(
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": f"arn:aws:iam::{account}:role/ops-*",
                }
            ),
        )
        iam.create_user(UserName="olivia")
        iam.add_user_to_group(GroupName="operators", UserName="olivia")
        iam.create_user(UserName="ian")
        iam.put_user_policy(
            UserName="ian",
            PolicyName="iam-manager",
            PolicyDocument=document(
                {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:CreatePolicy"], "Resource": "*"}
            ),
        )
        answer = iam.get_account_authorization_details()
        answer.pop("ResponseMetadata", None)
        return json.loads(json.dumps(answer, default=str))


def test_group_granted_assume_role_is_an_escalation_path(details: dict[str, Any]) -> None:
    graph = build_graph(details)
    paths = graph.escalation_paths()
    olivia = next(p for p in graph.analysis.account.users if p.name == "olivia")
    (edge,) = paths[olivia.arn].edges
    assert edge.target.endswith(":role/ops-admin")
    assert "group operators inline policy assume-ops statement #0" in edge.statements
    conflicts = separation_of_duties(graph.analysis, ["ops-admin"]).conflicts
    assert {conflict.principal.name for conflict in conflicts} == {"ian"}

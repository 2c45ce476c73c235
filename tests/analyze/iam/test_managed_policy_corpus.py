"""The AWS managed policies moto ships (~1,580 documents), each held by one user of a synthetic account."""

import json
from functools import cache
from typing import Any

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from awsaudit.analyze.iam import AdminGrant, EscalationGraph, EscalationPath, build_graph, full_admin_verdict

ACCOUNT = "123456789012"
SERVICES = [
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "glue.amazonaws.com",
    "cloudformation.amazonaws.com",
    "sagemaker.amazonaws.com",
    "codebuild.amazonaws.com",
    "datapipeline.amazonaws.com",
]


def _corpus_details() -> dict[str, Any]:
    corpus = json.loads(aws_managed_policies_data)
    policies, users = [], []
    for name, meta in corpus.items():
        arn = f"arn:aws:iam::aws:policy{meta.get('Path', '/')}{name}"
        version = meta["DefaultVersionId"]
        policies.append(
            {
                "Arn": arn,
                "DefaultVersionId": version,
                "PolicyVersionList": [
                    {"Document": meta["Document"], "VersionId": version, "IsDefaultVersion": True}
                ],
            }
        )
        users.append(
            {
                "UserName": name,
                "UserId": f"AIDA{name}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
                "GroupList": [],
                "UserPolicyList": [],
                "AttachedManagedPolicies": [{"PolicyName": name, "PolicyArn": arn}],
            }
        )
    # A service role with admin rights, as many accounts have, so PassRole-based escalation can show.
    roles = [
        {
            "RoleName": "service-admin",
            "RoleId": "AROASERVICEADMIN",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/service-admin",
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": SERVICES}, "Action": "sts:AssumeRole"}
                ]
            },
            "RolePolicyList": [],
            "AttachedManagedPolicies": [
                {
                    "PolicyName": "AdministratorAccess",
                    "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
                }
            ],
            "InstanceProfileList": [{"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/service-admin"}],
        }
    ]
    return {"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": policies}


@cache
def _analysed() -> tuple[EscalationGraph, dict[str, EscalationPath], None]:
    # Timing lives in benchmarks/bench_iam_analysis.py --corpus: a shared machine makes timed asserts flaky.
    graph = build_graph(_corpus_details())
    return graph, graph.escalation_paths(), None


def _user(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def test_whole_corpus_parses_and_is_analysed() -> None:
    graph, paths, _ = _analysed()
    assert len(graph.analysis.account.users) > 1500
    assert paths


@pytest.mark.parametrize("name", ["AdministratorAccess"])
def test_admin_policies_are_admin(name: str) -> None:
    graph, _, _ = _analysed()
    assert graph.admin_level(graph.analysis.by_arn[_user(name)]) == (True, True)
    policy = graph.analysis.account.policies[f"arn:aws:iam::aws:policy/{name}"].document
    assert policy is not None and full_admin_verdict(policy).grant is AdminGrant.FULL


def test_iam_full_access_escalates_to_admin_by_itself() -> None:
    graph, paths, _ = _analysed()
    iam_full = graph.analysis.by_arn[_user("IAMFullAccess")]
    assert not graph.is_admin(iam_full)
    assert graph.grant_edges(iam_full, iam_full)
    assert paths[iam_full.arn].edges[0].target == "admin"


@pytest.mark.parametrize("name", ["ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess", "PowerUserAccess"])
def test_read_and_power_user_policies_neither_admin_nor_escalating(name: str) -> None:
    graph, paths, _ = _analysed()
    principal = graph.analysis.by_arn[_user(name)]
    assert not graph.is_admin(principal)
    assert principal.arn not in paths

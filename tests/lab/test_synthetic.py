"""The synthetic scenario: the requested sizes are what the API lists."""

from __future__ import annotations

import pytest

from awsaudit.lab.scenarios import ScenarioError, build_scenario
from awsaudit.lab.scenarios.synthetic import region_names
from awsaudit.lab.server import Lab
from awsaudit.snapshot import GLOBAL

from .conftest import build_and_collect

pytestmark = pytest.mark.lab


def test_sizes_are_listed_by_the_api(lab: Lab) -> None:
    built, snapshot = build_and_collect(
        lab, "synthetic", users=120, roles=7, security_groups=30, buckets=5, regions=3
    )
    assert built.regions == ("eu-west-1", "us-east-1", "us-west-2")
    assert not built.findings_enumerated
    assert snapshot.errors == []
    details = snapshot.dataset("iam", GLOBAL, "AccountAuthorizationDetails")
    assert len(details["UserDetailList"]) == 120
    assert all(user["GroupList"] for user in details["UserDetailList"])
    assert len(details["RoleDetailList"]) == 7
    rows = snapshot.dataset("iam", GLOBAL, "CredentialReport")["Rows"]
    assert sum(row["access_key_1_active"] == "true" for row in rows) == 30  # every 4th user
    created = [
        group
        for region in built.regions
        for group in snapshot.dataset("ec2", region, "SecurityGroups")
        if group["GroupName"].startswith("sg-synthetic-")
    ]
    assert len(created) == 30
    assert {p["FromPort"] for g in created for p in g["IpPermissions"]} == {22, 8080}
    buckets = snapshot.dataset("s3", GLOBAL, "Buckets")
    assert len(buckets) == 5
    assert {b["Region"] for b in buckets} == set(built.regions)


def test_region_count_is_bounded(lab: Lab) -> None:
    assert region_names(1) == ("us-east-1",)
    with pytest.raises(ScenarioError, match="regions must be between 1 and"):
        build_scenario("synthetic", lab, regions=0)


def test_policy_resources_are_listed_by_the_api(lab: Lab) -> None:
    built, snapshot = build_and_collect(
        lab, "synthetic", users=1, roles=1, security_groups=1, buckets=1, regions=1, policy_resources=3
    )
    assert snapshot.errors == []
    region = built.regions[0]
    for service, dataset in (
        ("sns", "Topics"),
        ("sqs", "Queues"),
        ("lambda", "FunctionPolicies"),
        ("ecr", "Repositories"),
        ("secretsmanager", "Secrets"),
        ("glacier", "Vaults"),
        ("s3control", "AccessPoints"),
        ("opensearch", "Domains"),
        ("apigateway", "RestApis"),
        ("ec2", "Images"),
        ("rds", "DBSnapshots"),
    ):
        assert len(snapshot.dataset(service, region, dataset)) == 3, dataset
    assert len(snapshot.dataset("events", region, "EventBuses")) == 4  # and the default bus
    assert len(snapshot.dataset("s3control", GLOBAL, "MultiRegionAccessPoints")) == 3
    assert built.counts["policy_resources"] == 3

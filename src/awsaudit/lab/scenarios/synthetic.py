"""`synthetic`: an account of a chosen size, for benchmarks.

Users, roles, security groups and buckets are created directly in moto's in-process
backends through the same backend methods the API handlers call (so every object is
complete and listed by the API), which is ~100x faster than 200 requests/s through the
server. Sizes are spread over the regions: security groups round-robin, buckets too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.model import BuiltScenario, ScenarioError
from awsaudit.lab.scenarios.synthetic_policies import build_policy_resources
from awsaudit.lab.server import LAB_ACCOUNT_ID

if TYPE_CHECKING:
    from awsaudit.lab.server import Lab

DEFAULTS: dict[str, int] = {
    "users": 100,
    "roles": 20,
    "security_groups": 50,
    "buckets": 10,
    "regions": 2,
    "policy_resources": 0,  # of each resource-policy kind, snapshot and image, in the first region
}

# Commercial regions in the order the scenario adds them.
REGION_ORDER = (
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "us-east-2",
    "eu-west-2",
    "ap-southeast-2",
    "ca-central-1",
    "eu-north-1",
    "ap-south-1",
    "sa-east-1",
    "eu-west-3",
    "us-west-1",
    "ap-northeast-2",
    "ap-northeast-3",
)
USERS_PER_GROUP = 50
KEY_EVERY = 4  # every 4th user is programmatic and has an access key

NOTES = (
    "A benchmark account: its findings are not enumerated (findings_enumerated is false).",
    "Objects are created in moto's backends in-process, through the methods the API handlers use.",
)


def region_names(count: int) -> tuple[str, ...]:
    if not 1 <= count <= len(REGION_ORDER):
        raise ScenarioError(f"regions must be between 1 and {len(REGION_ORDER)}, not {count}")
    return tuple(sorted(REGION_ORDER[:count]))


def build(lab: Lab, params: Mapping[str, Any]) -> BuiltScenario:
    regions = REGION_ORDER[: len(region_names(int(params["regions"])))]
    _users(int(params["users"]))
    _roles(int(params["roles"]))
    _security_groups(int(params["security_groups"]), regions)
    _buckets(int(params["buckets"]), regions)
    # Resource-policy kinds go through the lab's API: their backends differ too much to fill directly.
    build_policy_resources(
        LabAccount(lab),
        regions[0],
        int(params["policy_resources"]),
        f"synthetic-{LAB_ACCOUNT_ID}-access-points",
    )
    return BuiltScenario(
        planted=frozenset(),
        regions=tuple(sorted(regions)),
        notes=NOTES,
        findings_enumerated=False,
        counts={key: int(params[key]) for key in DEFAULTS},
    )


def _iam() -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[LAB_ACCOUNT_ID]["global"]


def _users(count: int) -> None:
    iam = _iam()
    policy = iam.create_policy(
        description="",
        path="/",
        policy_document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            }
        ),
        policy_name="synthetic-read",
        tags=[],
    )
    for index in range(count):
        if index % USERS_PER_GROUP == 0:
            group = f"team-{index // USERS_PER_GROUP:04d}"
            iam.create_group(group)
            iam.attach_group_policy(policy.arn, group)
        name = f"user-{index:05d}"
        iam.create_user(region_name="us-east-1", user_name=name)
        iam.add_user_to_group(group, name)
        if index % KEY_EVERY == 0:
            iam.create_access_key(name)


def _roles(count: int) -> None:
    iam = _iam()
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    for index in range(count):
        iam.create_role(
            role_name=f"role-{index:05d}",
            assume_role_policy_document=trust,
            path="/",
            permissions_boundary=None,
            description="synthetic workload role",
            tags=[],
            max_session_duration="3600",
        )


def _security_groups(count: int, regions: tuple[str, ...]) -> None:
    from moto.ec2.models import ec2_backends

    for index in range(count):
        ec2 = ec2_backends[LAB_ACCOUNT_ID][regions[index % len(regions)]]
        group = ec2.create_security_group(f"sg-synthetic-{index:05d}", "synthetic application tier")
        # A private range on an application port, plus an admin port from a public range every 10th group.
        ec2.authorize_security_group_ingress(group.id, "tcp", "8080", "8080", [{"CidrIp": "10.0.0.0/8"}])
        if index % 10 == 0:
            ec2.authorize_security_group_ingress(group.id, "tcp", "22", "22", [{"CidrIp": "198.51.100.0/24"}])


def _buckets(count: int, regions: tuple[str, ...]) -> None:
    from moto.s3.models import s3_backends

    s3 = s3_backends[LAB_ACCOUNT_ID]["aws"]
    for index in range(count):
        s3.create_bucket(f"synthetic-{LAB_ACCOUNT_ID}-{index:05d}", regions[index % len(regions)])

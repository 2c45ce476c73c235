"""Failures are recorded on exactly the dataset (or resource field) they hit; retries absorb throttling."""

from __future__ import annotations

import pytest

from awsaudit.lab.server import Lab
from awsaudit.snapshot import GLOBAL, NotCollected, resource_field
from tests.collect.faults import FaultInjector
from tests.collect.support import HOME, OTHER, collect_lab, error_keys, lab_client

DATASETS = ["ec2/FlowLogs", "ec2/SecurityGroups", "s3/Buckets", "kms/Keys", "securityhub/Hub"]


@pytest.fixture(scope="module")
def lab(clean_lab: Lab) -> Lab:
    lab_client(clean_lab, "s3").create_bucket(Bucket="evidence")
    lab_client(clean_lab, "kms", OTHER).create_key(Description="data")
    return clean_lab


def test_denied_dataset_in_one_region_is_the_only_error(lab: Lab) -> None:
    faults = FaultInjector().fail(
        "ec2", "DescribeFlowLogs", "UnauthorizedOperation", status=403, region=OTHER
    )
    snapshot = collect_lab(lab, datasets=DATASETS, regions=(HOME, OTHER), hooks=[faults.hook])
    assert error_keys(snapshot) == [("ec2", OTHER, "FlowLogs", "UnauthorizedOperation")]
    (error,) = snapshot.errors
    assert error.operation == "DescribeFlowLogs"
    assert not snapshot.has("ec2", OTHER, "FlowLogs")
    assert snapshot.dataset("ec2", HOME, "FlowLogs") == []
    assert snapshot.dataset("ec2", OTHER, "SecurityGroups")
    assert len(snapshot.dataset("kms", OTHER, "Keys")) == 1
    assert snapshot.dataset("s3", GLOBAL, "Buckets")[0]["Name"] == "evidence"


def test_denied_sub_call_is_recorded_on_its_resource(lab: Lab) -> None:
    faults = FaultInjector().fail("s3", "GetBucketPolicy", "AccessDenied", status=403)
    snapshot = collect_lab(lab, datasets=["s3/Buckets"], hooks=[faults.hook])
    (error,) = snapshot.errors
    assert (error.dataset, error.operation, error.code) == (
        "Buckets.Policy",
        "GetBucketPolicy",
        "AccessDenied",
    )
    assert error.resource == "arn:aws:s3:::evidence"
    (bucket,) = snapshot.dataset("s3", GLOBAL, "Buckets")
    with pytest.raises(NotCollected, match="AccessDenied"):
        resource_field(bucket, "Policy", service="s3", region=GLOBAL)
    # Unknown policy is not "no policy": its status is still asked for, the rest is collected.
    assert bucket["PolicyStatus"] is None
    assert snapshot.api_calls["s3.GetBucketPolicyStatus"] == 1
    assert bucket["Encryption"] is None and bucket["Versioning"] == {}


@pytest.mark.parametrize(
    ("client", "operation", "code", "key", "region"),
    [
        ("securityhub", "DescribeHub", "AccessDeniedException", "securityhub/Hub", HOME),
        (
            "organizations",
            "DescribeOrganization",
            "AccessDeniedException",
            "organizations/Organization",
            GLOBAL,
        ),
        ("account", "GetAlternateContact", "AccessDeniedException", "account/AlternateContacts", GLOBAL),
        ("s3control", "GetPublicAccessBlock", "AccessDenied", "s3control/AccountPublicAccessBlock", GLOBAL),
        ("budgets", "DescribeBudgets", "AccessDeniedException", "budgets/Budgets", GLOBAL),
    ],
)
def test_denial_is_never_read_as_not_enabled_or_none_set(
    lab: Lab, client: str, operation: str, code: str, key: str, region: str
) -> None:
    # Each of these datasets turns one "has none" answer into data; a denial must stay an error.
    faults = FaultInjector().fail(client, operation, code, status=403)
    snapshot = collect_lab(lab, datasets=[key], hooks=[faults.hook])
    service, name = key.split("/")
    assert error_keys(snapshot) == [(service, region, name, code)]
    assert not snapshot.has(service, region, name)


def test_throttling_is_retried_through_to_success(lab: Lab) -> None:
    faults = FaultInjector().fail("kms", "ListKeys", "ThrottlingException", region=OTHER, times=2)
    snapshot = collect_lab(lab, datasets=["kms/Keys"], regions=(OTHER,), hooks=[faults.hook])
    assert snapshot.errors == []
    assert faults.injected["kms.ListKeys"] == 2
    assert snapshot.api_calls["kms.ListKeys"] == 3
    assert len(snapshot.dataset("kms", OTHER, "Keys")) == 1

"""Logging checks (CloudTrail, Config, KMS rotation, VPC flow logs) on hand-built snapshots.

Collection time is 2026-06-01T12:00:00Z (tests/builders.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.findings import Finding, Status
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run, statuses
from tests.checks.test_s3 import BPA_ON, bucket, bucket_arn, failed_subcall, policy, public_read

HOME, OTHER = "eu-west-1", "us-east-1"
ACCOUNT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
ALL_MANAGEMENT = {
    "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]
}


def trail_arn(name: str, region: str = HOME, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"


def trail(name: str = "main", region: str = HOME, **fields: Any) -> dict[str, Any]:
    """A DescribeTrails entry with its GetTrailStatus and GetEventSelectors answers attached."""
    value: dict[str, Any] = {
        "Name": name,
        "S3BucketName": "trail-logs",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "HomeRegion": region,
        "TrailARN": trail_arn(name, region),
        "LogFileValidationEnabled": True,
        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:cloudtrail:*",
        "CloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/CloudTrailToLogs",
        "KmsKeyId": f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/0b7f-example",
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": False,
        "Status": {
            "IsLogging": True,
            "LatestDeliveryTime": "2026-06-01T11:55:00Z",
            "LatestCloudWatchLogsDeliveryTime": "2026-06-01T11:58:12.123456+00:00",
        },
        "EventSelectors": ALL_MANAGEMENT,
    }
    value.update(fields)
    return value


def trails_snapshot(home: list[dict[str, Any]], other: list[dict[str, Any]] | None = None) -> SnapshotBuilder:
    builder = SnapshotBuilder(regions=(HOME, OTHER)).with_dataset("cloudtrail", "Trails", home, region=HOME)
    if other is None:
        return builder.with_error("cloudtrail", "Trails", region=OTHER, operation="DescribeTrails")
    return builder.with_dataset("cloudtrail", "Trails", other, region=OTHER)


def judge(
    check_id: str, home: list[dict[str, Any]], other: list[dict[str, Any]] | None = None
) -> list[Finding]:
    if other is None:
        other = []
    return run(trails_snapshot(home, other).build(), check_id)


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def failed(value: dict[str, Any], field: str, operation: str) -> dict[str, Any]:
    value = {k: v for k, v in value.items() if k != field}
    value["_errors"] = {field: {"operation": operation, "code": "TrailNotFoundException", "message": "gone"}}
    return value


# ----------------------------------------------------- multi-region logging


def test_multi_region_logging_trail_passes() -> None:
    finding = only(judge("cloudtrail.multi_region_logging", [trail()]))
    assert (finding.status, finding.resource) == (Status.PASS, ACCOUNT_ARN)
    assert finding.evidence["trails"] == [
        {"trail": trail_arn("main"), "organization_trail": False, "shortcomings": []}
    ]


def test_trail_reported_by_two_regions_is_judged_once() -> None:
    finding = only(judge("cloudtrail.multi_region_logging", [trail()], [trail()]))
    assert len(finding.evidence["trails"]) == 1


@pytest.mark.parametrize(
    ("fields", "shortcoming"),
    [
        ({"IsMultiRegionTrail": False}, "not multi-region"),
        ({"Status": {"IsLogging": False}}, "not logging"),
        (
            {
                "EventSelectors": {
                    "EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]
                }
            },
            "does not record read management events",
        ),
        (
            {
                "EventSelectors": {
                    "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False}]
                }
            },
            "does not record read management events, does not record write management events",
        ),
    ],
)
def test_multi_region_logging_fails_with_each_shortcoming(fields: dict[str, Any], shortcoming: str) -> None:
    finding = only(judge("cloudtrail.multi_region_logging", [trail(**fields)]))
    assert finding.status is Status.FAIL
    assert finding.message.endswith(f"({trail_arn('main')}: {shortcoming})")


def test_no_trail_fails() -> None:
    finding = only(judge("cloudtrail.multi_region_logging", [], []))
    assert (finding.status, finding.message) == (Status.FAIL, "No CloudTrail trail exists")


def test_advanced_management_selector_counts() -> None:
    advanced = {
        "AdvancedEventSelectors": [
            {"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
        ]
    }
    assert (
        only(judge("cloudtrail.multi_region_logging", [trail(EventSelectors=advanced)])).status is Status.PASS
    )


def test_organization_trail_of_the_management_account_counts() -> None:
    org = trail("org", IsOrganizationTrail=True, TrailARN=trail_arn("org", account="999988887777"))
    finding = only(judge("cloudtrail.multi_region_logging", [org]))
    assert finding.status is Status.PASS and finding.evidence["trails"][0]["organization_trail"] is True


def test_a_good_trail_passes_even_if_another_region_is_missing() -> None:
    finding = only(run(trails_snapshot([trail()]).build(), "cloudtrail.multi_region_logging"))
    assert finding.status is Status.PASS
    assert finding.evidence["not_judged"][0]["region"] == OTHER


def test_no_good_trail_and_a_missing_region_is_unknown() -> None:
    finding = only(
        run(trails_snapshot([trail(IsMultiRegionTrail=False)]).build(), "cloudtrail.multi_region_logging")
    )
    assert finding.status is Status.UNKNOWN


@pytest.mark.parametrize(
    ("field", "operation"), [("Status", "GetTrailStatus"), ("EventSelectors", "GetEventSelectors")]
)
def test_trail_with_failed_subcall_cannot_make_the_account_fail(field: str, operation: str) -> None:
    finding = only(judge("cloudtrail.multi_region_logging", [failed(trail(), field, operation)]))
    assert finding.status is Status.UNKNOWN
    assert f"{operation} failed" in finding.evidence["not_judged"][0]["reason"]


def test_malformed_selectors_make_the_trail_unjudged() -> None:
    finding = only(judge("cloudtrail.multi_region_logging", [trail(EventSelectors="garbage")]))
    assert finding.status is Status.UNKNOWN


def test_all_regions_missing_is_unknown() -> None:
    snapshot = SnapshotBuilder().with_error("cloudtrail", "Trails", region=HOME).build()
    assert only(run(snapshot, "cloudtrail.multi_region_logging")).status is Status.UNKNOWN


# ------------------------------------------------------- S3 object logging

S3_WRITE = {
    "EventSelectors": [
        {
            "ReadWriteType": "WriteOnly",
            "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
        }
    ]
}


@pytest.mark.parametrize(
    ("check_id", "expected"),
    [("cloudtrail.s3_object_write_logging", Status.PASS), ("cloudtrail.s3_object_read_logging", Status.FAIL)],
)
def test_s3_object_logging_is_judged_per_direction(check_id: str, expected: Status) -> None:
    assert only(judge(check_id, [trail(EventSelectors=S3_WRITE)])).status is expected


def test_s3_object_logging_needs_a_multi_region_logging_trail() -> None:
    lonely = trail(EventSelectors=S3_WRITE, IsMultiRegionTrail=False)
    finding = only(judge("cloudtrail.s3_object_write_logging", [lonely]))
    assert finding.status is Status.FAIL and "not multi-region" in finding.message


def test_s3_object_logging_with_advanced_selectors() -> None:
    selectors = {
        "AdvancedEventSelectors": [
            {
                "Name": "s3",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "readOnly", "Equals": ["true"]},
                ],
            }
        ]
    }
    assert (
        only(judge("cloudtrail.s3_object_read_logging", [trail(EventSelectors=selectors)])).status
        is Status.PASS
    )
    assert (
        only(judge("cloudtrail.s3_object_write_logging", [trail(EventSelectors=selectors)])).status
        is Status.FAIL
    )


def test_s3_object_logging_unknown_when_trails_missing() -> None:
    snapshot = SnapshotBuilder().with_error("cloudtrail", "Trails", region=HOME).build()
    assert only(run(snapshot, "cloudtrail.s3_object_read_logging")).status is Status.UNKNOWN


# ------------------------------------------------------------ per-trail checks


@pytest.mark.parametrize(
    ("check_id", "bad"),
    [
        ("cloudtrail.log_file_validation", {"LogFileValidationEnabled": False}),
        ("cloudtrail.kms_encryption", {"KmsKeyId": None}),
        ("cloudtrail.cloudwatch_logs_delivery", {"CloudWatchLogsLogGroupArn": None}),
    ],
)
def test_per_trail_settings(check_id: str, bad: dict[str, Any]) -> None:
    findings = judge(check_id, [trail("good"), trail("bad", **bad)], [trail("east", region=OTHER)])
    assert statuses(findings) == {
        trail_arn("good"): Status.PASS,
        trail_arn("bad"): Status.FAIL,
        trail_arn("east", OTHER): Status.PASS,
    }
    assert {f.resource: f.region for f in findings}[trail_arn("east", OTHER)] == OTHER


@pytest.mark.parametrize(
    "check_id",
    ["cloudtrail.log_file_validation", "cloudtrail.kms_encryption", "cloudtrail.cloudwatch_logs_delivery"],
)
def test_per_trail_checks_name_the_region_that_was_not_collected(check_id: str) -> None:
    findings = run(trails_snapshot([trail()]).build(), check_id)
    assert statuses(findings) == {
        trail_arn("main"): Status.PASS,
        f"arn:aws:cloudtrail:{OTHER}:{ACCOUNT_ID}:account": Status.UNKNOWN,
    }


def test_per_trail_checks_yield_nothing_without_trails() -> None:
    assert judge("cloudtrail.log_file_validation", [], []) == []


@pytest.mark.parametrize(
    ("delivered", "expected"),
    [
        ("2026-06-01T11:00:00Z", Status.PASS),
        ("2026-05-31T12:00:01+00:00", Status.PASS),
        ("2026-05-29T12:00:00.5+00:00", Status.FAIL),
        ("2026-05-20T00:00:00", Status.FAIL),
        (None, Status.PASS),
        ("yesterday", Status.UNKNOWN),
    ],
)
def test_cloudwatch_delivery_must_be_recent(delivered: str | None, expected: Status) -> None:
    status = {"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": delivered}
    assert only(judge("cloudtrail.cloudwatch_logs_delivery", [trail(Status=status)])).status is expected


def test_cloudwatch_delivery_needs_trail_status() -> None:
    finding = only(
        judge("cloudtrail.cloudwatch_logs_delivery", [failed(trail(), "Status", "GetTrailStatus")])
    )
    assert finding.status is Status.UNKNOWN and finding.region == HOME


# --------------------------------------------------------------- trail buckets


def bucket_snapshot(trails: list[dict[str, Any]], *buckets: dict[str, Any]) -> SnapshotBuilder:
    return (
        trails_snapshot(trails, [])
        .with_dataset("s3", "Buckets", list(buckets))
        .with_dataset("s3control", "AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": None})
    )


LOGGING = {"LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "trail-logs/"}}


def test_trail_bucket_access_logging() -> None:
    trails = [trail("a"), trail("b", S3BucketName="unlogged"), trail("c", S3BucketName="elsewhere")]
    snapshot = bucket_snapshot(trails, bucket("trail-logs", Logging=LOGGING), bucket("unlogged")).build()
    findings = run(snapshot, "cloudtrail.bucket_access_logging")
    assert statuses(findings) == {
        bucket_arn("trail-logs"): Status.PASS,
        bucket_arn("unlogged"): Status.FAIL,
        bucket_arn("elsewhere"): Status.UNKNOWN,
    }
    by_resource = {f.resource: f for f in findings}
    assert by_resource[bucket_arn("trail-logs")].evidence["trails"] == [trail_arn("a")]
    assert "another account" in by_resource[bucket_arn("elsewhere")].message


def test_trail_bucket_logging_accepts_bare_logging_enabled_and_failed_subcall_is_unknown() -> None:
    trails = [trail("a"), trail("b", S3BucketName="denied")]
    snapshot = bucket_snapshot(
        trails,
        bucket("trail-logs", Logging=LOGGING["LoggingEnabled"]),
        failed_subcall(bucket("denied"), "Logging", "GetBucketLogging"),
    ).build()
    assert statuses(run(snapshot, "cloudtrail.bucket_access_logging")) == {
        bucket_arn("trail-logs"): Status.PASS,
        bucket_arn("denied"): Status.UNKNOWN,
    }


@pytest.mark.parametrize("logging", [{"x": 1}, {"LoggingEnabled": {"TargetPrefix": "p/"}}, "on", [LOGGING]])
def test_trail_bucket_logging_that_names_no_target_is_unknown(logging: Any) -> None:
    snapshot = bucket_snapshot([trail("a")], bucket("trail-logs", Logging=logging)).build()
    finding = only(run(snapshot, "cloudtrail.bucket_access_logging"))
    assert finding.status is Status.UNKNOWN and "cannot be read" in finding.message


def test_trail_bucket_logging_unknown_without_bucket_list() -> None:
    snapshot = trails_snapshot([trail()], []).with_error("s3", "Buckets").build()
    assert only(run(snapshot, "cloudtrail.bucket_access_logging")).status is Status.UNKNOWN


def test_trail_bucket_not_public() -> None:
    trails = [trail("a"), trail("b", S3BucketName="open"), trail("c", S3BucketName="blocked")]
    snapshot = bucket_snapshot(
        trails,
        bucket("trail-logs"),
        bucket("open", Policy=policy(public_read("open"))),
        bucket("blocked", Policy=policy(public_read("blocked")), PublicAccessBlock=BPA_ON),
    ).build()
    findings = run(snapshot, "cloudtrail.bucket_not_public")
    assert statuses(findings) == {
        bucket_arn("trail-logs"): Status.PASS,
        bucket_arn("open"): Status.FAIL,
        bucket_arn("blocked"): Status.PASS,
    }
    opened = next(f for f in findings if f.resource == bucket_arn("open"))
    assert opened.evidence["trails"] == [trail_arn("b")] and opened.evidence["public"] is True


def test_trail_bucket_not_public_unknowns() -> None:
    trails = [trail("a", S3BucketName="garbled"), trail("b", S3BucketName="denied")]
    snapshot = bucket_snapshot(
        trails, bucket("garbled", Policy="{"), failed_subcall(bucket("denied"), "Acl", "GetBucketAcl")
    ).build()
    assert set(statuses(run(snapshot, "cloudtrail.bucket_not_public")).values()) == {Status.UNKNOWN}


# ------------------------------------------------------------------- Config


def config_snapshot(
    recorders: list[dict[str, Any]], status: list[dict[str, Any]], channels: list[dict[str, Any]]
) -> SnapshotBuilder:
    return (
        SnapshotBuilder()
        .with_regional("config", "ConfigurationRecorders", recorders)
        .with_regional("config", "ConfigurationRecorderStatus", status)
        .with_regional("config", "DeliveryChannels", channels)
    )


def recorder(name: str = "default", **group: Any) -> dict[str, Any]:
    recording_group = {"allSupported": True, "includeGlobalResourceTypes": True, "resourceTypes": [], **group}
    return {
        "name": name,
        "roleARN": f"arn:aws:iam::{ACCOUNT_ID}:role/config",
        "recordingGroup": recording_group,
    }


RECORDING = [{"name": "default", "recording": True, "lastStatus": "SUCCESS"}]
CHANNEL = [{"name": "default", "s3BucketName": "config-bucket"}]


def config_result(
    recorders: list[dict[str, Any]], status: list[dict[str, Any]], channels: list[dict[str, Any]]
) -> Finding:
    return only(run(config_snapshot(recorders, status, channels).build(), "config.recorder_enabled"))


def test_config_recording_everything_passes() -> None:
    finding = config_result([recorder()], RECORDING, CHANNEL)
    assert (finding.status, finding.resource) == (Status.PASS, f"arn:aws:config:{HOME}:{ACCOUNT_ID}:account")


def test_config_recording_strategy_all_supported_passes() -> None:
    strategy = recorder(allSupported=False, recordingStrategy={"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"})
    assert config_result([strategy], RECORDING, CHANNEL).status is Status.PASS


@pytest.mark.parametrize(
    ("recorders", "status", "channels", "problem"),
    [
        ([], [], CHANNEL, "no configuration recorder"),
        ([recorder()], [{"name": "default", "recording": False}], CHANNEL, "default: not recording"),
        ([recorder()], [], CHANNEL, "default: not recording"),
        (
            [recorder(allSupported=False, resourceTypes=["AWS::EC2::Instance"])],
            RECORDING,
            CHANNEL,
            "default: does not record all supported resource types",
        ),
        ([recorder()], RECORDING, [], "no delivery channel"),
    ],
)
def test_config_shortcomings_fail(
    recorders: list[dict[str, Any]],
    status: list[dict[str, Any]],
    channels: list[dict[str, Any]],
    problem: str,
) -> None:
    finding = config_result(recorders, status, channels)
    assert finding.status is Status.FAIL and problem in finding.message


def test_config_unknown_when_status_missing() -> None:
    snapshot = (
        SnapshotBuilder()
        .with_regional("config", "ConfigurationRecorders", [recorder()])
        .with_error("config", "ConfigurationRecorderStatus", region=HOME)
        .with_regional("config", "DeliveryChannels", CHANNEL)
        .build()
    )
    assert only(run(snapshot, "config.recorder_enabled")).status is Status.UNKNOWN


# ---------------------------------------------------------------------- KMS


def key(key_id: str, rotation: bool | None = None, **metadata: Any) -> dict[str, Any]:
    arn = f"arn:aws:kms:{HOME}:{ACCOUNT_ID}:key/{key_id}"
    meta = {
        "KeyId": key_id,
        "Arn": arn,
        "KeyManager": "CUSTOMER",
        "KeyState": "Enabled",
        "Enabled": True,
        "KeySpec": "SYMMETRIC_DEFAULT",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "Origin": "AWS_KMS",
        **metadata,
    }
    value: dict[str, Any] = {"KeyId": key_id, "KeyArn": arn, "KeyMetadata": meta}
    if rotation is not None:
        value["KeyRotationEnabled"] = rotation
    return value


def kms(*keys: dict[str, Any]) -> dict[str, Status]:
    snapshot = SnapshotBuilder().with_regional("kms", "Keys", list(keys)).build()
    return {f.resource.rsplit("/", 1)[1]: f.status for f in run(snapshot, "kms.key_rotation")}


def test_customer_keys_are_judged_on_rotation() -> None:
    assert kms(key("on", True), key("off", False)) == {"on": Status.PASS, "off": Status.FAIL}


def test_keys_that_cannot_or_need_not_rotate_are_not_judged() -> None:
    assert (
        kms(
            key("aws-managed", None, KeyManager="AWS"),
            key("disabled", False, KeyState="Disabled", Enabled=False),
            key("pending", False, KeyState="PendingDeletion"),
            key("rsa", None, KeySpec="RSA_2048"),
            key("hmac", None, KeySpec="HMAC_256"),
            key("imported", None, Origin="EXTERNAL"),
        )
        == {}
    )


def test_key_with_failed_subcalls_is_unknown() -> None:
    no_rotation = failed(key("r"), "KeyRotationEnabled", "GetKeyRotationStatus")
    no_metadata = failed(key("m"), "KeyMetadata", "DescribeKey")
    null_metadata = {**key("n"), "KeyMetadata": None}
    assert kms(no_rotation, no_metadata, null_metadata, key("uncollected")) == {
        "r": Status.UNKNOWN,
        "m": Status.UNKNOWN,
        "n": Status.UNKNOWN,
        "uncollected": Status.UNKNOWN,
    }


def test_kms_unknown_when_keys_missing() -> None:
    snapshot = SnapshotBuilder().with_error("kms", "Keys", region=HOME).build()
    assert only(run(snapshot, "kms.key_rotation")).status is Status.UNKNOWN


# ---------------------------------------------------------------- flow logs


def flow_log(vpc: str, status: str = "ACTIVE", traffic: str = "ALL") -> dict[str, Any]:
    return {
        "FlowLogId": f"fl-{vpc}",
        "ResourceId": vpc,
        "FlowLogStatus": status,
        "TrafficType": traffic,
        "LogDestinationType": "cloud-watch-logs",
        "DeliverLogsStatus": "SUCCESS",
    }


def test_vpc_flow_logs() -> None:
    vpcs = [
        {"VpcId": v, "CidrBlock": "10.0.0.0/16", "IsDefault": False}
        for v in ("vpc-all", "vpc-reject", "vpc-accept", "vpc-none", "vpc-stopped")
    ]
    logs = [
        flow_log("vpc-all"),
        flow_log("vpc-reject", traffic="REJECT"),
        flow_log("vpc-accept", traffic="ACCEPT"),
        flow_log("vpc-stopped", status="INACTIVE"),
    ]
    snapshot = (
        SnapshotBuilder().with_regional("ec2", "Vpcs", vpcs).with_regional("ec2", "FlowLogs", logs).build()
    )
    findings = run(snapshot, "ec2.vpc_flow_logs")
    assert {f.resource.rsplit("/", 1)[1]: f.status for f in findings} == {
        "vpc-all": Status.PASS,
        "vpc-reject": Status.PASS,
        "vpc-accept": Status.FAIL,
        "vpc-none": Status.FAIL,
        "vpc-stopped": Status.FAIL,
    }
    assert f"arn:aws:ec2:{HOME}:{ACCOUNT_ID}:vpc/vpc-none" in statuses(findings)


def test_vpc_flow_logs_unknown_when_flow_logs_missing() -> None:
    snapshot = (
        SnapshotBuilder()
        .with_regional("ec2", "Vpcs", [{"VpcId": "vpc-1"}])
        .with_error("ec2", "FlowLogs", region=HOME, operation="DescribeFlowLogs")
        .build()
    )
    finding = only(run(snapshot, "ec2.vpc_flow_logs"))
    assert finding.status is Status.UNKNOWN and "DescribeFlowLogs" in finding.message

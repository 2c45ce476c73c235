"""The Name-tag index: what findings call resources, from whatever tagged data the snapshot holds."""

from __future__ import annotations

from tests.builders import SnapshotBuilder, run

from awsaudit.analyze.resource_names import resource_names
from awsaudit.findings import Status

REGION = "eu-west-1"
ENI = "eni-0123456789abcdef0"
INSTANCE = "i-0fedcba9876543210"
SG = "sg-0aaaabbbbccccdddd"


def _tags(name: str) -> list[dict[str, str]]:
    return [{"Key": "Owner", "Value": "ops"}, {"Key": "Name", "Value": name}]


def _snapshot(instance_name: str = "build-server") -> SnapshotBuilder:
    return (
        SnapshotBuilder()
        .with_dataset("ec2", "Instances", [{"InstanceId": INSTANCE, "Tags": _tags(instance_name)}], REGION)
        .with_dataset(
            "ec2",
            "NetworkInterfaces",
            [{"NetworkInterfaceId": ENI, "TagSet": [], "Attachment": {"InstanceId": INSTANCE}}],
            REGION,
        )
        .with_dataset("ec2", "SecurityGroups", [{"GroupId": SG, "Tags": _tags("web\x1b[2J")}], REGION)
    )


def test_names_come_from_tags_and_interfaces_from_their_instance() -> None:
    names = resource_names(_snapshot().build())
    assert names.name_of(f"arn:aws:ec2:{REGION}:111122223333:instance/{INSTANCE}") == "build-server"
    assert names.name_of(f"arn:aws:ec2:{REGION}:111122223333:network-interface/{ENI}") == "build-server"
    # A hostile tag cannot drive the terminal.
    assert names.name_of(SG) == "web\ufffd[2J"
    assert names.name_of("arn:aws:s3:::bucket") is None


def test_messages_name_the_resources_they_mention() -> None:
    names = resource_names(_snapshot().build())
    assert names.annotate(f"Network interface {ENI} is exposed") == (
        f"Network interface {ENI} of instance {INSTANCE} (build-server) is exposed"
    )
    assert names.annotate(f"Network interface {ENI} of instance {INSTANCE} is exposed") == (
        f"Network interface {ENI} of instance {INSTANCE} (build-server) is exposed"
    )
    # Annotating twice changes nothing: an id already followed by a label is left alone.
    once = names.annotate(f"{SG} admits 0.0.0.0/0")
    assert names.annotate(once) == once


def test_missing_or_malformed_data_names_nothing() -> None:
    assert resource_names(SnapshotBuilder().build()).names == {}
    malformed = SnapshotBuilder().with_dataset(
        "ec2", "Instances", [{"InstanceId": INSTANCE, "Tags": "x"}], REGION
    )
    assert resource_names(malformed.build()).names == {}


def test_long_names_are_clipped() -> None:
    names = resource_names(_snapshot("x" * 500).build())
    assert len(names.names[INSTANCE]) == 128


def test_findings_carry_the_name_in_message_and_field() -> None:
    builder = _snapshot().with_dataset("ec2", "EbsEncryptionByDefault", False, REGION)
    (finding,) = run(builder.build(), "ec2.ebs_default_encryption")
    assert finding.resource_name is None
    snapshot = (
        SnapshotBuilder()
        .with_dataset(
            "ec2",
            "Instances",
            [
                {
                    "InstanceId": INSTANCE,
                    "Tags": _tags("build-server"),
                    "State": {"Name": "running"},
                    "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
                }
            ],
            REGION,
        )
        .build()
    )
    (finding,) = run(snapshot, "ec2.imdsv2_required")
    assert finding.status is Status.FAIL
    assert finding.resource_name == "build-server"
    assert f"{INSTANCE} (build-server)" in finding.message

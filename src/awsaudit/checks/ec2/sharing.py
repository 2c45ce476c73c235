"""EC2 sharing checks: EBS snapshots and AMIs shared with everyone, and the account switches that block
public sharing (guide G6.2 beyond S3)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

EC2_DOCS = "https://docs.aws.amazon.com/ebs/latest/userguide"
SNAPSHOT_BLOCK_ON = "block-all-sharing"
IMAGE_BLOCK_ON = "block-new-sharing"


@check(
    id="ec2.snapshot_not_public",
    title="No EBS snapshot of the account can be restored by every AWS account",
    severity=Severity.CRITICAL,
    scope=Scope.REGION,
    needs=[Needs("ec2", "PublicSnapshots", regional=True)],
    rationale="A public snapshot gives anyone a full copy of the volume's data, deleted files included.",
    remediation=(
        "aws ec2 modify-snapshot-attribute --snapshot-id <id> --attribute createVolumePermission "
        "--operation-type remove --group-names all; then aws ec2 enable-snapshot-block-public-access "
        "--state block-all-sharing"
    ),
    references=[f"{EC2_DOCS}/ebs-modifying-snapshot-permissions.html"],
)
def snapshot_not_public(ctx: CheckContext) -> Iterator[Result]:
    public = ctx.dataset("ec2", "PublicSnapshots")
    for snapshot in public:
        snapshot_id = snapshot["SnapshotId"]
        arn = f"arn:{ctx.partition}:ec2:{ctx.region}::snapshot/{snapshot_id}"
        yield ctx.failed(
            arn, f"EBS snapshot {snapshot_id} can be restored by any AWS account", {"snapshot": snapshot}
        )
    if not public:
        yield ctx.passed(ctx.scope_arn(), f"No EBS snapshot of the account in {ctx.region} is public", {})


@check(
    id="ec2.snapshot_block_public_access",
    title="Block public access for EBS snapshots blocks all public sharing",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("ec2", "SnapshotBlockPublicAccess", regional=True)],
    rationale=(
        "With block-all-sharing, no snapshot of the region can be public, whatever its own permissions say; "
        "block-new-sharing leaves snapshots that are public already public."
    ),
    remediation="aws ec2 enable-snapshot-block-public-access --state block-all-sharing --region <region>",
    references=[f"{EC2_DOCS}/block-public-access-snapshots.html"],
)
def snapshot_block_public_access(ctx: CheckContext) -> Iterator[Result]:
    state = ctx.dataset("ec2", "SnapshotBlockPublicAccess")
    value = state.get("State")
    evidence = {"State": value, "ManagedBy": state.get("ManagedBy")}
    if value == SNAPSHOT_BLOCK_ON:
        yield ctx.passed(
            ctx.scope_arn(), f"Public sharing of EBS snapshots is blocked in {ctx.region}", evidence
        )
    elif value is None:
        yield ctx.unknown(ctx.scope_arn(), "GetSnapshotBlockPublicAccessState returned no State", evidence)
    else:
        yield ctx.failed(
            ctx.scope_arn(), f"Block public access for EBS snapshots is {value} in {ctx.region}", evidence
        )


@check(
    id="ec2.ami_not_public",
    title="No AMI of the account can be launched by every AWS account",
    severity=Severity.HIGH,
    scope=Scope.REGION,
    needs=[Needs("ec2", "Images", regional=True)],
    rationale="A public AMI hands anyone its disks: software, configuration, and often keys or credentials.",
    remediation=(
        "aws ec2 modify-image-attribute --image-id <ami> --launch-permission 'Remove=[{Group=all}]'; then "
        "aws ec2 enable-image-block-public-access --image-block-public-access-state block-new-sharing"
    ),
    references=["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html"],
)
def ami_not_public(ctx: CheckContext) -> Iterator[Result]:
    def resource(image: Mapping[str, Any]) -> str:
        return f"arn:{ctx.partition}:ec2:{ctx.region}::image/{image['ImageId']}"

    def judge(image: Mapping[str, Any]) -> Result:
        evidence = {k: image.get(k) for k in ("ImageId", "Name", "Public", "State")}
        if image.get("Public") is True:
            return ctx.failed(resource(image), f"AMI {image['ImageId']} is public", evidence)
        if image.get("Public") is False:
            return ctx.passed(resource(image), f"AMI {image['ImageId']} is not public", evidence)
        return ctx.unknown(resource(image), f"AMI {image['ImageId']} does not report Public", evidence)

    return ctx.each(ctx.dataset("ec2", "Images"), resource, judge)


@check(
    id="ec2.image_block_public_access",
    title="Block public access for AMIs is on",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("ec2", "ImageBlockPublicAccess", regional=True)],
    rationale="With image block public access on, no AMI of the region can be made public.",
    remediation=(
        "aws ec2 enable-image-block-public-access --image-block-public-access-state block-new-sharing "
        "--region <region>"
    ),
    references=["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-public-access-to-amis.html"],
)
def image_block_public_access(ctx: CheckContext) -> Iterator[Result]:
    state = ctx.dataset("ec2", "ImageBlockPublicAccess")
    value = state.get("ImageBlockPublicAccessState")
    evidence = {"ImageBlockPublicAccessState": value, "ManagedBy": state.get("ManagedBy")}
    if value == IMAGE_BLOCK_ON:
        yield ctx.passed(ctx.scope_arn(), f"Public sharing of AMIs is blocked in {ctx.region}", evidence)
    elif value is None:
        yield ctx.unknown(ctx.scope_arn(), "GetImageBlockPublicAccessState returned no state", evidence)
    else:
        yield ctx.failed(
            ctx.scope_arn(), f"Block public access for AMIs is {value} in {ctx.region}", evidence
        )

"""EC2 instance and volume checks: EBS default encryption, IMDSv2, instance profiles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.ec2 import ec2_arn
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity


@check(
    id="ec2.ebs_default_encryption",
    title="EBS default encryption is on in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("ec2", "EbsEncryptionByDefault", regional=True)],
    rationale="New volumes are encrypted at rest without anyone having to remember it.",
    remediation="aws ec2 enable-ebs-encryption-by-default --region <region>",
    references=["https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"],
)
def ebs_default_encryption(ctx: CheckContext) -> Iterator[Result]:
    enabled = ctx.dataset("ec2", "EbsEncryptionByDefault")["EbsEncryptionByDefault"] is True
    evidence = {"EbsEncryptionByDefault": enabled}
    if enabled:
        yield ctx.passed(ctx.scope_arn(), f"EBS default encryption is on in {ctx.region}", evidence)
    else:
        yield ctx.failed(ctx.scope_arn(), f"EBS default encryption is off in {ctx.region}", evidence)


@check(
    id="ec2.imdsv2_required",
    title="EC2 instances require IMDSv2",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("ec2", "Instances", regional=True)],
    rationale=(
        "IMDSv2 session tokens stop SSRF and open proxies from reading the instance role's credentials."
    ),
    remediation=(
        "aws ec2 modify-instance-metadata-options --instance-id <instance-id> --http-tokens required "
        "--http-endpoint enabled"
    ),
    references=[
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html"
    ],
)
def imdsv2_required(ctx: CheckContext) -> Iterator[Result]:
    def resource(instance: Mapping[str, Any]) -> str:
        return ec2_arn(ctx, "instance", instance["InstanceId"])

    def judge(instance: Mapping[str, Any]) -> Result:
        name = instance["InstanceId"]
        options = instance.get("MetadataOptions")
        if not isinstance(options, Mapping):
            return ctx.unknown(resource(instance), f"Instance {name} does not report MetadataOptions", {})
        evidence = {"HttpTokens": options.get("HttpTokens"), "HttpEndpoint": options.get("HttpEndpoint")}
        if options.get("HttpEndpoint") == "disabled":
            return ctx.passed(
                resource(instance), f"Instance {name} has the metadata service turned off", evidence
            )
        if options.get("HttpTokens") == "required":
            return ctx.passed(resource(instance), f"Instance {name} requires IMDSv2", evidence)
        return ctx.failed(
            resource(instance),
            f"Instance {name} accepts IMDSv1 (HttpTokens {options.get('HttpTokens')})",
            evidence,
        )

    running = [
        i for i in ctx.dataset("ec2", "Instances") if (i.get("State") or {}).get("Name") != "terminated"
    ]
    return ctx.each(running, resource, judge)


# Instances in these states are gone or going: they run nothing and need nothing.
_GONE_INSTANCE_STATES = frozenset({"shutting-down", "terminated"})


def is_live_instance(instance: Mapping[str, Any]) -> bool:
    """An EC2 instance that exists as a workload (pending, running, stopping or stopped)."""
    return (instance.get("State") or {}).get("Name") not in _GONE_INSTANCE_STATES


@check(
    id="ec2.instance_profile_attached",
    title="EC2 instances use an IAM role for AWS access",
    severity=Severity.LOW,
    scope=Scope.REGION,
    needs=[Needs("ec2", "Instances", regional=True)],
    rationale=(
        "An instance role hands the instance short-lived, automatically rotated credentials; without one, "
        "software on it tends to carry long-lived access keys."
    ),
    remediation=(
        "aws ec2 associate-iam-instance-profile --instance-id <instance-id> "
        "--iam-instance-profile Name=<instance-profile> --region <region>"
    ),
    references=["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html"],
)
def instance_profile_attached(ctx: CheckContext) -> Iterator[Result]:
    for instance in ctx.dataset("ec2", "Instances"):
        if not is_live_instance(instance):
            continue
        instance_id = instance["InstanceId"]
        arn = f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:instance/{instance_id}"
        profile = instance.get("IamInstanceProfile")
        evidence = {"IamInstanceProfile": profile, "State": (instance.get("State") or {}).get("Name")}
        if profile:
            yield ctx.passed(arn, f"{instance_id} has instance profile {profile.get('Arn')}", evidence)
        else:
            yield ctx.failed(arn, f"{instance_id} has no IAM instance profile", evidence)

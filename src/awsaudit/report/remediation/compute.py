"""Recipes for EC2 instances and RDS databases."""

from __future__ import annotations

from awsaudit.report.remediation.model import Decide, Recipe, Step, Target, aws, single


def imdsv2(target: Target) -> tuple[Step, ...]:
    instance = target.resource_id
    return single(
        Step(
            summary=f"Require IMDSv2 on instance {instance}",
            commands=(
                aws(
                    "ec2",
                    "modify-instance-metadata-options",
                    "--region",
                    target.region,
                    "--instance-id",
                    instance,
                    "--http-tokens",
                    "required",
                    "--http-endpoint",
                    "enabled",
                ),
            ),
            changes="The metadata service answers session-token (v2) requests only.",
            breaks=(
                "Old SDKs or scripts that call the metadata service without a token fail; update them first."
            ),
            rollback=(
                aws(
                    "ec2",
                    "modify-instance-metadata-options",
                    "--region",
                    target.region,
                    "--instance-id",
                    instance,
                    "--http-tokens",
                    "optional",
                ),
            ),
            terraform=(
                f"# on the aws_instance resource of {instance} (or its launch template)\n"
                'metadata_options {\n  http_endpoint = "enabled"\n  http_tokens = "required"\n}'
            ),
        )
    )


def instance_profile(target: Target) -> tuple[Step, ...]:
    instance = target.resource_id
    profile = Decide(
        "INSTANCE_PROFILE_NAME",
        f"Which instance profile should {instance} use?",
        ("a least-privilege profile made for this workload",),
    )
    return single(
        Step(
            summary=f"Give instance {instance} a role instead of stored keys",
            commands=(
                aws(
                    "ec2",
                    "associate-iam-instance-profile",
                    "--region",
                    target.region,
                    "--instance-id",
                    instance,
                    "--iam-instance-profile",
                    profile,
                ),
            ),
            changes="The instance gets temporary credentials from its role.",
            breaks="Nothing; remove stored keys from the instance afterwards.",
            rollback_note=(
                "aws ec2 disassociate-iam-instance-profile --association-id <from the command output>"
            ),
        )
    )


def rds_setting(flag: str, change: str, breaks: str, rollback_flag: str | None) -> Recipe:
    def recipe(target: Target) -> tuple[Step, ...]:
        db = target.resource_id
        rollback = (
            (
                aws(
                    "rds",
                    "modify-db-instance",
                    "--region",
                    target.region,
                    "--db-instance-identifier",
                    db,
                    rollback_flag,
                    "--apply-immediately",
                ),
            )
            if rollback_flag
            else ()
        )
        return single(
            Step(
                summary=f"{flag.lstrip('-').replace('-', ' ').capitalize()} on database {db}",
                commands=(
                    aws(
                        "rds",
                        "modify-db-instance",
                        "--region",
                        target.region,
                        "--db-instance-identifier",
                        db,
                        flag,
                        "--apply-immediately",
                    ),
                ),
                changes=change,
                breaks=breaks,
                rollback=rollback,
                terraform=f"# on the aws_db_instance resource of {db}\n{_terraform_attribute(flag)}",
            )
        )

    return recipe


def _terraform_attribute(flag: str) -> str:
    """``--no-multi-az`` → ``multi_az = false``: the aws_db_instance argument a CLI flag sets."""
    name = flag.removeprefix("--")
    value = "false" if name.startswith("no-") else "true"
    return f"{name.removeprefix('no-').replace('-', '_')} = {value}"

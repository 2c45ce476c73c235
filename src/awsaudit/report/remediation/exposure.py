"""Recipes for resources shared too widely: resource policies, public images and snapshots, detectors."""

from __future__ import annotations

from collections.abc import Callable

from awsaudit.report.remediation.model import Arg, Command, Decide, Step, Target, aws

Recipe = Callable[[Target], tuple[Step, ...]]

NEW_POLICY = Decide(
    "NEW_POLICY",
    "The policy without the exposing statement (start from the current one printed by the first command)",
    (
        "name the accounts or roles that need access",
        "keep the statement and add a condition: aws:PrincipalOrgID, or aws:SourceAccount/aws:SourceArn "
        "for a service principal",
        "remove the statement",
    ),
)


def _name(target: Target) -> str:
    """The resource's name: after the type's ``/`` or ``:`` (``function:NAME``, ``repository/NAME``)."""
    tail = target.finding.resource.split(":", 5)[-1]
    if "/" in tail:
        return tail.rsplit("/", 1)[-1]
    return tail.split(":", 1)[-1]


def policy_recipe(
    service: str,
    read: Callable[[Target], tuple[Arg, ...]],
    write: Callable[[Target], tuple[Arg, ...]],
    what: str,
) -> Recipe:
    """Read the current policy (kept for the rollback), then write the narrowed one the operator wrote."""

    def recipe(target: Target) -> tuple[Step, ...]:
        region = ("--region", target.region)
        return (
            Step(
                summary=f"Narrow the {what} policy of {_name(target)} to the principals that need it",
                commands=(
                    aws(service, *read(target), *region),
                    aws(service, *write(target), *region),
                ),
                changes=f"The {what} no longer admits everyone or accounts outside the organization.",
                breaks="Principals the old policy admitted and the new one does not lose access: check the "
                "access logs (CloudTrail) for who uses it first.",
                rollback_note="Write back the policy the first command printed, with the second command.",
            ),
        )

    return recipe


def _arn(target: Target) -> str:
    return target.finding.resource


def _account(target: Target) -> str:
    return target.finding.account_id


RESOURCE_POLICIES: dict[str, Recipe] = {
    "kms.key_not_exposed": policy_recipe(
        "kms",
        lambda t: ("get-key-policy", "--key-id", _name(t), "--policy-name", "default", "--output", "text"),
        lambda t: (
            "put-key-policy",
            "--key-id",
            _name(t),
            "--policy-name",
            "default",
            "--policy",
            NEW_POLICY,
        ),
        "KMS key",
    ),
    "sns.topic_not_exposed": policy_recipe(
        "sns",
        lambda t: ("get-topic-attributes", "--topic-arn", _arn(t)),
        lambda t: (
            "set-topic-attributes",
            "--topic-arn",
            _arn(t),
            "--attribute-name",
            "Policy",
            "--attribute-value",
            NEW_POLICY,
        ),
        "SNS topic",
    ),
    "sqs.queue_not_exposed": policy_recipe(
        "sqs",
        lambda t: (
            "get-queue-attributes",
            "--queue-url",
            f"https://sqs.{t.region}.amazonaws.com/{_account(t)}/{_name(t)}",
            "--attribute-names",
            "Policy",
        ),
        lambda t: (
            "set-queue-attributes",
            "--queue-url",
            f"https://sqs.{t.region}.amazonaws.com/{_account(t)}/{_name(t)}",
            "--attributes",
            Decide("NEW_QUEUE_ATTRIBUTES", "Policy=<the narrowed policy JSON, escaped>", NEW_POLICY.choices),
        ),
        "SQS queue",
    ),
    "secretsmanager.secret_not_exposed": policy_recipe(
        "secretsmanager",
        lambda t: ("get-resource-policy", "--secret-id", _arn(t)),
        lambda t: (
            "put-resource-policy",
            "--secret-id",
            _arn(t),
            "--resource-policy",
            NEW_POLICY,
            "--block-public-policy",
        ),
        "secret",
    ),
    "ecr.repository_not_exposed": policy_recipe(
        "ecr",
        lambda t: ("get-repository-policy", "--repository-name", _name(t)),
        lambda t: ("set-repository-policy", "--repository-name", _name(t), "--policy-text", NEW_POLICY),
        "ECR repository",
    ),
    "events.bus_not_exposed": policy_recipe(
        "events",
        lambda t: ("describe-event-bus", "--name", _name(t)),
        lambda t: ("put-permission", "--event-bus-name", _name(t), "--policy", NEW_POLICY),
        "event bus",
    ),
    "glacier.vault_not_exposed": policy_recipe(
        "glacier",
        lambda t: ("get-vault-access-policy", "--account-id", "-", "--vault-name", _name(t)),
        lambda t: (
            "set-vault-access-policy",
            "--account-id",
            "-",
            "--vault-name",
            _name(t),
            "--policy",
            Decide(
                "NEW_VAULT_POLICY", '{"Policy":"<the narrowed policy JSON, escaped>"}', NEW_POLICY.choices
            ),
        ),
        "Glacier vault",
    ),
    "logs.resource_policy_not_exposed": policy_recipe(
        "logs",
        lambda t: ("describe-resource-policies",),
        lambda t: ("put-resource-policy", "--policy-name", _name(t), "--policy-document", NEW_POLICY),
        "CloudWatch Logs resource",
    ),
    "opensearch.domain_not_exposed": policy_recipe(
        "opensearch",
        lambda t: (
            "describe-domain-config",
            "--domain-name",
            _name(t),
            "--query",
            "DomainConfig.AccessPolicies.Options",
            "--output",
            "text",
        ),
        lambda t: ("update-domain-config", "--domain-name", _name(t), "--access-policies", NEW_POLICY),
        "OpenSearch domain",
    ),
    "s3.access_point_not_exposed": policy_recipe(
        "s3control",
        lambda t: ("get-access-point-policy", "--account-id", _account(t), "--name", _name(t)),
        lambda t: (
            "put-access-point-policy",
            "--account-id",
            _account(t),
            "--name",
            _name(t),
            "--policy",
            NEW_POLICY,
        ),
        "S3 access point",
    ),
    "s3.multi_region_access_point_not_exposed": policy_recipe(
        "s3control",
        lambda t: ("get-multi-region-access-point-policy", "--account-id", _account(t), "--name", _name(t)),
        lambda t: (
            "put-multi-region-access-point-policy",
            "--account-id",
            _account(t),
            "--details",
            Decide("MRAP_DETAILS", f"Name={_name(t)},Policy=<the narrowed policy JSON>", NEW_POLICY.choices),
        ),
        "S3 Multi-Region Access Point",
    ),
    "apigateway.rest_api_not_exposed": policy_recipe(
        "apigateway",
        lambda t: ("get-rest-api", "--rest-api-id", _name(t), "--query", "policy", "--output", "text"),
        lambda t: (
            "update-rest-api",
            "--rest-api-id",
            _name(t),
            "--patch-operations",
            Decide(
                "REST_API_PATCH",
                "op=replace,path=/policy,value=<the narrowed policy JSON, escaped>",
                NEW_POLICY.choices,
            ),
        ),
        "REST API",
    ),
    "awslambda.function_not_exposed": policy_recipe(
        "lambda",
        lambda t: ("get-policy", "--function-name", _name(t)),
        lambda t: (
            "remove-permission",
            "--function-name",
            _name(t),
            "--statement-id",
            Decide(
                "STATEMENT_ID",
                "Which statement (Sid) of the policy printed above admits too much?",
                ("the Sid the finding's evidence names",),
            ),
        ),
        "Lambda function",
    ),
}


def _single(
    summary: str, command: Command, changes: str, breaks: str, rollback: Command | None
) -> tuple[Step]:
    return (
        Step(
            summary=summary,
            commands=(command,),
            changes=changes,
            breaks=breaks,
            rollback=() if rollback is None else (rollback,),
        ),
    )


def function_url(target: Target) -> tuple[Step, ...]:
    name, region = _name(target), target.region
    return _single(
        f"Require IAM authentication on the URL of function {name}",
        aws(
            "lambda",
            "update-function-url-config",
            "--function-name",
            name,
            "--auth-type",
            "AWS_IAM",
            "--region",
            region,
        ),
        "Calls to the function URL must be SigV4-signed by a principal allowed to invoke it.",
        "Anonymous callers (webhooks, browsers) get 403; put API Gateway or CloudFront in front if needed.",
        aws(
            "lambda",
            "update-function-url-config",
            "--function-name",
            name,
            "--auth-type",
            "NONE",
            "--region",
            region,
        ),
    )


def ami_not_public(target: Target) -> tuple[Step, ...]:
    image, region = _name(target), target.region
    return _single(
        f"Stop sharing AMI {image} with everyone",
        aws(
            "ec2",
            "modify-image-attribute",
            "--region",
            region,
            "--image-id",
            image,
            "--launch-permission",
            "Remove=[{Group=all}]",
        ),
        "Only the accounts named in its launch permissions can use the image.",
        "Anyone launching it from another account (a marketplace-like use) can no longer do so.",
        aws(
            "ec2",
            "modify-image-attribute",
            "--region",
            region,
            "--image-id",
            image,
            "--launch-permission",
            "Add=[{Group=all}]",
        ),
    )


def snapshot_not_public(target: Target) -> tuple[Step, ...]:
    snapshot, region = _name(target), target.region
    return _single(
        f"Stop sharing EBS snapshot {snapshot} with everyone",
        aws(
            "ec2",
            "modify-snapshot-attribute",
            "--region",
            region,
            "--snapshot-id",
            snapshot,
            "--attribute",
            "createVolumePermission",
            "--operation-type",
            "remove",
            "--group-names",
            "all",
        ),
        "Other accounts can no longer create volumes from it.",
        "Nothing inside the account.",
        aws(
            "ec2",
            "modify-snapshot-attribute",
            "--region",
            region,
            "--snapshot-id",
            snapshot,
            "--attribute",
            "createVolumePermission",
            "--operation-type",
            "add",
            "--group-names",
            "all",
        ),
    )


def rds_snapshot(target: Target) -> tuple[Step, ...]:
    snapshot, region = _name(target), target.region
    cluster = ":cluster-snapshot:" in target.finding.resource
    verb = "modify-db-cluster-snapshot-attribute" if cluster else "modify-db-snapshot-attribute"
    key = "--db-cluster-snapshot-identifier" if cluster else "--db-snapshot-identifier"
    return _single(
        f"Stop sharing RDS snapshot {snapshot} publicly",
        aws(
            "rds",
            verb,
            "--region",
            region,
            key,
            snapshot,
            "--attribute-name",
            "restore",
            "--values-to-remove",
            "all",
        ),
        "The snapshot is no longer restorable by every AWS account (accounts shared by id stay).",
        "Nothing inside the account.",
        aws(
            "rds",
            verb,
            "--region",
            region,
            key,
            snapshot,
            "--attribute-name",
            "restore",
            "--values-to-add",
            "all",
        ),
    )


def image_block_public_access(target: Target) -> tuple[Step, ...]:
    region = target.region
    return _single(
        f"Block new public sharing of AMIs in {region}",
        aws(
            "ec2",
            "enable-image-block-public-access",
            "--region",
            region,
            "--image-block-public-access-state",
            "block-new-sharing",
        ),
        "No AMI of the account can be made public in the region from now on.",
        "Pipelines that publish public AMIs fail.",
        aws("ec2", "disable-image-block-public-access", "--region", region),
    )


def snapshot_block_public_access(target: Target) -> tuple[Step, ...]:
    region = target.region
    return _single(
        f"Block all public sharing of EBS snapshots in {region}",
        aws("ec2", "enable-snapshot-block-public-access", "--region", region, "--state", "block-all-sharing"),
        "Public snapshots of the region stop being public, and none can be made public.",
        "Anyone restoring your public snapshots from another account loses them.",
        aws("ec2", "disable-snapshot-block-public-access", "--region", region),
    )


def guardduty_enabled(target: Target) -> tuple[Step, ...]:
    region = target.region
    step = Step(
        summary=f"Enable GuardDuty in {region}",
        commands=(aws("guardduty", "create-detector", "--enable", "--region", region),),
        changes="GuardDuty analyses CloudTrail, VPC flow and DNS logs of the region (billed by volume).",
        breaks="Nothing.",
        rollback_note="aws guardduty delete-detector --detector-id <the DetectorId the command returns>",
    )
    return (step,)


def guardduty_plans(target: Target) -> tuple[Step, ...]:
    detector, region = _name(target), target.region
    features = [
        f"Name={name},Status=ENABLED"
        for name in (
            "S3_DATA_EVENTS",
            "EKS_AUDIT_LOGS",
            "RDS_LOGIN_EVENTS",
            "LAMBDA_NETWORK_LOGS",
            "EBS_MALWARE_PROTECTION",
        )
    ]
    return _single(
        f"Turn on GuardDuty's protection plans on detector {detector}",
        aws(
            "guardduty",
            "update-detector",
            "--region",
            region,
            "--detector-id",
            detector,
            "--features",
            *features,
        ),
        "GuardDuty also watches S3 data events, EKS audit logs, RDS logins, Lambda network traffic and "
        "scans EBS volumes for malware (each billed).",
        "Nothing.",
        aws(
            "guardduty",
            "update-detector",
            "--region",
            region,
            "--detector-id",
            detector,
            "--features",
            *(f.replace("ENABLED", "DISABLED") for f in features),
        ),
    )


def guardduty_organization(target: Target) -> tuple[Step, ...]:
    admin = Decide(
        "SECURITY_ACCOUNT_ID",
        "Which account administers GuardDuty for the organization?",
        ("the security tooling account",),
    )
    return _single(
        "Delegate GuardDuty administration to the security account (from the management account)",
        aws(
            "guardduty",
            "enable-organization-admin-account",
            "--admin-account-id",
            admin,
            "--region",
            target.region,
        ),
        "The security account manages GuardDuty for every member; then turn on auto-enable there "
        "(aws guardduty update-organization-configuration --auto-enable-organization-members ALL).",
        "Nothing in workloads.",
        aws(
            "guardduty",
            "disable-organization-admin-account",
            "--admin-account-id",
            admin,
            "--region",
            target.region,
        ),
    )


def inspector(target: Target) -> tuple[Step, ...]:
    region = target.region
    return _single(
        f"Enable Inspector for EC2, ECR and Lambda in {region}",
        aws("inspector2", "enable", "--resource-types", "EC2", "ECR", "LAMBDA", "--region", region),
        "Inspector scans instances, images and functions for vulnerabilities (billed per resource).",
        "Nothing.",
        aws("inspector2", "disable", "--resource-types", "EC2", "ECR", "LAMBDA", "--region", region),
    )


def macie(target: Target) -> tuple[Step, ...]:
    region = target.region
    return (
        Step(
            summary=f"Enable Macie's automated sensitive data discovery in {region}",
            commands=(
                aws("macie2", "enable-macie", "--region", region),
                aws(
                    "macie2",
                    "update-automated-discovery-configuration",
                    "--status",
                    "ENABLED",
                    "--region",
                    region,
                ),
            ),
            changes="Macie samples the region's buckets for sensitive data (billed per object inspected).",
            breaks="Nothing.",
            rollback=(aws("macie2", "disable-macie", "--region", region),),
        ),
    )


RECIPES: dict[str, Recipe] = {
    **RESOURCE_POLICIES,
    "awslambda.function_url_not_public": function_url,
    "ec2.ami_not_public": ami_not_public,
    "ec2.snapshot_not_public": snapshot_not_public,
    "rds.snapshot_not_shared": rds_snapshot,
    "ec2.image_block_public_access": image_block_public_access,
    "ec2.snapshot_block_public_access": snapshot_block_public_access,
    "guardduty.enabled": guardduty_enabled,
    "guardduty.protection_plans": guardduty_plans,
    "guardduty.organization_managed": guardduty_organization,
    "inspector.enabled": inspector,
    "macie.sensitive_data_discovery": macie,
}

NO_CLI_FIX: dict[str, str] = {
    "accessanalyzer.no_active_external_findings": "each finding is a sharing decision: remove the access "
    "named "
    "in it, or archive the finding if the sharing is intended",
    "guardduty.no_severe_findings": "each finding needs investigating before it is remediated and archived",
}

"""Recipes for account-wide settings: password policy, public-access blocks, default encryption,
security services, budgets, contacts, the support role, membership of an organization."""

from __future__ import annotations

from awsaudit.report.remediation.model import Decide, Step, Target, aws, single


def password_policy(target: Target) -> tuple[Step, ...]:
    return single(
        Step(
            summary="Set a strong account password policy",
            commands=(
                aws(
                    "iam",
                    "update-account-password-policy",
                    "--minimum-password-length",
                    "14",
                    "--require-symbols",
                    "--require-numbers",
                    "--require-uppercase-characters",
                    "--require-lowercase-characters",
                    "--password-reuse-prevention",
                    "24",
                    "--allow-users-to-change-password",
                ),
            ),
            changes="Replaces the whole password policy (settings not given are reset to their defaults).",
            breaks=(
                "Users must meet the new rules at their next password change; existing passwords stay valid."
            ),
            rollback_note="Record the current policy first: aws iam get-account-password-policy.",
            terraform=(
                'resource "aws_iam_account_password_policy" "strict" {\n  minimum_password_length = 14\n'
                "  password_reuse_prevention = 24\n  require_symbols = true\n  require_numbers = true\n"
                "  require_uppercase_characters = true\n  require_lowercase_characters = true\n}"
            ),
        )
    )


def account_block_public_access(target: Target) -> tuple[Step, ...]:
    settings = "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
    return single(
        Step(
            summary=f"Turn on S3 Block Public Access for account {target.finding.account_id}",
            commands=(
                aws(
                    "s3control",
                    "put-public-access-block",
                    "--account-id",
                    target.finding.account_id,
                    "--public-access-block-configuration",
                    settings,
                ),
            ),
            changes="No bucket in the account can be made public by ACL or policy.",
            breaks=(
                "Buckets that serve public content (static sites) stop doing so; front them with CloudFront."
            ),
            rollback=(
                aws("s3control", "delete-public-access-block", "--account-id", target.finding.account_id),
            ),
            terraform='resource "aws_s3_account_public_access_block" "this" {\n  block_public_acls = true\n'
            "  ignore_public_acls = true\n  block_public_policy = true\n  restrict_public_buckets = true\n}",
        )
    )


def ebs_default_encryption(target: Target) -> tuple[Step, ...]:
    return single(
        Step(
            summary=f"Encrypt new EBS volumes by default in {target.region}",
            commands=(aws("ec2", "enable-ebs-encryption-by-default", "--region", target.region),),
            changes=(
                "Every new volume and snapshot copy in the region is encrypted; existing ones are unchanged."
            ),
            breaks="Launching from unencrypted snapshots shared by accounts without key access may fail.",
            rollback=(aws("ec2", "disable-ebs-encryption-by-default", "--region", target.region),),
            terraform='resource "aws_ebs_encryption_by_default" "this" {\n  enabled = true\n}',
        )
    )


def access_analyzer(target: Target) -> tuple[Step, ...]:
    name = "awsaudit-account-analyzer"
    return single(
        Step(
            summary=f"Create an IAM Access Analyzer in {target.region}",
            commands=(
                aws(
                    "accessanalyzer",
                    "create-analyzer",
                    "--region",
                    target.region,
                    "--analyzer-name",
                    name,
                    "--type",
                    "ACCOUNT",
                ),
            ),
            changes="Adds an analyzer that reports resources shared outside the account.",
            breaks="Nothing; it only reads.",
            terraform=(
                'resource "aws_accessanalyzer_analyzer" "account" {\n'
                f'  analyzer_name = "{name}"\n  type = "ACCOUNT"\n}}'
            ),
            rollback=(
                aws("accessanalyzer", "delete-analyzer", "--region", target.region, "--analyzer-name", name),
            ),
        )
    )


def security_hub(target: Target) -> tuple[Step, ...]:
    return single(
        Step(
            summary=f"Enable Security Hub in {target.region}",
            commands=(aws("securityhub", "enable-security-hub", "--region", target.region),),
            changes="Turns on Security Hub and its default standards (billed per check).",
            breaks="Nothing in workloads; AWS Config must record in the region for the controls to work.",
            rollback=(aws("securityhub", "disable-security-hub", "--region", target.region),),
            terraform='resource "aws_securityhub_account" "this" {\n  enable_default_standards = true\n}',
        )
    )


def config_recorder(target: Target) -> tuple[Step, ...]:
    role = Decide(
        "CONFIG_RECORDER",
        "The recorder: name=default,roleARN=<the role AWS Config uses>",
        ("roleARN of the service-linked role AWSServiceRoleForConfig", "roleARN of a custom role"),
    )
    bucket = Decide(
        "CONFIG_DELIVERY_CHANNEL",
        "The channel: name=default,s3BucketName=<bucket for snapshots>",
        ("a central logging bucket", "a new bucket in this account"),
    )
    region = target.region
    return single(
        Step(
            summary=f"Record every resource with AWS Config in {region}",
            commands=(
                aws(
                    "configservice",
                    "put-configuration-recorder",
                    "--region",
                    region,
                    "--configuration-recorder",
                    role,
                    "--recording-group",
                    "allSupported=true,includeGlobalResourceTypes=true",
                ),
                aws(
                    "configservice", "put-delivery-channel", "--region", region, "--delivery-channel", bucket
                ),
                aws(
                    "configservice",
                    "start-configuration-recorder",
                    "--region",
                    region,
                    "--configuration-recorder-name",
                    "default",
                ),
            ),
            changes="AWS Config records configuration changes (billed per recorded item).",
            breaks="Nothing in workloads.",
            terraform=(
                'resource "aws_config_configuration_recorder" "default" {\n  name = "default"\n'
                "  role_arn = var.config_role_arn # TODO: AWSServiceRoleForConfig or a custom role\n"
                "  recording_group {\n    all_supported = true\n    include_global_resource_types = true\n"
                '  }\n}\n\nresource "aws_config_delivery_channel" "default" {\n  name = "default"\n'
                "  s3_bucket_name = var.config_bucket # TODO: the bucket chosen above\n"
                "  depends_on = [aws_config_configuration_recorder.default]\n}\n\n"
                'resource "aws_config_configuration_recorder_status" "default" {\n'
                "  name = aws_config_configuration_recorder.default.name\n  is_enabled = true\n"
                "  depends_on = [aws_config_delivery_channel.default]\n}"
            ),
            rollback=(
                aws(
                    "configservice",
                    "stop-configuration-recorder",
                    "--region",
                    region,
                    "--configuration-recorder-name",
                    "default",
                ),
            ),
        )
    )


def budget(target: Target) -> tuple[Step, ...]:
    amount = Decide(
        "BUDGET_USD", "What monthly spend (USD) should raise an alert?", ("last months' spend plus a margin",)
    )
    email = Decide("BUDGET_ALERT_EMAIL", "Who receives the alert?", ("a team mailbox",))
    account = target.finding.account_id
    return single(
        Step(
            summary=f"Create a monthly cost budget with an alert for account {account}",
            commands=(
                aws(
                    "budgets",
                    "create-budget",
                    "--account-id",
                    account,
                    "--budget",
                    amount,
                    "--notifications-with-subscribers",
                    email,
                ),
            ),
            changes="Adds a budget that e-mails when actual spend passes 80 % (write both JSON documents).",
            breaks="Nothing.",
            rollback_note="aws budgets delete-budget --account-id ACCOUNT --budget-name NAME",
        )
    )


def security_contact(target: Target) -> tuple[Step, ...]:
    email = Decide(
        "SECURITY_CONTACT_EMAIL",
        "Which mailbox does AWS write to about security issues?",
        ("a monitored security team mailbox",),
    )
    name = Decide("SECURITY_CONTACT_NAME", "Whose name (or team) goes with it?", ("the security team",))
    phone = Decide("SECURITY_CONTACT_PHONE", "Which phone number?", ("the on-call number",))
    return single(
        Step(
            summary="Register the security alternate contact",
            commands=(
                aws(
                    "account",
                    "put-alternate-contact",
                    "--alternate-contact-type",
                    "SECURITY",
                    "--email-address",
                    email,
                    "--name",
                    name,
                    "--phone-number",
                    phone,
                    "--title",
                    "Security",
                ),
            ),
            changes="AWS sends security notices to this contact.",
            breaks="Nothing.",
            rollback=(aws("account", "delete-alternate-contact", "--alternate-contact-type", "SECURITY"),),
        )
    )


def support_role(target: Target) -> tuple[Step, ...]:
    trusted = Decide(
        "SUPPORT_TRUSTED_PRINCIPAL_POLICY",
        "Who may assume the support role?",
        ("a trust policy document (file://trust.json) naming your administrators' role",),
    )
    return (
        Step(
            summary="Create a role for AWS Support incidents",
            commands=(
                aws(
                    "iam",
                    "create-role",
                    "--role-name",
                    "aws-support",
                    "--assume-role-policy-document",
                    trusted,
                ),
                aws(
                    "iam",
                    "attach-role-policy",
                    "--role-name",
                    "aws-support",
                    "--policy-arn",
                    f"arn:{target.partition}:iam::aws:policy/AWSSupportAccess",
                ),
            ),
            changes="Adds role aws-support holding AWSSupportAccess.",
            breaks="Nothing.",
            rollback=(
                aws(
                    "iam",
                    "detach-role-policy",
                    "--role-name",
                    "aws-support",
                    "--policy-arn",
                    f"arn:{target.partition}:iam::aws:policy/AWSSupportAccess",
                ),
                aws("iam", "delete-role", "--role-name", "aws-support"),
            ),
        ),
    )


def join_organization(target: Target) -> tuple[Step, ...]:
    handshake = Decide(
        "HANDSHAKE_ID",
        "Which invitation from your management account should be accepted?",
        ("the handshake id from aws organizations list-handshakes-for-account",),
    )
    return single(
        Step(
            summary="Accept the invitation to the company's AWS Organization",
            commands=(aws("organizations", "accept-handshake", "--handshake-id", handshake),),
            changes="The account becomes a member: SCPs, consolidated billing, central audit roles apply.",
            breaks="SCPs of the target OU may deny what the account does today: review them first.",
            rollback=(aws("organizations", "leave-organization"),),
        )
    )

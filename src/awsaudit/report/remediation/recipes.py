"""The remediation recipes, by check id: the AWS CLI that fixes a FAIL, built from its finding.

Every registered check has a recipe here or an entry in NO_CLI_FIX saying why the
fix is not a CLI command (a root-user action, a judgement, a redesign); a test
holds the two tables against the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from awsaudit.report.remediation import exposure, network
from awsaudit.report.remediation.model import Decide, Step, Target, aws

Recipe = Callable[[Target], tuple[Step, ...]]

KMS_KEY = Decide(
    "KMS_KEY_ARN",
    "Which customer-managed KMS key should encrypt it?",
    ("an existing key ARN whose policy admits the service", "a new key: aws kms create-key, then its ARN"),
)
ALERT_TOPIC = Decide(
    "ALERT_TOPIC_ARN",
    "Which SNS topic should the alarm notify (with a confirmed subscription someone reads)?",
    ("an existing security-alerts topic ARN", "a new topic: aws sns create-topic --name security-alerts"),
)


def _one(step: Step) -> tuple[Step, ...]:
    return (step,)


# ---------------------------------------------------------------- account-wide settings
def password_policy(target: Target) -> tuple[Step, ...]:
    return _one(
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
    return _one(
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
    return _one(
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
    return _one(
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
            rollback=(
                aws("accessanalyzer", "delete-analyzer", "--region", target.region, "--analyzer-name", name),
            ),
        )
    )


def security_hub(target: Target) -> tuple[Step, ...]:
    return _one(
        Step(
            summary=f"Enable Security Hub in {target.region}",
            commands=(aws("securityhub", "enable-security-hub", "--region", target.region),),
            changes="Turns on Security Hub and its default standards (billed per check).",
            breaks="Nothing in workloads; AWS Config must record in the region for the controls to work.",
            rollback=(aws("securityhub", "disable-security-hub", "--region", target.region),),
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
    return _one(
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
    return _one(
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
    return _one(
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


# ---------------------------------------------------------------- IAM principals
def _user(target: Target) -> str:
    return target.resource_id


def _key_ids_note(user: str) -> str:
    return f"aws iam list-access-keys --user-name {user} shows the key ids the CSV report numbers 1 and 2"


def deactivate_keys(target: Target) -> tuple[Step, ...]:
    user = _user(target)
    key = Decide(
        "ACCESS_KEY_ID",
        f"Which access key of {user} goes ({_key_ids_note(user)})?",
        ("the key named in the finding (access_key_1 or access_key_2)",),
    )
    return _one(
        Step(
            summary=f"Deactivate the stale access key of IAM user {user}",
            commands=(
                aws(
                    "iam",
                    "update-access-key",
                    "--user-name",
                    user,
                    "--access-key-id",
                    key,
                    "--status",
                    "Inactive",
                ),
            ),
            changes="The key stops authenticating; it can be re-activated, then deleted once nothing broke.",
            breaks="Scripts and services using the key fail; find them in CloudTrail by the key id first.",
            rollback=(
                aws(
                    "iam",
                    "update-access-key",
                    "--user-name",
                    user,
                    "--access-key-id",
                    key,
                    "--status",
                    "Active",
                ),
            ),
        )
    )


def console_mfa(target: Target) -> tuple[Step, ...]:
    user = _user(target)
    return _one(
        Step(
            summary=f"Remove the console password of {user} until they enrol MFA",
            commands=(aws("iam", "delete-login-profile", "--user-name", user),),
            changes=f"{user} can no longer sign in to the console; API keys are unaffected.",
            breaks=f"{user} loses console access until a password is set again with MFA enrolled.",
            rollback_note=(
                f"aws iam create-login-profile --user-name {user} "
                f"--password-reset-required --password <new>; "
                "better: have the user enrol an MFA device (console) and keep the password."
            ),
        )
    )


def user_attached_policies(target: Target) -> tuple[Step, ...]:
    user = _user(target)
    evidence = target.finding.evidence
    steps: list[Step] = []
    group = Decide(
        "TARGET_GROUP",
        f"Which group should give {user} these permissions instead?",
        ("an existing group with the same policies", "a new group created for them"),
    )
    for policy in evidence.get("AttachedManagedPolicies", []) or []:
        policy_arn = (
            str(policy)
            if str(policy).startswith("arn:")
            else (f"arn:{target.partition}:iam::{target.finding.account_id}:policy/{policy}")
        )
        steps.append(
            Step(
                summary=f"Move managed policy {policy} from user {user} to a group",
                commands=(
                    aws("iam", "attach-group-policy", "--group-name", group, "--policy-arn", policy_arn),
                    aws("iam", "add-user-to-group", "--user-name", user, "--group-name", group),
                    aws("iam", "detach-user-policy", "--user-name", user, "--policy-arn", policy_arn),
                ),
                changes=f"{user} keeps the permissions through the group; nothing is attached to the user.",
                breaks=(
                    "Every other member of the group gains the policy too: choose "
                    "the group with that in mind."
                ),
                rollback=(aws("iam", "attach-user-policy", "--user-name", user, "--policy-arn", policy_arn),),
            )
        )
    for inline in evidence.get("UserPolicyList", []) or []:
        steps.append(
            Step(
                summary=f"Delete inline policy {inline} of user {user} (after recreating it on a group)",
                commands=(
                    aws("iam", "delete-user-policy", "--user-name", user, "--policy-name", str(inline)),
                ),
                changes="Removes the inline policy.",
                breaks=f"{user} loses what it granted unless a group grants it first.",
                rollback_note=(
                    f"Save it first: aws iam get-user-policy --user-name {user} --policy-name {inline}; "
                    "put-user-policy restores it."
                ),
            )
        )
    return tuple(steps)


def cloudshell(target: Target) -> tuple[Step, ...]:
    kind, name = target.resource_kind, target.resource_id
    verb = {"user": "user", "role": "role", "group": "group"}.get(kind)
    if verb is None:
        return ()
    arn = f"arn:{target.partition}:iam::aws:policy/AWSCloudShellFullAccess"
    return _one(
        Step(
            summary=f"Detach AWSCloudShellFullAccess from {kind} {name}",
            commands=(aws("iam", f"detach-{verb}-policy", f"--{verb}-name", name, "--policy-arn", arn),),
            changes="CloudShell (with its file upload and download) is no longer available to it.",
            breaks=(
                "People who use CloudShell through it lose it; grant a narrower CloudShell policy if needed."
            ),
            rollback=(aws("iam", f"attach-{verb}-policy", f"--{verb}-name", name, "--policy-arn", arn),),
        )
    )


def expired_certificate(target: Target) -> tuple[Step, ...]:
    name = target.resource_id
    return _one(
        Step(
            summary=f"Delete expired server certificate {name}",
            commands=(aws("iam", "delete-server-certificate", "--server-certificate-name", name),),
            changes="Removes a certificate that no client accepts any more.",
            breaks="A load balancer still referencing it must be moved to a valid certificate first.",
            rollback_note="None: a deleted certificate must be uploaded again from its files.",
        )
    )


def full_admin_policy(target: Target) -> tuple[Step, ...]:
    arn = target.finding.resource
    if target.resource_kind != "policy":
        return ()
    return _one(
        Step(
            summary=f"Find and detach the holders of full-admin policy {target.resource_id}",
            commands=(aws("iam", "list-entities-for-policy", "--policy-arn", arn),),
            changes=(
                "Nothing yet: lists who holds the policy, to detach it with detach-user/group/role-policy."
            ),
            breaks="Detaching removes administrator rights: keep a break-glass role that has them.",
            rollback_note="attach-*-policy re-grants it.",
        )
    )


def kms_rotation(target: Target) -> tuple[Step, ...]:
    key = target.resource_id
    return _one(
        Step(
            summary=f"Rotate KMS key {key} yearly",
            commands=(aws("kms", "enable-key-rotation", "--region", target.region, "--key-id", key),),
            changes="KMS creates new key material every year; old material still decrypts.",
            breaks="Nothing.",
            rollback=(aws("kms", "disable-key-rotation", "--region", target.region, "--key-id", key),),
            terraform="# aws_kms_key: enable_key_rotation = true",
        )
    )


# ---------------------------------------------------------------- S3 buckets
def bucket_block_public_access(target: Target) -> tuple[Step, ...]:
    bucket = target.resource_id
    settings = "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
    return _one(
        Step(
            summary=f"Turn on Block Public Access for bucket {bucket}",
            commands=(
                aws(
                    "s3api",
                    "put-public-access-block",
                    "--bucket",
                    bucket,
                    "--public-access-block-configuration",
                    settings,
                ),
            ),
            changes="Public ACLs are ignored and public policies refused on the bucket.",
            breaks="Anonymous readers of the bucket (a website, public downloads) get AccessDenied.",
            rollback=(aws("s3api", "delete-public-access-block", "--bucket", bucket),),
            terraform=f'resource "aws_s3_bucket_public_access_block" "this" {{\n  bucket = "{bucket}"\n'
            "  block_public_acls = true\n  ignore_public_acls = true\n  block_public_policy = true\n"
            "  restrict_public_buckets = true\n}",
        )
    )


def bucket_encryption(target: Target) -> tuple[Step, ...]:
    bucket = target.resource_id
    config = '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
    return _one(
        Step(
            summary=f"Encrypt new objects in {bucket} by default (SSE-S3)",
            commands=(
                aws(
                    "s3api",
                    "put-bucket-encryption",
                    "--bucket",
                    bucket,
                    "--server-side-encryption-configuration",
                    config,
                ),
            ),
            changes="New objects are encrypted at rest; existing ones only when rewritten.",
            breaks="Nothing.",
            rollback=(aws("s3api", "delete-bucket-encryption", "--bucket", bucket),),
        )
    )


def bucket_tls_only(target: Target) -> tuple[Step, ...]:
    bucket = target.resource_id
    return _one(
        Step(
            summary=f"Add a Deny for non-TLS requests to the policy of {bucket}",
            commands=(
                aws(
                    "s3api", "get-bucket-policy", "--bucket", bucket, "--query", "Policy", "--output", "text"
                ),
                aws(
                    "s3api",
                    "put-bucket-policy",
                    "--bucket",
                    bucket,
                    "--policy",
                    Decide(
                        "TLS_POLICY_FILE",
                        "The current policy with the TLS Deny statement appended",
                        (
                            'file://policy.json: the output above plus {"Effect":"Deny","Principal":"*",'
                            '"Action":"s3:*","Resource":[bucket ARN, bucket ARN/*],"Condition":{"Bool":'
                            '{"aws:SecureTransport":"false"}}}',
                        ),
                    ),
                ),
            ),
            changes="Plain-HTTP requests to the bucket are refused.",
            breaks="Clients that still use http:// endpoints fail.",
            rollback_note="put-bucket-policy with the policy saved by the first command.",
        )
    )


def bucket_access_logging(target: Target) -> tuple[Step, ...]:
    bucket = target.resource_id
    destination = Decide(
        "ACCESS_LOG_BUCKET",
        f"Which bucket receives the access logs of {bucket}?",
        ("a dedicated logging bucket in the same region (not the bucket itself)",),
    )
    return _one(
        Step(
            summary=f"Log requests to {bucket}",
            commands=(
                aws(
                    "s3api", "put-bucket-logging", "--bucket", bucket, "--bucket-logging-status", destination
                ),
            ),
            changes='Set the variable to {"LoggingEnabled":{"TargetBucket":"…","TargetPrefix":"…/"}}.',
            breaks="Nothing; storage costs grow with requests.",
            rollback=(
                aws("s3api", "put-bucket-logging", "--bucket", bucket, "--bucket-logging-status", "{}"),
            ),
        )
    )


# ---------------------------------------------------------------- CloudTrail
def _trail(target: Target) -> str:
    return target.resource_id


def trail_validation(target: Target) -> tuple[Step, ...]:
    trail = _trail(target)
    return _one(
        Step(
            summary=f"Validate the log files of trail {trail}",
            commands=(
                aws(
                    "cloudtrail",
                    "update-trail",
                    "--region",
                    target.region,
                    "--name",
                    trail,
                    "--enable-log-file-validation",
                ),
            ),
            changes="CloudTrail writes signed digest files, so tampering is detectable.",
            breaks="Nothing.",
            rollback=(
                aws(
                    "cloudtrail",
                    "update-trail",
                    "--region",
                    target.region,
                    "--name",
                    trail,
                    "--no-enable-log-file-validation",
                ),
            ),
        )
    )


def trail_kms(target: Target) -> tuple[Step, ...]:
    trail = _trail(target)
    return _one(
        Step(
            summary=f"Encrypt trail {trail} with a customer-managed key",
            commands=(
                aws(
                    "cloudtrail",
                    "update-trail",
                    "--region",
                    target.region,
                    "--name",
                    trail,
                    "--kms-key-id",
                    KMS_KEY,
                ),
            ),
            changes="New log files are encrypted with the key; readers need kms:Decrypt.",
            breaks="Log consumers without kms:Decrypt on the key stop reading logs.",
            rollback=(
                aws(
                    "cloudtrail",
                    "update-trail",
                    "--region",
                    target.region,
                    "--name",
                    trail,
                    "--kms-key-id",
                    "",
                ),
            ),
        )
    )


def trail_cloudwatch(target: Target) -> tuple[Step, ...]:
    trail = _trail(target)
    group = Decide(
        "TRAIL_LOG_GROUP_ARN",
        "Which CloudWatch Logs group receives the trail?",
        ("arn:aws:logs:REGION:ACCOUNT:log-group:cloudtrail:*",),
    )
    role = Decide(
        "TRAIL_LOGS_ROLE_ARN",
        "Which role lets CloudTrail write to it?",
        ("a role trusted by cloudtrail.amazonaws.com with logs:CreateLogStream and logs:PutLogEvents",),
    )
    return _one(
        Step(
            summary=f"Deliver trail {trail} to CloudWatch Logs",
            commands=(
                aws(
                    "cloudtrail",
                    "update-trail",
                    "--region",
                    target.region,
                    "--name",
                    trail,
                    "--cloud-watch-logs-log-group-arn",
                    group,
                    "--cloud-watch-logs-role-arn",
                    role,
                ),
            ),
            changes="Events reach CloudWatch Logs, where metric filters and alarms can watch them.",
            breaks="Nothing; ingestion is billed.",
            rollback_note="update-trail with empty --cloud-watch-logs-log-group-arn and role stops delivery.",
        )
    )


def _account_trail(target: Target) -> str | None:
    trails = target.finding.evidence.get("trails", []) or []
    for entry in trails:
        if isinstance(entry, Mapping) and isinstance(entry.get("trail"), str):
            return str(entry["trail"])
    return None


def trail_multi_region(target: Target) -> tuple[Step, ...]:
    trail = _account_trail(target)
    if trail is None:
        bucket = Decide(
            "TRAIL_BUCKET", "Which bucket receives the new trail's logs?", ("a private logging bucket",)
        )
        return _one(
            Step(
                summary="Create a multi-region trail that records all management events",
                commands=(
                    aws(
                        "cloudtrail",
                        "create-trail",
                        "--region",
                        target.region,
                        "--name",
                        "management-events",
                        "--s3-bucket-name",
                        bucket,
                        "--is-multi-region-trail",
                        "--enable-log-file-validation",
                    ),
                    aws(
                        "cloudtrail",
                        "start-logging",
                        "--region",
                        target.region,
                        "--name",
                        "management-events",
                    ),
                ),
                changes="Adds a trail in every region (the first copy of management events is free).",
                breaks="Nothing.",
                rollback=(
                    aws(
                        "cloudtrail", "delete-trail", "--region", target.region, "--name", "management-events"
                    ),
                ),
            )
        )
    region = trail.split(":")[3]
    return _one(
        Step(
            summary=(
                f"Make trail {trail.rsplit('/', 1)[-1]} multi-region, logging read "
                f"and write management events"
            ),
            commands=(
                aws(
                    "cloudtrail",
                    "update-trail",
                    "--region",
                    region,
                    "--name",
                    trail,
                    "--is-multi-region-trail",
                ),
                aws(
                    "cloudtrail",
                    "put-event-selectors",
                    "--region",
                    region,
                    "--trail-name",
                    trail,
                    "--event-selectors",
                    '[{"ReadWriteType":"All","IncludeManagementEvents":true}]',
                ),
                aws("cloudtrail", "start-logging", "--region", region, "--name", trail),
            ),
            changes="The trail records every region's management events, reads included.",
            breaks="Nothing; read events add storage.",
            rollback=(
                aws(
                    "cloudtrail",
                    "update-trail",
                    "--region",
                    region,
                    "--name",
                    trail,
                    "--no-is-multi-region-trail",
                ),
            ),
        )
    )


def trail_s3_data_events(kind: str) -> Recipe:
    def recipe(target: Target) -> tuple[Step, ...]:
        trail = _account_trail(target)
        if trail is None:
            return ()
        region = trail.split(":")[3]
        selectors = (
            '[{"Name":"S3 object ' + kind + '","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},'
            '{"Field":"resources.type","Equals":["AWS::S3::Object"]},'
            '{"Field":"readOnly","Equals":["' + ("true" if kind == "reads" else "false") + '"]}]}]'
        )
        return _one(
            Step(
                summary=f"Record S3 object {kind} on trail {trail.rsplit('/', 1)[-1]}",
                commands=(
                    aws(
                        "cloudtrail",
                        "put-event-selectors",
                        "--region",
                        region,
                        "--trail-name",
                        trail,
                        "--advanced-event-selectors",
                        selectors,
                    ),
                ),
                changes="Replaces the trail's selectors with S3 data events (billed per event); keep the "
                "management-event selector in the same document if the trail has one.",
                breaks="Nothing in workloads; data events can cost a lot on busy buckets.",
                rollback_note=(
                    "Save the selectors first: aws cloudtrail get-event-selectors --trail-name TRAIL."
                ),
            )
        )

    return recipe


def cloudwatch_monitoring(target: Target) -> tuple[Step, ...]:
    evidence = target.finding.evidence
    control = str(evidence.get("control", "security-event"))
    pattern = evidence.get("pattern") or evidence.get("expected_pattern")
    group = Decide(
        "TRAIL_LOG_GROUP",
        "Which log group receives the multi-region trail?",
        ("the log group named in the trail's CloudWatchLogsLogGroupArn",),
    )
    metric = f"awsaudit-{control}"
    steps: list[Step] = []
    if evidence.get("broken_link") == "trail":
        steps.append(
            Step(
                summary=(
                    "First fix the trail (see the cloudtrail steps): the alarm "
                    "needs a multi-region trail delivering to CloudWatch Logs"
                ),
                commands=(),
                changes="Nothing by itself.",
                breaks="Nothing.",
            )
        )
    filter_pattern: str | Decide = (
        str(pattern)
        if isinstance(pattern, str)
        else Decide(
            f"PATTERN_{control.upper()}",
            f"The CIS filter pattern for {control}",
            (f"see `awsaudit checks --show {target.finding.check_id}` for the pattern",),
        )
    )
    steps.append(
        Step(
            summary=f"Alarm on {control.replace('_', ' ')}",
            commands=(
                aws(
                    "logs",
                    "put-metric-filter",
                    "--region",
                    target.region,
                    "--log-group-name",
                    group,
                    "--filter-name",
                    metric,
                    "--filter-pattern",
                    filter_pattern,
                    "--metric-transformations",
                    f"metricName={metric},metricNamespace=CISBenchmark,metricValue=1",
                ),
                aws(
                    "cloudwatch",
                    "put-metric-alarm",
                    "--region",
                    target.region,
                    "--alarm-name",
                    metric,
                    "--metric-name",
                    metric,
                    "--namespace",
                    "CISBenchmark",
                    "--statistic",
                    "Sum",
                    "--period",
                    "300",
                    "--threshold",
                    "1",
                    "--comparison-operator",
                    "GreaterThanOrEqualToThreshold",
                    "--evaluation-periods",
                    "1",
                    "--alarm-actions",
                    ALERT_TOPIC,
                ),
            ),
            changes="Adds a metric filter and an alarm notifying the topic.",
            breaks="Nothing; the topic's subscribers receive alerts.",
            rollback=(
                aws("cloudwatch", "delete-alarms", "--region", target.region, "--alarm-names", metric),
                aws(
                    "logs",
                    "delete-metric-filter",
                    "--region",
                    target.region,
                    "--log-group-name",
                    group,
                    "--filter-name",
                    metric,
                ),
            ),
        )
    )
    return tuple(steps)


def alarm_actions(target: Target) -> tuple[Step, ...]:
    alarm = target.finding.resource.rsplit(":", 1)[-1]
    return _one(
        Step(
            summary=f"Make alarm {alarm} notify someone",
            commands=(
                aws("cloudwatch", "enable-alarm-actions", "--region", target.region, "--alarm-names", alarm),
                aws("cloudwatch", "describe-alarms", "--region", target.region, "--alarm-names", alarm),
            ),
            changes="Re-enables actions; if it has none, re-create it with put-metric-alarm --alarm-actions "
            "(the description shows its current settings).",
            breaks="Nothing.",
            rollback=(
                aws("cloudwatch", "disable-alarm-actions", "--region", target.region, "--alarm-names", alarm),
            ),
        )
    )


# ---------------------------------------------------------------- EC2 instances, RDS, EFS
def imdsv2(target: Target) -> tuple[Step, ...]:
    instance = target.resource_id
    return _one(
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
            terraform='# aws_instance: metadata_options { http_tokens = "required" }',
        )
    )


def instance_profile(target: Target) -> tuple[Step, ...]:
    instance = target.resource_id
    profile = Decide(
        "INSTANCE_PROFILE_NAME",
        f"Which instance profile should {instance} use?",
        ("a least-privilege profile made for this workload",),
    )
    return _one(
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
        return _one(
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
            )
        )

    return recipe


# ---------------------------------------------------------------- organizations
def join_organization(target: Target) -> tuple[Step, ...]:
    handshake = Decide(
        "HANDSHAKE_ID",
        "Which invitation from your management account should be accepted?",
        ("the handshake id from aws organizations list-handshakes-for-account",),
    )
    return _one(
        Step(
            summary="Accept the invitation to the company's AWS Organization",
            commands=(aws("organizations", "accept-handshake", "--handshake-id", handshake),),
            changes="The account becomes a member: SCPs, consolidated billing, central audit roles apply.",
            breaks="SCPs of the target OU may deny what the account does today: review them first.",
            rollback=(aws("organizations", "leave-organization"),),
        )
    )


RECIPES: Mapping[str, Recipe] = {
    "accessanalyzer.enabled": access_analyzer,
    "account.security_contact": security_contact,
    "budgets.budget_with_alert": budget,
    "cloudtrail.bucket_access_logging": bucket_access_logging,
    "cloudtrail.bucket_not_public": bucket_block_public_access,
    "cloudtrail.cloudwatch_logs_delivery": trail_cloudwatch,
    "cloudtrail.kms_encryption": trail_kms,
    "cloudtrail.log_file_validation": trail_validation,
    "cloudtrail.multi_region_logging": trail_multi_region,
    "cloudtrail.s3_object_read_logging": trail_s3_data_events("reads"),
    "cloudtrail.s3_object_write_logging": trail_s3_data_events("writes"),
    "cloudwatch.alarm_actions": alarm_actions,
    **{
        f"cloudwatch.monitoring_{name}": cloudwatch_monitoring
        for name in (
            "cloudtrail_config_changes",
            "config_changes",
            "console_auth_failures",
            "console_signin_without_mfa",
            "iam_policy_changes",
            "kms_cmk_disable_or_deletion",
            "nacl_changes",
            "network_gateway_changes",
            "organizations_changes",
            "root_account_usage",
            "route_table_changes",
            "s3_bucket_policy_changes",
            "security_group_changes",
            "unauthorized_api_calls",
            "vpc_changes",
        )
    },
    "config.recorder_enabled": config_recorder,
    "ec2.default_sg_restricts_all": network.default_sg,
    "ec2.ebs_default_encryption": ebs_default_encryption,
    "ec2.imdsv2_required": imdsv2,
    "ec2.instance_profile_attached": instance_profile,
    "ec2.internet_exposed_interfaces": network.internet_exposed_interface,
    "ec2.nacl_admin_ports": network.nacl_admin_ports,
    "ec2.sg_admin_ports_ipv4": network.sg_open_to_internet,
    "ec2.sg_admin_ports_ipv6": network.sg_open_to_internet,
    "ec2.sg_admin_ports_trusted_cidrs": network.sg_untrusted_sources,
    "ec2.sg_cifs_restricted": network.sg_open_to_internet,
    "ec2.vpc_flow_logs": network.vpc_flow_logs,
    "iam.access_key_rotation": deactivate_keys,
    "iam.cloudshell_full_access": cloudshell,
    "iam.console_user_mfa": console_mfa,
    "iam.expired_server_certificates": expired_certificate,
    "iam.full_admin_policy": full_admin_policy,
    "iam.no_keys_at_setup": deactivate_keys,
    "iam.one_active_key": deactivate_keys,
    "iam.password_policy_complexity": password_policy,
    "iam.password_policy_min_length": password_policy,
    "iam.password_policy_reuse": password_policy,
    "iam.support_role": support_role,
    "iam.unused_credentials": deactivate_keys,
    "iam.user_attached_policies": user_attached_policies,
    "kms.key_rotation": kms_rotation,
    "organizations.account_in_organization": join_organization,
    "rds.auto_minor_upgrade": rds_setting(
        "--auto-minor-version-upgrade",
        "Minor engine versions are applied in the maintenance window.",
        "A minor upgrade restarts the database in its maintenance window.",
        "--no-auto-minor-version-upgrade",
    ),
    "rds.instance_not_public": rds_setting(
        "--no-publicly-accessible",
        "The database's endpoint resolves to a private address only.",
        "Clients outside the VPC (including developers' laptops) lose access.",
        "--publicly-accessible",
    ),
    "rds.multi_az": rds_setting(
        "--multi-az",
        "A standby in another zone takes over on failure (doubles the instance cost).",
        "Converting causes a brief I/O pause; apply in a quiet hour.",
        "--no-multi-az",
    ),
    "s3.account_block_public_access": account_block_public_access,
    "s3.block_public_access": bucket_block_public_access,
    "s3.bucket_encryption": bucket_encryption,
    "s3.bucket_public_access": bucket_block_public_access,
    "s3.bucket_tls_only": bucket_tls_only,
    "securityhub.enabled": security_hub,
    **exposure.RECIPES,
}

# Checks whose fix is not an AWS CLI command an operator can run from the audit's credentials.
NO_CLI_FIX: Mapping[str, str] = {
    "account.contact_details": (
        "a person confirms the contact details are current (an inventory, not a setting)"
    ),
    "iam.identity_federation": "an inventory of identity providers for a person to judge",
    "iam.aws_managed_admin_attached": (
        "replacing an AWS-managed administrator policy needs a decision on the narrower policy that "
        "takes its place; an accepted break-glass role is recorded as a suppression"
    ),
    "s3.bucket_policy_encryption": (
        "the Deny statement has to be merged into the bucket's existing policy, which only its owner "
        "can decide; the check's remediation gives the statement"
    ),
    "iam.root_access_keys": "only the root user can delete its own keys, signed in to the console",
    "iam.root_mfa": "root MFA is enrolled by the root user in the console",
    "iam.root_hardware_mfa": "a hardware MFA device is enrolled by the root user in the console",
    "iam.root_recent_use": "stopping root use is a practice: move the work to roles, then watch the alarm",
    "iam.privilege_escalation": "each path needs a redesign of the granting policy, named in the evidence",
    "iam.separation_of_duties": "splitting duties means redesigning who holds which policy",
    "iam.external_trust": "the trust condition depends on which repository or account should be trusted",
    "efs.encrypted": "a file system's encryption is fixed at creation: copy the data to a new encrypted one",
    "rds.instance_encrypted": "encryption is fixed at creation: restore an encrypted copy of a snapshot",
    "organizations.audit_role_reachable": (
        "the audit role is created by the organization's deployment (StackSet)"
    ),
    "organizations.delegated_administrators": (
        "an inventory of delegated administrators for a person to judge"
    ),
    "organizations.management_account_no_workloads": "moving workloads out is a migration, not a command",
    "organizations.member_budgets": "member budgets are created in each member account (see budgets recipe)",
    "s3.bucket_mfa_delete": "only the root user, with its MFA code, can turn on MFA Delete",
    "organizations.ou_structure": "an inventory of the OU structure for a person to judge",
    "organizations.scp_guardrails": "which SCPs to attach is an organization-wide decision",
    "organizations.centralized_root_access": (
        "enabling it removes every member's root credentials: an organization-wide decision taken in the "
        "management account (the check's remediation gives the commands)"
    ),
    "organizations.security_delegated_administrators": (
        "which account administers each security service is the organization's decision"
    ),
    "organizations.intervention_capability": (
        "the audit role's trust and permissions are deployed to every account by the organization "
        "(a StackSet), not fixed in one account"
    ),
    "identitycenter.admin_permission_sets": (
        "taking administrator access from a group needs a decision on the narrower permission set "
        "that replaces it"
    ),
    "ds.forest_trust_selective_auth": (
        "selective authentication needs 'Allowed to authenticate' granted on the on-premises side "
        "first, or users lose access"
    ),
    **exposure.NO_CLI_FIX,
}

"""Recipes for S3 buckets: public-access blocks, default encryption, TLS-only policy, access logging."""

from __future__ import annotations

from awsaudit.report.remediation.model import Decide, Step, Target, aws, hcl_string, single


def bucket_block_public_access(target: Target) -> tuple[Step, ...]:
    bucket = target.resource_id
    settings = "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
    return single(
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
    return single(
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
            terraform=(
                'resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n'
                f"  bucket = {hcl_string(bucket)}\n"
                "  rule {\n    apply_server_side_encryption_by_default {\n"
                '      sse_algorithm = "AES256"\n    }\n  }\n}'
            ),
        )
    )


def bucket_tls_only(target: Target) -> tuple[Step, ...]:
    bucket = target.resource_id
    return single(
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
            terraform=(
                "# a statement in the aws_iam_policy_document of the bucket's aws_s3_bucket_policy\n"
                'statement {\n  sid = "DenyInsecureTransport"\n  effect = "Deny"\n  actions = ["s3:*"]\n'
                f"  resources = [{hcl_string(f'arn:{target.partition}:s3:::{bucket}')}, "
                f"{hcl_string(f'arn:{target.partition}:s3:::{bucket}/*')}]\n"
                '  principals {\n    type = "*"\n    identifiers = ["*"]\n  }\n'
                '  condition {\n    test = "Bool"\n    variable = "aws:SecureTransport"\n'
                '    values = ["false"]\n  }\n}'
            ),
        )
    )


def bucket_access_logging(target: Target) -> tuple[Step, ...]:
    bucket = target.resource_id
    destination = Decide(
        "ACCESS_LOG_BUCKET",
        f"Which bucket receives the access logs of {bucket}?",
        ("a dedicated logging bucket in the same region (not the bucket itself)",),
    )
    return single(
        Step(
            summary=f"Log requests to {bucket}",
            commands=(
                aws(
                    "s3api", "put-bucket-logging", "--bucket", bucket, "--bucket-logging-status", destination
                ),
            ),
            changes='Set the variable to {"LoggingEnabled":{"TargetBucket":"…","TargetPrefix":"…/"}}.',
            breaks="Nothing; storage costs grow with requests.",
            terraform=(
                'resource "aws_s3_bucket_logging" "this" {\n'
                f"  bucket = {hcl_string(bucket)}\n"
                "  target_bucket = var.access_log_bucket # TODO: the logging bucket, not this one\n"
                f"  target_prefix = {hcl_string(bucket + '/')}\n}}"
            ),
            rollback=(
                aws("s3api", "put-bucket-logging", "--bucket", bucket, "--bucket-logging-status", "{}"),
            ),
        )
    )

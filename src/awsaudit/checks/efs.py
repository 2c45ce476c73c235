"""EFS check: file systems are encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

FILE_SYSTEMS = Needs("efs", "FileSystems", regional=True)


@check(
    id="efs.encrypted",
    title="EFS file systems are encrypted at rest",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[FILE_SYSTEMS],
    rationale="Encryption at rest protects file data and metadata on the underlying storage.",
    remediation=(
        "Encryption is chosen at creation: aws efs create-file-system --encrypted --kms-key-id <key> "
        "--creation-token <token>, copy the data across (e.g. AWS DataSync), then delete the old file system"
    ),
    references=["https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html"],
)
def efs_encrypted(ctx: CheckContext) -> Iterator[Result]:
    def resource(fs: Mapping[str, Any]) -> str:
        prefix = f"arn:{ctx.partition}:elasticfilesystem:{ctx.region}:{ctx.account_id}"
        return str(fs.get("FileSystemArn") or f"{prefix}:file-system/{fs['FileSystemId']}")

    def judge(fs: Mapping[str, Any]) -> Result:
        evidence = {"Encrypted": fs.get("Encrypted"), "KmsKeyId": fs.get("KmsKeyId")}
        if fs.get("Encrypted") is True:
            return ctx.passed(resource(fs), f"File system {fs['FileSystemId']} is encrypted", evidence)
        return ctx.failed(resource(fs), f"File system {fs['FileSystemId']} is not encrypted", evidence)

    return ctx.each(ctx.dataset("efs", "FileSystems"), resource, judge)

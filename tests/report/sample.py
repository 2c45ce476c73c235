"""A fixed, hand-built audit result for report tests: every status, hostile names, errors, suppressions."""

from __future__ import annotations

from awsaudit.audit import AuditResult, Selection
from awsaudit.checks.registry import CheckMeta, Needs, Scope
from awsaudit.compliance.frameworks_model import Control, Framework, rollup
from awsaudit.findings import Finding, Severity, Status
from awsaudit.report.model import ReportModel, build_report_model
from awsaudit.snapshot import CollectionError
from awsaudit.suppressions import parse_suppressions

ACCOUNT = "111122223333"
COLLECTED_AT = "2026-06-01T12:00:00Z"
HOSTILE = "<img src=x onerror=alert(1)><script>window.__pwned=1</script>"
SG_HOSTILE = f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-0bad {HOSTILE}"
SG_OPEN = f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-0open"
SG_BASTION = f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-0bastion"
BUCKET_FORMULA = 'arn:aws:s3:::=HYPERLINK("http://evil.example","x")'
BUCKET_MARKDOWN = "arn:aws:s3:::pipe|tick`star*@team\u2028line"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def _unused(_: object) -> list[object]:
    return []


def _meta(check_id: str, title: str, severity: Severity, remediation: str, manual: bool = False) -> CheckMeta:
    return CheckMeta(
        id=check_id,
        title=title,
        severity=severity,
        service=check_id.partition(".")[0],
        scope=Scope.ACCOUNT,
        needs=(Needs(check_id.partition(".")[0], "Data"),),
        rationale=f"Why {check_id} matters.",
        remediation=remediation,
        references=("https://docs.aws.amazon.com/securityhub/latest/userguide/finding-format.html",),
        function=_unused,  # type: ignore[arg-type]
        manual=manual,
    )


CHECKS = (
    _meta(
        "iam.root_access_keys",
        "The root user has no access keys",
        Severity.CRITICAL,
        "Delete the root user's access keys.",
    ),
    _meta(
        "ec2.security_group_admin_ports",
        "No security group opens admin ports to the internet",
        Severity.HIGH,
        "Restrict SSH and RDP to trusted CIDRs.",
    ),
    _meta(
        "s3.bucket_public_access_block",
        "Buckets block public access",
        Severity.MEDIUM,
        "Enable S3 Block Public Access on the bucket.",
    ),
    _meta(
        "cloudtrail.multi_region_trail",
        "A multi-region trail records management events",
        Severity.HIGH,
        "Create a multi-region trail.",
    ),
    _meta(
        "account.security_contact",
        "A security contact is registered",
        Severity.LOW,
        "Register a security alternate contact.",
        manual=True,
    ),
)

FRAMEWORK = Framework(
    id="cis-aws-foundations",
    version="7.0.0",
    title="CIS Amazon Web Services Foundations Benchmark v7.0.0",
    controls=(
        Control(
            "1.1",
            "Security contact registered",
            "Identity and Access Management",
            1,
            False,
            ("account.security_contact",),
        ),
        Control(
            "1.2", "No root access keys", "Identity and Access Management", 1, True, ("iam.root_access_keys",)
        ),
        Control("1.3", "Hardware MFA for root", "Identity and Access Management", 2, True, ()),
        # Manual in the framework, judged here: reads PASS with the note.
        Control("3.1", "CloudTrail in all regions", "Logging", 1, False, ("cloudtrail.multi_region_trail",)),
        Control(
            "5.1",
            "No admin ports open to the internet",
            "Networking",
            1,
            True,
            ("ec2.security_group_admin_ports",),
        ),
        Control("2.1", "Buckets block public access", "Storage", 1, True, ("s3.bucket_public_access_block",)),
    ),
)


def _finding(
    check: str,
    status: Status,
    severity: Severity,
    region: str,
    resource: str,
    message: str,
    evidence: dict[str, object] | None = None,
    name: str | None = None,
) -> Finding:
    return Finding(check, status, severity, ACCOUNT, region, resource, message, evidence or {}, name)


FINDINGS = (
    _finding(
        "iam.root_access_keys",
        Status.PASS,
        Severity.CRITICAL,
        "global",
        ROOT,
        "The root user has no access keys",
    ),
    _finding(
        "ec2.security_group_admin_ports",
        Status.FAIL,
        Severity.HIGH,
        "eu-west-1",
        SG_HOSTILE,
        f"Port 22 open to 0.0.0.0/0 on {HOSTILE}",
        {
            "GroupName": HOSTILE,
            "IpPermissions": [
                {"FromPort": 22, "ToPort": 22, "IpProtocol": "tcp", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        },
    ),
    _finding(
        "ec2.security_group_admin_ports",
        Status.FAIL,
        Severity.CRITICAL,
        "eu-west-1",
        SG_OPEN,
        "Port 3389 open to 0.0.0.0/0",
        {"FromPort": 3389},
        name="=rdp-servers <b>",
    ),
    _finding(
        "ec2.security_group_admin_ports",
        Status.FAIL,
        Severity.HIGH,
        "eu-west-1",
        SG_BASTION,
        "Port 22 open to 0.0.0.0/0",
        {"FromPort": 22},
        name="bastion",
    ),
    _finding(
        "ec2.security_group_admin_ports",
        Status.UNKNOWN,
        Severity.HIGH,
        "us-east-1",
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:account",
        "Cannot judge: SecurityGroups was not collected (DescribeSecurityGroups failed with AccessDenied)",
    ),
    _finding(
        "s3.bucket_public_access_block",
        Status.FAIL,
        Severity.MEDIUM,
        "eu-west-1",
        BUCKET_FORMULA,
        "-Block Public Access is off",
        {"Tags": [{"Key": "+cmd", "Value": "@SUM(1+1)"}]},
    ),
    _finding(
        "s3.bucket_public_access_block",
        Status.FAIL,
        Severity.MEDIUM,
        "eu-west-1",
        BUCKET_MARKDOWN,
        "Block Public Access is off | `x` <b>bold</b>",
    ),
    _finding(
        "s3.bucket_public_access_block",
        Status.PASS,
        Severity.MEDIUM,
        "eu-west-1",
        "arn:aws:s3:::logs",
        "Block Public Access is on",
    ),
    _finding(
        "cloudtrail.multi_region_trail",
        Status.PASS,
        Severity.HIGH,
        "global",
        f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/main",
        "Multi-region trail records management events",
    ),
    _finding(
        "account.security_contact",
        Status.MANUAL,
        Severity.LOW,
        "global",
        ROOT,
        "Confirm the security contact is current",
        {"AlternateContact": {"Name": "Sec Ops"}},
    ),
)

ERRORS = (
    CollectionError(
        "ec2",
        "us-east-1",
        "SecurityGroups",
        "DescribeSecurityGroups",
        "AccessDenied",
        f"not authorized {HOSTILE}",
    ),
)

SUPPRESSIONS_YAML = f"""
suppressions:
  - check: "ec2.security_group_*"
    resource: "*sg-0bastion"
    region: eu-west-1
    reason: "Bastion host behind a VPN, reviewed by the security team"
    owner: secops@example.com
    expires: 2026-06-01
  - check: s3.*
    resource: "arn:aws:s3:::=HYPERLINK*"
    reason: "Accepted until the migration"
    expires: 2026-05-31
    owner: data-team
  - check: "iam.*"
    resource: "{ROOT}"
    account: "{ACCOUNT}"
    reason: "Never matches a passing finding"
"""


def audit_result(findings: tuple[Finding, ...] = FINDINGS) -> AuditResult:
    evaluated = {c.id for c in CHECKS}
    return AuditResult(
        snapshot_account=ACCOUNT,
        caller_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/session",
        partition="aws",
        collected_at=COLLECTED_AT,
        collection_seconds=12.3456,
        regions=("eu-west-1", "us-east-1"),
        selection=Selection(frameworks=(FRAMEWORK,), checks=CHECKS),
        findings=findings,
        errors=ERRORS,
        rollups={FRAMEWORK.key: rollup(FRAMEWORK, findings, evaluated)},
        tool_version="1.2.3-test",
    )


def sample_model() -> ReportModel:
    return build_report_model(audit_result(), parse_suppressions(SUPPRESSIONS_YAML, "sample.yaml"))

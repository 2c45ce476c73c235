"""Every recipe, on a finding shaped like its check's, gives runnable commands naming the real resource."""

from __future__ import annotations

import subprocess

import pytest

from awsaudit.checks.registry import all_checks
from awsaudit.findings import Finding, Status
from awsaudit.report.remediation.compute import _terraform_attribute
from awsaudit.report.remediation.model import Target, hcl_string
from awsaudit.report.remediation.recipes import RECIPES

ACCOUNT = "111122223333"
REGION = "eu-west-1"

# A resource per check family as the checks report it, and the identifier the commands must carry.
RESOURCES: dict[str, tuple[str, str]] = {
    "cloudtrail.bucket": ("arn:aws:s3:::trail-logs", "trail-logs"),
    "cloudtrail.multi_region_logging": (f"arn:aws:iam::{ACCOUNT}:root", "trail/main"),
    "cloudtrail.s3_object": (f"arn:aws:iam::{ACCOUNT}:root", "trail/main"),
    "cloudtrail": (f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main-trail", "main-trail"),
    "cloudwatch.alarm_actions": (f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:high-cpu", "high-cpu"),
    "ec2.imdsv2_required": (
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123456789abcdef0",
        "i-0123456789abcdef0",
    ),
    "ec2.instance_profile_attached": (
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123456789abcdef0",
        "i-0123456789abcdef0",
    ),
    "ec2.nacl_admin_ports": (f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-acl/acl-0123", "acl-0123"),
    "ec2.vpc_flow_logs": (f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-0123", "vpc-0123"),
    "ec2.ami_not_public": (f"arn:aws:ec2:{REGION}::image/ami-0123", "ami-0123"),
    "ec2.snapshot_not_public": (f"arn:aws:ec2:{REGION}:{ACCOUNT}:snapshot/snap-0123", "snap-0123"),
    "ec2.sg": (f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0123", "sg-0123"),
    "ec2.internet_exposed_interfaces": (
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/eni-0123",
        "sg-0123",
    ),
    "iam.user": (f"arn:aws:iam::{ACCOUNT}:user/carol", "carol"),
    "iam.cloudshell_full_access": (f"arn:aws:iam::{ACCOUNT}:role/ops", "ops"),
    "iam.expired_server_certificates": (f"arn:aws:iam::{ACCOUNT}:server-certificate/legacy", "legacy"),
    "iam.full_admin_policy": (f"arn:aws:iam::{ACCOUNT}:policy/AdminEverything", "AdminEverything"),
    "kms": (f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd", "1234abcd"),
    "rds.snapshot_not_shared": (f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:orders-snap", "orders-snap"),
    "rds": (f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders-db", "orders-db"),
    "s3.access_point_not_exposed": (f"arn:aws:s3:{REGION}:{ACCOUNT}:accesspoint/reports", "reports"),
    "s3.multi_region_access_point_not_exposed": (f"arn:aws:s3::{ACCOUNT}:accesspoint/mrap1", "mrap1"),
    "s3.account_block_public_access": (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT),
    "s3": ("arn:aws:s3:::assets", "assets"),
    "sns": (f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts", "alerts"),
    "sqs": (f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs", "jobs"),
    "secretsmanager": (f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbCdEf", "db-AbCdEf"),
    "ecr": (f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/app", "app"),
    "events": (f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default", "default"),
    "glacier": (f"arn:aws:glacier:{REGION}:{ACCOUNT}:vaults/archive", "archive"),
    "logs": (f"arn:aws:logs:{REGION}:{ACCOUNT}:resource-policy/delivery", "delivery"),
    "opensearch": (f"arn:aws:es:{REGION}:{ACCOUNT}:domain/search", "search"),
    "apigateway": (f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3", "a1b2c3"),
    "awslambda": (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:pay", "pay"),
    "guardduty.protection_plans": (f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/d0123", "d0123"),
}
EVIDENCE: dict[str, dict[str, object]] = {
    "ec2.sg": {
        "findings": [
            {"port": "22", "source": "0.0.0.0/0", "rules": ["sg-0123 ingress tcp/22 from 0.0.0.0/0"]}
        ]
    },
    "ec2.sg_admin_ports_trusted_cidrs": {
        "findings": [
            {
                "port": "5432",
                "source": "203.0.113.0/24",
                "rule": "sg-0123 ingress tcp/5432 from 203.0.113.0/24",
            }
        ]
    },
    "ec2.sg_admin_ports_ipv6": {"findings": [{"port": "22", "rules": ["sg-0123 ingress tcp/22 from ::/0"]}]},
    "ec2.default_sg_restricts_all": {
        "inbound": ["sg-0123 ingress all from 111122223333/sg-0123"],
        "outbound": ["sg-0123 egress all to 0.0.0.0/0"],
    },
    "ec2.nacl_admin_ports": {"admissions": [{"port": "22"}, {"port": "3389"}]},
    "ec2.internet_exposed_interfaces": {
        "Groups": ["sg-0123"],
        "exposed": [{"port": 22, "path": "eni-0123: 203.0.113.1 → sg-0123 ingress tcp/22 from 0.0.0.0/0"}],
    },
    "iam.user_attached_policies": {
        "AttachedManagedPolicies": ["AdminEverything"],
        "UserPolicyList": ["inline"],
    },
    "cloudtrail.multi_region_logging": {
        "trails": [{"trail": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"}]
    },
    "cloudtrail.s3_object_read_logging": {
        "trails": [{"trail": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"}]
    },
    "cloudtrail.s3_object_write_logging": {
        "trails": [{"trail": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"}]
    },
    "cloudwatch.monitoring": {"control": "root_account_usage", "broken_link": "trail"},
}
ACCOUNT_WIDE = f"arn:aws:iam::{ACCOUNT}:root"


def _lookup(table: dict[str, object], check_id: str) -> object | None:
    for length in range(len(check_id), 0, -1):
        if check_id[:length] in table:
            return table[check_id[:length]]
    return None


def _expected(check_id: str) -> tuple[str, str]:
    found = _lookup(RESOURCES, check_id)  # type: ignore[arg-type]
    if found is not None:
        return found  # type: ignore[return-value]
    scope = all_checks()[check_id].scope.value
    resource = (
        ACCOUNT_WIDE if scope == "account" else f"arn:aws:{check_id.split('.')[0]}:{REGION}:{ACCOUNT}:account"
    )
    return resource, ""


@pytest.mark.parametrize("check_id", sorted(RECIPES))
def test_recipe_names_the_real_resource_and_renders_valid_shell(check_id: str) -> None:
    resource, identifier = _expected(check_id)
    evidence = _lookup(EVIDENCE, check_id) or {}
    meta = all_checks()[check_id]
    region = REGION if meta.scope.value == "region" else "global"
    finding = Finding(check_id, Status.FAIL, meta.severity, ACCOUNT, region, resource, "m", evidence)  # type: ignore[arg-type]
    steps = RECIPES[check_id](Target(finding, REGION))
    assert steps, "the recipe found what to change in a finding shaped like its check's"
    commands = [c.shell() for step in steps for c in (*step.commands, *step.rollback)]
    assert commands or any(step.commands == () for step in steps)
    for step in steps:
        assert step.summary and step.changes and step.breaks
        for command in step.commands:
            assert command.argv[0] == "aws"
    rendered = "\n".join(commands)
    if identifier:
        assert identifier in rendered, rendered
    script = "set -euo pipefail\n" + "\n".join(f"true {c}" for c in commands) + "\n"
    assert subprocess.run(["bash", "-n"], input=script, text=True, check=False).returncode == 0


def _hcl_balanced(text: str) -> bool:
    """Strings closed and braces/brackets balanced, comments (`#` to end of line) skipped."""
    closing = {"}": "{", "]": "["}
    stack: list[str] = []
    in_string = in_comment = escaped = False
    for char in text:
        if in_comment:
            in_comment = char != "\n"
        elif in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            elif char == "\n":
                return False
        elif char == "#":
            in_comment = True
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in closing and (not stack or stack.pop() != closing[char]):
            return False
    return not stack and not in_string


@pytest.mark.parametrize("check_id", sorted(RECIPES))
def test_terraform_equivalents_are_well_formed(check_id: str) -> None:
    resource, _ = _expected(check_id)
    meta = all_checks()[check_id]
    region = REGION if meta.scope.value == "region" else "global"
    evidence = _lookup(EVIDENCE, check_id) or {}
    finding = Finding(check_id, Status.FAIL, meta.severity, ACCOUNT, region, resource, "m", evidence)  # type: ignore[arg-type]
    for step in RECIPES[check_id](Target(finding, REGION)):
        assert _hcl_balanced(step.terraform), step.terraform


def test_the_common_fixes_have_terraform() -> None:
    common = (
        "cloudtrail.kms_encryption",
        "cloudtrail.log_file_validation",
        "config.recorder_enabled",
        "ec2.ebs_default_encryption",
        "ec2.imdsv2_required",
        "ec2.vpc_flow_logs",
        "iam.password_policy_min_length",
        "rds.multi_az",
        "s3.account_block_public_access",
        "s3.bucket_encryption",
        "s3.bucket_tls_only",
        "securityhub.enabled",
        "accessanalyzer.enabled",
    )
    missing = []
    for check_id in common:
        resource, _ = _expected(check_id)
        region = REGION if all_checks()[check_id].scope.value == "region" else "global"
        finding = Finding(
            check_id, Status.FAIL, all_checks()[check_id].severity, ACCOUNT, region, resource, "m", {}
        )
        if not all(step.terraform for step in RECIPES[check_id](Target(finding, REGION))):
            missing.append(check_id)
    assert missing == []


def test_a_hostile_name_cannot_leave_its_terraform_string() -> None:
    hostile = 'x"\n}\nresource "aws_iam_user" "evil" { name = "${var.x}%{if true}'
    literal = hcl_string(hostile)
    assert _hcl_balanced(f"bucket = {literal}")
    assert (
        "\n" not in literal
        and "${" not in literal.replace("$${", "")
        and "%{" not in literal.replace("%%{", "")
    )


@pytest.mark.parametrize(
    ("flag", "attribute"),
    [
        ("--multi-az", "multi_az = true"),
        ("--no-publicly-accessible", "publicly_accessible = false"),
        ("--auto-minor-version-upgrade", "auto_minor_version_upgrade = true"),
    ],
)
def test_rds_flags_become_their_terraform_arguments(flag: str, attribute: str) -> None:
    assert _terraform_attribute(flag) == attribute

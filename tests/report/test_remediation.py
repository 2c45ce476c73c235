"""The remediation plan: a recipe (or a stated reason) per check, risk order, exact quoted commands."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

from awsaudit.audit import AuditResult, Selection
from awsaudit.checks.registry import all_checks
from awsaudit.findings import Finding, Status
from awsaudit.report.model import build_report_model
from awsaudit.report.remediation.plan import build_plan
from awsaudit.report.remediation.recipes import NO_CLI_FIX, RECIPES
from awsaudit.report.remediation.render import render_remediation_markdown, render_remediation_script
from awsaudit.report.writer import write_reports
from tests.report.golden import assert_golden

ACCOUNT = "111122223333"
HOSTILE_SG = "sg-0bad'; rm -rf / #\n$(touch pwned)"


def _f(
    check: str,
    resource: str,
    region: str,
    message: str,
    evidence: dict[str, object],
    name: str | None = None,
    status: Status = Status.FAIL,
) -> Finding:
    severity = all_checks()[check].severity
    return Finding(check, status, severity, ACCOUNT, region, resource, message, evidence, name)


FINDINGS = (
    _f(
        "kms.key_rotation",
        f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "eu-west-1",
        "Key 1234abcd-… does not rotate automatically",
        {"KeyRotationEnabled": False},
    ),
    _f(
        "ec2.sg_admin_ports_ipv4",
        f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-0abc1234",
        "eu-west-1",
        "Security group sg-0abc1234 admits the internet to port 22",
        {
            "findings": [
                {"port": "22", "source": "0.0.0.0/0", "rules": ["sg-0abc1234 ingress tcp/22 from 0.0.0.0/0"]}
            ],
            "reachability": "reachable from the internet through eni-1",
        },
        name="build-server <b>",
    ),
    _f(
        "ec2.sg_cifs_restricted",
        f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/{HOSTILE_SG}",
        "eu-west-1",
        "Security group admits the internet to port 445",
        {
            "findings": [
                {
                    "port": "445",
                    "source": "0.0.0.0/0",
                    "rules": [f"{HOSTILE_SG.split(chr(10))[0]} ingress tcp/445 from 0.0.0.0/0"],
                }
            ]
        },
    ),
    _f(
        "iam.password_policy_min_length",
        f"arn:aws:iam::{ACCOUNT}:root",
        "global",
        "Password minimum length: 8 (at least 14 required)",
        {"MinimumPasswordLength": 8},
    ),
    _f("iam.root_mfa", f"arn:aws:iam::{ACCOUNT}:root", "global", "The root user has no MFA", {}),
    _f(
        "s3.bucket_public_access",
        "arn:aws:s3:::public-assets`$(id)`",
        "global",
        "Bucket public-assets is public: ACL grants READ to AllUsers",
        {"public": True},
    ),
    _f(
        "iam.console_user_mfa",
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        "global",
        "alice has a console password without MFA",
        {},
    ),
    _f(
        "ec2.imdsv2_required",
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0",
        "us-east-1",
        "Instance i-0123456789abcdef0 accepts IMDSv1",
        {"HttpTokens": "optional"},
        status=Status.PASS,
    ),
)


def _model(findings: tuple[Finding, ...] = FINDINGS):  # type: ignore[no-untyped-def]
    checks = tuple(all_checks()[c] for c in sorted({f.check_id for f in findings}))
    result = AuditResult(
        snapshot_account=ACCOUNT,
        caller_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/s",
        partition="aws",
        collected_at="2026-06-01T12:00:00Z",
        collection_seconds=1.0,
        regions=("eu-west-1", "us-east-1"),
        selection=Selection(frameworks=(), checks=checks),
        findings=findings,
        errors=(),
        rollups={},
        tool_version="1.2.3-test",
    )
    return build_report_model(result)


def test_every_check_has_a_recipe_or_says_why_not() -> None:
    registered = set(all_checks())
    assert not set(RECIPES) & set(NO_CLI_FIX), "a check is either fixed by CLI or not"
    assert sorted(registered - set(RECIPES) - set(NO_CLI_FIX)) == []
    assert sorted((set(RECIPES) | set(NO_CLI_FIX)) - registered) == [], "recipes for checks that do not exist"
    assert all(reason.strip() for reason in NO_CLI_FIX.values())


def test_plan_orders_by_risk_and_skips_what_passes() -> None:
    plan = build_plan(_model())
    order = [(p.fixes[0].finding.check_id, p.risk) for p in plan]
    # Account-wide critical root MFA (5×3×2) before the public bucket (5×3) before the reachable SG (4×3).
    assert order[0] == ("iam.root_mfa", 30)
    assert order[1] == ("s3.bucket_public_access", 15)
    assert order[2] == ("ec2.sg_admin_ports_ipv4", 12)
    assert "ec2.imdsv2_required" not in {c for c, _ in order}
    assert [r for _, r in order] == sorted((r for _, r in order), reverse=True)


def test_commands_use_the_real_identifiers_shell_quoted() -> None:
    script = render_remediation_script(_model()).decode()
    assert (
        "# aws kms enable-key-rotation --region eu-west-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab"
        in script
    )
    assert "--group-id sg-0abc1234 --ip-permissions" in script
    # The hostile group id is one quoted argument; its line break cannot start an uncommented line.
    assert "--group-id $'sg-0bad\\'; rm -rf / #\\x0a$(touch pwned)' --ip-permissions" in script
    assert "\n$(touch pwned)" not in script
    assert "# aws s3api put-public-access-block --bucket 'public-assets`$(id)`'" in script
    assert "TRUSTED_CIDR" in script and '"${TRUSTED_CIDR:?' in script


def test_script_is_valid_bash_with_every_command_commented_out(tmp_path: Path) -> None:
    script = render_remediation_script(_model())
    path = tmp_path / "plan.sh"
    path.write_bytes(script)
    lines = script.decode().splitlines()
    assert lines[0] == "#!/usr/bin/env bash" and "set -euo pipefail" in lines[:8]
    assert subprocess.run(["bash", "-n", str(path)], check=False).returncode == 0
    # Run as is, it does nothing but say so.
    ran = subprocess.run(["bash", str(path)], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert ran.returncode == 0 and "done" in ran.stdout
    assert not (tmp_path / "pwned").exists()
    live = [line for line in lines if line and not line.startswith("#")]
    assert live == [
        "set -euo pipefail",
        'echo "awsaudit remediation: done (only the commands you uncommented ran)"',
    ]


def test_uncommented_decision_without_a_value_stops_the_script(tmp_path: Path) -> None:
    script = render_remediation_script(_model()).decode()
    grants = [
        row for row in script.splitlines() if row.startswith("# aws ec2 authorize-security-group-ingress")
    ]
    line = grants[0]
    path = tmp_path / "one.sh"
    path.write_text("set -euo pipefail\n" + line[2:].replace("aws ", "echo aws ", 1) + "\n")
    ran = subprocess.run(["bash", str(path)], capture_output=True, text=True, check=False)
    assert ran.returncode != 0 and "TRUSTED_CIDR" in ran.stderr


def test_markdown_lists_steps_with_verify_and_rollback() -> None:
    text = render_remediation_markdown(_model()).decode()
    assert (
        text.index("iam.root_mfa") < text.index("s3.bucket_public_access") < text.index("sg_admin_ports_ipv4")
    )
    assert "No CLI fix: only the root user" not in text  # root MFA: enrolled in the console
    assert "No CLI fix: root MFA is enrolled by the root user in the console" in text
    assert "Verify: `awsaudit scan --checks kms.key_rotation --regions eu-west-1`" in text
    assert "aws kms disable-key-rotation" in text
    assert "build-server" in text and "<b>" not in text


def test_nothing_to_fix() -> None:
    model = _model(tuple(replace(f, status=Status.PASS) for f in FINDINGS))
    assert b"Nothing to fix" in render_remediation_markdown(model)


def test_remediation_goldens() -> None:
    model = _model()
    assert_golden("remediation-plan.md", render_remediation_markdown(model))
    assert_golden("remediation-plan.sh", render_remediation_script(model))


def test_writer_writes_both_files(tmp_path: Path) -> None:
    written = write_reports(_model(), ["remediation"], tmp_path)
    assert [p.name for p in written] == ["awsaudit-remediation.md", "awsaudit-remediation.sh"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in written)

"""The remediation script, uncommented, fixes the lab's misconfigured account: the re-scan passes.

The commands run through the real AWS CLI (the ``awscli`` package of the test extra)
against the lab's moto server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from awsaudit.audit import evaluate, select
from awsaudit.config import AuditConfig
from awsaudit.findings import Status
from awsaudit.lab.server import Lab
from awsaudit.report.model import build_report_model
from awsaudit.report.remediation.render import render_remediation_script

from .conftest import build_and_collect

pytestmark = pytest.mark.lab

FIXED_BY_SCRIPT = (
    "ec2.ebs_default_encryption",
    "ec2.imdsv2_required",
    "kms.key_rotation",
    "iam.password_policy_min_length",
    "iam.password_policy_reuse",
    "cloudtrail.log_file_validation",
)


def _statuses(snapshot: object) -> dict[tuple[str, str], Status]:
    result = evaluate(snapshot, select(include=FIXED_BY_SCRIPT), AuditConfig())  # type: ignore[arg-type]
    return {(f.check_id, f.resource): f.status for f in result.findings}


def _failing(snapshot: object) -> dict[str, set[str]]:
    failing: dict[str, set[str]] = {}
    for (check_id, resource), status in _statuses(snapshot).items():
        if status is Status.FAIL:
            failing.setdefault(check_id, set()).add(resource)
    return failing


def test_uncommented_script_resolves_the_findings(lab: Lab, tmp_path: Path) -> None:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent))
    assert aws is not None, "the test extra installs awscli beside boto3"
    _, snapshot = build_and_collect(lab, "misconfigured")
    before = _failing(snapshot)
    assert set(before) == set(FIXED_BY_SCRIPT), before

    model = build_report_model(evaluate(snapshot, select(include=FIXED_BY_SCRIPT), AuditConfig()))
    script = render_remediation_script(model).decode()
    approved = "\n".join(line[2:] if line.startswith("# aws ") else line for line in script.splitlines())
    path = tmp_path / "fix.sh"
    path.write_text(approved + "\n")
    assert subprocess.run(["bash", "-n", str(path)], check=False).returncode == 0
    environment = {
        **os.environ,
        **lab.environment(),
        "PATH": f"{Path(aws).parent}{os.pathsep}{os.environ['PATH']}",
    }
    ran = subprocess.run(
        ["bash", str(path)], capture_output=True, text=True, env=environment, check=False, timeout=300
    )
    assert ran.returncode == 0, ran.stderr[-2000:]

    _, rescanned = _rescan(lab)
    after = _statuses(rescanned)
    fixed = {(check_id, resource) for check_id, resources in before.items() for resource in resources}
    assert {key: after.get(key) for key in fixed} == dict.fromkeys(fixed, Status.PASS)


def _rescan(lab: Lab) -> tuple[None, object]:
    import boto3

    from awsaudit.collect.engine import CollectOptions, collect

    options = CollectOptions(
        regions=("eu-west-1", "us-east-1"), endpoint_url=lab.endpoint_url, client_hooks=lab.client_hooks()
    )
    return None, collect(boto3.Session(region_name="us-east-1"), options)

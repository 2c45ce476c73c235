"""Two scans of the lab around three real changes: the diff shows exactly those, in every format."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import typer
from typer.testing import CliRunner

from awsaudit.audit import evaluate, select
from awsaudit.cli.history import register
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.collect.registry import all_specs
from awsaudit.config import AuditConfig
from awsaudit.history.compare import compare
from awsaudit.lab.server import LAB_ACCOUNT_ID, Lab
from awsaudit.report.history_model import Change, Kind
from awsaudit.report.model import build_report_model
from awsaudit.snapshot import save
from awsaudit.store import record_audit

pytestmark = pytest.mark.lab

REGION = "us-east-1"
BUCKET = "diff-lab-data"
READ_STATEMENT = {
    "Sid": "AppReads",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{LAB_ACCOUNT_ID}:root"},
    "Action": "s3:GetObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/*",
}
TLS_STATEMENT = {
    "Sid": "TlsOnly",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
BLOCK_ALL = dict.fromkeys(
    ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
)


@dataclass(frozen=True)
class Scans:
    old: Path
    new: Path
    store: str
    group_id: str
    mfa_serial: str


def _policy(*statements: Mapping[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _scan(lab: Lab, path: Path, store: str) -> None:
    # Only what the changed services need keeps the test quick; the rest would be UNKNOWN on both sides.
    datasets = frozenset(key for key in all_specs() if key.split("/")[0] in {"s3", "s3control", "ec2", "iam"})
    options = CollectOptions(
        regions=(REGION,), datasets=datasets, endpoint_url=lab.endpoint_url, client_hooks=lab.client_hooks()
    )
    snapshot = collect(boto3.Session(region_name=REGION), options)
    save(snapshot, path)
    record_audit(store, build_report_model(evaluate(snapshot, select(), AuditConfig())), path)


@pytest.fixture(scope="module")
def scans(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scans]:
    lab.reset()
    folder = tmp_path_factory.mktemp("lab-diff")
    store = f"sqlite:///{folder / 'history.sqlite'}"
    s3, ec2, iam = (
        boto3.client(name, endpoint_url=lab.endpoint_url, region_name=REGION) for name in ("s3", "ec2", "iam")
    )
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=_policy(READ_STATEMENT))
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group_id = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[https])
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Lab-Password-0123456789")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    _scan(lab, folder / "old.json.gz", store)

    # Fix the bucket, open SSH to the world, remove alice's MFA device.
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=BLOCK_ALL)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=_policy(READ_STATEMENT, TLS_STATEMENT))
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[ssh])
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    _scan(lab, folder / "new.json.gz", store)
    yield Scans(folder / "old.json.gz", folder / "new.json.gz", store, group_id, serial)


def _group_arn(scans: Scans) -> str:
    return f"arn:aws:ec2:{REGION}:{LAB_ACCOUNT_ID}:security-group/{scans.group_id}"


def test_the_last_two_scans_differ_by_exactly_the_three_changes(scans: Scans) -> None:
    comparison = compare(None, None, scans.store)
    moved = {
        (c.change, c.finding.check_id, c.finding.resource)
        for c in comparison.findings.changes
        if c.change is not Change.UNCHANGED
    }
    alice = f"arn:aws:iam::{LAB_ACCOUNT_ID}:user/alice"
    assert moved == {
        (Change.RESOLVED, "s3.block_public_access", f"arn:aws:s3:::{BUCKET}"),
        (Change.RESOLVED, "s3.bucket_tls_only", f"arn:aws:s3:::{BUCKET}"),
        (Change.NEW, "ec2.sg_admin_ports_ipv4", _group_arn(scans)),
        (Change.NEW, "ec2.sg_admin_ports_trusted_cidrs", _group_arn(scans)),
        (Change.NEW, "iam.console_user_mfa", alice),
    }
    assert comparison.notes == ()
    configuration = comparison.configuration
    assert configuration is not None and configuration.gaps == ()
    changes = {(r.where, r.kind): sorted((f.path, f.kind) for f in r.fields) for r in configuration.resources}
    assert changes == {
        (f"s3/global/Buckets[{BUCKET}]", Kind.CHANGED): [
            ("Policy.Statement[TlsOnly]", Kind.ADDED),
            ("PublicAccessBlock", Kind.ADDED),
        ],
        (f"ec2/{REGION}/SecurityGroups[{scans.group_id}]", Kind.CHANGED): [
            ("IpPermissions[tcp 22 22]", Kind.ADDED)
        ],
        (f"iam/global/VirtualMFADevices[{scans.mfa_serial}]", Kind.REMOVED): [],
        ("iam/global/CredentialReport[Rows[alice]]", Kind.CHANGED): [("mfa_active", Kind.CHANGED)],
        ("iam/global/AccountSummary", Kind.CHANGED): [
            ("MFADevices", Kind.CHANGED),
            ("MFADevicesInUse", Kind.CHANGED),
        ],
    }


def test_snapshot_files_give_the_same_diff_as_json_and_markdown_on_the_command_line(scans: Scans) -> None:
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["diff", str(scans.old), str(scans.new), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "awsaudit.diff/1"
    assert {(f["change"], f["check_id"]) for f in document["findings"]} >= {
        ("resolved", "s3.bucket_tls_only"),
        ("new", "iam.console_user_mfa"),
    }
    assert document["counts"]["new"]["high"] + document["counts"]["new"]["critical"] >= 1
    bucket = next(r for r in document["configuration"]["resources"] if r["dataset"] == "Buckets")
    added = next(f for f in bucket["fields"] if f["path"] == "Policy.Statement[TlsOnly]")
    assert added["new"] == TLS_STATEMENT

    markdown = runner.invoke(app, ["diff", str(scans.old), str(scans.new), "--format", "markdown"])
    assert markdown.exit_code == 0, markdown.output
    assert "### Resolved (2)" in markdown.stdout
    assert "  - + Policy.Statement\\[TlsOnly\\]: {" in markdown.stdout

    terminal = runner.invoke(app, ["diff", "--store", scans.store])
    assert terminal.exit_code == 0, terminal.output
    assert "+ IpPermissions[tcp 22 22]: {" in terminal.stdout
    assert "New (3)" in terminal.stdout

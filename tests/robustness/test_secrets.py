"""Credentials never reach a log line (DEBUG included), a snapshot, a report or an error message."""

from __future__ import annotations

import gzip
import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from rich.console import Console

from awsaudit.audit import evaluate, select
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.collect.redaction import protect_credentials
from awsaudit.collect.session import make_session
from awsaudit.config import AuditConfig
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import LAB_ENVIRONMENT, Lab
from awsaudit.report.console import print_summary
from awsaudit.report.model import build_report_model
from awsaudit.report.writer import FORMATS, write_reports
from awsaudit.snapshot import save
from tests.collect.faults import FaultInjector, FaultKind
from tests.robustness.scanning import CLI

pytestmark = pytest.mark.lab

SECRET_KEY = "SECRETKEYcanary0000000000000000000000000"
SESSION_TOKEN = "SESSIONTOKENcanary" + "x" * 300
SECRETS = (SECRET_KEY, SESSION_TOKEN)


class _Everything(logging.Handler):
    """Formats every record as a handler would, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def debug_log() -> Iterator[_Everything]:
    handler = _Everything()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_no_secret_in_logs_snapshot_reports_or_errors(
    lab: Lab, misconfigured: BuiltScenario, debug_log: _Everything, tmp_path: Path
) -> None:
    session = boto3.Session(
        aws_access_key_id=LAB_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        region_name="us-east-1",
    )
    # Failures of every kind, so error messages and tracebacks are logged and recorded too.
    faults = FaultInjector(3)
    for kind in FaultKind:
        faults.sometimes(kind, 0.05, max_consecutive=1)
    selection = select()
    snapshot = collect(
        session,
        CollectOptions(
            regions=misconfigured.regions,
            datasets=selection.dataset_keys(),
            endpoint_url=lab.endpoint_url,
            client_hooks=(*lab.client_hooks(), faults.hook),
        ),
    )
    assert snapshot.errors, "the faults must leave errors to report"
    model = build_report_model(evaluate(snapshot, selection, AuditConfig()))
    written = write_reports(model, list(FORMATS), tmp_path)
    snapshot_path = save(snapshot, tmp_path / "snapshot.json.gz")
    terminal = io.StringIO()
    print_summary(model, Console(file=terminal, width=300))

    assert len(debug_log.lines) > 100, "botocore's DEBUG log was not captured"
    texts = {
        "log": "\n".join(debug_log.lines),
        "snapshot": gzip.decompress(snapshot_path.read_bytes()).decode(),
        "errors": "\n".join(e.describe() for e in snapshot.errors),
        "terminal": terminal.getvalue(),
        **{path.name: path.read_text(encoding="utf-8-sig") for path in written},
    }
    for where, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"a credential appears in the {where}"
            assert secret[:16] not in text, f"part of a credential appears in the {where}"


def test_assumed_role_credentials_never_reach_the_log(lab: Lab, debug_log: _Everything) -> None:
    # botocore logs the AssumeRole response body, secret key and token included, at DEBUG.
    session = make_session(role_arn="arn:aws:iam::210987654321:role/audit", endpoint_url=lab.endpoint_url)
    frozen = session.get_credentials().get_frozen_credentials()
    session.client("sts", endpoint_url=lab.endpoint_url).get_caller_identity()
    log = "\n".join(debug_log.lines)
    assert "AssumeRole" in log and "Response body" in log
    for secret in (frozen.secret_key, frozen.token):
        assert secret not in log


def test_a_traceback_logged_with_a_credential_is_redacted(debug_log: _Everything) -> None:
    session = boto3.Session(
        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key=SECRET_KEY, aws_session_token=SESSION_TOKEN
    )
    protect_credentials(session)
    try:
        raise RuntimeError(f"signing failed for token {SESSION_TOKEN}")
    except RuntimeError:
        logging.getLogger("botocore.endpoint").debug("Exception received", exc_info=True)
    (line,) = [line for line in debug_log.lines if "Exception received" in line]
    assert "signing failed" in line and SESSION_TOKEN not in line


@pytest.mark.parametrize("reachable", [True, False], ids=["scan", "unreachable-endpoint"])
def test_the_cli_prints_and_writes_no_secret(
    lab_environment: dict[str, str], tmp_path: Path, reachable: bool
) -> None:
    environment = {**lab_environment, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_SESSION_TOKEN": SESSION_TOKEN}
    if not reachable:
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing listens: the run fails
    out = tmp_path / "out"
    finished = subprocess.run(
        [
            sys.executable,
            "-c",
            CLI,
            "scan",
            "--output-dir",
            str(out),
            "--snapshot",
            str(out / "s.json"),
            "--regions",
            "us-east-1",
            "--output-format",
            ",".join(FORMATS),
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == (0 if reachable else 2), finished.stderr
    said = finished.stdout + finished.stderr
    said += "".join(p.read_text(encoding="utf-8-sig") for p in out.iterdir()) if out.exists() else ""
    for secret in SECRETS:
        assert secret[:16] not in said

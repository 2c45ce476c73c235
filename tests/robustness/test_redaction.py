"""One redaction layer: each kind of secret, planted in each channel, comes out of none of them.

Channels: the snapshot's collection errors (recorded, and loaded from a file written elsewhere),
every report format, the history store's rows, the terminal, the CLI's error line and the log.
The secrets here are never registered with :func:`awsaudit.redaction.protect`, so only their
shape can give them away: that is what a snapshot from another process looks like.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from awsaudit.audit import evaluate, select
from awsaudit.cli import app
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.collect.redaction import install
from awsaudit.config import AuditConfig
from awsaudit.lab.responses import canned_response
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import LAB_ENVIRONMENT, Lab
from awsaudit.redaction import REDACTED, redact, redact_bytes, redact_json
from awsaudit.report.console import print_summary
from awsaudit.report.model import build_report_model
from awsaudit.report.writer import FORMATS, write_reports
from awsaudit.snapshot import load, save
from awsaudit.store import record_audit
from awsaudit.terminal import safe_console
from tests.builders import SnapshotBuilder

SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEtokenPLANTED" + "Z" * 40
SECRET_KEY = "wJalrXUtnFEMIK7MDENGbPxRfiCYPLANTEDKEY"
SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924aPLANTED"
STORE_PASSWORD = "s3cr3t-PLANTED-pw"
AT_PASSWORD = "half@PLANTED-other-half"
LIBPQ_PASSWORD = "libpqPLANTEDpassword"
PLANTED = (SESSION_TOKEN, SECRET_KEY, SIGNATURE, STORE_PASSWORD, AT_PASSWORD, LIBPQ_PASSWORD)

# What an endpoint that echoes the request might put into an error message, every kind once.
ECHOED_HEADERS = str(
    {
        "X-Amz-Date": b"20260601T120000Z",
        "X-Amz-Security-Token": SESSION_TOKEN.encode(),
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260601/eu-west-1/ec2/aws4_request, "
            f"SignedHeaders=host;x-amz-date, Signature={SIGNATURE}"
        ).encode(),
    }
)
ECHOES = (
    f"request rejected; headers were {ECHOED_HEADERS}",
    f"<Credentials><SecretAccessKey>{SECRET_KEY}</SecretAccessKey></Credentials>",
    f"store postgresql://auditor:{STORE_PASSWORD}@db.internal:5432/history unreachable",
    f"store postgresql://db.internal/history?sslmode=require&password={STORE_PASSWORD} unreachable",
    f"store postgresql://auditor:{AT_PASSWORD}@db.internal/history unreachable",
    f"libpq: host=db.internal port=5432 password={LIBPQ_PASSWORD} dbname=history",
    f"libpq: host=db.internal password='{LIBPQ_PASSWORD} with space' dbname=history",
    f"aws_secret_access_key = {SECRET_KEY}",
    f"Authorization: Bearer {SIGNATURE}",
)


def _assert_clean(where: str, text: str) -> None:
    for secret in PLANTED:
        for part in {secret, secret[:12], secret[-12:]}:
            assert part not in text, f"{part!r} of a planted secret appears in the {where}"


@pytest.mark.parametrize("echo", ECHOES)
def test_each_form_is_redacted_however_the_format_quotes_it(echo: str) -> None:
    quoted_forms = {
        "plain": echo,
        "json": json.dumps(echo),
        "json-ascii-twice": json.dumps(json.dumps(echo)),
        "html": html.escape(echo),
        "html-in-json": json.dumps(html.escape(echo)),
    }
    for form, text in quoted_forms.items():
        cleaned = redact(text)
        _assert_clean(form, cleaned)
        assert REDACTED in cleaned


@pytest.mark.parametrize(
    "ordinary",
    [
        "arn:aws:iam::111122223333:role/Admin",
        "sqlite:////home/auditor/.local/share/awsaudit/history.sqlite",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords.html?x=1",
        "aws iam update-account-password-policy --minimum-password-length 14",
        "Require a password of at least 14 characters; sessions use a token.",
        "postgresql://auditor@db.internal/history",
    ],
)
def test_ordinary_text_is_left_alone(ordinary: str) -> None:
    assert redact(ordinary) == ordinary


def test_redaction_of_structured_values_and_binary() -> None:
    value = {"message": ECHOES[0], "nested": [ECHOES[2], 7, None], ECHOES[5]: True}
    _assert_clean("JSON value", json.dumps(redact_json(value)))
    gzipped = gzip.compress(ECHOES[0].encode())
    assert redact_bytes(gzipped) == gzipped  # not text: nothing to rewrite


def _planted_snapshot(path: Path) -> Path:
    """A snapshot as another process (or an older awsaudit) would have written it, unredacted."""
    document = SnapshotBuilder().build().to_json()
    document["errors"] = [
        {
            "service": "ec2",
            "region": "eu-west-1",
            "dataset": "SecurityGroups",
            "operation": "DescribeSecurityGroups",
            "code": "AccessDenied",
            "message": " | ".join(ECHOES),
        }
    ]
    path.write_bytes(gzip.compress(json.dumps(document).encode()))
    return path


def test_planted_secrets_reach_no_channel(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    snapshot = load(_planted_snapshot(tmp_path / "planted.json.gz"))
    _assert_clean("loaded snapshot's errors", json.dumps([e.to_json() for e in snapshot.errors]))

    model = build_report_model(evaluate(snapshot, select(), AuditConfig()))
    written = write_reports(model, list(FORMATS), tmp_path / "reports")
    assert {p.name for p in written} >= {f.file_name for f in FORMATS.values()}
    for path in written:
        _assert_clean(path.name, path.read_text(encoding="utf-8-sig"))

    store_file = tmp_path / "history.sqlite"
    record_audit(f"sqlite:///{store_file}", model, None)
    with sqlite3.connect(store_file) as connection:
        tables = ("scans", "findings")
        rows = [str(row) for table in tables for row in connection.execute(f"SELECT * FROM {table}")]
    _assert_clean("store rows", "\n".join(rows))

    terminal = io.StringIO()
    print_summary(model, safe_console(file=terminal, width=400))
    _assert_clean("terminal summary", terminal.getvalue())

    install()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("awsaudit.collect.engine").warning("dataset failed: %s", ECHOES[0])
        logging.getLogger("botocore.endpoint").debug("headers: %s", ECHOED_HEADERS)
    _assert_clean("log", caplog.text)


def test_the_cli_terminal_and_error_line_are_redacted(tmp_path: Path) -> None:
    snapshot = _planted_snapshot(tmp_path / "planted.json.gz")
    runner = CliRunner()
    output = ["--output-dir", str(tmp_path / "out"), "--output-format", "json"]
    result = runner.invoke(app, ["evaluate", str(snapshot), "--no-store", *output])
    assert result.exit_code == 0, result.output
    _assert_clean("terminal", result.output)

    bad_store = f"postgresql://auditor:{AT_PASSWORD}@db.internal:notaport/history"
    result = runner.invoke(app, ["history", "--store", bad_store])
    assert result.exit_code == 2
    _assert_clean("error line", result.output)


class _EchoingEndpoint:
    """Answers DescribeSecurityGroups with an error that quotes the request's headers, as a
    misbehaving proxy or endpoint might; remembers the signatures it saw."""

    def __init__(self) -> None:
        self.signatures: list[str] = []

    def hook(self, client: Any) -> None:
        if client.meta.service_model.service_name != "ec2":
            return

        def answer(request: Any, event_name: str = "", **_: Any) -> Any:
            if not event_name.endswith("DescribeSecurityGroups"):
                return None
            headers = {key: value for key, value in request.headers.items()}
            authorization = headers["Authorization"]
            authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
            self.signatures.append(authorization.rpartition("Signature=")[2])
            message = html.escape(f"bad request, headers: {headers}")
            error = f"<Error><Code>InvalidRequest</Code><Message>{message}</Message></Error>"
            body = f"<Response><Errors>{error}</Errors></Response>".encode()
            return canned_response(request.url, 400, {"Content-Type": "text/xml"}, body)

        client.meta.events.register_first("before-send", answer)


@pytest.mark.lab
def test_an_endpoint_echoing_the_request_headers_leaks_nothing(
    lab: Lab, misconfigured: BuiltScenario, tmp_path: Path
) -> None:
    token = "FwoGZXIvYXdzECHOEDtoken" + "Q" * 200
    session = boto3.Session(
        aws_access_key_id=LAB_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key="ECHOEDsecretKEY0000000000000000000000000",
        aws_session_token=token,
        region_name="us-east-1",
    )
    echo = _EchoingEndpoint()
    selection = select(include=("ec2.*",))
    snapshot = collect(
        session,
        CollectOptions(
            regions=misconfigured.regions,
            datasets=selection.dataset_keys(),
            endpoint_url=lab.endpoint_url,
            client_hooks=(*lab.client_hooks(), echo.hook),
        ),
    )
    echoed = [e for e in snapshot.errors if e.operation == "DescribeSecurityGroups"]
    assert echoed and "X-Amz-Security-Token" in echoed[0].message, "the endpoint's echo was not recorded"
    assert echo.signatures

    model = build_report_model(evaluate(snapshot, selection, AuditConfig()))
    written = write_reports(model, list(FORMATS), tmp_path / "reports")
    saved = save(snapshot, tmp_path / "snapshot.json.gz")
    store_file = tmp_path / "history.sqlite"
    record_audit(f"sqlite:///{store_file}", model, saved)
    with sqlite3.connect(store_file) as connection:
        stored = [str(row) for row in connection.execute("SELECT errors FROM scans")]
    terminal = io.StringIO()
    print_summary(model, safe_console(file=terminal, width=400))
    channels = {
        "snapshot": gzip.decompress(saved.read_bytes()).decode(),
        "store": "\n".join(stored),
        "terminal": terminal.getvalue(),
        **{path.name: path.read_text(encoding="utf-8-sig") for path in written},
    }
    for where, text in channels.items():
        assert token[:20] not in text, f"the session token appears in the {where}"
        for signature in echo.signatures:
            assert signature not in text, f"the request signature appears in the {where}"

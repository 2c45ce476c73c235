"""The command line: help everywhere, one-line errors with exit code 2, docs kept in sync."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from awsaudit import __version__
from awsaudit.cli import app
from awsaudit.exit_codes import ExitCode
from awsaudit.heap import GC_THRESHOLDS, ONE_ACCOUNT_GC_THRESHOLDS
from awsaudit.report.catalogue import checks_markdown
from awsaudit.snapshot import save
from tests.builders import SnapshotBuilder

runner = CliRunner()
COMMANDS = [
    [],
    ["collect"],
    ["evaluate"],
    ["scan"],
    ["checks"],
    ["frameworks"],
    ["permissions"],
    ["demo"],
    ["lab"],
    ["lab", "serve"],
    ["lab", "scenarios"],
    ["who-can"],
    ["iam-paths"],
    ["diff"],
    ["history"],
    ["trend"],
    ["prune"],
]


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"awsaudit {__version__}"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_help_on_every_command(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def _one_line_error(result: object, expected: str) -> None:
    output = getattr(result, "stderr", "") or getattr(result, "output", "")
    assert getattr(result, "exit_code", None) == 2, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert expected in lines[0]
    assert "Traceback" not in output


def test_missing_snapshot_is_one_line_exit_2(tmp_path: Path) -> None:
    _one_line_error(runner.invoke(app, ["evaluate", str(tmp_path / "nope.json.gz")]), "cannot read")


def test_foreign_snapshot_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text('{"Version": "2012-10-17", "Statement": []}')
    _one_line_error(runner.invoke(app, ["evaluate", str(path)]), "not an awsaudit snapshot")


def test_bad_config_is_one_line_exit_2(tmp_path: Path) -> None:
    snapshot = save(SnapshotBuilder().build(), tmp_path / "s.json.gz")
    config = tmp_path / "audit.yaml"
    config.write_text("min_password_length: eight\n")
    _one_line_error(
        runner.invoke(app, ["evaluate", str(snapshot), "--config", str(config)]), "min_password_length"
    )


def test_unknown_check_framework_and_severity(tmp_path: Path) -> None:
    snapshot = str(save(SnapshotBuilder().build(), tmp_path / "s.json.gz"))
    _one_line_error(runner.invoke(app, ["evaluate", snapshot, "--checks", "nope.*"]), "no check matches")
    _one_line_error(runner.invoke(app, ["evaluate", snapshot, "--framework", "pci"]), "unknown framework")
    _one_line_error(runner.invoke(app, ["evaluate", snapshot, "--severity", "urgent"]), "unknown severity")


def test_unknown_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["evaluate", "--no-such-option"]).exit_code == 2


def test_evaluate_writes_findings_for_an_empty_snapshot(tmp_path: Path) -> None:
    """Nothing collected: every check is UNKNOWN with a reason, none PASSes."""
    snapshot = str(save(SnapshotBuilder().build(), tmp_path / "s.json.gz"))
    result = runner.invoke(
        app, ["evaluate", snapshot, "--output-dir", str(tmp_path), "--output-format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "awsaudit-findings.json").read_text())
    statuses = {f["status"] for f in document["findings"]}
    assert statuses <= {"UNKNOWN"}
    assert document["findings"]


def test_evaluate_collects_its_middle_generation_rarely(tmp_path: Path) -> None:
    """One account's heap lives until the command exits (awsaudit.heap)."""
    snapshot = str(save(SnapshotBuilder().build(), tmp_path / "s.json.gz"))
    gc.set_threshold(*GC_THRESHOLDS)
    result = runner.invoke(app, ["evaluate", snapshot, "--output-dir", str(tmp_path), "--no-store"])
    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == ONE_ACCOUNT_GC_THRESHOLDS
    assert ONE_ACCOUNT_GC_THRESHOLDS[1] > GC_THRESHOLDS[1]


def test_permissions_is_a_valid_read_only_policy() -> None:
    result = runner.invoke(app, ["permissions"])
    policy = json.loads(result.stdout)
    actions = policy["Statement"][0]["Action"]
    assert "iam:GetAccountAuthorizationDetails" in actions
    assert actions == sorted(set(actions))
    mutating = [
        a for a in actions if a.split(":")[1].startswith(("Put", "Create", "Delete", "Update", "Attach"))
    ]
    assert mutating == []


def test_permissions_for_security_hub_add_only_the_import_statement() -> None:
    plain = json.loads(runner.invoke(app, ["permissions"]).stdout)
    policy = json.loads(runner.invoke(app, ["permissions", "--security-hub"]).stdout)
    assert policy["Statement"][0] == plain["Statement"][0]
    (extra,) = policy["Statement"][1:]
    assert extra["Action"] == ["securityhub:BatchImportFindings", "securityhub:GetFindings"]
    assert "securityhub:DescribeHub" in plain["Statement"][0]["Action"]


def test_checks_reference_in_docs_is_in_sync() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "checks.md"
    assert docs.read_text() == checks_markdown(), "run `make docs` to regenerate docs/checks.md"


def test_evaluate_refuses_credentials_without_security_hub(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(tmp_path / "any.json"), "--profile", "prod"])
    assert result.exit_code == ExitCode.USAGE
    assert "--profile, --role-arn and --external-id need --security-hub: evaluate is offline" in result.output

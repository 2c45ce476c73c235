"""`awsaudit scan --organization --executor dask` through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from awsaudit.cli import app
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import Lab

pytestmark = pytest.mark.lab

SCOPE = ["--checks", "organizations.*", "--checks", "budgets.*", "--regions", "us-east-1"]


@pytest.fixture
def lab_environment(lab: Lab, organization: BuiltScenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", lab.endpoint_url)


def _scan(output: Path, *options: str) -> tuple[Any, dict[str, Any]]:
    result = CliRunner().invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            *SCOPE,
            "--output-dir",
            str(output),
            "--output-format",
            "json",
            *options,
        ],
    )
    summary_file = output / "organization-summary.json"
    return result, json.loads(summary_file.read_text()) if summary_file.exists() else {}


def _statuses(summary: dict[str, Any]) -> dict[str, str]:
    return {a["name"]: a["status"] for a in summary["accounts"]}


def test_an_existing_cluster_gives_the_local_executors_summary(
    lab_environment: None, client: Any, tmp_path: Path
) -> None:
    local, local_summary = _scan(tmp_path / "local")
    dask, dask_summary = _scan(
        tmp_path / "dask", "--executor", "dask", "--scheduler", client.scheduler.address
    )
    assert local.exit_code == dask.exit_code == 0, dask.output
    assert _statuses(dask_summary) == _statuses(local_summary)
    checks = {a["name"]: a["checks"] for a in local_summary["accounts"]}
    assert {a["name"]: a["checks"] for a in dask_summary["accounts"]} == checks


def test_a_local_cluster_is_started_for_the_run(lab_environment: None, tmp_path: Path) -> None:
    result, summary = _scan(tmp_path, "--executor", "dask", "--dask-workers", "1", "--worker-credentials")
    assert result.exit_code == 0, result.output
    assert sorted(_statuses(summary).values()) == ["COMPLETE"] * 5 + ["UNREACHABLE"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--executor", "ray"], "choose local or dask"),
        (["--scheduler", "tcp://127.0.0.1:1"], "need --executor dask"),
        (["--worker-credentials"], "need --executor dask"),
        (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--dask-workers", "3"], "has its own"),
    ],
)
def test_executor_usage_errors_are_one_line(options: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", "--organization", *options, "--output-dir", str(tmp_path)])
    assert result.exit_code == 2 and message in result.output


def test_a_uri_output_needs_the_dask_executor(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", "--organization", "--output-dir", "s3://bucket/audit"])
    assert result.exit_code == 2 and "needs --organization --executor dask" in result.output
    alone = CliRunner().invoke(app, ["scan", "--executor", "dask", "--output-dir", str(tmp_path)])
    assert alone.exit_code == 2 and "--executor dask needs --organization" in alone.output

"""A member scanned alone with its organization's facts gives the verdicts the organization scan gives."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from awsaudit.cli import app
from awsaudit.heap import GC_THRESHOLDS, ONE_ACCOUNT_GC_THRESHOLDS
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import LAB_ENVIRONMENT, Lab

pytestmark = pytest.mark.lab

SCOPE = [
    "--checks",
    "budgets.budget_with_alert",
    "--checks",
    "organizations.scp_guardrails",
    "--checks",
    "iam.root_mfa",
    "--checks",
    "iam.external_trust",
    "--regions",
    "us-east-1",
]
AUDIT_ROLE = "OrganizationAccountAccessRole"


@pytest.fixture(scope="module")
def organization_output(
    lab: Lab, organization: BuiltScenario, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, dict[str, str]]]:
    del organization
    output = tmp_path_factory.mktemp("organization")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", lab.endpoint_url)
        result = CliRunner().invoke(
            app, ["lab", "scan", "--organization", *SCOPE, "--output-dir", str(output), "--no-store"]
        )
        assert result.exit_code in (0, 1), result.output
        summary = json.loads((output / "organization-summary.json").read_text())
        ids = {a["name"]: a["id"] for a in summary["accounts"]}
        ids |= {a["name"]: a["id"] for a in summary["not_scanned"]}
        yield output, ids


def _verdicts(findings: Path) -> dict[tuple[str, str], str]:
    document = json.loads(findings.read_text())
    return {(f["check_id"], f["resource"]): f["status"] for f in document["findings"]}


def _scan_alone(output: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["lab", "scan", *SCOPE, "--output-dir", str(output), "--output-format", "json", *args]
    )
    return result.exit_code, result.output


@pytest.mark.parametrize("member", ["linked-budget", "root-less"])
def test_a_member_with_the_organization_context_matches_its_organization_scan(
    lab: Lab, organization_output: tuple[Path, dict[str, str]], tmp_path: Path, member: str
) -> None:
    output, ids = organization_output
    member_id = ids[member]
    role = f"arn:aws:iam::{member_id}:role/{AUDIT_ROLE}"
    context = next(output.glob("*/snapshot.json.gz"))  # any account's snapshot holds the context
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", lab.endpoint_url)
        gc.set_threshold(*GC_THRESHOLDS)
        code, out = _scan_alone(tmp_path / "with", "--role-arn", role, "--organization-context", str(context))
        assert code in (0, 1), out
        assert gc.get_threshold() == ONE_ACCOUNT_GC_THRESHOLDS  # one account's heap lives to the end
        alone = _verdicts(tmp_path / "with" / "awsaudit-findings.json")
        code, out = _scan_alone(tmp_path / "without", "--role-arn", role)
        assert code in (0, 1), out
        standalone = _verdicts(tmp_path / "without" / "awsaudit-findings.json")
    in_organization = _verdicts(output / member_id / "findings.json")
    # One verdict: the member judged alone with its organization's facts says what the organization
    # scan said of it.
    assert alone == in_organization
    root = f"arn:aws:iam::{member_id}:root"
    if member == "linked-budget":
        assert alone[("budgets.budget_with_alert", root)] == "PASS"
        assert standalone[("budgets.budget_with_alert", root)] == "FAIL"
    else:
        assert alone[("iam.root_mfa", root)] == "PASS"
        assert standalone[("iam.root_mfa", root)] == "FAIL"


def test_the_context_from_a_management_profile_and_from_the_caller(
    lab: Lab, organization_output: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    output, ids = organization_output
    member_id = ids["linked-budget"]
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[management]\n"
        f"aws_access_key_id = {LAB_ENVIRONMENT['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {LAB_ENVIRONMENT['AWS_SECRET_ACCESS_KEY']}\n"
    )
    role = f"arn:aws:iam::{member_id}:role/{AUDIT_ROLE}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", lab.endpoint_url)
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
        code, out = _scan_alone(
            tmp_path / "profile", "--role-arn", role, "--organization-context", "profile:management"
        )
        assert code in (0, 1), out
        # The management account scanned alone collects its organization's facts with its own credentials.
        code, out = _scan_alone(tmp_path / "caller", "--organization-context", "caller")
        assert code in (0, 1), out
    assert _verdicts(tmp_path / "profile" / "awsaudit-findings.json") == _verdicts(
        output / member_id / "findings.json"
    )
    caller = json.loads((tmp_path / "caller" / "awsaudit-findings.json").read_text())
    management = caller["account"]["id"]
    assert _verdicts(tmp_path / "caller" / "awsaudit-findings.json") == _verdicts(
        output / management / "findings.json"
    )


def test_bad_context_sources_are_one_line_errors(
    lab: Lab, organization_output: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    output, _ = organization_output
    foreign = tmp_path / "foreign.json"
    foreign.write_text("{}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", lab.endpoint_url)
        code, out = _scan_alone(tmp_path / "a", "--organization-context", str(tmp_path / "missing.json.gz"))
        assert code == 2 and "--organization-context" in out and "Traceback" not in out, out
        code, out = _scan_alone(tmp_path / "b", "--organization-context", str(foreign))
        assert code == 2 and "Traceback" not in out, out
        code, out = _scan_alone(
            tmp_path / "c",
            "--organization",
            "--organization-context",
            str(next(output.glob("*/snapshot.json.gz"))),
        )
        assert code == 2 and "one account scanned alone" in out, out

"""`awsaudit scan --organization` end to end against the organization lab, through the CLI."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from awsaudit.cli import app
from awsaudit.heap import GC_THRESHOLDS
from awsaudit.lab.scenarios import BuiltScenario, Planted
from awsaudit.lab.scenarios.organization import ENUMERATED_CHECKS
from awsaudit.lab.server import Lab

pytestmark = pytest.mark.lab

SCOPE = ["--checks", "organizations.*", "--checks", "budgets.*", "--regions", "us-east-1"]
# Every check the scenario enumerates (root MFA is critical: it would change the exit codes above).
ENUMERATED_SCOPE = [
    *SCOPE,
    *(
        "--checks",
        "identitycenter.*",
        "--checks",
        "ds.*",
        "--checks",
        "iam.root_mfa",
        "--checks",
        "iam.external_trust",
    ),
]


@pytest.fixture(scope="module")
def lab_environment(lab: Lab, organization: BuiltScenario) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", lab.endpoint_url)
        yield


@pytest.fixture(scope="module")
def scanned(lab_environment: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    output = tmp_path_factory.mktemp("organization")
    result = CliRunner().invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            *ENUMERATED_SCOPE,
            "--output-dir",
            str(output),
            "--output-format",
            "json,html",
            "--max-accounts-parallel",
            "3",
            "--account-processes",
            "2",  # the planted findings, exactly, from worker processes too
        ],
    )
    return output, result


def _failures(output: Path) -> set[Planted]:
    failures = set()
    for findings in output.glob("*/findings.json"):
        for finding in json.loads(findings.read_text())["findings"]:
            if finding["status"] == "FAIL" and finding["check_id"] in ENUMERATED_CHECKS:
                failures.add(Planted(finding["check_id"], finding["resource"]))
    return failures


def test_organization_scan_finds_exactly_what_the_scenario_plants(
    scanned: tuple[Path, object], organization: BuiltScenario
) -> None:
    output, result = scanned
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert _failures(output) == organization.planted


def test_per_account_files_summary_and_reports(scanned: tuple[Path, object]) -> None:
    output, result = scanned
    summary = json.loads((output / "organization-summary.json").read_text())
    statuses = {a["name"]: a for a in summary["accounts"]}
    assert len(statuses) == 8
    refused = statuses.pop("no-audit-role")
    assert refused["status"] == "UNREACHABLE" and "AccessDenied" in refused["reason"]
    assert set(refused["checks"].values()) <= {"UNKNOWN", "FAIL"}
    assert not (output / refused["id"]).exists()
    for name, account in statuses.items():
        assert account["status"] == "COMPLETE", name
        assert (output / account["id"] / "snapshot.json.gz").is_file()
        assert (output / account["id"] / "awsaudit-report.html").is_file()
    assert statuses["linked-budget"]["checks"]["budgets.budget_with_alert"] == "PASS"
    assert statuses["well-run"]["checks"]["organizations.scp_guardrails"] == "PASS"
    assert statuses["master"]["credentials"] == "caller"
    assert summary["worst_accounts"][0] == refused["id"]
    page = (output / "organization-report.html").read_text()
    assert "accounts × controls" in page and refused["id"] in page
    assert "Worst accounts" in result.output  # type: ignore[attr-defined]
    assert "UNREACHABLE" in result.output  # type: ignore[attr-defined]


def _scan(tmp_path: Path, *options: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            *SCOPE,
            "--output-dir",
            str(tmp_path),
            "--output-format",
            "json",
            *options,
        ],
    )
    return result.exit_code, json.loads((tmp_path / "organization-summary.json").read_text())


def test_scope_options_and_exit_codes(lab_environment: None, tmp_path: Path) -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    code, summary = _scan(tmp_path, "--ous", "Production")
    assert code == 0
    # Finished accounts leave clients for the collector: the middle generation stays collected often.
    assert gc.get_threshold() == GC_THRESHOLDS
    accounts = {a["name"]: a for a in summary["accounts"]}  # type: ignore[attr-defined]
    assert set(accounts) == {"well-run", "linked-budget"}
    # Without the management account in scope, what only it can tell stays UNKNOWN, never PASS.
    assert accounts["linked-budget"]["checks"]["organizations.member_budgets"] == "UNKNOWN"
    # The guardrails come with the organization context, read from the caller (the management account).
    assert accounts["well-run"]["checks"]["organizations.scp_guardrails"] == "PASS"
    assert _scan(tmp_path, "--ous", "Production", "--fail-on-unknown")[0] == 3
    management, well_run = (accounts_id(summary, "master"), accounts["well-run"]["id"])
    code, summary = _scan(tmp_path, "--accounts", f"{well_run}", "--ous", "Production", "--fail-on", "high")
    assert code == 0
    code, summary = _scan(tmp_path, "--exclude-accounts", management, "--ous", "Sandbox", "--fail-on", "high")
    assert code == 1  # the audit role is missing in no-audit-role: a high-severity FAIL


def accounts_id(summary: dict[str, object], name: str) -> str:
    return next(str(a["id"]) for a in summary["not_scanned"] if a["name"] == name)  # type: ignore[attr-defined]


def test_usage_errors_are_one_line(lab_environment: None, tmp_path: Path) -> None:
    runner = CliRunner()
    alone = runner.invoke(app, ["lab", "scan", "--accounts", "123456789012", "--output-dir", str(tmp_path)])
    assert alone.exit_code == 2 and "need --organization" in alone.output
    unknown = runner.invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            *SCOPE,
            "--accounts",
            "999999999999",
            "--output-dir",
            str(tmp_path),
        ],
    )
    assert unknown.exit_code == 2 and "999999999999 is not in organization" in unknown.output
    bad_role = runner.invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            *SCOPE,
            "--audit-role",
            "arn:aws:iam::1:role/x",
            "--output-dir",
            str(tmp_path),
        ],
    )
    assert bad_role.exit_code == 2 and "is not an IAM role name" in bad_role.output
    processes_alone = runner.invoke(
        app, ["lab", "scan", "--account-processes", "2", "--output-dir", str(tmp_path)]
    )
    assert processes_alone.exit_code == 2
    assert "--account-processes sizes --organization --executor local" in processes_alone.output


def test_members_covered_by_the_organization_trail(lab_environment: None, tmp_path: Path) -> None:
    checks = [
        "--checks",
        "cloudtrail.multi_region_logging",
        "--checks",
        "cloudwatch.monitoring_root_account_usage",
    ]
    result = CliRunner().invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            *checks,
            "--regions",
            "us-east-1",
            "--ous",
            "Production",
            "--output-dir",
            str(tmp_path),
            "--output-format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "organization-summary.json").read_text())
    well_run = next(a for a in summary["accounts"] if a["name"] == "well-run")
    # The member sees the management account's organization trail (a shadow trail in AWS) as its own.
    assert well_run["checks"]["cloudtrail.multi_region_logging"] == "PASS"
    # Its metric filters live in the trail owner's account, which is outside this scope: UNKNOWN, not PASS.
    assert well_run["checks"]["cloudwatch.monitoring_root_account_usage"] == "UNKNOWN"
    assert "not scanned" in well_run["resolved_by_organization"]["cloudwatch.monitoring_root_account_usage"]
    own = json.loads((tmp_path / well_run["id"] / "findings.json").read_text())
    (monitoring,) = [
        f for f in own["findings"] if f["check_id"] == "cloudwatch.monitoring_root_account_usage"
    ]
    assert monitoring["status"] == "UNKNOWN" and "organization trail" in monitoring["message"]


def test_monitoring_of_members_is_decided_by_the_trail_owner(
    lab_environment: None, structure: object, tmp_path: Path
) -> None:
    management = "123456789012"
    well_run = next(a.account_id for a in structure.accounts if a.name == "well-run")  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            "--checks",
            "cloudwatch.monitoring_root_account_usage",
            "--regions",
            "us-east-1",
            "--accounts",
            f"{management},{well_run}",
            "--output-dir",
            str(tmp_path),
            "--output-format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "organization-summary.json").read_text())
    member = next(a for a in summary["accounts"] if a["id"] == well_run)
    # The management account's trail has no metric filter: the member's monitoring fails with it.
    assert member["checks"]["cloudwatch.monitoring_root_account_usage"] == "FAIL"
    assert member["resolved_by_organization"]["cloudwatch.monitoring_root_account_usage"] == (
        f"decided in account {management}: FAIL"
    )


def test_a_mistyped_audit_role_exits_3_with_one_summary_line(lab_environment: None, tmp_path: Path) -> None:
    """Every member refuses the role: one line says so (not one per member) and the run fails."""
    result = CliRunner().invoke(
        app,
        [
            "lab",
            "scan",
            "--organization",
            *SCOPE,
            "--audit-role",
            "AuditRoel",
            "--output-dir",
            str(tmp_path),
            "--output-format",
            "json,html",
        ],
    )
    assert result.exit_code == 3, result.output
    lines = result.stdout.splitlines()
    [detail] = [line for line in lines if "AccessDenied" in line]
    assert detail.startswith(
        "role AuditRoel could not be assumed in 7/7 members — check --audit-role (AccessDenied: "
    )
    assert detail.endswith(" and 2 more)")
    assert not any("UNREACHABLE: the audit role could not be assumed" in line for line in lines)
    files = [
        tmp_path / "organization-report.html",
        tmp_path / "organization-summary.json",
        *(tmp_path / "organization" / name for name in ("awsaudit-report.html", "findings.json")),
        tmp_path / "organization" / "snapshot.json.gz",
    ]
    assert lines[-4:-2] == [
        "Result:  exit 3: role AuditRoel could not be assumed in 7/7 members — check --audit-role",
        f"Reports: {', '.join(str(f) for f in files)}",
    ]
    # The run is recorded (the session's store): the block names it, as a single scan's names its id.
    assert lines[-2].startswith("Run id:  organization run ") and " (8 accounts) in sqlite:///" in lines[-2]
    assert lines[-1].startswith("Changes: ") and lines[-1].endswith("(awsaudit diff --organization)")


def test_the_organization_page_links_every_report_and_counts_as_the_terminal(
    scanned: tuple[Path, object],
) -> None:
    output, result = scanned
    page = (output / "organization-report.html").read_text()
    assert 'id="organization-report-link" href="organization/awsaudit-report.html"' in page
    summary = json.loads((output / "organization-summary.json").read_text())
    for account in summary["accounts"]:
        if account["status"] == "COMPLETE" and account["credentials"] != "caller":
            assert f'class="account-report" href="{account["id"]}/awsaudit-report.html"' in page
    assert (output / "organization" / "awsaudit-report.html").is_file()
    # Every report of the run (each account's, the organization checks') links back to the page.
    reports = list(output.glob("*/awsaudit-report.html"))
    assert len(reports) >= 2
    for report in reports:
        assert '<a id="organization-page-link" href="../organization-report.html">' in report.read_text()
    # The terminal's verdict counts failing checks per account; the page's accounts table shows the
    # same per-account number, and the sum matches the verdict's.
    verdict = next(line for line in result.output.splitlines() if line.startswith("Result:"))  # type: ignore[attr-defined]
    failing = sum(1 for a in summary["accounts"] for status in a["checks"].values() if status == "FAIL")
    assert f"{failing} failing check" in verdict

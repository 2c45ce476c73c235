"""What a new user reads: the closing result block, --quiet, "did you mean", the checks that run
before any API call, --severity on findings and controls, and the history of narrower scans.

Every message is asserted as the exact line, with the exit code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from awsaudit.cli import app
from awsaudit.errors import UsageProblem
from awsaudit.findings import Finding, Severity, Status
from awsaudit.snapshot import save
from tests.analyze.iam.test_credential_report import report, root_credential_row
from tests.builders import ACCOUNT_ID, SnapshotBuilder

runner = CliRunner()
# Nothing listens here: a command that reached AWS would fail differently (and slowly).
NO_AWS = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}


def _snapshot(tmp_path: Path, root_key: bool = True, root_mfa: bool = True) -> str:
    """An account whose root user has an active access key (critical FAIL) and, optionally, no MFA."""
    row = root_credential_row(access_key_1_active="true" if root_key else "false")
    builder = (
        SnapshotBuilder()
        .with_dataset("iam", "CredentialReport", report(row))
        .with_dataset(
            "iam",
            "AccountSummary",
            {"AccountMFAEnabled": int(root_mfa), "AccountAccessKeysPresent": int(root_key)},
        )
    )
    return str(save(builder.build(), tmp_path / "snapshot.json.gz"))


def _lines(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


def _error(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def _evaluate(tmp_path: Path, *options: str, snapshot: str | None = None) -> Result:
    out = tmp_path / "out"
    return runner.invoke(
        app,
        [
            "evaluate",
            snapshot or _snapshot(tmp_path),
            "--checks",
            "iam.root_access_keys",
            "--output-dir",
            str(out),
            "--output-format",
            "json",
            *options,
        ],
    )


# ---------------------------------------------------------------- the closing block


def test_fail_on_says_why_it_exits_1(tmp_path: Path) -> None:
    result = _evaluate(tmp_path, "--fail-on", "high", "--no-store")
    assert result.exit_code == 1, result.output
    assert _lines(result)[-3:] == [
        "Result:  exit 1: 1 FAIL finding at or above --fail-on high",
        f"Reports: {tmp_path / 'out' / 'awsaudit-findings.json'}",
        "Changes: not compared: this audit was not recorded in the history store",
    ]


def test_without_fail_on_the_block_says_failures_do_not_fail_the_run(tmp_path: Path) -> None:
    result = _evaluate(tmp_path, "--no-store")
    assert result.exit_code == 0, result.output
    assert _lines(result)[-3] == "Result:  exit 0: 1 FAIL finding, none fails the run without --fail-on"


def test_a_threshold_above_every_failure_says_so(tmp_path: Path) -> None:
    result = _evaluate(tmp_path, "--no-store", "--fail-on", "critical", snapshot=_snapshot(tmp_path, False))
    assert result.exit_code == 0, result.output
    assert _lines(result)[-3] == "Result:  exit 0: no FAIL finding at or above --fail-on critical"


def test_quiet_prints_only_the_result_block(tmp_path: Path) -> None:
    result = _evaluate(tmp_path, "--no-store", "--fail-on", "critical", "--quiet")
    assert result.exit_code == 1, result.output
    assert _lines(result) == [
        "Result:  exit 1: 1 FAIL finding at or above --fail-on critical",
        f"Reports: {tmp_path / 'out' / 'awsaudit-findings.json'}",
        "Changes: not compared: this audit was not recorded in the history store",
    ]


def _fake_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: bool = False) -> list[bool]:
    """`awsaudit demo` without its lab: the run judges the root-key snapshot; returns the progress
    settings the command asked for."""
    import awsaudit.lab.demo
    from awsaudit.audit import evaluate, select
    from awsaudit.config import AuditConfig
    from awsaudit.snapshot import load

    progress: list[bool] = []

    def run_demo(
        selection: object, config: object, scenario: str, *, show_progress: bool = True
    ) -> awsaudit.lab.demo.DemoRun:
        progress.append(show_progress)
        if broken:
            raise UsageProblem("the lab broke")
        result = evaluate(
            load(Path(_snapshot(tmp_path))), select(include=["iam.root_access_keys"]), AuditConfig()
        )
        return awsaudit.lab.demo.DemoRun(result, 1, scenario)

    monkeypatch.setattr(awsaudit.lab.demo, "run_demo", run_demo)
    return progress


def test_demo_quiet_prints_only_the_result_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    progress = _fake_demo(tmp_path, monkeypatch)
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--output-dir", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    reports = ", ".join(
        str(out / name)
        for name in (
            "awsaudit-findings.json",
            "awsaudit-findings.csv",
            "awsaudit-summary.md",
            "awsaudit-report.html",
        )
    )
    assert _lines(result) == [
        "Result:  exit 0: 1 FAIL finding, none fails the run without --fail-on",
        f"Reports: {reports}",
        "Changes: not compared: this audit was not recorded in the history store",
    ]
    assert result.stderr == "" and progress == [False]

    loud = runner.invoke(app, ["demo", "--output-dir", str(out)])
    assert loud.exit_code == 0, loud.output
    assert _lines(loud)[0] == "Starting the embedded AWS lab and building the 'misconfigured' scenario…"
    planted = f"The scenario planted 1 problem. Open the report: {out / 'awsaudit-report.html'}"
    assert planted in _lines(loud)
    assert _lines(loud)[-3:] == _lines(result), "the result block ends the run"
    assert progress == [False, True]


@pytest.mark.parametrize("command", [["demo"], ["evaluate", "snapshot.json.gz"], ["scan"], ["collect"]])
def test_commands_that_audit_take_debug_after_their_name(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`awsaudit demo --debug` is `awsaudit --debug demo`: the traceback, then the one line."""
    import awsaudit.cli.errors

    monkeypatch.setattr(awsaudit.cli.errors, "debug", False)
    _fake_demo(tmp_path, monkeypatch, broken=True)
    monkeypatch.chdir(tmp_path)
    options = {
        "demo": ["--output-dir", str(tmp_path / "demo")],
        "evaluate": ["--no-store", "--severity", "hihg"],
        "scan": ["--no-store", "--regions", "eu-westt-1"],
        "collect": ["--output", "out.json.gz", "--regions", "eu-westt-1"],
    }[command[0]]
    if command[0] == "evaluate":
        _snapshot(tmp_path)
    result = runner.invoke(app, [*command, *options, "--debug"], env=NO_AWS)
    assert result.exit_code == 2, result.output
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("awsaudit: error: ")
    quiet = runner.invoke(app, [*command, *options], env=NO_AWS)
    assert "Traceback" not in quiet.stderr, "a command's --debug must not outlive it"


def test_recorded_scans_name_their_id_and_what_changed(tmp_path: Path) -> None:
    store = tmp_path / "history.sqlite"
    first = _evaluate(tmp_path, "--store", str(store), "--quiet")
    assert first.exit_code == 0, first.output
    assert _lines(first)[-2:] == [
        f"Scan id: 1 in sqlite:///{store}",
        f"Changes: first recorded scan of account {ACCOUNT_ID}",
    ]
    second = _evaluate(tmp_path, "--store", str(store), "--quiet", snapshot=_snapshot(tmp_path, False))
    assert second.exit_code == 0, second.output
    changes = _lines(second)[-1]
    assert changes.startswith("Changes: since scan 1 (")
    assert changes.endswith(
        "): 0 new, 0 regressed, 1 resolved, 0 newly checked, 0 unverified (awsaudit diff)"
    )


# ---------------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            ["--framework", "cis-aws-foundation"],
            "awsaudit: error: unknown framework 'cis-aws-foundation' (did you mean cis-aws-foundations?)",
        ),
        (
            ["--checks", "iam.root_acess_keys"],
            "awsaudit: error: no check matches 'iam.root_acess_keys' (did you mean iam.root_access_keys?)",
        ),
        (
            ["--output-format", "jsn"],
            "awsaudit: error: unknown output format 'jsn' (did you mean json?) (choose from json, csv, "
            "ocsf, asff, junit, markdown, html, remediation)",
        ),
        (
            ["--severity", "hihg"],
            "awsaudit: error: unknown severity 'hihg' for --severity (did you mean high?) "
            "(choose from critical, high, medium, low, info)",
        ),
        (
            ["--fail-on", "critcal"],
            "awsaudit: error: unknown severity 'critcal' for --fail-on (did you mean critical?) "
            "(choose from critical, high, medium, low, info)",
        ),
    ],
)
def test_typos_get_a_suggestion(tmp_path: Path, options: list[str], expected: str) -> None:
    snapshot = _snapshot(tmp_path)
    result = runner.invoke(app, ["evaluate", snapshot, "--no-store", *options])
    assert result.exit_code == 2, result.output
    assert _error(result) == expected


# ---------------------------------------------------------------- before any API call


def _scan(tmp_path: Path, *options: str) -> Result:
    return runner.invoke(app, ["scan", "--checks", "iam.root_mfa", "--no-store", *options], env=NO_AWS)


def test_an_unknown_region_stops_the_scan_before_any_api_call(tmp_path: Path) -> None:
    result = _scan(tmp_path, "--regions", "eu-west-1,eu-westt-1", "--output-dir", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert (
        _error(result)
        == "awsaudit: error: unknown region 'eu-westt-1' in --regions (did you mean eu-west-1?)"
    )
    collect = runner.invoke(
        app, ["collect", "-o", str(tmp_path / "s.json.gz"), "--regions", "us-eastt-1"], env=NO_AWS
    )
    assert collect.exit_code == 2, collect.output
    assert (
        _error(collect)
        == "awsaudit: error: unknown region 'us-eastt-1' in --regions (did you mean us-east-1?)"
    )


def test_regions_of_every_partition_are_known(tmp_path: Path) -> None:
    from awsaudit.collect.regions import known_regions

    assert {"eu-west-1", "cn-north-1", "us-gov-west-1", "ap-southeast-5"} <= known_regions()


def test_an_output_directory_that_cannot_be_written_stops_the_scan_first(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = _scan(tmp_path, "--regions", "eu-west-1", "--output-dir", str(blocker))
    assert result.exit_code == 2, result.output
    assert _error(result) == f"awsaudit: error: --output-dir {blocker} is not a directory"
    nested = blocker / "reports"
    result = _scan(tmp_path, "--regions", "eu-west-1", "--output-dir", str(nested))
    assert result.exit_code == 2, result.output
    assert _error(result) == f"awsaudit: error: --output-dir {nested} is not writable: Not a directory"


def test_a_snapshot_path_that_is_a_directory_stops_the_scan_first(tmp_path: Path) -> None:
    result = _scan(
        tmp_path, "--regions", "eu-west-1", "--output-dir", str(tmp_path), "--snapshot", str(tmp_path)
    )
    assert result.exit_code == 2, result.output
    assert _error(result) == f"awsaudit: error: --snapshot {tmp_path} is a directory; name the file to write"


def test_an_unusable_store_stops_the_scan_first(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "scan",
            "--checks",
            "iam.root_mfa",
            "--regions",
            "eu-west-1",
            "--output-dir",
            str(tmp_path),
            "--store",
            "mysql://db/awsaudit",
        ],
        env=NO_AWS,
    )
    assert result.exit_code == 2, result.output
    assert _error(result) == (
        "awsaudit: error: unsupported store 'mysql': use sqlite:///PATH or postgresql://…"
    )


def test_reports_that_cannot_be_written_keep_the_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan collected; writing the reports failed afterwards: the snapshot is saved anyway."""
    import awsaudit.account_audit
    from awsaudit.cli import audit as audit_cli
    from awsaudit.cli import delivery

    snapshot = SnapshotBuilder().build()
    monkeypatch.setattr(awsaudit.account_audit, "collect", lambda *args, **kwargs: snapshot)
    monkeypatch.setattr(audit_cli.tempfile, "gettempdir", lambda: str(tmp_path))

    def disk_full(*args: object) -> list[Path]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(delivery, "write_reports", disk_full)
    result = _scan(tmp_path, "--regions", "eu-west-1", "--output-dir", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    rescued = tmp_path / f"awsaudit-snapshot-{ACCOUNT_ID}-20260601T120000Z.json.gz"
    assert _error(result) == (
        f"awsaudit: error: [Errno 28] No space left on device; the collection was saved to {rescued}: "
        f"finish with `awsaudit evaluate {rescued}`"
    )
    assert rescued.exists()


def test_a_snapshot_that_cannot_be_kept_where_asked_is_rescued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--snapshot's file could not be written after the collection: it goes to the temporary folder."""
    import awsaudit.account_audit
    from awsaudit.cli import audit as audit_cli

    snapshot = SnapshotBuilder().build()
    monkeypatch.setattr(awsaudit.account_audit, "collect", lambda *args, **kwargs: snapshot)
    monkeypatch.setattr(audit_cli.tempfile, "gettempdir", lambda: str(tmp_path))

    def disk_full(*args: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(awsaudit.account_audit, "save", disk_full)
    wanted = tmp_path / "kept.json.gz"
    result = _scan(
        tmp_path, "--regions", "eu-west-1", "--snapshot", str(wanted), "--output-dir", str(tmp_path)
    )
    assert result.exit_code == 2, result.output
    rescued = tmp_path / f"awsaudit-snapshot-{ACCOUNT_ID}-20260601T120000Z.json.gz"
    assert _error(result) == (
        f"awsaudit: error: [Errno 28] No space left on device; the collection was saved to {rescued}: "
        f"finish with `awsaudit evaluate {rescued}`"
    )
    assert rescued.exists() and not wanted.exists()


# ---------------------------------------------------------------- --severity


def test_severity_leaves_out_lower_findings_and_marks_deselected_controls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finding whose evidence lowered it below --severity is left out of reports, controls and the
    exit code; controls whose checks were all left out read NOT_SELECTED, not NOT_AUTOMATED."""
    import awsaudit.audit

    def judged(*args: object) -> list[Finding]:
        def finding(resource: str, severity: Severity) -> Finding:
            return Finding("iam.root_access_keys", Status.FAIL, severity, ACCOUNT_ID, "global", resource, "m")

        return [finding("critical-one", Severity.CRITICAL), finding("lowered-one", Severity.LOW)]

    monkeypatch.setattr(awsaudit.audit, "run_checks", judged)
    result = _evaluate(tmp_path, "--severity", "high", "--no-store", "--fail-on", "low")
    assert result.exit_code == 1, result.output
    lines = _lines(result)
    assert (
        "1 finding(s) below --severity were left out (their evidence lowered them below the checks' "
        "severity)" in lines
    )
    assert lines[-3] == "Result:  exit 1: 1 FAIL finding at or above --fail-on low"
    document = json.loads((tmp_path / "out" / "awsaudit-findings.json").read_text())
    assert [f["resource"] for f in document["findings"]] == ["critical-one"]
    cis = document["compliance"]["cis-aws-foundations@7.0.0"]
    statuses = {c["control"]: c["status"] for c in cis["controls"]}
    assert statuses["2.5"] == "NOT_SELECTED"  # root MFA: a check exists, --checks left it out
    assert "NOT_AUTOMATED" not in {statuses[c["control"]] for c in cis["controls"] if c["checks"]}


# ---------------------------------------------------------------- history of different selections


def test_a_narrower_earlier_scan_makes_findings_newly_checked_not_new(tmp_path: Path) -> None:
    """Scan 1 judged root keys only; scan 2 also root MFA. The root-MFA failure is newly checked
    (nobody looked before), and the trend compares only scans of the same selection."""
    store = str(tmp_path / "history.sqlite")
    snapshot = _snapshot(tmp_path, root_key=True, root_mfa=False)
    narrow = _evaluate(tmp_path, "--store", store, "--quiet", snapshot=snapshot)
    assert narrow.exit_code == 0, narrow.output
    wide = _evaluate(tmp_path, "--store", store, "--quiet", "--checks", "iam.root_mfa", snapshot=snapshot)
    assert wide.exit_code == 0, wide.output
    assert _lines(wide)[-1].endswith(
        "): 0 new, 0 regressed, 0 resolved, 1 newly checked, 0 unverified (awsaudit diff)"
    )

    diff = runner.invoke(app, ["diff", "--store", store, "--format", "json"])
    assert diff.exit_code == 0, diff.output
    document = json.loads(diff.stdout)
    # The unchanged root-key failure is not listed; the root-MFA one is newly checked, not new.
    assert [(f["change"], f["check_id"], f["old_status"]) for f in document["findings"]] == [
        ("newly_checked", "iam.root_mfa", "ABSENT")
    ]
    assert document["notes"][0] == (
        "the audits judged different things (1 check(s) only in the newer): failing findings the older "
        "audit did not judge are listed as newly checked, not new"
    )

    trend = runner.invoke(app, ["trend", "--store", store])
    assert trend.exit_code == 0, trend.output
    assert "Account 111122223333: 1 scans" in trend.stdout
    assert trend.stdout.rstrip().splitlines()[-1] == (
        "note: 1 scan(s) with a different selection (checks, regions or --severity) left out: only audits "
        "that judged the same things are compared"
    )


def test_a_scan_with_a_higher_severity_makes_the_findings_it_left_out_newly_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scan 1 kept high and above (a lowered finding left out), scan 2 every severity: the lowered
    finding is newly checked, not new, and the trend compares only scans of the same --severity."""
    import awsaudit.audit

    def judged(*args: object) -> list[Finding]:
        def finding(resource: str, severity: Severity) -> Finding:
            return Finding("iam.root_access_keys", Status.FAIL, severity, ACCOUNT_ID, "global", resource, "m")

        return [finding("critical-one", Severity.CRITICAL), finding("lowered-one", Severity.LOW)]

    monkeypatch.setattr(awsaudit.audit, "run_checks", judged)
    store = str(tmp_path / "history.sqlite")
    high = _evaluate(tmp_path, "--store", store, "--quiet", "--severity", "high")
    assert high.exit_code == 0, high.output
    every = _evaluate(tmp_path, "--store", store, "--quiet")
    assert every.exit_code == 0, every.output
    assert _lines(every)[-1].endswith(
        "): 0 new, 0 regressed, 0 resolved, 1 newly checked, 0 unverified (awsaudit diff)"
    )

    diff = runner.invoke(app, ["diff", "--store", store, "--format", "json"])
    assert diff.exit_code == 0, diff.output
    document = json.loads(diff.stdout)
    assert [(f["change"], f["resource"], f["old_status"]) for f in document["findings"]] == [
        ("newly_checked", "lowered-one", "ABSENT")
    ]
    assert document["notes"][0] == (
        "the audits judged different things (findings below high severity only in the newer): failing "
        "findings the older audit did not judge are listed as newly checked, not new"
    )
    terminal = runner.invoke(app, ["diff", "--store", store])
    assert (
        "note: the audits judged different things (findings below high severity only in the newer): "
        "failing findings the older audit did not judge are listed as newly checked, not new"
    ) in terminal.stdout.replace("\n", " ")

    listing = runner.invoke(app, ["history", "--store", store, "--format", "json"])
    assert [scan["min_severity"] for scan in json.loads(listing.stdout)[ACCOUNT_ID]] == ["info", "high"]

    # Back the other way: the finding the narrower scan left out is unverified, never resolved.
    back = runner.invoke(app, ["diff", "2", "1", "--store", store, "--format", "json"])
    assert back.exit_code == 0, back.output
    assert [(f["change"], f["resource"], f["new_status"]) for f in json.loads(back.stdout)["findings"]] == [
        ("unverified", "lowered-one", "ABSENT")
    ]

    trend = runner.invoke(app, ["trend", "--store", store])
    assert trend.exit_code == 0, trend.output
    assert "Account 111122223333: 1 scans" in trend.stdout
    assert trend.stdout.rstrip().splitlines()[-1] == (
        "note: 1 scan(s) with a different selection (checks, regions or --severity) left out: only audits "
        "that judged the same things are compared"
    )


# ---------------------------------------------------------------- permissions --organization


def test_permissions_for_an_organization_cover_both_sides() -> None:
    result = runner.invoke(
        app,
        [
            "permissions",
            "--organization",
            "--audit-role",
            "AwsauditAudit",
            "--scanning-account",
            "123456789012",
        ],
    )
    assert result.exit_code == 0, result.output
    policies = json.loads(result.stdout)
    scanner = policies["ScanningIdentity"]["Policy"]["Statement"]
    assert {"organizations:ListAccountsForParent", "organizations:ListRoots"} <= set(scanner[0]["Action"])
    assert scanner[1] == {
        "Sid": "AwsauditAssumeMemberAuditRole",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::*:role/AwsauditAudit",
    }
    member = policies["MemberAuditRole"]
    assert member["RoleName"] == "AwsauditAudit"
    plain = json.loads(runner.invoke(app, ["permissions"]).stdout)
    assert member["PermissionsPolicy"]["Statement"] == plain["Statement"]
    assert member["TrustPolicy"]["Statement"] == [
        {
            "Sid": "AwsauditScanner",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole",
        }
    ]


def test_permissions_organization_options_are_checked() -> None:
    alone = runner.invoke(app, ["permissions", "--audit-role", "X"])
    assert alone.exit_code == 2
    assert _error(alone) == "awsaudit: error: --audit-role and --scanning-account need --organization"
    bad = runner.invoke(app, ["permissions", "--organization", "--scanning-account", "12345"])
    assert bad.exit_code == 2
    assert _error(bad) == "awsaudit: error: --scanning-account '12345' is not a 12-digit account id"

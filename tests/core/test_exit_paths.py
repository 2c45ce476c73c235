"""Every failure outside "findings failed" exits 2 (usage or input) or 4 (a bug), with exactly one
line on stderr and no traceback; `awsaudit --debug` adds the traceback. Hostile input costs
bounded time (an alias bomb fails at once)."""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from awsaudit.cli import app, main
from awsaudit.snapshot import save
from tests.builders import SnapshotBuilder

runner = CliRunner()
BIG = "9" * 5000
# 342 bytes: nine aliases of nine aliases … 9^9 ≈ 387 million strings once expanded.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return save(SnapshotBuilder().build(), tmp_path / "snapshot.json.gz")


def _document(path: Path) -> dict[str, object]:
    return json.loads(gzip.decompress(path.read_bytes()))  # type: ignore[no-any-return]


def _error_line(arguments: list[str], code: int = 2) -> str:
    result = runner.invoke(app, arguments)
    stderr = result.stderr
    assert result.exit_code == code, (result.exit_code, result.output, stderr)
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def _evaluate(snapshot: Path, *extra: str) -> list[str]:
    return ["evaluate", str(snapshot), "--no-store", "--output-dir", str(snapshot.parent / "out"), *extra]


def test_year_one_collection_time(snapshot: Path) -> None:
    document = _document(snapshot)
    document["collected_at"] = "0001-01-01T00:00:00Z"
    path = snapshot.with_name("year1.json")
    path.write_text(json.dumps(document))
    assert _error_line(_evaluate(path)) == (
        f"awsaudit: error: {path}: malformed snapshot (ValueError: collected_at 0001-01-01T00:00:00Z "
        "is not a plausible collection time)"
    )


def test_a_five_thousand_digit_integer_in_a_snapshot(snapshot: Path) -> None:
    text = json.dumps(_document(snapshot)).replace('"duration_seconds": 0.0', f'"duration_seconds": {BIG}')
    path = snapshot.with_name("big.json")
    path.write_text(text)
    assert _error_line(_evaluate(path)).startswith(f"awsaudit: error: {path}: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "suppressions:\n- check: iam.*\n  resource: '*'\n  reason: x\n  expires: 2026-02-30\n",
            "invalid YAML: '2026-02-30' is not a valid value: day is out of range for month "
            "(line 5, column 12)",
        ),
        (
            "suppressions:\n- check: iam.root_access_keys\n  check: '*'\n  resource: '*'\n  reason: x\n",
            "invalid YAML: duplicate key 'check' (line 3, column 3)",
        ),
        (
            f"suppressions:\n- check: iam.*\n  resource: '*'\n  reason: {BIG}\n",
            "invalid YAML: an integer of 5000 digits is too large (line 4, column 11)",
        ),
        (ALIAS_BOMB, "invalid YAML: aliases (*name) are not allowed in awsaudit's files (line 2, column 8)"),
    ],
    ids=["impossible-date", "duplicated-key", "huge-integer", "alias-bomb"],
)
def test_hostile_suppressions_files(snapshot: Path, text: str, message: str) -> None:
    path = snapshot.with_name("suppressions.yaml")
    path.write_text(text)
    started = time.monotonic()
    assert (
        _error_line(_evaluate(snapshot, "--suppressions", str(path))) == f"awsaudit: error: {path}: {message}"
    )
    assert time.monotonic() - started < 10, "hostile YAML must fail fast"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "config.yaml",
            "max_access_key_age_days: 2026-02-30\n",
            "not valid yaml: '2026-02-30' is not a valid value: day is out of range for month "
            "(line 1, column 26)",
        ),
        ("config.toml", "max_access_key_age_days = 2026-02-30\n", "not valid toml: "),
        ("config.yaml", ALIAS_BOMB, "not valid yaml: aliases (*name) are not allowed in awsaudit's files"),
        ("config.yaml", f"max_access_key_age_days: {BIG}\n", "not valid yaml: an integer of 5000 digits"),
        ("config.toml", f"max_access_key_age_days = {BIG}\n", "not valid toml: "),
        (
            "config.yaml",
            "max_access_key_age_days: 99999999999\n",
            "setting 'max_access_key_age_days': Input should be less than or equal to 36500",
        ),
        (
            "config.yaml",
            "unused_credential_days: 36501\n",
            "setting 'unused_credential_days': Input should be less than or equal to 36500",
        ),
    ],
    ids=["yaml-date", "toml-date", "alias-bomb", "yaml-huge-integer", "toml-huge-integer", "days", "days-2"],
)
def test_hostile_config_files(snapshot: Path, name: str, text: str, message: str) -> None:
    path = snapshot.with_name(name)
    path.write_text(text)
    line = _error_line(_evaluate(snapshot, "--config", str(path)))
    assert line.startswith(f"awsaudit: error: {path}: {message}"), line
    assert len(line) < 400


def test_a_region_with_shell_syntax(tmp_path: Path) -> None:
    line = _error_line(["scan", "--regions", "eu-west-1;rm", "--no-store", "--output-dir", str(tmp_path)])
    assert line.startswith("awsaudit: error: unknown region 'eu-west-1;rm'"), line


@pytest.mark.parametrize(
    ("store", "message"),
    [
        (
            "postgresql://auditor:pw@db:notaport/history",
            "the store URL's port is not a number: postgresql://auditor:[redacted]@db:notaport/history",
        ),
        ("mysql://auditor:pw@db/history", "unsupported store 'mysql': use sqlite:///PATH or postgresql://…"),
        (
            "host=db password=pw dbname=history",
            "a libpq connection string (keyword=value pairs) is not a store URL: use "
            "postgresql://USER@HOST:PORT/DATABASE (the password in PGPASSWORD or ~/.pgpass)",
        ),
    ],
    ids=["port", "driver", "libpq"],
)
def test_bad_store_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert _error_line(["history", "--store", store]) == f"awsaudit: error: {message}"
    assert list(tmp_path.iterdir()) == [], "no SQLite file is made from a store URL that was refused"


def test_huge_ids_and_durations_against_the_store(snapshot: Path) -> None:
    store = f"sqlite:///{snapshot.parent / 'history.sqlite'}"
    recorded = runner.invoke(
        app, [*_evaluate(snapshot)[:2], "--store", store, "--output-dir", str(snapshot.parent)]
    )
    assert recorded.exit_code == 0, recorded.output
    huge = "9" * 30
    assert _error_line(["diff", "1", huge, "--store", store]) == (
        "awsaudit: error: no scan <an integer too large to show> in the store "
        f"{store} (see `awsaudit history`)"
    )
    assert _error_line(["prune", "--older-than", f"{huge}d", "--store", store]) == (
        f"awsaudit: error: the duration {huge}d is too long to be a date span"
    )
    assert _error_line(["prune", "--older-than", "999999d", "--store", store]) == (
        "awsaudit: error: the duration 999999d reaches back before the year 1"
    )
    for command in (["history", "--limit", huge], ["trend", "--limit", huge]):
        result = runner.invoke(app, [*command, "--store", store])
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", [["lab", "serve"], ["demo"]])
def test_an_unknown_lab_scenario_is_refused_before_any_lab_starts(
    command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import awsaudit.lab.serve
    import awsaudit.lab.server

    def no_lab() -> None:
        raise AssertionError("a lab was started for an unknown scenario")

    monkeypatch.setattr(awsaudit.lab.server, "start_lab", no_lab)
    monkeypatch.setattr(awsaudit.lab.serve, "start_lab", no_lab)
    if command == ["demo"]:
        command = [*command, "--output-dir", str(tmp_path / "demo")]
    line = _error_line([*command, "--scenario", "nosuch"])
    assert line.startswith("awsaudit: error: unknown scenario 'nosuch' (known: "), line


def test_debug_adds_the_traceback(snapshot: Path) -> None:
    document = _document(snapshot)
    document["collected_at"] = "0001-01-01T00:00:00Z"
    path = snapshot.with_name("year1.json")
    path.write_text(json.dumps(document))
    result = runner.invoke(app, ["--debug", *_evaluate(path)])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("awsaudit: error: ")


def test_a_bug_is_one_line_with_exit_4(
    snapshot: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("unexpected\nsecond line " + "x" * 5000)

    monkeypatch.setattr("awsaudit.account_audit.evaluate", broken)
    monkeypatch.setattr(sys, "argv", ["awsaudit", *_evaluate(snapshot)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 4
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(
        "awsaudit: internal error: RuntimeError: unexpected second line"
    )
    assert lines[0].endswith("(run with --debug for the traceback)") and len(lines[0]) < 1200


def test_a_gzip_bomb_stops_at_the_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWSAUDIT_MAX_SNAPSHOT_BYTES", str(1_000_000))
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * 20_000_000))  # 20 MB of whitespace in ~20 KB
    assert bomb.stat().st_size < 100_000
    assert _error_line(_evaluate(bomb)) == (
        f"awsaudit: error: {bomb}: decompresses to more than 1,000,000 bytes "
        "(set AWSAUDIT_MAX_SNAPSHOT_BYTES to allow more)"
    )
    plain = tmp_path / "big.json"
    plain.write_bytes(b" " * 1_000_001)
    assert _error_line(_evaluate(plain)) == (
        f"awsaudit: error: {plain}: larger than 1,000,000 bytes "
        "(set AWSAUDIT_MAX_SNAPSHOT_BYTES to allow more)"
    )


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (
            ["evaluate", "snapshot.json.gz", "-o", "x"],
            "awsaudit: error: No such option: -o (see awsaudit evaluate --help)",
        ),
        (["evaluate"], "awsaudit: error: Missing argument 'SNAPSHOT'. (see awsaudit evaluate --help)"),
        (["nosuchcommand"], "awsaudit: error: No such command 'nosuchcommand'. (see awsaudit --help)"),
    ],
    ids=["unknown-option", "missing-argument", "unknown-command"],
)
def test_the_command_line_parser_refuses_in_one_line(
    arguments: list[str], line: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["awsaudit", *arguments])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    assert [text for text in capsys.readouterr().err.splitlines() if text.strip()] == [line]


def test_no_arguments_still_show_the_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["awsaudit"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert "Usage" in captured.out + captured.err and "evaluate" in captured.out + captured.err

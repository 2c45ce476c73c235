"""SIGINT or SIGTERM during collect, scan or report writing leaves no partial file behind.

The CLI runs as a subprocess against `awsaudit lab serve`, as a user would run it.
"""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.robustness.scanning import CLI

pytestmark = pytest.mark.lab

# The same CLI, but every fsync takes a second: report writing can be interrupted on cue.
SLOW_WRITES_CLI = (
    "import os, time; _fsync = os.fsync; os.fsync = lambda fd: (time.sleep(1.0), _fsync(fd))[1]; " + CLI
)
# The same CLI, but every AWS request touches $AWSAUDIT_TEST_MARKER and takes 0.2 s longer:
# the test knows when collection has begun, and it lasts long enough to be interrupted.
SLOW_CALLS_CLI = (
    """
import os, pathlib, time
import botocore.endpoint
_send = botocore.endpoint.Endpoint._send
def _slow_send(self, request):
    pathlib.Path(os.environ["AWSAUDIT_TEST_MARKER"]).touch()
    time.sleep(0.2)
    return _send(self, request)
botocore.endpoint.Endpoint._send = _slow_send
"""
    + CLI
)
REGIONS = "eu-west-1,us-east-1"


def _start(command: list[str], environment: dict[str, str], program: str = CLI) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", program, *command],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _assert_no_partial_file(directory: Path) -> None:
    for path in directory.rglob("*"):
        assert not path.name.endswith(".tmp"), f"partial file left behind: {path.name}"
        if path.name.endswith(".json.gz"):
            json.loads(gzip.decompress(path.read_bytes()))
        elif path.name.endswith(".json"):
            json.loads(path.read_bytes())


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("interrupt", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", ["collect", "scan"])
def test_interrupt_during_collection_leaves_no_file(
    lab_environment: dict[str, str], tmp_path: Path, interrupt: signal.Signals, command: str
) -> None:
    out = tmp_path / "out"
    if command == "collect":
        arguments = ["collect", "-o", str(out / "snapshot.json.gz"), "--regions", REGIONS]
    else:
        arguments = [
            "scan",
            "--output-dir",
            str(out),
            "--snapshot",
            str(out / "snapshot.json.gz"),
            "--regions",
            REGIONS,
            "--output-format",
            "json,csv,html",
        ]
    marker = tmp_path / "collecting"
    process = _start(arguments, {**lab_environment, "AWSAUDIT_TEST_MARKER": str(marker)}, SLOW_CALLS_CLI)
    _wait_for(marker.exists)
    time.sleep(0.5)
    assert process.poll() is None, "the command finished before it could be interrupted"
    process.send_signal(interrupt)
    process.wait(timeout=60)
    assert process.returncode != 0
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    "interrupt",
    [signal.SIGINT, signal.SIGTERM],
    ids=["SIGINT", "SIGTERM"],
)
def test_interrupt_while_writing_reports_leaves_no_partial_file(
    lab_environment: dict[str, str], tmp_path: Path, interrupt: signal.Signals
) -> None:
    out = tmp_path / "out"
    arguments = ["scan", "--output-dir", str(out), "--regions", REGIONS, "--output-format", "json,csv,html"]
    process = _start(arguments, lab_environment, SLOW_WRITES_CLI)
    _wait_for(lambda: out.exists() and any(p.name.endswith(".tmp") for p in out.iterdir()), timeout=180)
    process.send_signal(interrupt)
    process.wait(timeout=60)
    assert process.returncode != 0
    _assert_no_partial_file(out)


def test_interrupts_during_report_writing_keep_the_previous_set_and_record_no_scan(
    lab_environment: dict[str, str], tmp_path: Path
) -> None:
    """SIGTERM then SIGINT a few milliseconds apart while the reports are written: one line on
    stderr, exit 128 + SIGTERM, the previous run's reports untouched (not a mix of old and new),
    no temporary file, and the store holds only the previous run's scan."""
    import sqlite3

    out = tmp_path / "out"
    store = tmp_path / "history.sqlite"
    arguments = [
        "scan",
        "--output-dir",
        str(out),
        "--regions",
        REGIONS,
        "--output-format",
        "json,csv,html",
        "--store",
        str(store),
    ]
    first = subprocess.run(
        [sys.executable, "-c", CLI, *arguments], env=lab_environment, capture_output=True, timeout=300
    )
    assert first.returncode == 0, first.stderr.decode()
    previous = {path.name: path.read_bytes() for path in out.iterdir()}
    assert len(previous) == 3

    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITES_CLI, *arguments],
        env=lab_environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _wait_for(lambda: any(p.name.endswith(".tmp") for p in out.iterdir()), timeout=120)
    process.send_signal(signal.SIGTERM)
    time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 128 + signal.SIGTERM
    lines = [line for line in stderr.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("awsaudit: interrupted (SIGTERM)"), stderr.decode()
    assert "Traceback" not in stderr.decode()
    _assert_no_partial_file(out)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == previous
    with sqlite3.connect(store) as connection:
        assert connection.execute("SELECT count(*) FROM scans").fetchone() == (1,)

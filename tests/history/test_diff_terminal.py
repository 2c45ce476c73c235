"""`awsaudit diff` prints audited data through the terminal sanitiser, in every format it offers."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from awsaudit.cli import app
from awsaudit.snapshot import save
from tests.builders import SnapshotBuilder

# Clear screen, retitle the window, a disguised OSC-8 link, a bidi override.
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x1b]8;;https://evil.example\x1b\\aws\x1b]8;;\x1b\\\u202e"


def _snapshot(path: Path, description: str) -> Path:
    group = {
        "GroupId": "sg-1",
        "GroupName": f"web {HOSTILE}",
        "Description": description,
        "IpPermissions": [],
        "IpPermissionsEgress": [],
    }
    return save(SnapshotBuilder().with_regional("ec2", "SecurityGroups", [group]).build(), path)


@pytest.mark.parametrize("output_format", ["terminal", "markdown", "json"])
def test_diff_prints_no_terminal_escape(tmp_path: Path, output_format: str) -> None:
    old = _snapshot(tmp_path / "old.json.gz", "before")
    new = _snapshot(tmp_path / "new.json.gz", f"after {HOSTILE}")
    result = CliRunner().invoke(app, ["diff", str(old), str(new), "--format", output_format])
    assert result.exit_code == 0, result.output
    assert "sg-1" in result.output
    for sequence in ("\x1b", "\x07", "\u202e"):
        assert sequence not in result.output, repr(sequence)

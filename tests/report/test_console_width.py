"""The terminal summary wraps long framework and check names instead of cutting them ambiguously."""

from __future__ import annotations

import io

from rich.console import Console

from awsaudit.report.console import print_summary
from tests.report.sample import sample_model


def test_narrow_terminal_folds_names_and_never_elides() -> None:
    buffer = io.StringIO()
    print_summary(sample_model(), Console(file=buffer, width=60, color_system=None, force_terminal=False))
    text = buffer.getvalue()
    assert "…" not in text
    # The first column of every table row, read top to bottom: a folded name continues on the next line.
    first_column = "".join(line.split("│")[0].strip() for line in text.splitlines() if "│" in line)
    for name in (
        "cis-aws-foundations@7.0.0",
        "ec2.security_group_admin_ports",
        "s3.bucket_public_access_block",
    ):
        assert name in first_column, name

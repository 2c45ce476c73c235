"""Every format stays valid for its kind, and every format is written, whatever one value holds.

NaN and infinities (which JSON cannot express), lone surrogates (which UTF-8 cannot encode),
bidi overrides (which make text read in another order) and terminal escapes in one finding.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.table import Table
from rich.text import Text

from awsaudit.findings import Severity, Status
from awsaudit.report.model import build_report_model
from awsaudit.report.writer import FORMATS, ReportRenderError, write_reports
from awsaudit.snapshot import CollectionError
from awsaudit.terminal import inert, safe_console
from awsaudit.wellformed import wellformed
from tests.report.sample import ACCOUNT, FINDINGS, audit_result
from tests.report.sample import _finding as finding

SURROGATE = "\ud800"
RLO = "\u202e"  # right-to-left override
# Clear screen, retitle the window, and an OSC-8 link that disguises its target.
ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b]8;;https://evil.example\x1b\\docs.aws.amazon.com\x1b]8;;\x1b\\"
HOSTILE_RESOURCE = f"arn:aws:s3:::bucket-{SURROGATE}-{RLO}gpj.exe"


def _hostile_result() -> Any:
    hostile = finding(
        "s3.bucket_public_access_block",
        Status.FAIL,
        Severity.HIGH,
        "global",
        HOSTILE_RESOURCE,
        f"public {SURROGATE} bucket {RLO}{ESCAPES}",
        {
            "MinimumPasswordLength": math.nan,
            "Ratio": math.inf,
            "Floor": -math.inf,
            "nested": [{"deeper": math.nan, SURROGATE: "key"}],
            "name": f"tag {SURROGATE}",
        },
        name=f"name {SURROGATE}{RLO}",
    )
    error = CollectionError("s3", "global", "Buckets", "ListBuckets", "Odd", f"message {SURROGATE}{RLO}")
    base = audit_result((*FINDINGS, hostile))
    return replace(base, errors=(*base.errors, error), collection_seconds=math.nan)


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"bare {constant} in JSON output")

    return json.loads(text, parse_constant=refuse)


def test_every_format_is_written_and_valid_for_its_kind(tmp_path: Path) -> None:
    model = build_report_model(_hostile_result())
    written = {path.name: path for path in write_reports(model, list(FORMATS), tmp_path)}
    expected = {f.file_name for f in FORMATS.values()} | {
        f.companion for f in FORMATS.values() if f.companion
    }
    assert set(written) == expected

    texts = {name: path.read_bytes().decode("utf-8-sig") for name, path in written.items()}  # strict UTF-8
    for name, text in texts.items():
        assert SURROGATE not in text, name
    for name in ("awsaudit-findings.json", "awsaudit-findings.ocsf.json", "awsaudit-findings.asff.json"):
        _strict_json(texts[name])
    findings = _strict_json(texts["awsaudit-findings.json"])
    assert "NaN" in json.dumps(findings) and "Infinity" in json.dumps(findings)

    embedded = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>',
        texts["awsaudit-report.html"],
        re.S,
    )
    assert embedded is not None
    _strict_json(embedded.group(1))

    ElementTree.fromstring(texts["awsaudit-findings.junit.xml"])
    rows = list(csv.reader(io.StringIO(texts["awsaudit-findings.csv"])))
    assert any("gpj.exe" in cell for row in rows for cell in row)
    for name in ("awsaudit-findings.csv", "awsaudit-summary.md", "awsaudit-remediation.md"):
        assert RLO not in texts[name], f"a bidi override reaches {name}"
        assert "\x1b" not in texts[name], f"an escape sequence reaches {name}"


def test_wellformed_keeps_clean_values_as_they_are() -> None:
    assert wellformed(FINDINGS) is FINDINGS
    assert wellformed({"a": [1, 2.5, "x"]}) == {"a": [1, 2.5, "x"]}
    assert wellformed({"n": math.nan, "s": f"a{SURROGATE}b"}) == {"n": "NaN", "s": "a\ufffdb"}


def test_a_renderer_that_fails_costs_only_its_own_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import awsaudit.report.writer as writer

    real = writer.renderer

    def broken_csv(name: str) -> Any:
        if name == "csv":

            def fail(_: object) -> bytes:
                raise ValueError("x" * 10_000)

            return fail
        return real(name)

    monkeypatch.setattr(writer, "renderer", broken_csv)
    model = build_report_model(audit_result())
    with pytest.raises(ReportRenderError) as raised:
        write_reports(model, ["json", "csv", "markdown"], tmp_path)
    assert len(str(raised.value)) < 300, "the message quotes a bounded part of the failure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["awsaudit-findings.json", "awsaudit-summary.md"]


def test_the_terminal_sanitiser_neutralises_escapes_everywhere() -> None:
    output = io.StringIO()
    console = safe_console(file=output, force_terminal=True, color_system="truecolor", width=200)
    table = Table("resource", "change")
    table.add_row(f"sg-1 {ESCAPES}", Text(f"{RLO}was {ESCAPES}", style="red"))
    console.print(f"[bold]diff[/] {ESCAPES.replace('[', '')}{RLO}{SURROGATE}")
    console.print(Text(f"plain {ESCAPES}"))
    console.print(table)
    printed = output.getvalue()
    for sequence in ("\x1b[2J", "\x1b]0;", "\x1b]8;", "\x07", RLO, SURROGATE):
        assert sequence not in printed, repr(sequence)
    assert "\x1b[1m" in printed, "rich's own styling still reaches the terminal"
    assert inert(f"a\nb{RLO}") == "a\ufffdb\ufffd"
    assert ACCOUNT not in printed

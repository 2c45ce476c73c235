"""Write the requested report formats into one directory, atomically and owner-readable only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from awsaudit.errors import AwsauditError, did_you_mean
from awsaudit.redaction import redact_bytes
from awsaudit.report.model import ReportModel
from awsaudit.snapshot import write_private_atomic


class ReportFormatError(AwsauditError, ValueError):
    """An unknown report format was requested."""


@dataclass(frozen=True)
class ReportFormat:
    name: str
    # Fixed: a file name is never derived from audited data.
    file_name: str
    description: str
    # A second file the format writes beside the first (the remediation script).
    companion: str | None = None


FORMATS: dict[str, ReportFormat] = {
    f.name: f
    for f in (
        ReportFormat(
            "json", "awsaudit-findings.json", "canonical JSON (schemas/awsaudit-findings-2.schema.json)"
        ),
        ReportFormat(
            "csv", "awsaudit-findings.csv", "one row per finding and per collection error, for spreadsheets"
        ),
        ReportFormat("ocsf", "awsaudit-findings.ocsf.json", "OCSF 1.5.0 Compliance Finding events"),
        ReportFormat("asff", "awsaudit-findings.asff.json", "AWS Security Finding Format for Security Hub"),
        ReportFormat("junit", "awsaudit-findings.junit.xml", "JUnit XML for CI systems"),
        ReportFormat("markdown", "awsaudit-summary.md", "Markdown summary for a pull-request comment"),
        ReportFormat("html", "awsaudit-report.html", "self-contained interactive HTML report"),
        ReportFormat(
            "remediation",
            "awsaudit-remediation.md",
            "remediation plan, riskiest first, with a commented-out bash script beside it",
            companion="awsaudit-remediation.sh",
        ),
    )
}


def renderer(name: str) -> Callable[[ReportModel], bytes]:
    # Imported on demand: the HTML renderer needs Jinja2, the others only the standard library.
    if name == "json":
        from awsaudit.report.json_report import render_json

        return render_json
    if name == "csv":
        from awsaudit.report.csv_report import render_csv

        return render_csv
    if name == "ocsf":
        from awsaudit.report.ocsf import render_ocsf

        return render_ocsf
    if name == "asff":
        from awsaudit.report.asff import render_asff

        return render_asff
    if name == "junit":
        from awsaudit.report.junit import render_junit

        return render_junit
    if name == "remediation":
        from awsaudit.report.remediation.render import render_remediation_markdown

        return render_remediation_markdown
    if name == "markdown":
        from awsaudit.report.markdown import render_markdown

        return render_markdown
    from awsaudit.report.html_report import render_html

    return render_html


def parse_formats(values: Sequence[str]) -> list[str]:
    """Format names from options like ``--output-format json,html --output-format csv`` (deduplicated)."""
    chosen: list[str] = []
    for value in values:
        for name in (part.strip().lower() for part in value.split(",")):
            if not name:
                continue
            if name not in FORMATS:
                hint = did_you_mean(name, FORMATS)
                raise ReportFormatError(
                    f"unknown output format {name!r}{hint} (choose from {', '.join(FORMATS)})"
                )
            if name not in chosen:
                chosen.append(name)
    return chosen


def write_reports(model: ReportModel, formats: Sequence[str], output_dir: Path) -> list[Path]:
    """Render each format and write it under ``output_dir`` with its fixed name; returns the paths."""
    names = parse_formats(formats)
    written = []
    for name in names:
        target = output_dir / FORMATS[name].file_name
        write_private_atomic(target, redact_bytes(renderer(name)(model)))
        written.append(target)
        companion_name = FORMATS[name].companion
        if companion_name is not None:
            from awsaudit.report.remediation.render import render_remediation_script

            companion = output_dir / companion_name
            write_private_atomic(companion, redact_bytes(render_remediation_script(model)))
            written.append(companion)
    return written

"""Write the requested report formats into one directory, atomically and owner-readable only."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from awsaudit.errors import AwsauditError, ExitCode, did_you_mean, shorten
from awsaudit.interrupts import deferred_interrupts
from awsaudit.redaction import redact_bytes
from awsaudit.report.model import ReportModel


class ReportFormatError(AwsauditError, ValueError):
    """An unknown report format was requested."""


class ReportRenderError(AwsauditError):
    """A renderer failed on this audit (a bug); the other formats were written."""

    exit_code = ExitCode.INTERNAL


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
    """Render each format and write it under ``output_dir`` with its fixed name; returns the paths.

    Every format is rendered before any file is touched, then all are written as temporary files
    and renamed into place together, with interrupts held back for the renames: the directory
    holds either the previous run's set or this run's, never a mix, and no temporary file. A
    format whose renderer fails does not stop the others: they are written, then the failure
    is raised (a bug: exit code 4).
    """
    rendered: dict[Path, bytes] = {}
    failures: list[str] = []
    for name in parse_formats(formats):
        try:
            files = _render(name, model, output_dir)
        except Exception as problem:  # a renderer bug must not cost the other formats
            failures.append(f"{name} ({type(problem).__name__}: {shorten(str(problem))})")
            continue
        rendered.update(files)
    write_private_atomic_all(rendered)
    if failures:
        raise ReportRenderError(f"could not render {', '.join(failures)}; the other formats were written")
    return list(rendered)


def _render(name: str, model: ReportModel, output_dir: Path) -> dict[Path, bytes]:
    files = {output_dir / FORMATS[name].file_name: redact_bytes(renderer(name)(model))}
    companion_name = FORMATS[name].companion
    if companion_name is not None:
        from awsaudit.report.remediation.render import render_remediation_script

        files[output_dir / companion_name] = redact_bytes(render_remediation_script(model))
    return files


def write_private_atomic_all(payloads: Mapping[Path, bytes]) -> None:
    """Write every payload to a 0600 temporary file beside its target, then rename them all.

    Any failure or interrupt before the renames removes the temporary files and leaves the
    targets as they were; the renames themselves run with interrupts deferred.
    """
    pending: list[tuple[str, Path]] = []
    try:
        for target, payload in payloads.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
            pending.append((temporary, target))
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        with deferred_interrupts():
            while pending:
                temporary, target = pending[0]
                os.replace(temporary, target)
                pending.pop(0)
    finally:
        with deferred_interrupts():
            for temporary, _target in pending:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

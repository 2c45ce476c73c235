"""History output: `awsaudit diff` on the terminal (rich), as JSON (schema ``awsaudit.diff/1``) and
Markdown; the `history` listing and the `trend` sparklines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from awsaudit.findings import Severity
from awsaudit.report.history_model import (
    AuditSource,
    Change,
    Comparison,
    FieldChange,
    FindingChange,
    Kind,
    ResourceChange,
    TrendPoint,
)
from awsaudit.report.markdown import cell
from awsaudit.scan_records import ScanRecord

DIFF_SCHEMA = "awsaudit.diff/1"
_SEVERITIES = sorted(Severity, key=lambda s: -s.rank)
_LISTED = (
    Change.NEW,
    Change.NEWLY_CHECKED,
    Change.REGRESSED,
    Change.RESOLVED,
    Change.SUPPRESSED,
    Change.UNVERIFIED,
)
_VALUE_WIDTH = 160
_MARKDOWN_ROWS = 50
_BLOCKS = "▁▂▃▄▅▆▇█"
_STYLE = {Kind.ADDED: "green", Kind.REMOVED: "red", Kind.CHANGED: "yellow"}
_SIGN = {Kind.ADDED: "+", Kind.REMOVED: "-", Kind.CHANGED: "~"}


def sparkline(values: list[float | None], low: float = 0.0, high: float | None = None) -> str:
    """One block per value on a scale from ``low`` to ``high`` (default: the largest value); a gap
    where there is no value. A fixed floor keeps a steady 75% from looking like a steady 0%."""
    known = [v for v in values if v is not None]
    top = max(known, default=low) if high is None else high
    span = top - low
    return "".join(
        " "
        if v is None
        else _BLOCKS[0 if span <= 0 else round((min(v, top) - low) / span * (len(_BLOCKS) - 1))]
        for v in values
    )


def add_rate_and_failing_rows(table: Table, series: Sequence[Any]) -> None:
    """The trend rows account and organization charts share: pass rate per framework, failing
    findings per severity (each point has ``rates`` and ``failing``)."""
    for key in sorted({k for p in series for k in p.rates}):
        rates = [p.rates[key].pass_rate if key in p.rates else None for p in series]
        known = [r for r in rates if r is not None]
        table.add_row(
            Text(f"pass rate {key}"),
            sparkline(rates, high=1.0),
            f"{100 * known[0]:.0f}%" if known else "-",
            f"{100 * known[-1]:.0f}%" if known else "-",
        )
    for severity in _SEVERITIES:
        counts = [p.failing[severity] for p in series]
        table.add_row(
            f"failing {severity.value}",
            sparkline([float(c) for c in counts]),
            str(counts[0]),
            str(counts[-1]),
        )


def _label(change: Change) -> str:
    return change.value.replace("_", " ")


def _side(source: AuditSource) -> dict[str, Any]:
    return {
        "label": source.findings.label,
        "account_id": source.findings.account_id,
        "collected_at": source.findings.collected_at.isoformat(),
        "scan_id": None if source.scan is None else source.scan.id,
    }


def _finding(item: FindingChange) -> dict[str, Any]:
    f = item.finding
    return {
        "change": item.change.value,
        "id": f.finding_id,
        "check_id": f.check_id,
        "severity": f.severity.value,
        "account_id": f.account_id,
        "region": f.region,
        "resource": f.resource,
        "message": f.message,
        "old_status": item.old_status,
        "new_status": item.new_status,
    }


def _field(change: FieldChange) -> dict[str, Any]:
    return {"path": change.path, "kind": change.kind.value, "old": change.old, "new": change.new}


def _resource(change: ResourceChange) -> dict[str, Any]:
    document: dict[str, Any] = {
        "service": change.service,
        "region": change.region,
        "dataset": change.dataset,
        "resource": change.resource,
        "kind": change.kind.value,
    }
    if change.kind is Kind.CHANGED:
        document["fields"] = [_field(f) for f in change.fields]
    else:
        document["value"] = change.new if change.kind is Kind.ADDED else change.old
    return document


def diff_document(comparison: Comparison) -> dict[str, Any]:
    counts = comparison.findings.counts()
    configuration = comparison.configuration
    return {
        "schema": DIFF_SCHEMA,
        "old": _side(comparison.old),
        "new": _side(comparison.new),
        "counts": {c.value: {s.value: counts[c][s] for s in _SEVERITIES} for c in Change},
        "findings": [
            _finding(item) for item in comparison.findings.changes if item.change is not Change.UNCHANGED
        ],
        "configuration": None
        if configuration is None
        else {
            "resources": [_resource(r) for r in configuration.resources],
            "gaps": [
                {"service": g.service, "region": g.region, "dataset": g.dataset, "reason": g.reason}
                for g in configuration.gaps
            ],
        },
        "notes": list(comparison.notes),
    }


def render_json(comparison: Comparison) -> str:
    return json.dumps(diff_document(comparison), indent=1, ensure_ascii=False, default=str) + "\n"


def short(value: Any) -> str:
    """A value on one line, cut to a readable width."""
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    )
    text = " ".join(text.split())
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def field_line(change: FieldChange) -> str:
    """``path: value`` for an added or removed field (the caller shows the sign), ``old → new`` otherwise."""
    path = change.path or "(value)"
    if change.kind is Kind.CHANGED:
        return f"{path}: {short(change.old)} → {short(change.new)}"
    return f"{path}: {short(change.new if change.kind is Kind.ADDED else change.old)}"


# ------------------------------------------------------------------ terminal
def print_finding_changes(console: Console, heading: str, items: Sequence[FindingChange]) -> None:
    """One line per finding that changed, under `heading` and its count; nothing when none did."""
    if not items:
        return
    console.print(Text(f"\n{heading} ({len(items)})", style="bold"))
    for item in items:
        f = item.finding
        console.print(
            Text.assemble(
                f"  {f.severity.value:<8} ",
                (f.check_id, "cyan"),
                f"  {f.resource}  ",
                (f"{item.old_status} → {item.new_status}", "dim"),
            ),
            soft_wrap=True,
        )


def print_diff(comparison: Comparison, console: Console) -> None:
    old, new = comparison.old.findings, comparison.new.findings
    console.print(
        Text.assemble(
            ("Account ", "bold"),
            old.account_id,
            ": ",
            (old.label, "cyan"),
            f" ({old.collected_at:%Y-%m-%d %H:%M}) → ",
            (new.label, "cyan"),
            f" ({new.collected_at:%Y-%m-%d %H:%M})",
        )
    )
    counts = comparison.findings.counts()
    table = Table(title="Failing findings", title_justify="left")
    table.add_column("change")
    for severity in _SEVERITIES:
        table.add_column(severity.value, justify="right")
    table.add_column("total", justify="right")
    for change in Change:
        row = counts[change]
        table.add_row(_label(change), *(str(row[s]) for s in _SEVERITIES), str(sum(row.values())))
    console.print(table)
    for change in _LISTED:
        print_finding_changes(console, _label(change).capitalize(), comparison.findings.of(change))
    _print_configuration(comparison, console)
    for note in comparison.notes:
        console.print(Text(f"note: {note}", style="yellow"), soft_wrap=True)


def _print_configuration(comparison: Comparison, console: Console) -> None:
    configuration = comparison.configuration
    if configuration is None:
        return
    console.print(Text(f"\nConfiguration changes ({len(configuration.resources)} resources)", style="bold"))
    if not configuration.resources:
        console.print("  none")
    for resource in configuration.resources:
        console.print(
            Text.assemble(
                (f"  {_SIGN[resource.kind]} ", _STYLE[resource.kind]),
                (resource.where, "bold"),
                f" {resource.kind}",
            ),
            soft_wrap=True,
        )
        for change in resource.fields:
            console.print(
                Text(f"      {_SIGN[change.kind]} {field_line(change)}", style=_STYLE[change.kind]),
                soft_wrap=True,
            )
    for gap in configuration.gaps:
        console.print(
            Text(f"  ? {gap.service}/{gap.region}/{gap.dataset}: {gap.reason}", style="dim"), soft_wrap=True
        )


# ------------------------------------------------------------------ markdown
def render_markdown(comparison: Comparison) -> str:
    old, new = comparison.old.findings, comparison.new.findings
    lines = [
        f"## awsaudit diff: account {cell(old.account_id)}",
        "",
        f"{cell(old.label)} ({old.collected_at:%Y-%m-%d %H:%M} UTC) → {cell(new.label)} "
        f"({new.collected_at:%Y-%m-%d %H:%M} UTC)",
        "",
        "| change | " + " | ".join(s.value for s in _SEVERITIES) + " | total |",
        "|---|" + "---:|" * (len(_SEVERITIES) + 1),
    ]
    counts = comparison.findings.counts()
    for change in Change:
        row = counts[change]
        lines.append(
            f"| {_label(change)} | "
            + " | ".join(str(row[s]) for s in _SEVERITIES)
            + f" | {sum(row.values())} |"
        )
    for change in _LISTED:
        items = comparison.findings.of(change)
        if not items:
            continue
        lines += [
            "",
            f"### {_label(change).capitalize()} ({len(items)})",
            "",
            "| severity | check | resource | region | was → now |",
            "|---|---|---|---|---|",
        ]
        for item in items[:_MARKDOWN_ROWS]:
            f = item.finding
            lines.append(
                f"| {f.severity.value} | {cell(f.check_id)} | {cell(f.resource)} | {cell(f.region)} | "
                f"{item.old_status} → {item.new_status} |"
            )
        if len(items) > _MARKDOWN_ROWS:
            lines.append(f"\n… and {len(items) - _MARKDOWN_ROWS} more (see `--format json`).")
    configuration = comparison.configuration
    if configuration is not None:
        lines += ["", f"### Configuration changes ({len(configuration.resources)} resources)", ""]
        for resource in configuration.resources[:_MARKDOWN_ROWS]:
            lines.append(f"- **{cell(resource.where)}** {resource.kind}")
            lines += [f"  - {_SIGN[c.kind]} {cell(field_line(c))}" for c in resource.fields]
        if len(configuration.resources) > _MARKDOWN_ROWS:
            lines.append(
                f"- … and {len(configuration.resources) - _MARKDOWN_ROWS} more (see `--format json`)."
            )
        lines += [
            f"- ? {cell(f'{g.service}/{g.region}/{g.dataset}')}: {cell(g.reason)}" for g in configuration.gaps
        ]
    lines += [f"\n> note: {cell(note)}" for note in comparison.notes]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- history


def scans_document(listing: dict[str, list[ScanRecord]]) -> str:
    """`awsaudit history --format json`: every account's scans, newest first."""
    document = {
        account: [
            {
                "id": s.id,
                "collected_at": s.collected_at.isoformat(),
                "recorded_at": s.recorded_at.isoformat(),
                "identity": s.caller_arn,
                "regions": list(s.regions),
                "frameworks": list(s.frameworks),
                "checks": len(s.checks),
                "min_severity": s.min_severity.value,
                "tool_version": s.tool_version,
                "collection_seconds": s.collection_seconds,
                "collection_errors": len(s.errors),
                "status_counts": dict(s.status_counts),
                "snapshot": s.snapshot_path,
                "snapshot_sha256": s.snapshot_sha256,
                "organization_run": s.organization_run_id,
                "management_account_id": s.management_account_id,
            }
            for s in scans
        ]
        for account, scans in listing.items()
    }
    return json.dumps(document, indent=1) + "\n"


def print_scans(listing: dict[str, list[ScanRecord]], location: str, console: Console) -> None:
    """`awsaudit history`: one table of scans per account."""
    if not any(listing.values()):
        console.print(Text(f"No scans recorded in {location}."))
        return
    for account, scans in listing.items():
        table = Table(title=f"Account {account}", title_justify="left")
        columns = ("scan", "collected (UTC)", "regions", "checks", "FAIL", "PASS", "errors", "tool", "run")
        for column in columns:
            table.add_column(column, justify="right" if column in ("scan", "FAIL", "PASS") else "left")
        for s in scans:
            table.add_row(
                str(s.id),
                f"{s.collected_at:%Y-%m-%d %H:%M}",
                Text(", ".join(s.regions)),
                str(len(s.checks))
                + ("" if s.min_severity is Severity.INFO else f" (≥ {s.min_severity.value})"),
                str(s.status_counts.get("FAIL", 0)),
                str(s.status_counts.get("PASS", 0)),
                str(len(s.errors)),
                Text(s.tool_version),
                "-" if s.organization_run_id is None else str(s.organization_run_id),
            )
        console.print(table)


# ---------------------------------------------------------------- trend


def print_trend(account: str, series: list[TrendPoint], console: Console, note: str | None = None) -> None:
    """`awsaudit trend` for one account: pass rate per framework and failing findings by severity;
    ``note`` says which scans were left out for judging something else."""
    first, last = series[0].scan.collected_at, series[-1].scan.collected_at
    console.print(
        Text(f"Account {account}: {len(series)} scans, {first:%Y-%m-%d} → {last:%Y-%m-%d}", style="bold")
    )
    table = Table(show_header=True)
    table.add_column("series")
    table.add_column("trend")
    table.add_column("first", justify="right")
    table.add_column("last", justify="right")
    add_rate_and_failing_rows(table, series)
    console.print(table)
    if note:
        console.print(Text(f"note: {note}", style="yellow"), soft_wrap=True)

"""`awsaudit history|diff|trend --organization` in the terminal and as JSON (diff: Markdown too)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from awsaudit.report.history import add_rate_and_failing_rows, print_finding_changes, sparkline
from awsaudit.report.history_model import (
    AccountComparison,
    Change,
    FindingsDiff,
    OrganizationComparison,
    OrganizationTrendPoint,
)
from awsaudit.report.markdown import cell
from awsaudit.scan_records import SKIPPED, OrganizationRunRecord

ORGANIZATION_DIFF_SCHEMA = "awsaudit.organization-diff/1"
_MOVES = (Change.NEW, Change.NEWLY_CHECKED, Change.REGRESSED, Change.RESOLVED, Change.UNVERIFIED)
_MARKDOWN_ROWS = 50  # per table, as `diff --format markdown`: sized for a pull-request comment


# ---------------------------------------------------------------- runs


def _run(run: OrganizationRunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "run": run.run_key,
        "organization_id": run.organization_id,
        "management_account_id": run.management_account_id,
        "identity": run.caller_arn,
        "started_at": run.started_at.isoformat(),
        "recorded_at": run.recorded_at.isoformat(),
        "seconds": run.seconds,
        "tool_version": run.tool_version,
        "output": run.output_location,
        "accounts": [dict(account) for account in run.accounts],
    }


def organization_runs_document(runs: list[OrganizationRunRecord]) -> str:
    """`awsaudit history --organization --format json`: the runs, newest first, with their accounts."""
    return json.dumps({"organization_runs": [_run(run) for run in runs]}, indent=1) + "\n"


def print_organization_runs(runs: list[OrganizationRunRecord], location: str, console: Console) -> None:
    if not runs:
        console.print(Text(f"No organization runs recorded in {location}."))
        return
    table = Table(title="Organization runs", title_justify="left")
    for column in ("run", "started (UTC)", "organization", "management", "accounts", "not scanned", "scans"):
        table.add_column(column, justify="right" if column in ("run", "accounts", "not scanned") else "left")
    for run in runs:
        in_scope = [a for a in run.accounts if a.get("status") != SKIPPED]
        scan_ids = sorted(int(a["scan_id"]) for a in run.accounts if a.get("scan_id") is not None)
        table.add_row(
            str(run.id),
            f"{run.started_at:%Y-%m-%d %H:%M}",
            Text(run.organization_id),
            run.management_account_id,
            str(len(in_scope)),
            str(len(in_scope) - run.scanned),
            f"{scan_ids[0]}-{scan_ids[-1]}" if scan_ids else "-",
        )
    console.print(table)


# ---------------------------------------------------------------- diff


def _moves(diff: FindingsDiff | None) -> dict[str, int] | None:
    if diff is None:
        return None
    return {change.value: len(diff.of(change)) for change in Change}


def _account(row: AccountComparison) -> dict[str, Any]:
    return {
        "account_id": row.account_id,
        "name": row.name,
        "old_status": row.old_status,
        "new_status": row.new_status,
        "old_scan": row.old_scan,
        "new_scan": row.new_scan,
        "counts": _moves(row.findings),
    }


def _change(diff: FindingsDiff) -> list[dict[str, Any]]:
    return [
        {
            "change": item.change.value,
            "id": item.finding.finding_id,
            "check_id": item.finding.check_id,
            "severity": item.finding.severity.value,
            "account_id": item.finding.account_id,
            "resource": item.finding.resource,
            "message": item.finding.message,
            "old_status": item.old_status,
            "new_status": item.new_status,
        }
        for item in diff.changes
        if item.change is not Change.UNCHANGED
    ]


def organization_diff_document(comparison: OrganizationComparison) -> str:
    own = comparison.organization
    document = {
        "schema": ORGANIZATION_DIFF_SCHEMA,
        "organization_id": comparison.new.organization_id,
        "old": {"run": comparison.old.id, "started_at": comparison.old.started_at.isoformat()},
        "new": {"run": comparison.new.id, "started_at": comparison.new.started_at.isoformat()},
        "accounts": [_account(row) for row in comparison.accounts],
        "organization": None if own is None else {"counts": _moves(own), "findings": _change(own)},
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _status_change(row: AccountComparison) -> str:
    if row.old_status == row.new_status:
        return row.new_status or "-"
    return f"{row.old_status or 'not in run'} → {row.new_status or 'not in run'}"


def render_organization_markdown(comparison: OrganizationComparison) -> str:
    """`awsaudit diff --organization --format markdown`: the per-account table (accounts that changed
    first), then the organization checks' own changes."""
    old, new = comparison.old, comparison.new
    lines = [
        f"## awsaudit diff: organization {cell(new.organization_id)}",
        "",
        f"run {old.id} ({old.started_at:%Y-%m-%d %H:%M} UTC) → "
        f"run {new.id} ({new.started_at:%Y-%m-%d %H:%M} UTC)",
        "",
        "| account | name | status | " + " | ".join(_label(c) for c in Change) + " |",
        "|---|---|---|" + "---:|" * len(Change),
    ]
    rows = sorted(comparison.accounts, key=lambda row: not _changed(row))
    for row in rows[:_MARKDOWN_ROWS]:
        counts = _moves(row.findings)
        cells = ["-"] * len(Change) if counts is None else [str(counts[c.value]) for c in Change]
        lines.append(
            f"| {cell(row.account_id)} | {cell(row.name)} | {cell(_status_change(row))} | "
            + " | ".join(cells)
            + " |"
        )
    if len(rows) > _MARKDOWN_ROWS:
        lines.append(f"\n… and {len(rows) - _MARKDOWN_ROWS} more accounts (see `--format json`).")
    own = comparison.organization
    if own is None:
        lines += ["", "> note: the organization checks were not recorded in both runs."]
        return "\n".join(lines) + "\n"
    for change in _MOVES:
        items = own.of(change)
        if not items:
            continue
        lines += [
            "",
            f"### Organization checks: {_label(change)} ({len(items)})",
            "",
            "| severity | check | resource | was → now |",
            "|---|---|---|---|",
        ]
        for item in items[:_MARKDOWN_ROWS]:
            f = item.finding
            lines.append(
                f"| {f.severity.value} | {cell(f.check_id)} | {cell(f.resource)} | "
                f"{item.old_status} → {item.new_status} |"
            )
        if len(items) > _MARKDOWN_ROWS:
            lines.append(f"\n… and {len(items) - _MARKDOWN_ROWS} more (see `--format json`).")
    return "\n".join(lines) + "\n"


def _changed(row: AccountComparison) -> bool:
    counts = _moves(row.findings) or {}
    moved = any(counts.get(c.value) for c in Change if c is not Change.UNCHANGED)
    return moved or row.old_status != row.new_status


def _label(change: Change) -> str:
    return change.value.replace("_", " ")


def print_organization_diff(comparison: OrganizationComparison, console: Console) -> None:
    old, new = comparison.old, comparison.new
    console.print(
        Text.assemble(
            ("Organization ", "bold"),
            new.organization_id,
            f": run {old.id} ({old.started_at:%Y-%m-%d %H:%M})",
            f" → run {new.id} ({new.started_at:%Y-%m-%d %H:%M})",
        ),
        soft_wrap=True,
    )
    table = Table(title="Failing findings per account", title_justify="left")
    for column in ("account", "name", "status", *(c.value for c in Change)):
        table.add_column(column, justify="left" if column in ("account", "name", "status") else "right")
    for row in comparison.accounts:
        counts = _moves(row.findings)
        cells = ["-"] * len(Change) if counts is None else [str(counts[c.value]) for c in Change]
        table.add_row(row.account_id, Text(row.name), Text(_status_change(row)), *cells)
    console.print(table)
    own = comparison.organization
    if own is None:
        console.print(Text("The organization checks were not recorded in both runs.", style="yellow"))
        return
    for change in _MOVES:
        print_finding_changes(console, f"Organization checks, {change.value}", own.of(change))


# ---------------------------------------------------------------- trend


def print_organization_trend(
    organization: str, series: list[OrganizationTrendPoint], console: Console, note: str | None = None
) -> None:
    """Pass rate per framework and failing findings summed over every account of each run; ``note``
    says which runs were left out for judging something else."""
    first, last = series[0].run.started_at, series[-1].run.started_at
    console.print(
        Text(
            f"Organization {organization}: {len(series)} runs, {first:%Y-%m-%d} → {last:%Y-%m-%d} "
            "(summed over every account scanned in each run)",
            style="bold",
        ),
        soft_wrap=True,
    )
    table = Table(show_header=True)
    for column in ("series", "trend", "first", "last"):
        table.add_column(column, justify="right" if column in ("first", "last") else "left")
    scanned = [p.run.scanned for p in series]
    table.add_row(
        "accounts scanned", sparkline([float(n) for n in scanned]), str(scanned[0]), str(scanned[-1])
    )
    missing = [p.not_scanned for p in series]
    table.add_row(
        "accounts not scanned", sparkline([float(n) for n in missing]), str(missing[0]), str(missing[-1])
    )
    add_rate_and_failing_rows(table, series)
    console.print(table)
    if note:
        console.print(Text(f"note: {note}", style="yellow"), soft_wrap=True)

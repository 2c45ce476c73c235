"""The terminal summary of an organization scan: accounts by status, the worst accounts, OUs, files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from awsaudit.findings import Severity, Status
from awsaudit.report.organization_model import OrganizationSummary

_STATUS_STYLE = {"COMPLETE": "green", "UNREACHABLE": "red", "FAILED": "red"}
WORST_SHOWN = 10
SEVERITIES = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))


def print_organization_summary(
    summary: OrganizationSummary, console: Console, written: Sequence[str]
) -> None:
    structure = summary.structure
    counts = summary.status_counts()
    console.print(
        f"Organization [bold]{escape(structure.organization_id)}[/] (management account "
        f"{escape(structure.management_account_id)}) as {escape(structure.caller_arn)}; "
        f"{len(summary.rows)} account(s) in {summary.seconds:.1f} s: "
        + ", ".join(f"[{_STATUS_STYLE.get(s, '')}]{n} {s}[/]" for s, n in sorted(counts.items())),
        highlight=False,
    )
    for row in summary.rows:
        if not row.outcome.scanned:
            console.print(
                f"  {row.target.account_id} ({escape(row.target.name)}) {row.outcome.status.value}: "
                f"{escape(row.outcome.reason or '')}; its controls are UNKNOWN",
                highlight=False,
            )

    checks = summary.checks
    worst = summary.worst_rows(WORST_SHOWN)
    if worst:
        table = Table(title="Worst accounts (failing checks by severity)", show_edge=False)
        for column in ("account", "name", "scan", *SEVERITIES, "UNKNOWN checks"):
            table.add_column(column)
        for row in worst:
            _, *by_severity, unknown = row.badness(checks)
            table.add_row(
                row.target.account_id,
                escape(row.target.name),
                row.outcome.status.value,
                *(str(n) for n in by_severity),
                str(unknown),
            )
        console.print(table)

    units = summary.unit_rollup()
    if units:
        table = Table(title="Organizational units", show_edge=False)
        for column in ("unit", "accounts", "scanned", "FAIL findings", "most failing check"):
            table.add_column(column)
        for unit in units:
            top = Counter(unit["failing_checks"]).most_common(1)
            table.add_row(
                f"{escape(unit['name'])} ({unit['id']})",
                str(unit["accounts"]),
                str(unit["scanned"]),
                str(unit["findings"].get(Status.FAIL.value, 0)),
                f"{escape(top[0][0])} ({top[0][1]})" if top else "-",
            )
        console.print(table)

    for finding in summary.organization_findings:
        if finding.status in (Status.FAIL, Status.UNKNOWN):
            style = "red" if finding.status is Status.FAIL else "yellow"
            console.print(
                f"[{style}]{finding.status.value}[/] {escape(finding.check_id)}: {escape(finding.message)}",
                highlight=False,
            )
    if summary.not_scanned:
        console.print(
            f"{len(summary.not_scanned)} account(s) of the organization were not scanned (see the summary)"
        )
    for path in written:
        console.print(f"Wrote {path}", highlight=False, markup=False)

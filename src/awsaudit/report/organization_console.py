"""The terminal summary of an organization scan: accounts by status, the worst accounts, OUs, files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from awsaudit.accounts import AccountStatus
from awsaudit.findings import Severity, Status
from awsaudit.report.organization_model import OrganizationSummary
from awsaudit.terminal import inert

_STATUS_STYLE: dict[str, str] = {
    AccountStatus.COMPLETE: "green",
    AccountStatus.UNREACHABLE: "red",
    AccountStatus.FAILED: "red",
}
WORST_SHOWN = 10
LISTED_ACCOUNTS = 5
SEVERITIES = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))


def unreachable_line(summary: OrganizationSummary, audit_role: str | None) -> str | None:
    """One line for every member whose audit role could not be assumed (never one per account: a
    mistyped --audit-role would otherwise print the same error for each member)."""
    rows = [row for row in summary.rows if row.outcome.status is AccountStatus.UNREACHABLE]
    if not rows:
        return None
    caller = summary.structure.caller_account_id
    members = sum(1 for row in summary.rows if row.target.account_id != caller)
    role = f"role {audit_role}" if audit_role else "the audit role"
    hint = " — check --audit-role" if len(rows) == members else ""
    codes = ", ".join(sorted({row.outcome.error_code or "unknown error" for row in rows}))
    listed = [row.target.account_id for row in rows][:LISTED_ACCOUNTS]
    more = f" and {len(rows) - len(listed)} more" if len(rows) > len(listed) else ""
    return (
        f"{role} could not be assumed in {len(rows)}/{members} members{hint} "
        f"({codes}: {', '.join(listed)}{more})"
    )


def print_organization_summary(
    summary: OrganizationSummary,
    console: Console,
    written: Sequence[str],
    audit_role: str | None = None,
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
    unreachable = unreachable_line(summary, audit_role)
    if unreachable:
        console.print(escape(inert(unreachable)), style="red", highlight=False, soft_wrap=True)
    for row in summary.rows:
        if not row.outcome.scanned and row.outcome.status is not AccountStatus.UNREACHABLE:
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

    # One line per check and status: a check that fails in every member (the audit role, say)
    # would otherwise repeat the same sentence once per account.
    grouped: dict[tuple[Status, str], list[str]] = {}
    for finding in summary.organization_findings:
        if finding.status in (Status.FAIL, Status.UNKNOWN):
            grouped.setdefault((finding.status, finding.check_id), []).append(finding.message)
    for (status, check_id), messages in grouped.items():
        style = "red" if status is Status.FAIL else "yellow"
        text = (
            messages[0]
            if len(messages) == 1
            else f"{len(messages)} findings (the organization report lists them)"
        )
        console.print(
            f"[{style}]{status.value}[/] {escape(check_id)}: {escape(text)}", highlight=False, soft_wrap=True
        )
    if summary.not_scanned:
        console.print(
            f"{len(summary.not_scanned)} account(s) of the organization were not scanned (see the summary)"
        )
    for path in written:
        console.print(f"Wrote {path}", highlight=False, markup=False)

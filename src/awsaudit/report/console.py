"""The terminal summary: counts by status and severity, worst failing checks, framework scores."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from awsaudit.audit import AuditResult
from awsaudit.compliance.frameworks_model import ControlStatus
from awsaudit.findings import Severity, Status

_STATUS_STYLE = {"PASS": "green", "FAIL": "red", "UNKNOWN": "yellow", "MANUAL": "cyan"}


def print_summary(result: AuditResult, console: Console, written: list[str] | None = None) -> None:
    console.print(
        f"Account [bold]{result.snapshot_account}[/] as {result.caller_arn or '?'}; "
        f"collected {result.collected_at}; regions: {', '.join(result.regions) or '-'}",
        highlight=False,
    )
    table = Table(title="Findings by severity and status", show_edge=False)
    table.add_column("severity")
    for status in Status:
        table.add_column(status.value, justify="right", style=_STATUS_STYLE[status.value])
    counts = Counter((f.severity, f.status) for f in result.findings)
    for severity in sorted(Severity, key=lambda s: -s.rank):
        table.add_row(severity.value, *(str(counts[(severity, status)]) for status in Status))
    console.print(table)

    failing = Counter(f.check_id for f in result.findings if f.status is Status.FAIL)
    if failing:
        severity_of = {c.id: c.severity for c in result.selection.checks}
        worst = sorted(failing, key=lambda c: (-severity_of[c].rank, -failing[c], c))[:10]
        top = Table(title="Worst failing checks", show_edge=False)
        top.add_column("check")
        top.add_column("severity")
        top.add_column("failing resources", justify="right")
        for check_id in worst:
            top.add_row(check_id, severity_of[check_id].value, str(failing[check_id]))
        console.print(top)

    scores = Table(title="Compliance", show_edge=False)
    scores.add_column("framework")
    for status in ControlStatus:
        scores.add_column(status.value, justify="right")
    scores.add_column("pass rate", justify="right")
    for key, controls in result.rollups.items():
        by_status = Counter(r.status for r in controls)
        judged = by_status[ControlStatus.PASS] + by_status[ControlStatus.FAIL]
        rate = f"{100 * by_status[ControlStatus.PASS] / judged:.0f}%" if judged else "-"
        scores.add_row(key, *(str(by_status[s]) for s in ControlStatus), rate)
    console.print(scores)

    if result.errors:
        console.print(f"[yellow]{len(result.errors)} collection error(s)[/]; affected controls are UNKNOWN:")
        for error in result.errors[:20]:
            console.print(f"  - {error.describe()}", highlight=False, markup=False)
        if len(result.errors) > 20:
            console.print(f"  … and {len(result.errors) - 20} more (see the findings file)")
    for path in written or []:
        console.print(f"Wrote {path}", highlight=False)

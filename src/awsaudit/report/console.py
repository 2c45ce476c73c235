"""The terminal summary: counts by status and severity, worst failing checks, framework scores, files written.

Colour follows rich: none when the output is not a terminal or ``NO_COLOR`` is set.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from awsaudit.audit import AuditResult
from awsaudit.compliance.frameworks_model import ControlStatus
from awsaudit.findings import Severity
from awsaudit.report.model import ReportModel, ReportStatus, build_report_model
from awsaudit.snapshot import Snapshot
from awsaudit.terminal import inert

__all__ = ["inert", "print_collection", "print_summary"]

_STATUS_STYLE = {"PASS": "green", "FAIL": "red", "UNKNOWN": "yellow", "MANUAL": "cyan", "SUPPRESSED": "dim"}
MAX_LISTED = 20
# The narrowest a check or framework column gets before the other columns give way.
_NAME_MIN_WIDTH = 12


def _markup_safe(text: str) -> str:
    return escape(inert(text))


def print_summary(
    report: ReportModel | AuditResult, console: Console, written: list[str] | None = None
) -> None:
    model = report if isinstance(report, ReportModel) else build_report_model(report)
    console.print(
        f"Account [bold]{_markup_safe(model.account_id)}[/] as {_markup_safe(model.caller_arn or '?')}; "
        f"collected {model.collected_at_iso}; regions: {_markup_safe(', '.join(model.regions) or '-')}",
        highlight=False,
    )
    table = Table(title="Findings by severity and status", show_edge=False)
    table.add_column("severity")
    for status in ReportStatus:
        table.add_column(status.value, justify="right", style=_STATUS_STYLE[status.value], overflow="fold")
    counts = Counter((item.finding.severity, item.status) for item in model.findings)
    for severity in sorted(Severity, key=lambda s: -s.rank):
        table.add_row(severity.value, *(str(counts[(severity, status)]) for status in ReportStatus))
    console.print(table)

    failing = Counter(item.finding.check_id for item in model.findings if item.status is ReportStatus.FAIL)
    if failing:
        worst_severity: dict[str, Severity] = {}
        for item in model.findings:
            if item.status is ReportStatus.FAIL:
                seen = worst_severity.get(item.finding.check_id, Severity.INFO)
                worst_severity[item.finding.check_id] = max(seen, item.finding.severity, key=lambda s: s.rank)
        worst = sorted(failing, key=lambda c: (-worst_severity[c].rank, -failing[c], c))[:10]
        top = Table(title="Worst failing checks", show_edge=False)
        # Ids wrap on a narrow terminal instead of being cut to an ambiguous "iam.password_po…".
        top.add_column("check", overflow="fold", min_width=_NAME_MIN_WIDTH)
        top.add_column("severity")
        top.add_column("failing resources", justify="right")
        for check_id in worst:
            top.add_row(_markup_safe(check_id), worst_severity[check_id].value, str(failing[check_id]))
        console.print(top)

    if model.frameworks:
        scores = Table(title="Compliance (controls)", show_edge=False)
        # Names and headers wrap (fold) on a narrow terminal, never end in an ambiguous "…".
        scores.add_column("framework", overflow="fold", min_width=_NAME_MIN_WIDTH)
        # The pass rate first: on a terminal too narrow for every column, it is what stays in view.
        scores.add_column("pass rate", justify="right", overflow="fold")
        # NOT_SELECTED only when --checks, --exclude-checks or --severity left a control out.
        shown = [
            s
            for s in ControlStatus
            if s is not ControlStatus.NOT_SELECTED or any(f.counts()[s] for f in model.frameworks)
        ]
        for control_status in shown:
            scores.add_column(control_status.value, justify="right", overflow="fold")
        for framework in model.frameworks:
            tally = framework.counts()
            rate = framework.pass_rate()
            scores.add_row(
                _markup_safe(framework.key),
                "-" if rate is None else f"{100 * rate:.0f}%",
                *(str(tally[s]) for s in shown),
            )
        console.print(scores)
        for framework in model.frameworks:
            judged_here = framework.automated_here()
            if judged_here:
                console.print(
                    inert(
                        f"{framework.key}: {len(judged_here)} control(s) {judged_here[0].note} "
                        f"(counted in the pass rate): {', '.join(c.id for c in judged_here)}"
                    ),
                    highlight=False,
                    markup=False,
                )

    if model.errors:
        console.print(f"[yellow]{len(model.errors)} collection error(s)[/]; affected controls are UNKNOWN:")
        for error in model.errors[:MAX_LISTED]:
            console.print(f"  - {inert(error.describe())}", highlight=False, markup=False)
        if len(model.errors) > MAX_LISTED:
            console.print(f"  … and {len(model.errors) - MAX_LISTED} more (see the reports)")
    for expired in model.expired_suppressions:
        entry = expired.suppression
        console.print(
            inert(
                f"Suppression entry {entry.entry} ({entry.check} on {entry.resource}) expired on "
                f"{entry.expires}; {expired.resurfaced} finding(s) no longer suppressed"
            ),
            highlight=False,
            markup=False,
        )
    for path in written or []:
        console.print(f"Wrote {inert(path)}", highlight=False, markup=False)


def print_collection(snapshot: Snapshot, written: str, console: Console) -> None:
    """One line after `awsaudit collect`: what was collected, at what cost, and where it went."""
    calls = sum(snapshot.api_calls.values())
    retries = snapshot.statistics.get("retries", {})
    throttled = retries.get("throttling", 0)
    retried = f" ({sum(retries.values())} retried, {throttled} throttled)" if retries else ""
    console.print(
        f"Collected account {snapshot.account.account_id} in {len(snapshot.regions)} region(s): "
        f"{calls} API requests{retried} in {snapshot.duration_seconds:.1f} s, "
        f"{len(snapshot.errors)} collection error(s). Wrote {written}",
        highlight=False,
        soft_wrap=True,
    )

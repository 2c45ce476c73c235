"""A Markdown summary sized for a pull-request comment."""

from __future__ import annotations

import re
from collections import Counter

from awsaudit.compliance.frameworks_model import ControlStatus
from awsaudit.findings import Severity
from awsaudit.report.model import ReportFinding, ReportModel, ReportStatus
from awsaudit.terminal import BIDI_CONTROLS

MAX_ROWS = 50  # per table: GitHub caps a comment at 65,536 characters
MAX_CELL = 200
_MARKDOWN_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "~": "\\~",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        # A zero-width space after @ stops hostile names from mentioning people or teams.
        "@": "@\u200b",
        "\n": " ",
        "\r": " ",
    }
)


# Control characters would reach a terminal that prints the file (a CI log): ANSI sequences;
# bidi controls would make a row read in another order than it is written (Trojan Source).
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def cell(text: str) -> str:
    """Text from the audited account, inert inside a Markdown table cell."""
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return _CONTROL.sub("\ufffd", text.translate(_MARKDOWN_SPECIAL))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _worst_first(items: list[ReportFinding]) -> list[ReportFinding]:
    return sorted(items, key=lambda i: (-i.finding.severity.rank, i.finding.sort_key()))


def _findings_section(title: str, items: list[ReportFinding]) -> list[str]:
    if not items:
        return []
    rows = [
        [
            i.finding.severity.value,
            cell(i.finding.check_id),
            cell(i.finding.resource),
            cell(i.finding.region),
            cell(i.finding.message),
        ]
        for i in _worst_first(items)[:MAX_ROWS]
    ]
    lines = ["", f"### {title} ({len(items)})", ""]
    lines += _table(["Severity", "Check", "Resource", "Region", "Message"], rows)
    if len(items) > MAX_ROWS:
        lines += ["", f"… and {len(items) - MAX_ROWS} more in the full report."]
    return lines


def render_markdown(model: ReportModel) -> bytes:
    counts = model.status_counts()
    lines = [
        f"## awsaudit: account {cell(model.account_id)}",
        "",
        f"Collected {model.collected_at_iso} as {cell(model.caller_arn or '?')} in "
        f"{len(model.regions)} region(s) by awsaudit {cell(model.tool_version)}.",
        "",
        " · ".join(f"**{status.value}** {counts[status]}" for status in ReportStatus),
        "",
    ]
    by_severity = Counter((i.finding.severity, i.status) for i in model.findings)
    lines += _table(
        ["Severity", *(s.value for s in ReportStatus)],
        [
            [s.value, *(str(by_severity[(s, status)]) for status in ReportStatus)]
            for s in sorted(Severity, key=lambda s: -s.rank)
        ],
    )
    if model.frameworks:
        rows = []
        for framework in model.frameworks:
            rate = framework.pass_rate()
            tally = framework.counts()
            rows.append(
                [
                    cell(framework.title),
                    "-" if rate is None else f"{100 * rate:.0f}%",
                    *(str(tally[s]) for s in ControlStatus),
                ]
            )
        lines += ["", "### Compliance (controls)", ""]
        lines += _table(["Framework", "Pass rate", *(s.value for s in ControlStatus)], rows)
        for framework in model.frameworks:
            judged_here = framework.automated_here()
            if judged_here:
                ids = ", ".join(cell(c.id) for c in judged_here)
                note = f"{len(judged_here)} control(s) {judged_here[0].note}"
                lines += ["", f"{cell(framework.title)}: {note}: {ids}"]
    by_status: dict[ReportStatus, list[ReportFinding]] = {s: [] for s in ReportStatus}
    for item in model.findings:
        by_status[item.status].append(item)
    lines += _findings_section("Failing", by_status[ReportStatus.FAIL])
    lines += _findings_section("Unknown (could not be judged)", by_status[ReportStatus.UNKNOWN])
    if model.errors:
        lines += ["", f"### Collection errors ({len(model.errors)})", ""]
        lines += [f"- {cell(e.describe())}" for e in model.errors[:MAX_ROWS]]
        if len(model.errors) > MAX_ROWS:
            lines.append(f"- … and {len(model.errors) - MAX_ROWS} more")
    if model.expired_suppressions:
        lines += ["", f"### Expired suppressions ({len(model.expired_suppressions)})", ""]
        lines += _table(
            ["Entry", "Check", "Resource", "Expired", "Owner", "Reason", "Resurfaced"],
            [
                [
                    str(e.suppression.entry),
                    cell(e.suppression.check),
                    cell(e.suppression.resource),
                    str(e.suppression.expires),
                    cell(e.suppression.owner or "-"),
                    cell(e.suppression.reason),
                    str(e.resurfaced),
                ]
                for e in model.expired_suppressions
            ],
        )
    if counts[ReportStatus.SUPPRESSED]:
        lines += ["", f"{counts[ReportStatus.SUPPRESSED]} finding(s) suppressed; see the full report."]
    return ("\n".join(lines) + "\n").encode()

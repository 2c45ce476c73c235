"""The block every audit run ends with: the exit code and why, the reports, the scan id, what changed.

It is the last thing on the terminal, so a person (or a CI log reader) never has to scroll up to
learn why a run failed or where its report went; ``--quiet`` prints this block and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console

from awsaudit.report.console import inert
from awsaudit.report.model import ReportModel

if TYPE_CHECKING:
    from awsaudit.report.history_model import OrganizationComparison

# The changes a person acts on, in the order they are listed ("unchanged" is left out).
_CHANGES = ("new", "regressed", "resolved", "newly_checked", "unverified")


@dataclass(frozen=True)
class Verdict:
    """The code a run ends with and, in one clause, why (printed as ``exit 1: …``); exit_codes.py
    decides it."""

    code: int
    reason: str


@dataclass(frozen=True)
class Recorded:
    """Where the history store kept this audit (None when it was not recorded)."""

    scan_id: int
    store: str
    # An organization run is recorded as a run (with one scan per account): its id, and what reads it.
    organization_accounts: int | None = None

    def line(self) -> str:
        if self.organization_accounts is None:
            return f"Scan id: {self.scan_id} in {self.store}"
        return (
            f"Run id:  organization run {self.scan_id} ({self.organization_accounts} accounts) in "
            f"{self.store} (awsaudit history --organization, awsaudit diff --organization)"
        )


def changes_line(model: ReportModel, recorded: Recorded | None) -> str:
    if recorded is None:
        return "not compared: this audit was not recorded in the history store"
    since = model.history.since_last_scan if model.history else None
    if since is None:
        return f"first recorded scan of account {model.account_id}"
    counts = ", ".join(f"{since.counts.get(change, 0)} {change.replace('_', ' ')}" for change in _CHANGES)
    when = since.previous_collected_at.strftime("%Y-%m-%d %H:%M")
    return f"since scan {since.previous_scan_id} ({when}): {counts} (awsaudit diff)"


def organization_changes_line(organization_id: str, comparison: OrganizationComparison | None) -> str:
    """What changed since the organization's previous run, summed over the accounts scanned in both
    runs and the organization checks (``awsaudit diff --organization`` lists them per account)."""
    # Here: the history models cost every other run about 15 ms of start-up.
    from awsaudit.report.history_model import Change

    if comparison is None:
        return f"first recorded run of organization {organization_id}"
    diffs = [row.findings for row in comparison.accounts if row.findings is not None]
    compared = len(diffs)
    if comparison.organization is not None:
        diffs.append(comparison.organization)
    totals = {change: sum(len(diff.of(Change(change))) for diff in diffs) for change in _CHANGES}
    counts = ", ".join(f"{totals[change]} {change.replace('_', ' ')}" for change in _CHANGES)
    where = f"{compared} account(s) scanned in both runs"
    if comparison.organization is not None:
        where += " and the organization checks"
    old = comparison.old
    return (
        f"since organization run {old.id} ({old.started_at:%Y-%m-%d %H:%M}): {counts} in {where} "
        "(awsaudit diff --organization)"
    )


def print_verdict(
    console: Console,
    verdict: Verdict,
    written: Sequence[str],
    recorded: Recorded | None = None,
    changes: str | None = None,
) -> None:
    lines = [f"Result:  exit {verdict.code}: {verdict.reason}"]
    lines.append(f"Reports: {', '.join(written) if written else 'none written'}")
    if recorded is not None:
        lines.append(recorded.line())
    if changes is not None:
        lines.append(f"Changes: {changes}")
    for line in lines:
        console.print(inert(line), highlight=False, markup=False, soft_wrap=True)

"""`awsaudit diff`, `history`, `trend` and `prune`: questions to the history store.

The history and store modules are imported inside each command on purpose: they pull in SQLAlchemy
and Alembic, which the other commands (e.g. `scan --no-store`) must not pay for at start-up. So are
the history renderers (report/): their models of scans and comparisons cost about 15 ms to import.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from awsaudit.cli.common import console, guard
from awsaudit.cli.options import AccountOpt, OrganizationHistoryOpt, OrganizationIdOpt, StoreOpt
from awsaudit.errors import UsageProblem
from awsaudit.terminal import write_text

_DIFF_FORMATS = ("terminal", "json", "markdown")
_LIST_FORMATS = ("terminal", "json")


def diff(
    old: Annotated[
        str | None,
        typer.Argument(help="Older audit: a scan id or a snapshot file (default: the last but one)."),
    ] = None,
    new: Annotated[
        str | None, typer.Argument(help="Newer audit: a scan id or a snapshot file (default: the last scan).")
    ] = None,
    store: StoreOpt = None,
    account: AccountOpt = None,
    output_format: Annotated[str, typer.Option("--format", help="terminal, json or markdown.")] = "terminal",
    organization: OrganizationHistoryOpt = False,
    organization_id: OrganizationIdOpt = None,
) -> None:
    """Compare two audits: findings new, resolved, regressed, unchanged; configuration that changed.

    With --organization, OLD and NEW are organization run ids (default: the last two runs): each
    account is compared with its scan of the other run, and the organization checks with theirs.
    """

    def body() -> None:
        from awsaudit.history.compare import compare  # lazy (see the module docstring)
        from awsaudit.report.history import print_diff, render_json, render_markdown

        if output_format not in _DIFF_FORMATS:
            raise UsageProblem(f"unknown format {output_format!r} (choose {', '.join(_DIFF_FORMATS)})")
        _check_organization_options(organization, organization_id, account)
        if organization:
            _organization_diff(old, new, store, organization_id, output_format)
            return
        comparison = compare(old, new, store, account)
        if output_format == "json":
            write_text(sys.stdout, render_json(comparison))
        elif output_format == "markdown":
            write_text(sys.stdout, render_markdown(comparison))
        else:
            print_diff(comparison, console)

    guard(body)


def history(
    store: StoreOpt = None,
    account: AccountOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest scans shown per account.")] = 20,
    output_format: Annotated[str, typer.Option("--format", help="terminal or json.")] = "terminal",
    organization: OrganizationHistoryOpt = False,
    organization_id: OrganizationIdOpt = None,
) -> None:
    """List the recorded scans per account, newest first (--organization: the organization runs)."""

    def body() -> None:
        from awsaudit.report.history import print_scans, scans_document  # lazy (see the module docstring)
        from awsaudit.report.organization_history import organization_runs_document, print_organization_runs
        from awsaudit.store import open_store

        if output_format not in _LIST_FORMATS:
            raise UsageProblem(f"unknown format {output_format!r} (choose terminal or json)")
        _check_organization_options(organization, organization_id, account)
        if organization:
            with open_store(store) as opened:
                runs, location = opened.organization_runs(organization_id, limit=limit), opened.location
            if output_format == "json":
                write_text(sys.stdout, organization_runs_document(runs))
            else:
                print_organization_runs(runs, location, console)
            return
        with open_store(store) as opened:
            accounts = [account] if account else opened.accounts()
            listing = {a: opened.scans(a, limit=limit) for a in accounts}
            location = opened.location
        if output_format == "json":
            write_text(sys.stdout, scans_document(listing))
        else:
            print_scans(listing, location, console)

    guard(body)


def trend(
    store: StoreOpt = None,
    account: AccountOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=2, help="How many recent scans to chart.")] = 30,
    organization: OrganizationHistoryOpt = False,
    organization_id: OrganizationIdOpt = None,
) -> None:
    """Pass rate per framework and failing findings by severity over the recent scans (sparklines).

    With --organization: over the organization's recent runs, summed over every account of each run.
    """

    def body() -> None:
        from awsaudit.history.trend import account_trends  # lazy (see the module docstring)
        from awsaudit.report.history import print_trend

        _check_organization_options(organization, organization_id, account)
        if organization:
            from awsaudit.history.organization import organization_trends
            from awsaudit.report.organization_history import print_organization_trend

            for name, (points, note) in organization_trends(store, organization_id, limit).items():
                print_organization_trend(name, points, console, note)
            return

        for acct, (series, note) in account_trends(store, account, limit).items():
            print_trend(acct, series, console, note)

    guard(body)


def prune(
    older_than: Annotated[
        str,
        typer.Option("--older-than", help="Forget scans collected longer ago than this (180d, 26w, 12h)."),
    ],
    store: StoreOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would be removed.")] = False,
) -> None:
    """Remove old scans and their findings from the store (snapshot files are left in place)."""

    def body() -> None:
        from awsaudit.history.trend import cutoff  # lazy (see the module docstring)
        from awsaudit.store import open_store

        limit = cutoff(datetime.now(UTC), older_than)
        with open_store(store) as opened:
            removed = opened.prune(limit, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        console.print(
            f"{verb} {removed.scans} scan(s) and {removed.findings} finding(s) collected before "
            f"{limit:%Y-%m-%d %H:%M} UTC.",
            highlight=False,
        )

    guard(body)


def _check_organization_options(organization: bool, organization_id: str | None, account: str | None) -> None:
    if organization_id is not None and not organization:
        raise UsageProblem("--organization-id needs --organization")
    if organization and account is not None:
        raise UsageProblem("--account names one account's scans; --organization the organization's runs")


def _organization_diff(
    old: str | None, new: str | None, store: str | None, organization_id: str | None, output_format: str
) -> None:
    from awsaudit.history.organization import compare_organization  # lazy (see the module docstring)
    from awsaudit.report.organization_history import (
        organization_diff_document,
        print_organization_diff,
        render_organization_markdown,
    )

    comparison = compare_organization(old, new, store, organization_id)
    if output_format == "json":
        write_text(sys.stdout, organization_diff_document(comparison))
    elif output_format == "markdown":
        write_text(sys.stdout, render_organization_markdown(comparison))
    else:
        print_organization_diff(comparison, console)


def register(app: typer.Typer) -> None:
    """Add the history commands to a command line."""
    app.command()(diff)
    app.command()(history)
    app.command()(trend)
    app.command()(prune)

"""The history commands: `awsaudit diff`, `history`, `trend` and `prune` (registered by cli.py)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from awsaudit.findings import Severity

T = TypeVar("T")

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="AWSAUDIT_STORE",
        help="History database URL (sqlite:///PATH or postgresql://…); default: a file in the user data dir.",
    ),
]
AccountOpt = Annotated[
    str | None, typer.Option("--account", help="Account id (needed when the store holds several).")
]
_FORMATS = ("terminal", "json", "markdown")
_SEVERITIES = sorted(Severity, key=lambda s: -s.rank)

console = Console()
error_console = Console(stderr=True)


def _guard(action: Callable[[], T]) -> T:
    """Known input and store problems become one line on stderr and exit code 2."""
    from awsaudit.history.compare import DiffError
    from awsaudit.history.trend import TrendError
    from awsaudit.snapshot import SnapshotError
    from awsaudit.store import StoreError

    try:
        return action()
    except (StoreError, DiffError, TrendError, SnapshotError, OSError) as problem:
        error_console.print(f"awsaudit: error: {problem}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


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
) -> None:
    """Compare two audits: findings new, resolved, regressed, unchanged; configuration that changed."""

    def body() -> None:
        from awsaudit.history.compare import DiffError, compare
        from awsaudit.history.render import print_diff, render_json, render_markdown

        if output_format not in _FORMATS:
            raise DiffError(f"unknown format {output_format!r} (choose {', '.join(_FORMATS)})")
        comparison = compare(old, new, store, account)
        if output_format == "json":
            sys.stdout.write(render_json(comparison))
        elif output_format == "markdown":
            sys.stdout.write(render_markdown(comparison))
        else:
            print_diff(comparison, console)

    _guard(body)


def history(
    store: StoreOpt = None,
    account: AccountOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest scans shown per account.")] = 20,
    output_format: Annotated[str, typer.Option("--format", help="terminal or json.")] = "terminal",
) -> None:
    """List the recorded scans per account, newest first."""

    def body() -> None:
        from awsaudit.history.trend import TrendError
        from awsaudit.store import open_store

        if output_format not in ("terminal", "json"):
            raise TrendError(f"unknown format {output_format!r} (choose terminal or json)")
        with open_store(store) as opened:
            accounts = [account] if account else opened.accounts()
            listing = {a: opened.scans(a, limit=limit) for a in accounts}
            location = opened.location
        if output_format == "json":
            document = {
                a: [
                    {
                        "id": s.id,
                        "collected_at": s.collected_at.isoformat(),
                        "recorded_at": s.recorded_at.isoformat(),
                        "identity": s.caller_arn,
                        "regions": list(s.regions),
                        "frameworks": list(s.frameworks),
                        "checks": len(s.checks),
                        "tool_version": s.tool_version,
                        "collection_seconds": s.collection_seconds,
                        "collection_errors": len(s.errors),
                        "status_counts": dict(s.status_counts),
                        "snapshot": s.snapshot_path,
                        "snapshot_sha256": s.snapshot_sha256,
                    }
                    for s in scans
                ]
                for a, scans in listing.items()
            }
            sys.stdout.write(json.dumps(document, indent=1) + "\n")
            return
        if not any(listing.values()):
            console.print(Text(f"No scans recorded in {location}."))
            return
        for acct, scans in listing.items():
            table = Table(title=f"Account {acct}", title_justify="left")
            for column in ("scan", "collected (UTC)", "regions", "checks", "FAIL", "PASS", "errors", "tool"):
                table.add_column(column, justify="right" if column in ("scan", "FAIL", "PASS") else "left")
            for s in scans:
                table.add_row(
                    str(s.id),
                    f"{s.collected_at:%Y-%m-%d %H:%M}",
                    Text(", ".join(s.regions)),
                    str(len(s.checks)),
                    str(s.status_counts.get("FAIL", 0)),
                    str(s.status_counts.get("PASS", 0)),
                    str(len(s.errors)),
                    Text(s.tool_version),
                )
            console.print(table)

    _guard(body)


def trend(
    store: StoreOpt = None,
    account: AccountOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=2, help="How many recent scans to chart.")] = 30,
) -> None:
    """Pass rate per framework and failing findings by severity over the recent scans (sparklines)."""

    def body() -> None:
        from awsaudit.history.compare import DiffError
        from awsaudit.history.trend import sparkline
        from awsaudit.history.trend import trend as load_trend
        from awsaudit.store import open_store

        with open_store(store) as opened:
            accounts = [account] if account else opened.accounts()
            if not accounts:
                raise DiffError(f"the store {opened.location} holds no scans yet")
            points = {a: load_trend(opened, a, limit) for a in accounts}
        for acct, series in points.items():
            if not series:
                raise DiffError(f"no scans of account {acct}")
            first, last = series[0].scan.collected_at, series[-1].scan.collected_at
            console.print(
                Text(f"Account {acct}: {len(series)} scans, {first:%Y-%m-%d} → {last:%Y-%m-%d}", style="bold")
            )
            table = Table(show_header=True)
            table.add_column("series")
            table.add_column("trend")
            table.add_column("first", justify="right")
            table.add_column("last", justify="right")
            keys = sorted({k for p in series for k in p.rates})
            for key in keys:
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
            console.print(table)

    _guard(body)


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
        from awsaudit.history.trend import cutoff
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

    _guard(body)


def register(app: typer.Typer) -> None:
    """Add the history commands to the main command line."""
    app.command()(diff)
    app.command()(history)
    app.command()(trend)
    app.command()(prune)

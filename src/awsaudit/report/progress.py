"""Progress of an organization scan on the terminal: accounts done, running and not scanned."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from awsaudit.accounts import AccountOutcome, AccountTarget


class AccountProgress:
    """Accounts done / running / not scanned out of the accounts in scope, on ``console`` when it is a
    terminal (nothing otherwise, so redirected output stays clean)."""

    def __init__(self, console: Console, *, show_running: bool = False, hidden: bool = False) -> None:
        running = [TextColumn("{task.fields[running]} running")] if show_running else []
        self._bar = Progress(
            TextColumn("accounts"),
            BarColumn(),
            MofNCompleteColumn(),
            *running,
            TextColumn("{task.fields[failed]} not scanned"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=hidden or not console.is_terminal,
        )
        self._task = self._bar.add_task("accounts", total=0, failed=0, running=0)
        self._failed = 0

    def start(self, targets: Sequence[AccountTarget]) -> None:
        self._bar.update(self._task, total=len(targets))

    def running(self, count: int) -> None:
        self._bar.update(self._task, running=count)

    def done(self, outcome: AccountOutcome) -> None:
        self._failed += not outcome.scanned
        self._bar.update(self._task, advance=1, failed=self._failed)

    def __enter__(self) -> AccountProgress:
        self._bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._bar.stop()

"""Progress on the terminal: a collection's tasks done, an organization scan's accounts done, running and
not scanned. Nothing is drawn when the console is not a terminal, so redirected output stays clean.

rich.progress is imported where a bar is built: a collection without a terminal draws none, and
need not import it (about 5 ms).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console

from awsaudit.accounts import AccountOutcome, AccountTarget

if TYPE_CHECKING:
    from rich.progress import Progress


class CollectionBar:
    """Collection tasks done out of tasks known, on stderr (collect/progress.py's events); the bar
    appears with the first task and goes when the ``with`` block ends."""

    def __init__(self, enabled: bool) -> None:
        console = Console(stderr=True)
        self._bar: Progress | None = None
        self._started = False
        if enabled and console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("collecting"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            # The clock starts with the first task, not when the command built the bar.
            self._task = self._bar.add_task("collect", total=0, start=False)

    def tasks_added(self, count: int) -> None:
        if self._bar is not None:
            total = self._bar.tasks[0].total or 0
            self._bar.update(self._task, total=total + count)
            if not self._started:
                self._bar.start_task(self._task)
                self._bar.start()
                self._started = True

    def task_done(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def __enter__(self) -> CollectionBar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None and self._started:
            self._bar.stop()


class AccountProgress:
    """Accounts done / running / not scanned out of the accounts in scope, on ``console`` when it is a
    terminal (nothing otherwise, so redirected output stays clean)."""

    def __init__(self, console: Console, *, show_running: bool = False, hidden: bool = False) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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

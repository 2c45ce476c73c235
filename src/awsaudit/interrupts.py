"""Short critical sections that an interrupt must not cut in half.

Renaming a set of finished report files into place, or removing a scan that was recorded for
reports that were then not written, takes milliseconds; an interrupt in the middle would leave
a mixed set (new JSON beside the previous run's HTML) or a half-recorded scan. Inside
:func:`deferred_interrupts` SIGINT and SIGTERM are held back and delivered when it ends, so the
process still stops, one step later. Only the main thread can change the signal mask for the
signals Python handles, so elsewhere the block runs as it is.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_HELD = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the CLI. A BaseException, and not a KeyboardInterrupt, so that
    neither ``except Exception`` nor the command-line library's Ctrl-C handling (which exits
    silently with 130) swallows it: the CLI prints one line and exits with 128 + the signal."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _raise_interrupted(signum: int, _frame: object) -> None:
    # Later signals are ignored: the first is already unwinding the run, and the cleanup it
    # runs (temporary files removed, a scan recorded for unwritten reports forgotten) must not
    # be cut short by a second one sent a few milliseconds later.
    for held in _HELD:
        signal.signal(held, signal.SIG_IGN)
    raise Interrupted(signum)


def install_interrupt_handlers() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread (the CLI's ``main``)."""
    for held in _HELD:
        signal.signal(held, _raise_interrupted)

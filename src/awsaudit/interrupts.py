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

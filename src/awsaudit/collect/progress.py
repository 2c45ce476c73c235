"""What a collection tells whoever shows its progress: tasks planned and tasks finished.

Collection only emits these events; drawing them (a progress bar on a terminal) is report/'s job
(``report/progress.py``) and choosing to draw them is the CLI's.
"""

from __future__ import annotations

from typing import Protocol


class CollectionProgress(Protocol):
    """Told from the thread that runs the collection; the total grows as detail tasks appear."""

    def tasks_added(self, count: int) -> None: ...

    def task_done(self) -> None: ...

"""The garbage collector of a process that owns its heap: the CLI's, an organization scan's workers.

A scan builds a few million long-lived objects (service models, the action catalog, the snapshot,
findings) and little cyclic garbage; at the default thresholds the collector traversed them over
and over, about a fifth of a scan's CPU. Full collections still run (every 2e7 allocations at
most), so cycles left by per-account clients stay bounded. Library callers (tests, Dask workers,
the check runner) keep their process's own setting.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (100_000, 20, 10)


def tune_collector() -> None:
    """The thresholds above, and what the process built so far (its imports: modules, classes,
    functions, which live as long as the process) frozen: the collector never traverses it again."""
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()

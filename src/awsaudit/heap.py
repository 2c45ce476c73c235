"""The garbage collector of a process that owns its heap: the CLI's, an organization scan's workers.

A scan builds a few million long-lived objects (service models, the action catalog, the snapshot,
findings) and little cyclic garbage; at the default thresholds the collector traversed them over
and over, about a fifth of a scan's CPU. Full collections still run (every 2e7 allocations at
most), so cycles left by per-account clients stay bounded. Library callers (tests, Dask workers,
the check runner) keep their process's own setting.

A command that audits one account and exits (a single-account scan, `evaluate`) keeps what it
builds to the end, so the middle generation's passes only move survivors along: in an evaluation
of 400,000 findings one such pass walked about two million young survivors, ≈ 0.5–0.8 s. Those
commands collect the middle generation fifty times less often; an organization scan does not,
since every account it finishes leaves clients behind for the collector to free.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (100_000, 20, 10)
ONE_ACCOUNT_GC_THRESHOLDS = (100_000, 1_000, 10)


def tune_collector() -> None:
    """The thresholds above, and what the process built so far (its imports: modules, classes,
    functions, which live as long as the process) frozen: the collector never traverses it again."""
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()


def tune_collector_for_one_account() -> None:
    """The thresholds of a command whose whole heap lives until it exits (see above)."""
    gc.set_threshold(*ONE_ACCOUNT_GC_THRESHOLDS)

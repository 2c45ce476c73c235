"""One account audited from start to finish: its snapshot collected (or loaded), judged in its
organization's context when one is given, kept when asked, evaluated.

The command line parses options into one of these calls and hands what comes back to the report
writers; an organization scan audits its members with its own task (awsaudit.organization.task).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from awsaudit.audit import AuditResult, Selection, evaluate
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.errors import AwsauditError
from awsaudit.snapshot import Snapshot, load, save


@dataclass(frozen=True)
class AccountAudit:
    snapshot: Snapshot
    result: AuditResult
    snapshot_path: Path | None  # the file the snapshot was loaded from or kept in
    management_account: str | None  # set when the organization's context was applied


class SnapshotNotKept(AwsauditError):
    """The collection finished but could not be written where asked; the caller still holds it."""

    def __init__(self, snapshot: Snapshot, problem: OSError) -> None:
        super().__init__(str(problem))
        self.snapshot = snapshot
        self.problem = problem


def audit_collected(
    session: Any,
    options: CollectOptions,
    selection: Selection,
    config: AuditConfig,
    *,
    context: Mapping[str, Any] | None = None,
    keep: Path | None = None,
) -> AccountAudit:
    """Collect what `selection` needs with `session`, apply the organization `context`, write the
    snapshot to `keep` (before evaluating, so a failed evaluation never costs the collection)."""
    snapshot = collect(session, options)
    management = _in_context(snapshot, context)
    saved = None
    if keep is not None:
        try:
            saved = save(snapshot, keep)
        except OSError as problem:
            raise SnapshotNotKept(snapshot, problem) from None
    return AccountAudit(snapshot, evaluate(snapshot, selection, config), saved, management)


def audit_saved(
    path: Path, selection: Selection, config: AuditConfig, *, context_file: Path | None = None
) -> AccountAudit:
    """Evaluate the snapshot at `path`, in the organization context read from `context_file`."""
    snapshot = load(path)
    context = None
    if context_file is not None:
        from awsaudit.organization.member_context import context_from_file

        context = context_from_file(context_file, config)
    management = _in_context(snapshot, context)
    return AccountAudit(snapshot, evaluate(snapshot, selection, config), path, management)


def _in_context(snapshot: Snapshot, context: Mapping[str, Any] | None) -> str | None:
    if context is None:
        return None
    # Imported here: an audit without an organization context never loads the organization machinery.
    from awsaudit.organization.member_context import apply_context

    return apply_context(snapshot, context)

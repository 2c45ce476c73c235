"""From a snapshot and a selection of checks to one audit result (findings and rollups)."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from awsaudit import __version__
from awsaudit.checks.registry import CheckMeta, all_checks
from awsaudit.checks.runner import run_checks
from awsaudit.compliance.frameworks_model import (
    ControlResult,
    Framework,
    find_framework,
    rollup_counts,
    status_counts,
)
from awsaudit.config import AuditConfig
from awsaudit.errors import AwsauditError, did_you_mean
from awsaudit.findings import Finding, Severity
from awsaudit.snapshot import CollectionError, Snapshot


class SelectionError(AwsauditError):
    """The requested checks, frameworks or severity do not exist."""


@dataclass(frozen=True)
class Selection:
    frameworks: tuple[Framework, ...]
    checks: tuple[CheckMeta, ...]
    # --severity: findings below it are left out too (a finding's evidence may lower its severity).
    min_severity: Severity | None = None

    def keeps(self, finding: Finding) -> bool:
        floor = self.min_severity
        return floor is None or finding.severity.rank >= floor.rank

    def describe(self) -> str:
        """What was selected, for telling scans of different selections apart (diff, trend)."""
        parts = [", ".join(f.key for f in self.frameworks), f"{len(self.checks)} checks"]
        if self.min_severity is not None:
            parts.append(f"severity >= {self.min_severity.value}")
        return "; ".join(parts)

    def dataset_keys(self) -> frozenset[str]:
        """The datasets the selected checks read: what a scan collects."""
        return frozenset(need.key for meta in self.checks for need in meta.needs)

    def dataset_fields(self) -> dict[str, frozenset[str]]:
        """For each dataset whose every reader names the sub-call fields it reads, their union:
        a scan makes no other sub-call of that dataset (absent: all of them)."""
        fields: dict[str, frozenset[str] | None] = {}
        for need in (need for meta in self.checks for need in meta.needs):
            known = fields.get(need.key, frozenset())
            fields[need.key] = None if known is None or need.fields is None else known | need.fields
        return {key: named for key, named in fields.items() if named is not None}


def select(
    frameworks: Sequence[str] = (),
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    min_severity: str | None = None,
) -> Selection:
    """Checks chosen by framework, id globs and minimum severity."""
    registry = all_checks()
    chosen_frameworks = tuple(find_framework(name) for name in frameworks)
    candidates = list(registry.values())
    if chosen_frameworks:
        wanted = set().union(*(f.check_ids() for f in chosen_frameworks))
        candidates = [c for c in candidates if c.id in wanted]
    for pattern in (*include, *exclude):
        if not any(fnmatch.fnmatchcase(c, pattern) for c in registry):
            hint = did_you_mean(pattern, registry) or " (see `awsaudit checks`)"
            raise SelectionError(f"no check matches {pattern!r}{hint}")
    if include:
        candidates = [c for c in candidates if any(fnmatch.fnmatchcase(c.id, p) for p in include)]
    candidates = [c for c in candidates if not any(fnmatch.fnmatchcase(c.id, p) for p in exclude)]
    floor: Severity | None = None
    if min_severity is not None:
        try:
            floor = Severity(min_severity.lower())
        except ValueError:
            choices = ", ".join(s.value for s in Severity)
            hint = did_you_mean(min_severity, (s.value for s in Severity))
            raise SelectionError(
                f"unknown severity {min_severity!r} for --severity{hint} (choose from {choices})"
            ) from None
        candidates = [c for c in candidates if c.severity.rank >= floor.rank]
    if not candidates:
        raise SelectionError("the selection contains no checks")
    if not chosen_frameworks:
        chosen_frameworks = (find_framework("cis-aws-foundations"), find_framework("guide"))
    return Selection(frameworks=chosen_frameworks, checks=tuple(candidates), min_severity=floor)


@dataclass(frozen=True)
class AuditResult:
    """The raw outcome of one audit; reports render it through ``awsaudit.report.model``."""

    snapshot_account: str
    caller_arn: str
    partition: str
    collected_at: str
    collection_seconds: float
    regions: tuple[str, ...]
    selection: Selection
    findings: tuple[Finding, ...]
    errors: tuple[CollectionError, ...]
    rollups: dict[str, list[ControlResult]]
    tool_version: str = __version__
    below_severity: int = 0  # findings left out because their severity is below --severity


def evaluate(snapshot: Snapshot, selection: Selection, config: AuditConfig) -> AuditResult:
    judged = run_checks(snapshot, selection.checks, config)
    findings = judged if selection.min_severity is None else [f for f in judged if selection.keeps(f)]
    evaluated = {c.id for c in selection.checks}
    registered = set(all_checks())
    counts = status_counts(findings)
    return AuditResult(
        snapshot_account=snapshot.account.account_id,
        caller_arn=snapshot.account.caller_arn,
        partition=snapshot.account.partition,
        collected_at=snapshot.collected_at_iso,
        collection_seconds=snapshot.duration_seconds,
        regions=tuple(snapshot.regions),
        selection=selection,
        findings=tuple(findings),
        errors=tuple(snapshot.errors),
        rollups={f.key: rollup_counts(f, counts, evaluated, registered) for f in selection.frameworks},
        below_severity=len(judged) - len(findings),
    )

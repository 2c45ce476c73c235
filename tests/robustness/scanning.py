"""Scanning the lab the way `awsaudit scan` does, with fault-injection hooks, and comparing results."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import boto3

from awsaudit.audit import AuditResult, Selection, evaluate, select
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot

HOME = "us-east-1"
# The `awsaudit` command, run as `python -c CLI ...` in a subprocess.
CLI = "from awsaudit.cli import main; main()"


@dataclass(frozen=True)
class Scan:
    snapshot: Snapshot
    result: AuditResult
    seconds: float  # collection and evaluation, wall clock

    def findings_by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in self.result.findings}


def scan_lab(
    lab: Lab,
    built: BuiltScenario,
    hooks: Iterable[Callable[[Any], None]] = (),
    selection: Selection | None = None,
    **options: Any,
) -> Scan:
    chosen = selection or select()
    started = time.monotonic()
    snapshot = collect(
        boto3.Session(region_name=HOME),
        CollectOptions(
            regions=built.regions,
            datasets=chosen.dataset_keys(),
            fields=chosen.dataset_fields(),  # as a scan collects
            endpoint_url=lab.endpoint_url,
            client_hooks=(*lab.client_hooks(), *hooks),
            **options,
        ),
    )
    result = evaluate(snapshot, chosen, AuditConfig())
    return Scan(snapshot, result, time.monotonic() - started)


def comparable(finding: Finding) -> tuple[Any, ...]:
    """Everything a reader sees of a finding (evidence included)."""
    return (
        finding.id,
        finding.check_id,
        finding.status,
        finding.severity,
        finding.region,
        finding.resource,
        finding.message,
        repr(finding.evidence),
    )

"""`awsaudit demo`: scan the embedded lab's misconfigured account through the real collection path."""

from __future__ import annotations

from dataclasses import dataclass

import boto3

from awsaudit.audit import AuditResult, Selection, evaluate
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.lab.scenarios import build_scenario, scenario_named
from awsaudit.lab.server import running_lab
from awsaudit.report.progress import CollectionBar


@dataclass(frozen=True)
class DemoRun:
    result: AuditResult
    planted: int
    scenario: str


def run_demo(
    selection: Selection, config: AuditConfig, scenario: str = "misconfigured", *, show_progress: bool = True
) -> DemoRun:
    """Start the lab, build the scenario, collect what the checks need, evaluate."""
    scenario_named(scenario)
    with running_lab() as lab:
        built = build_scenario(scenario, lab)
        session = boto3.Session(region_name="us-east-1")
        with CollectionBar(enabled=show_progress) as progress:
            options = CollectOptions(
                regions=built.regions,
                datasets=selection.dataset_keys(),
                fields=selection.dataset_fields(),
                endpoint_url=lab.endpoint_url,
                client_hooks=lab.client_hooks(),
                progress=progress,
            )
            snapshot = collect(session, options)
    return DemoRun(
        result=evaluate(snapshot, selection, config), planted=len(built.planted), scenario=scenario
    )

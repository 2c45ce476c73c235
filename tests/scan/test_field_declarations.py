"""A check that names the sub-call fields it reads judges exactly as it does with every field.

For each check that declares ``Needs.fields``, the lab is collected the way a scan of that check
alone collects it (only those sub-calls) and the check's findings are compared with those it makes
on a collection of every field: a field read but not declared would turn a finding UNKNOWN, or
change a verdict judged from what is missing.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from awsaudit.audit import Selection, evaluate, select
from awsaudit.checks.registry import all_checks
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.lab.scenarios import build_scenario
from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot

DECLARING = sorted(
    meta.id for meta in all_checks().values() if any(need.fields is not None for need in meta.needs)
)


def _collect(lab: Lab, regions: tuple[str, ...], selection: Selection, *, every_field: bool) -> Snapshot:
    options = CollectOptions(
        regions=regions,
        datasets=selection.dataset_keys(),
        fields={} if every_field else selection.dataset_fields(),
        endpoint_url=lab.endpoint_url,
        client_hooks=lab.client_hooks(),
        max_workers=8,
    )
    return collect(boto3.Session(region_name="us-east-1"), options)


def _findings(snapshot: Snapshot, selection: Selection) -> list[tuple[Any, ...]]:
    result = evaluate(snapshot, selection, AuditConfig())
    return sorted(
        (f.check_id, f.region, f.resource, f.status.value, f.severity.value, f.message, repr(f.evidence))
        for f in result.findings
    )


def test_checks_declare_fields() -> None:
    assert {"s3.bucket_public_access", "iam.identity_federation", "macie.sensitive_data_discovery"} <= set(
        DECLARING
    )


@pytest.mark.parametrize("scenario", ["misconfigured", "well-configured"])
def test_a_check_reading_only_its_fields_judges_as_with_every_field(lab: Lab, scenario: str) -> None:
    lab.reset()
    built = build_scenario(scenario, lab)
    everything = select(include=DECLARING)
    full = _collect(lab, built.regions, everything, every_field=True)
    for check_id in DECLARING:
        alone = select(include=[check_id])
        narrow = _collect(lab, built.regions, alone, every_field=False)
        assert _findings(narrow, alone) == _findings(full, alone), check_id

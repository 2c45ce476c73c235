"""Mutation fuzzing of the misconfigured lab account's snapshot (seeded, bounded to a few seconds).

No mutation may turn a FAIL or an UNKNOWN into a PASS; see mutations.py for what is mutated and
``python benchmarks/fuzz_snapshots.py --mutations 3000`` for the long campaign.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

import awsaudit.snapshot
from awsaudit.findings import Status
from tests.robustness.mutations import KINDS, duplicate_key_is_refused, evaluate, run_campaign, verdicts
from tests.robustness.scanning import Scan

MUTATIONS = 24
SEED = 15


@pytest.fixture(scope="module")
def document(clean_scan: Scan) -> dict[str, Any]:
    return clean_scan.snapshot.to_json()


def test_no_mutation_turns_a_fail_or_unknown_into_a_pass(document: dict[str, Any]) -> None:
    campaign = run_campaign(document, mutations=MUTATIONS, seed=SEED)
    assert campaign.mutations == MUTATIONS
    assert len(campaign.by_kind) >= len(KINDS) - 1  # the seed draws (nearly) every kind
    assert campaign.crashes == []
    assert [f"{f.mutation.describe()} -> {f.check} {f.resource}" for f in campaign.flips] == []


def _open_group_hidden_by_a_closed_twin(document: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """The region's first security group that fails a check, listed again after a rule-less copy."""
    _, findings = evaluate(copy.deepcopy(document))
    failing = {f.resource for f in findings if f.check_id.startswith("ec2.sg_") and f.status is Status.FAIL}
    mutated = copy.deepcopy(document)
    for region, datasets in mutated["datasets"]["ec2"].items():
        groups = datasets.get("SecurityGroups") or []
        for index, group in enumerate(groups):
            if any(group["GroupId"] in resource for resource in failing):
                groups.insert(index + 1, {**group, "IpPermissions": [], "IpPermissionsEgress": []})
                return mutated, group["GroupId"], region
    raise AssertionError("the misconfigured account has a failing security group")


def test_a_closed_twin_of_an_open_group_is_unknown_not_pass(document: dict[str, Any]) -> None:
    mutated, group_id, region = _open_group_hidden_by_a_closed_twin(document)
    snapshot, findings = evaluate(mutated)
    assert any("duplicate GroupId" in e.message for e in snapshot.errors)
    assert not [f for f in findings if group_id in f.resource and f.status is Status.PASS]
    group_checks = [f for f in findings if f.check_id.startswith("ec2.sg_") and f.region == region]
    assert group_checks and all(f.status is Status.UNKNOWN for f in group_checks)
    assert all("InvalidData" in f.message for f in group_checks)


def test_the_oracle_sees_the_flip_when_shapes_are_not_checked(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the shape check the same twin hides the open group: the comparison would catch it."""
    base = verdicts(evaluate(copy.deepcopy(document))[1])
    mutated, group_id, _ = _open_group_hidden_by_a_closed_twin(document)
    monkeypatch.setattr(awsaudit.snapshot, "shape_problem", lambda *_: None)
    _, findings = evaluate(mutated)
    flipped = [
        f
        for f in findings
        if group_id in f.resource
        and f.status is Status.PASS
        and base.get((f.check_id, f.resource, f.region)) is Status.FAIL
    ]
    assert flipped


@pytest.mark.parametrize("seed", range(5))
def test_a_duplicated_json_key_anywhere_refuses_the_file(document: dict[str, Any], seed: int) -> None:
    assert duplicate_key_is_refused(document, seed)

"""The runner's fast Finding constructor builds the same value as the dataclass's own."""

from __future__ import annotations

import dataclasses

import pytest

from awsaudit.findings import Finding, Severity, Status, new_finding


def test_new_finding_sets_every_field_as_the_constructor_does() -> None:
    values = {
        "check_id": "ec2.check",
        "status": Status.FAIL,
        "severity": Severity.HIGH,
        "account_id": "111122223333",
        "region": "eu-west-1",
        "resource": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1",
        "message": "sg-1 admits 0.0.0.0/0",
        "evidence": {"ports": [22]},
        "resource_name": "web",
    }
    # A field added to Finding must be added to new_finding too: the names are compared here.
    assert [f.name for f in dataclasses.fields(Finding)] == list(values)
    built = new_finding(**values)
    assert built == Finding(**values)
    assert built.id == Finding(**values).id
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.region = "us-east-1"  # type: ignore[misc]

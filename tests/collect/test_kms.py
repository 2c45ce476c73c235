"""KMS keys with metadata, rotation and key policy, collected from the lab."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot
from tests.collect.support import HOME, collect_lab, lab_client


@pytest.fixture(scope="module")
def built(clean_lab: Lab) -> tuple[Snapshot, dict[str, str]]:
    kms = lab_client(clean_lab, "kms")
    rotated = kms.create_key(Description="rotated")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotated)
    unrotated = kms.create_key(Description="unrotated")["KeyMetadata"]["KeyId"]
    signing = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    disabled = kms.create_key(Description="disabled")["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    ids = {"rotated": rotated, "unrotated": unrotated, "signing": signing, "disabled": disabled}
    return collect_lab(clean_lab, datasets=["kms/Keys"]), ids


def _keys(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    return {k["KeyId"]: k for k in snapshot.dataset("kms", HOME, "Keys")}


def test_every_key_carries_its_metadata_and_policy(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, ids = built
    assert snapshot.errors == []
    keys = _keys(snapshot)
    assert set(keys) == set(ids.values())
    for key in keys.values():
        assert key["KeyArn"] == key["KeyMetadata"]["Arn"]
        assert key["KeyMetadata"]["KeyManager"] == "CUSTOMER"
        assert json.loads(key["Policy"])["Statement"]


def test_rotation_is_read_for_enabled_symmetric_keys_only(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, ids = built
    keys = _keys(snapshot)
    assert keys[ids["rotated"]]["KeyRotationEnabled"] is True
    assert keys[ids["unrotated"]]["KeyRotationEnabled"] is False
    assert "KeyRotationEnabled" not in keys[ids["signing"]]  # AWS refuses the call for asymmetric keys
    assert "KeyRotationEnabled" not in keys[ids["disabled"]]
    assert snapshot.api_calls["kms.GetKeyRotationStatus"] == 2
    assert snapshot.api_calls["kms.DescribeKey"] == 4

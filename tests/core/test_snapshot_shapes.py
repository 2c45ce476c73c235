"""Loading a snapshot: data that is empty where it must not be, malformed or duplicated is never judged.

Each class of bad data is planted in an otherwise valid snapshot file: refused outright when the
file itself is not trustworthy JSON (duplicate keys, NaN), recorded as an InvalidData error on
exactly the dataset otherwise, so the checks that read it report UNKNOWN naming it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from awsaudit.findings import Status
from awsaudit.shapes import INVALID_DATA_CODE, SHAPES
from awsaudit.snapshot import SnapshotError, load, save
from tests.builders import SnapshotBuilder, run

_OPEN_GROUP = {
    "GroupId": "sg-open",
    "GroupName": "open",
    "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ],
    "IpPermissionsEgress": [],
}
_STRONG_POLICY = {
    "MinimumPasswordLength": 16,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "PasswordReusePrevention": 24,
}


def _document(**overrides: Any) -> dict[str, Any]:
    snapshot = (
        SnapshotBuilder(regions=("eu-west-1",))
        .with_dataset("ec2", "SecurityGroups", [dict(_OPEN_GROUP)], region="eu-west-1")
        .with_dataset("iam", "PasswordPolicy", {"PasswordPolicy": dict(_STRONG_POLICY)})
        .build()
    )
    document = snapshot.to_json()
    document.update(overrides)
    return document


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "snapshot.json"
    path.write_text(text)
    return path


def _refusal(snapshot_errors: list[Any], service: str, name: str) -> Any:
    matching = [e for e in snapshot_errors if e.service == service and e.dataset == name]
    assert len(matching) == 1, snapshot_errors
    assert matching[0].code == INVALID_DATA_CODE
    return matching[0]


def test_a_valid_document_loads_with_no_error(tmp_path: Path) -> None:
    loaded = load(_write(tmp_path, json.dumps(_document())))
    assert loaded.errors == []
    assert loaded.dataset("ec2", "eu-west-1", "SecurityGroups")[0]["GroupId"] == "sg-open"


def test_duplicate_json_key_refuses_the_file_in_one_line(tmp_path: Path) -> None:
    text = json.dumps(_document())
    # A second IpPermissions after the open one: json would keep the harmless last copy.
    text = text.replace('"IpPermissionsEgress": []', '"IpPermissionsEgress": [], "IpPermissions": []', 1)
    with pytest.raises(SnapshotError) as caught:
        load(_write(tmp_path, text))
    message = str(caught.value)
    assert "duplicate key 'IpPermissions'" in message
    assert "\n" not in message


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_refuse_the_file(tmp_path: Path, token: str) -> None:
    text = json.dumps(_document()).replace('"MinimumPasswordLength": 16', f'"MinimumPasswordLength": {token}')
    with pytest.raises(SnapshotError, match="not a valid snapshot"):
        load(_write(tmp_path, text))


def test_a_number_too_long_to_parse_is_a_one_line_error(tmp_path: Path) -> None:
    text = json.dumps(_document()).replace(
        '"MinimumPasswordLength": 16', '"MinimumPasswordLength": ' + "9" * 5000
    )
    with pytest.raises(SnapshotError, match="number too long"):
        load(_write(tmp_path, text))


@pytest.mark.parametrize("regions", [[], ["eu-west-1", "eu-west-1"], "eu-west-1", [7]])
def test_empty_or_malformed_region_list_refuses_the_file(tmp_path: Path, regions: Any) -> None:
    with pytest.raises(SnapshotError, match="region"):
        load(_write(tmp_path, json.dumps(_document(regions=regions))))


def _with_group(tmp_path: Path, groups: Any) -> Any:
    document = _document()
    document["datasets"]["ec2"]["eu-west-1"]["SecurityGroups"] = groups
    return load(_write(tmp_path, json.dumps(document)))


def test_missing_required_field_is_an_error_on_that_dataset_only(tmp_path: Path) -> None:
    group = {k: v for k, v in _OPEN_GROUP.items() if k != "IpPermissions"}
    loaded = _with_group(tmp_path, [group])
    error = _refusal(loaded.errors, "ec2", "SecurityGroups")
    assert error.region == "eu-west-1"
    assert "[0]: required field IpPermissions is missing" in error.message
    assert not loaded.has("ec2", "eu-west-1", "SecurityGroups")
    assert loaded.has("iam", "global", "PasswordPolicy")  # the rest of the snapshot is judged as usual


def test_duplicate_id_is_an_error_and_the_open_group_is_not_passed(tmp_path: Path) -> None:
    harmless_twin = {**_OPEN_GROUP, "IpPermissions": []}
    loaded = _with_group(tmp_path, [dict(_OPEN_GROUP), harmless_twin])
    assert "duplicate GroupId" in _refusal(loaded.errors, "ec2", "SecurityGroups").message
    findings = run(loaded, "ec2.sg_admin_ports_ipv4")
    assert findings and {f.status for f in findings} == {Status.UNKNOWN}
    assert "InvalidData" in findings[0].message


@pytest.mark.parametrize(
    ("field", "value", "check_id"),
    [
        ("RequireSymbols", "false", "iam.password_policy_complexity"),
        ("RequireSymbols", 0, "iam.password_policy_complexity"),
        ("MinimumPasswordLength", "16", "iam.password_policy_min_length"),
        ("MinimumPasswordLength", 16.5, "iam.password_policy_min_length"),
        ("MinimumPasswordLength", True, "iam.password_policy_min_length"),
    ],
)
def test_wrong_type_in_password_policy_is_unknown_not_pass(
    tmp_path: Path, field: str, value: Any, check_id: str
) -> None:
    document = _document()
    document["datasets"]["iam"]["global"]["PasswordPolicy"]["PasswordPolicy"][field] = value
    loaded = load(_write(tmp_path, json.dumps(document)))
    assert f".PasswordPolicy.{field}" in _refusal(loaded.errors, "iam", "PasswordPolicy").message
    assert [f.status for f in run(loaded, check_id)] == [Status.UNKNOWN]


def test_the_unmutated_password_policy_passes(tmp_path: Path) -> None:
    loaded = load(_write(tmp_path, json.dumps(_document())))
    for check_id in ("iam.password_policy_complexity", "iam.password_policy_min_length"):
        assert [f.status for f in run(loaded, check_id)] == [Status.PASS]


def test_in_memory_nan_is_refused_by_the_shape(tmp_path: Path) -> None:
    """A NaN that reaches a snapshot without going through JSON (a collector's float) is invalid too."""
    snapshot = SnapshotBuilder().with_dataset(
        "iam", "PasswordPolicy", {"PasswordPolicy": {**_STRONG_POLICY, "MinimumPasswordLength": float("nan")}}
    )
    from awsaudit.snapshot import validated_datasets

    valid, refused = validated_datasets(snapshot.build().datasets)
    assert valid == {}
    assert "found non-finite number" in refused[0].message


def test_a_saved_and_reloaded_refusal_stays_an_error(tmp_path: Path) -> None:
    loaded = _with_group(tmp_path, [{**_OPEN_GROUP, "IpPermissions": "none"}])
    again = load(save(loaded, tmp_path / "again.json"))
    assert [e.code for e in again.errors] == [INVALID_DATA_CODE]
    assert not again.has("ec2", "eu-west-1", "SecurityGroups")


def test_every_shape_accepts_its_own_description() -> None:
    """Each declared shape renders as text for docs/snapshot.md (and names no undeclared dataset)."""
    for key, shape in SHAPES.items():
        assert "/" in key
        assert shape.describe()


def test_a_snapshot_of_global_datasets_only_may_list_no_region(tmp_path: Path) -> None:
    """The organization summary holds global datasets only and says so in ``requested``."""
    document = _document(regions=[], requested=["iam/PasswordPolicy"])
    del document["datasets"]["ec2"]
    assert load(_write(tmp_path, json.dumps(document))).regions == []
    document["requested"] = ["iam/PasswordPolicy", "ec2/SecurityGroups"]  # regional data asked for
    with pytest.raises(SnapshotError, match="no collected region"):
        load(_write(tmp_path, json.dumps(document)))


def test_every_collected_dataset_has_a_shape_and_every_shape_a_dataset() -> None:
    from awsaudit.collect.registry import all_specs

    collected = set(all_specs())
    assert sorted(collected - set(SHAPES)) == []  # a new collector declares its shape in shapes/
    assert sorted(set(SHAPES) - collected) == []


def test_an_empty_object_is_not_a_registered_contact(tmp_path: Path) -> None:
    """null means "none set"; {} in its place (a garbled answer) must not read as a contact."""
    document = _document()
    contacts = {"BILLING": None, "OPERATIONS": None, "SECURITY": {}}
    document["datasets"]["account"] = {"global": {"AlternateContacts": contacts}}
    loaded = load(_write(tmp_path, json.dumps(document)))
    assert (
        "SECURITY: required field EmailAddress is missing"
        in _refusal(loaded.errors, "account", "AlternateContacts").message
    )
    assert [f.status for f in run(loaded, "account.security_contact")] == [Status.UNKNOWN]

"""A 200 answer that is empty where it must not be, malformed or duplicated is recorded as an
InvalidData error on exactly its dataset, never collected as data.

The lab answers every other request; the answers under test are planted from a botocore
``before-send`` hook, so botocore parses them exactly as it would AWS's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from awsaudit.collect.engine import CollectionFailed, CollectOptions, collect
from awsaudit.findings import Status
from awsaudit.lab.responses import canned_response
from awsaudit.lab.server import Lab
from awsaudit.shapes import INVALID_DATA_CODE
from awsaudit.snapshot import Snapshot
from tests.builders import run
from tests.collect.faults import FaultInjector
from tests.collect.support import HOME, OTHER, collect_lab, lab_client

_EC2_XML = {"Content-Type": "text/xml"}
# Everything ec2.sg_admin_ports_ipv4 reads, so its verdict turns on the planted answer alone.
_GROUP_CHECK_DATASETS = ["ec2/SecurityGroups", "ec2/NetworkInterfaces", "ec2/ManagedPrefixLists"]
_JSON = {"Content-Type": "application/x-amz-json-1.1"}


def _answer(service: str, operation: str, headers: dict[str, str], body: str) -> Callable[[Any], None]:
    """A client hook answering every ``service.operation`` call with HTTP 200 and ``body``."""

    def hook(client: Any) -> None:
        if client.meta.service_model.service_name != service:
            return

        def respond(request: Any, **_: Any) -> Any:
            return canned_response(request.url, 200, headers, body.encode())

        client.meta.events.register_first(
            f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}", respond
        )

    return hook


def _ec2(operation: str, inner: str) -> str:
    return (
        f'<{operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        f"<requestId>r-1</requestId>{inner}</{operation}Response>"
    )


def _group_item(group_id: str, open_ssh: bool) -> str:
    rule = (
        "<item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort>"
        "<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item>"
        if open_ssh
        else ""
    )
    return (
        f"<item><groupId>{group_id}</groupId><groupName>web</groupName><vpcId>vpc-1</vpcId>"
        f"<ipPermissions>{rule}</ipPermissions><ipPermissionsEgress/></item>"
    )


def _the_error(snapshot: Snapshot, service: str, name: str) -> Any:
    errors = [e for e in snapshot.errors if (e.service, e.dataset) == (service, name)]
    assert len(errors) == 1, snapshot.errors
    assert errors[0].code == INVALID_DATA_CODE
    assert not snapshot.has(service, errors[0].region, name)
    return errors[0]


def _assert_unknown_for_invalid_data(snapshot: Snapshot) -> None:
    findings = run(snapshot, "ec2.sg_admin_ports_ipv4")
    assert findings and {f.status for f in findings} == {Status.UNKNOWN}
    assert all("InvalidData" in f.message for f in findings)


@pytest.fixture(scope="module")
def lab(clean_lab: Lab) -> Lab:
    lab_client(clean_lab, "kms").create_key(Description="data")
    return clean_lab


def test_missing_result_key_is_an_error_not_no_resources(lab: Lab) -> None:
    hook = _answer("ec2", "DescribeSecurityGroups", _EC2_XML, _ec2("DescribeSecurityGroups", ""))
    snapshot = collect_lab(lab, datasets=[*_GROUP_CHECK_DATASETS, "ec2/Vpcs"], hooks=[hook])
    error = _the_error(snapshot, "ec2", "SecurityGroups")
    assert (error.operation, error.message) == ("DescribeSecurityGroups", "the answer has no SecurityGroups")
    assert snapshot.dataset("ec2", HOME, "Vpcs")  # the other dataset is collected as usual
    _assert_unknown_for_invalid_data(snapshot)


def test_missing_result_key_of_a_json_api_is_an_error(lab: Lab) -> None:
    hook = _answer("kms", "ListKeys", _JSON, '{"Truncated": false}')
    snapshot = collect_lab(lab, datasets=["kms/Keys"], hooks=[hook])
    assert _the_error(snapshot, "kms", "Keys").message == "the answer has no Keys"


def test_missing_reservations_of_describe_instances_is_an_error(lab: Lab) -> None:
    hook = _answer("ec2", "DescribeInstances", _EC2_XML, _ec2("DescribeInstances", ""))
    snapshot = collect_lab(lab, datasets=["ec2/Instances"], hooks=[hook])
    assert "Reservations" in _the_error(snapshot, "ec2", "Instances").message


def test_duplicate_id_hiding_an_open_group_is_an_error(lab: Lab) -> None:
    groups = _group_item("sg-1", open_ssh=True) + _group_item("sg-1", open_ssh=False)
    body = _ec2("DescribeSecurityGroups", f"<securityGroupInfo>{groups}</securityGroupInfo>")
    hook = _answer("ec2", "DescribeSecurityGroups", _EC2_XML, body)
    snapshot = collect_lab(lab, datasets=_GROUP_CHECK_DATASETS, hooks=[hook])
    assert "duplicate GroupId" in _the_error(snapshot, "ec2", "SecurityGroups").message
    _assert_unknown_for_invalid_data(snapshot)


def test_the_same_groups_without_the_twin_are_collected(lab: Lab) -> None:
    body = _ec2(
        "DescribeSecurityGroups", f"<securityGroupInfo>{_group_item('sg-1', True)}</securityGroupInfo>"
    )
    hook = _answer("ec2", "DescribeSecurityGroups", _EC2_XML, body)
    snapshot = collect_lab(lab, datasets=_GROUP_CHECK_DATASETS, hooks=[hook])
    assert snapshot.errors == []
    assert {f.status for f in run(snapshot, "ec2.sg_admin_ports_ipv4")} == {Status.FAIL}


def test_wrong_type_is_an_error(lab: Lab) -> None:
    hook = _answer("kms", "GetKeyRotationStatus", _JSON, '{"KeyRotationEnabled": "false"}')
    snapshot = collect_lab(lab, datasets=["kms/Keys"], hooks=[hook])
    assert (
        ".KeyRotationEnabled: expected a boolean, found string" in _the_error(snapshot, "kms", "Keys").message
    )


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_number_is_an_error(lab: Lab, token: str) -> None:
    hook = _answer("kms", "GetKeyRotationStatus", _JSON, f'{{"KeyRotationEnabled": {token}}}')
    snapshot = collect_lab(lab, datasets=["kms/Keys"], hooks=[hook])
    failures = [e for e in snapshot.errors if e.dataset == "Keys.KeyRotationEnabled"]
    assert [(e.code, e.operation) for e in failures] == [(INVALID_DATA_CODE, "GetKeyRotationStatus")]
    assert token in failures[0].message


def test_duplicate_json_key_is_an_error(lab: Lab) -> None:
    hook = _answer("kms", "ListKeys", _JSON, '{"Keys": [{"KeyId": "k", "KeyArn": "a"}], "Keys": []}')
    snapshot = collect_lab(lab, datasets=["kms/Keys"], hooks=[hook])
    error = _the_error(snapshot, "kms", "Keys")
    assert (error.operation, error.message) == ("ListKeys", "the answer repeats a key within one JSON object")


def _collect_every_region(lab: Lab, hook: Callable[[Any], None]) -> Snapshot:
    options = CollectOptions(
        regions=None,
        datasets=frozenset({"ec2/Vpcs"}),
        endpoint_url=lab.endpoint_url,
        client_hooks=(*lab.client_hooks(), hook),
        max_workers=4,
    )
    return collect(boto3.Session(region_name=HOME), options)


def test_empty_region_list_stops_the_run_in_one_line(lab: Lab) -> None:
    hook = _answer("ec2", "DescribeRegions", _EC2_XML, _ec2("DescribeRegions", "<regionInfo/>"))
    with pytest.raises(CollectionFailed, match="no enabled region") as caught:
        _collect_every_region(lab, hook)
    assert "\n" not in str(caught.value) and "--regions" in str(caught.value)


def test_missing_region_list_stops_the_run(lab: Lab) -> None:
    hook = _answer("ec2", "DescribeRegions", _EC2_XML, _ec2("DescribeRegions", ""))
    with pytest.raises(CollectionFailed, match="InvalidData: the answer has no Regions"):
        _collect_every_region(lab, hook)


def test_denied_region_list_stops_the_run_with_a_clear_error(lab: Lab) -> None:
    faults = FaultInjector().fail("ec2", "DescribeRegions", "UnauthorizedOperation", status=403)
    with pytest.raises(CollectionFailed, match="DescribeRegions failed with UnauthorizedOperation"):
        _collect_every_region(lab, faults.hook)


def test_the_lab_region_list_is_collected(lab: Lab) -> None:
    snapshot = _collect_every_region(lab, lambda client: None)
    assert {HOME, OTHER} <= set(snapshot.regions)


def test_virtual_mfa_seeds_are_never_collected(lab: Lab) -> None:
    """moto (and a misbehaving endpoint) list each device with its seed and QR code: not kept."""
    lab_client(lab, "iam").create_virtual_mfa_device(VirtualMFADeviceName="seeded")
    snapshot = collect_lab(lab, datasets=["iam/VirtualMFADevices"])
    devices = snapshot.dataset("iam", "global", "VirtualMFADevices")
    assert [d["SerialNumber"].rsplit("/", 1)[-1] for d in devices] == ["seeded"]
    assert all(set(d) <= {"SerialNumber", "User", "EnableDate"} for d in devices)

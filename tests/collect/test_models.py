"""Lean service models: everything botocore serializes and parses with is the shipped model's."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import botocore
import botocore.session
import orjson
import pytest
from botocore.model import ServiceModel, Shape

from awsaudit.collect.models import (
    LazyShapes,
    lean_loader,
    prime_error_shapes,
    share_models,
    without_documentation,
)
from awsaudit.disk_cache import CACHE_DIR_ENV, write_entry

SERVICES = ("ec2", "s3", "iam", "sso-admin", "apigateway")


def _session() -> boto3.Session:
    return boto3.Session(region_name="us-east-1", aws_access_key_id="AKIATEST", aws_secret_access_key="test")


def _signature(shape: Shape | None, seen: frozenset[str] = frozenset()) -> Any:
    """Every property of a shape botocore acts on, recursively (documentation left out)."""
    if shape is None:
        return None
    if shape.name in seen:
        return shape.name
    seen |= {shape.name}
    metadata = {k: v for k, v in shape.metadata.items() if k != "documentation"}
    signature: list[Any] = [shape.type_name, dict(shape.serialization), metadata]
    if shape.type_name == "structure":
        signature.append([(name, _signature(member, seen)) for name, member in shape.members.items()])
    elif shape.type_name == "list":
        signature.append(_signature(shape.member, seen))
    elif shape.type_name == "map":
        signature += [_signature(shape.key, seen), _signature(shape.value, seen)]
    return signature


def _model(session: boto3.Session, service: str) -> ServiceModel:
    loader = session._session.get_component("data_loader")
    return ServiceModel(loader.load_service_model(service, "service-2"), service)


@pytest.mark.parametrize("service", SERVICES)
def test_the_lean_model_differs_from_the_shipped_one_in_documentation_only(service: str) -> None:
    shipped = _model(_session(), service)
    # A loader of its own: botocore's S3 customizations edit the models a loader has handed out
    # (the shared one's, once this process has made an S3 client), as they do within any session.
    search_paths = _session()._session.get_component("data_loader").search_paths
    lean = ServiceModel(lean_loader(search_paths).load_service_model(service, "service-2"), service)
    assert lean.operation_names == shipped.operation_names
    assert lean.metadata == shipped.metadata
    assert lean.client_context_parameters == shipped.client_context_parameters
    documented = 0
    for name in shipped.operation_names:
        full, trimmed = shipped.operation_model(name), lean.operation_model(name)
        assert (trimmed.http, trimmed.metadata) == (full.http, full.metadata)
        assert trimmed.auth_type == full.auth_type
        assert trimmed.context_parameters == full.context_parameters
        assert [e.name for e in trimmed.error_shapes] == [e.name for e in full.error_shapes]
        for part in ("input_shape", "output_shape"):
            assert _signature(getattr(trimmed, part)) == _signature(getattr(full, part)), (name, part)
        documented += bool(full.documentation)
        assert trimmed.documentation == ""
    assert documented > 0, "the shipped model has documentation to remove"


def test_a_member_called_documentation_is_kept() -> None:
    model = {
        "documentation": "service",
        "operations": {"Op": {"documentation": "op", "input": {"shape": "In", "documentation": "x"}}},
        "shapes": {
            "In": {
                "type": "structure",
                "documentation": "shape",
                "members": {"documentation": {"shape": "S", "documentation": "field"}},
            },
            "S": {"type": "string"},
        },
    }
    without_documentation(model)
    assert model == {
        "operations": {"Op": {"input": {"shape": "In"}}},
        "shapes": {
            "In": {"type": "structure", "members": {"documentation": {"shape": "S"}}},
            "S": {"type": "string"},
        },
    }


def test_sessions_share_one_loader_and_a_stale_cache_entry_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    first, second = _session(), _session()
    share_models(first)
    share_models(second)
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader
    loader._cache.clear()  # earlier tests of this process may have loaded sts already
    first.client("sts")
    (entry,) = tmp_path.glob("botocore-model-sts-*.json")
    digest, _, payload = entry.read_bytes().partition(b"\n")
    stale = orjson.loads(payload)
    stale["source"]["size"] += 1
    stale["model"]["operations"] = {}

    write_entry(entry.name, orjson.dumps(stale))
    loader._cache.clear()
    assert "GetCallerIdentity" in _model(first, "sts").operation_names
    assert entry.read_bytes().partition(b"\n")[0] == digest  # derived again from the shipped file


def test_shapes_are_decoded_when_read_and_listed_like_a_dict() -> None:
    shapes = LazyShapes({"In": '{"type":"structure","members":{}}', "S": '{"type":"string"}'})
    assert list(shapes) == ["In", "S"] and len(shapes) == 2 and "S" in shapes
    assert shapes["S"] == {"type": "string"} and shapes["S"] is shapes["S"]
    with pytest.raises(KeyError):
        shapes["Missing"]
    model = ServiceModel({"metadata": {}, "operations": {}, "shapes": shapes}, "test")
    assert model.shape_for("S").type_name == "string"


@pytest.mark.parametrize("service", ["securityhub", "s3", "iam", "ec2"])
def test_error_shapes_are_found_without_decoding_every_shape(service: str) -> None:
    search_paths = _session()._session.get_component("data_loader").search_paths
    shipped = _model(_session(), service)
    lean = ServiceModel(lean_loader(search_paths).load_service_model(service, "service-2"), service)
    prime_error_shapes(lean)
    assert type(lean) is not ServiceModel
    shapes = lean._shape_resolver._shape_map
    assert isinstance(shapes, LazyShapes)
    assert [s.name for s in lean.error_shapes] == [s.name for s in shipped.error_shapes]
    others = set(shapes._decoded) - {s.name for s in lean.error_shapes}
    assert len(others) < 5, others  # the shapes S3's extras file merges into; not the thousands more
    assert [_signature(s) for s in lean.error_shapes] == [_signature(s) for s in shipped.error_shapes]
    for code in ("AccessDenied", "NoSuchBucket", "InvalidInputException", "NotAnErrorCode"):
        assert _signature(lean.shape_for_error_code(code)) == _signature(shipped.shape_for_error_code(code))


def test_unknown_exceptions_are_left_to_botocore() -> None:
    texts = {"Boom": '{"type":"structure","members":{},"exception":true}', "S": '{"type":"string"}'}
    model = ServiceModel({"metadata": {}, "operations": {}, "shapes": LazyShapes(dict(texts))}, "test")
    prime_error_shapes(model)
    assert type(model) is ServiceModel  # botocore reads every shape, as it always did
    assert [s.name for s in model.error_shapes] == ["Boom"]
    known = LazyShapes(dict(texts), frozenset({"Boom"}))
    known.merge({"S": {"exception": True, "type": "structure", "members": {}}})  # an extras file
    assert known.exception_names() == ["Boom", "S"]
    known.merge({"Boom": {"exception": False}})
    assert known.exception_names() == ["S"]
    assert LazyShapes(dict(texts)).exception_names() == ["Boom"]


def _names_in_memo(memo: dict[Any, str], operations: list[str]) -> dict[str, str | None]:
    return {operation: memo.get((operation, "_")) for operation in operations}


def test_a_cached_model_gives_botocore_its_operations_python_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    memo: dict[Any, str] = {}
    monkeypatch.setattr(botocore, "_xform_cache", memo)
    monkeypatch.setattr(botocore.xform_name, "__defaults__", ("_", memo))
    written = lean_loader(_search_paths()).load_service_model("ec2", "service-2")  # writes the entry
    operations = list(written["operations"])
    memo.clear()
    lean_loader(_search_paths()).load_service_model("ec2", "service-2")  # reads it
    expected = {operation: botocore.xform_name(operation, "_", {}) for operation in operations}
    assert _names_in_memo(memo, operations) == expected
    assert expected["DescribeInstances"] == "describe_instances"


def test_python_names_are_not_given_to_an_xform_name_that_keeps_no_memo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    lean_loader(_search_paths()).load_service_model("sts", "service-2")
    unread: dict[Any, str] = {}
    monkeypatch.setattr(botocore, "_xform_cache", unread)  # not what xform_name reads
    lean_loader(_search_paths()).load_service_model("sts", "service-2")
    assert unread == {}


def _search_paths() -> tuple[str, ...]:
    return tuple(botocore.session.get_session().get_component("data_loader").search_paths)


def test_threads_asking_together_list_the_services_once(tmp_path: Path) -> None:
    for service in ("alpha", "beta", "gamma"):
        version = tmp_path / service / "2020-01-01"
        version.mkdir(parents=True)
        (version / "paginators-1.json").write_text("{}")
    (tmp_path / "delta" / "2021-01-01").mkdir(parents=True)  # no paginators: not listed
    loader = lean_loader((str(tmp_path),))
    probes: list[str] = []
    exists = loader.file_loader.exists

    def slow_exists(path: str) -> bool:
        probes.append(path)
        time.sleep(0.005)  # lets the other threads run while one is listing, as a real listing does
        return bool(exists(path))

    loader.file_loader.exists = slow_exists
    barrier = threading.Barrier(6)

    def ask() -> Any:
        barrier.wait()
        return loader.list_available_services("paginators-1")

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: ask(), range(6)))
    assert answers == [["alpha", "beta", "gamma"]] * 6
    assert sorted(probes) == sorted(str(tmp_path / s / v / "paginators-1") for s, v in _VERSIONS)


_VERSIONS = (
    ("alpha", "2020-01-01"),
    ("beta", "2020-01-01"),
    ("gamma", "2020-01-01"),
    ("delta", "2021-01-01"),
)

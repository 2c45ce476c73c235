"""Sub-calls only for the fields the selected checks read: which fields, and that nothing else runs."""

from __future__ import annotations

import dataclasses
from typing import Any

from awsaudit.audit import Selection, select
from awsaudit.checks.registry import Needs, all_checks
from awsaudit.collect.context import attach, collecting_fields


def _selection(*needs: Needs) -> Selection:
    template = next(iter(all_checks().values()))
    return Selection(
        frameworks=(),
        checks=tuple(
            dataclasses.replace(template, id=f"test.{n}", needs=(need,)) for n, need in enumerate(needs)
        ),
    )


def test_the_fields_of_readers_that_name_theirs_are_united() -> None:
    selection = _selection(
        Needs("s3", "Buckets", fields=frozenset({"Policy"})),
        Needs("s3", "Buckets", fields=frozenset({"Versioning"})),
        Needs("kms", "Keys", regional=True, fields=frozenset({"KeyPolicy"})),
    )
    assert selection.dataset_fields() == {
        "s3/Buckets": frozenset({"Policy", "Versioning"}),
        "kms/Keys": frozenset({"KeyPolicy"}),
    }


def test_one_reader_of_every_field_gets_every_field_whatever_the_order() -> None:
    named, every = Needs("s3", "Buckets", fields=frozenset({"Policy"})), Needs("s3", "Buckets")
    assert _selection(named, every).dataset_fields() == {}
    assert _selection(every, named).dataset_fields() == {}


def test_the_default_selection_collects_identity_center_whole() -> None:
    assert "sso-admin/Instances" not in select().dataset_fields()
    assert set(select(include=["iam.identity_federation"]).dataset_fields()) == {"sso-admin/Instances"}


def test_attach_runs_only_the_sub_calls_of_the_fields_collected() -> None:
    calls: list[str] = []

    def call(name: str) -> Any:
        return lambda: calls.append(name) or name

    item: dict[str, Any] = {}
    with collecting_fields(frozenset({"Policy"})):
        attach(item, "Policy", call("Policy"))
        attach(item, "Tags", call("Tags"))
    assert (item, calls) == ({"Policy": "Policy"}, ["Policy"])
    attach(item, "Tags", call("Tags"))  # outside the block: every field
    assert item == {"Policy": "Policy", "Tags": "Tags"}
    with collecting_fields(None):
        attach(item, "Acl", call("Acl"))
    assert item["Acl"] == "Acl"

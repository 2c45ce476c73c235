"""Streamlined event emitters call exactly the handlers botocore's would; otherwise nothing changes."""

from __future__ import annotations

import copy
import inspect
import logging
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.hooks import EventAliaser, HierarchicalEmitter, _PrefixTrie
from botocore.utils import EVENT_ALIASES

from awsaudit.collect import event_hooks
from awsaudit.collect.event_hooks import streamline_events


def _session() -> boto3.Session:
    return boto3.Session(region_name="us-east-1", aws_access_key_id="AKIATEST", aws_secret_access_key="test")


def _handler_tree(emitter: Any) -> dict[str, list[list[str]]]:
    """Every event key of an emitter with its handlers (by name) in each section, in order."""
    tree: dict[str, list[list[str]]] = {}

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        if node["values"] is not None:
            tree[".".join(path)] = [[_name(h) for h in section] for section in node["values"]]
        for chunk, child in node["children"].items():
            walk(child, (*path, chunk))

    walk(emitter._emitter._handlers._root, ())
    return tree


def _name(handler: Any) -> str:
    handler = getattr(handler, "func", handler)  # functools.partial
    return str(getattr(handler, "__qualname__", type(handler).__qualname__))


def _noted(**_: Any) -> None:
    return None


@pytest.mark.parametrize("service", ["ec2", "s3", "config", "apigateway"])
def test_clients_of_a_streamlined_session_have_botocores_handlers(service: str) -> None:
    plain, streamlined = _session(), _session()
    assert streamline_events(streamlined)
    for region in ("us-east-1", "eu-west-1"):
        expected = plain.client(service, region_name=region)
        actual = streamlined.client(service, region_name=region)
        assert _handler_tree(actual.meta.events) == _handler_tree(expected.meta.events)
        for name in ("before-call", "needs-retry", "before-parameter-build", "request-created"):
            event = f"{name}.{actual.meta.service_model.service_id.hyphenize()}.AnyOperation"
            assert [_name(h) for h in actual.meta.events._emitter._handlers.prefix_search(event)] == [
                _name(h) for h in expected.meta.events._emitter._handlers.prefix_search(event)
            ]


def _change_session_and_clients(session: boto3.Session) -> list[dict[str, list[list[str]]]]:
    """Trees of the session and two clients, before and after each changes its own handlers."""
    session_emitter = session._session.get_component("event_emitter")
    first = session.client("sts", region_name="us-east-1")
    second = session.client("sts", region_name="eu-west-1")
    trees = [_handler_tree(e) for e in (session_emitter, first.meta.events, second.meta.events)]
    first.meta.events.register("before-call.sts.GetCallerIdentity", _noted)
    first.meta.events.register_first("brand-new-event.sts", _noted)
    session.events.register("before-call.sts", _noted)
    second.meta.events.unregister("needs-retry.sts", unique_id="retry-config-sts")
    third = session.client("sts", region_name="eu-west-2")
    emitters = (session_emitter, first.meta.events, second.meta.events, third.meta.events)
    return trees + [_handler_tree(e) for e in emitters]


def test_a_copy_and_its_original_never_see_each_others_changes() -> None:
    streamlined = _session()
    assert streamline_events(streamlined)
    trees = _change_session_and_clients(streamlined)
    assert trees == _change_session_and_clients(_session())
    session_before, first_before, _, session_after, first_after, second_after, third = trees
    assert session_after == {**session_before, "before-call.sts": [[], ["_noted"], []]}
    assert first_after == {
        **first_before,
        "before-call.sts.GetCallerIdentity": [[], ["_noted"], []],
        "brand-new-event.sts": [["_noted"], [], []],
    }
    assert first_after["needs-retry.sts"] != second_after["needs-retry.sts"] == [[], [], []]
    assert third["before-call.sts"] == [[], ["_noted"], []]


def test_an_emitted_event_reaches_only_its_own_clients_handlers() -> None:
    session = _session()
    assert streamline_events(session)
    first = session.client("sts", region_name="us-east-1")
    second = session.client("sts", region_name="eu-west-1")
    emitted: list[str] = []
    first.meta.events.register("custom.sts", lambda **kwargs: emitted.append(kwargs["event_name"]))
    first.meta.events.emit("custom.sts.Thing")
    second.meta.events.emit("custom.sts.Thing")
    session.events.emit("custom.sts.Thing")
    assert emitted == ["custom.sts.Thing"]


def test_removing_what_is_not_there_fails_as_in_botocore() -> None:
    streamlined, plain = _PrefixTrie(), _PrefixTrie()
    streamlined.__class__ = event_hooks._CopyOnWriteTrie
    for trie in (streamlined, plain):
        trie.append_item("a.b", _noted)
        root = trie._root
        with pytest.raises(ValueError, match="key is not in trie"):
            trie.remove_item("a.c", _noted)
        assert trie._root is root  # a failed removal publishes nothing
        trie.remove_item("a.b", _noted)
        assert not trie.prefix_search("a.b")


def _event_names() -> list[str]:
    """Names botocore renames (each alias as a whole part, inside a longer part, as a dotted
    substring that is not whole parts) and names it leaves alone."""
    names = ["before-call.ec2.DescribeInstances", "needs-retry", "a..b", "", "xdata.iot.y", "data.iotx.z"]
    for old in EVENT_ALIASES:
        names += [f"before-call.{old}.Op", old, f"x.{old}x.y", f"after-call.{old}", f"{old}.{old}"]
    return names


def test_aliases_are_botocores_and_memoized_once_for_every_client(caplog: pytest.LogCaptureFixture) -> None:
    session = _session()
    assert streamline_events(session)
    east = session.client("apigateway", region_name="us-east-1").meta.events
    west = session.client("config", region_name="eu-west-1").meta.events
    assert east._alias_name_cache is west._alias_name_cache
    reference = EventAliaser(HierarchicalEmitter())
    with caplog.at_level(logging.DEBUG, logger="botocore.hooks"):
        expected = [reference._alias_event_name(name) for name in _event_names()]
        expected_log = [r.getMessage() for r in caplog.records]
        assert any("from xdata.iot.y to xdata.iot.y" in m for m in expected_log)
        caplog.clear()
        assert [east._alias_event_name(name) for name in _event_names()] == expected
        assert [r.getMessage() for r in caplog.records] == expected_log
    assert [west._alias_event_name(name) for name in _event_names()] == expected


def test_another_alias_table_has_a_memo_of_its_own() -> None:
    session = _session()
    assert streamline_events(session)
    emitter = session._session.get_component("event_emitter")
    other = copy.copy(emitter)
    other._event_aliases = {"ec2": "elastic-compute"}
    renamed = copy.copy(other)
    assert renamed._alias_name_cache is not emitter._alias_name_cache
    assert renamed._alias_event_name("before-call.ec2.X") == "before-call.elastic-compute.X"
    assert copy.copy(emitter)._alias_event_name("before-call.ec2.X") == "before-call.ec2.X"


def test_an_alias_table_of_other_types_keeps_botocores_own_memo() -> None:
    session = _session()
    assert streamline_events(session)
    other = copy.copy(session._session.get_component("event_emitter"))
    other._event_aliases = {"ec2": ["not", "text"]}
    unhashable = copy.copy(other)
    assert unhashable._alias_name_cache == {}
    assert unhashable._alias_table is None
    assert unhashable._alias_event_name("before-call.s3.X") == "before-call.s3.X"


def _no_kwargs(event_name: str) -> None:
    return None


def test_handlers_without_kwargs_are_refused_every_time() -> None:
    session = _session()
    assert streamline_events(session)
    client = session.client("sts", region_name="us-east-1")
    for _ in range(2):
        with pytest.raises(ValueError, match="must accept keyword arguments"):
            client.meta.events.register("before-call.sts", _no_kwargs)
    client.meta.events.register("before-call.sts", _noted)
    client.meta.events.register("before-call.sts", _noted)

    def declared(**kwargs: Any) -> None:
        return None

    declared.__signature__ = inspect.Signature()  # type: ignore[attr-defined]  # what inspect reads first
    with pytest.raises(ValueError, match="must accept keyword arguments"):
        client.meta.events.register("before-call.sts", declared)


def test_an_emitter_of_another_shape_is_left_as_botocore_made_it() -> None:
    custom = botocore.session.Session(event_hooks=EventAliaser(HierarchicalEmitter()))
    session = boto3.Session(botocore_session=custom, region_name="us-east-1")
    emitter = session._session.get_component("event_emitter")
    assert not streamline_events(session)
    assert type(emitter) is EventAliaser and type(emitter._emitter) is EventAliaser
    first = session.client("sts", region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="B")
    assert type(first.meta.events) is EventAliaser


def test_a_session_is_streamlined_once() -> None:
    session = _session()
    assert streamline_events(session)
    trie = session._session.get_component("event_emitter")._emitter._handlers
    assert streamline_events(session)
    assert session._session.get_component("event_emitter")._emitter._handlers is trie

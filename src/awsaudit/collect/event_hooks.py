"""Cheaper botocore event emitters for the clients of a collection, with the same handlers called.

Every client botocore creates starts from a copy of its session's event emitter, and every
registration and emission goes through it. For the CIS scan of two regions (81 clients, 207 calls)
three costs of that machinery were about a fifth of the collection's CPU; each is removed here for
the sessions the engine collects with (``streamline_events``), and only there:

- the copy: botocore copies the session's whole handler tree (about 400 nodes) for each client
  (0.7 ms). The tree here is copy-on-write: a copy shares the nodes, and a registration or removal,
  on the session or any client, first copies the nodes along its event name's path, then lets
  botocore's own code change those fresh copies. No tree ever sees another's changes, as before.
- event-name aliasing (``EventAliaser``): each client's emitter memoizes it in a fresh dict, so
  every client recomputed, with a dozen splits, the alias of each event it registered or emitted
  (3,755 times a scan, 28 µs each). The result depends only on the name and the alias table, so
  every emitter with the same table shares one memo, still filled by botocore's own method.
- the check that a handler accepts ``**kwargs`` (``inspect.getfullargspec``, 25 µs) on each of a
  client's dozen registrations: for plain functions and methods its outcome depends only on the code
  object, so it is kept per code object; other callables are checked by botocore each time.

Each step reaches into botocore's private structures, so it is taken only when they are exactly
the classes and shapes written for here; otherwise that part is left as botocore made it.
"""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

from botocore.hooks import _MIDDLE, EventAliaser, HierarchicalEmitter, _PrefixTrie

_NODE_KEYS = frozenset({"chunk", "children", "values"})


def streamline_events(session: Any) -> bool:
    """Make the event emitters of ``session`` (a boto3 Session) and its future clients cheaper.

    False when this botocore's emitter is not the one this was written for (nothing changes then).
    """
    aliaser = session._session.get_component("event_emitter")
    with _lock:
        if isinstance(aliaser, _SharedAliasMemo):
            return True
        if type(aliaser) is not EventAliaser or not _fits_aliaser(aliaser):
            return False
        emitter = aliaser._emitter
        if type(emitter) is not HierarchicalEmitter or not _fits_trie(getattr(emitter, "_handlers", None)):
            return False
        emitter._handlers.__class__ = _CopyOnWriteTrie
        emitter.__class__ = _KwargsCheckMemo
        aliaser.__class__ = _SharedAliasMemo
        aliaser._alias_name_cache = _alias_memo(aliaser._event_aliases)
    return True


_lock = threading.Lock()


def _fits_aliaser(aliaser: Any) -> bool:
    return isinstance(getattr(aliaser, "_alias_name_cache", None), dict) and isinstance(
        getattr(aliaser, "_event_aliases", None), dict
    )


def _fits_trie(trie: Any) -> bool:
    if type(trie) is not _PrefixTrie or set(vars(trie)) != {"_root"}:
        return False
    root = trie._root
    return isinstance(root, dict) and set(root) == _NODE_KEYS and isinstance(root["children"], dict)


# One memo of aliased event names per alias table (keyed by its items: a table is a few dozen pairs).
_alias_memos: dict[tuple[tuple[Any, Any], ...], dict[str, str]] = {}


def _alias_memo(aliases: dict[Any, Any]) -> dict[str, str]:
    try:
        key = tuple(aliases.items())
        with _memo_lock:
            return _alias_memos.setdefault(key, {})
    except TypeError:  # an unhashable table: a memo of its own, as botocore keeps
        return {}


_memo_lock = threading.Lock()


class _SharedAliasMemo(EventAliaser):  # type: ignore[misc]  # botocore has no types
    """An ``EventAliaser`` whose copies memoize aliases in the memo of their alias table."""

    def __copy__(self) -> Any:
        copied = super().__copy__()
        if _fits_aliaser(copied):
            copied._alias_name_cache = _alias_memo(copied._event_aliases)
        return copied


class _KwargsCheckMemo(HierarchicalEmitter):  # type: ignore[misc]
    """A ``HierarchicalEmitter`` that checks a plain function's ``**kwargs`` once per code object."""

    def _verify_accept_kwargs(self, func: Any) -> Any:
        function = func.__func__ if type(func) is types.MethodType else func
        # A function with attributes of its own (``__signature__``, ``__partialmethod__``...) may be
        # judged by them rather than by its code: botocore checks those every time.
        if type(function) is not types.FunctionType or function.__dict__:
            return super()._verify_accept_kwargs(func)
        code = function.__code__
        known = _kwargs_checks.get(code, _UNCHECKED)
        if known is _UNCHECKED:
            try:
                known = super()._verify_accept_kwargs(func)
            except ValueError:
                _kwargs_checks[code] = _REFUSED
                raise
            _kwargs_checks[code] = known
        elif known is _REFUSED:
            return super()._verify_accept_kwargs(func)  # botocore's own error, naming this handler
        return known


# Code object -> what botocore's check answered for a plain function with that code, or _REFUSED.
_kwargs_checks: dict[types.CodeType, Any] = {}
_UNCHECKED = object()
_REFUSED = object()


class _CopyOnWriteTrie(_PrefixTrie):  # type: ignore[misc]
    """botocore's handler tree, whose copies share nodes; no shared node is ever changed."""

    _root: dict[str, Any]

    def __copy__(self) -> Any:
        copied = _CopyOnWriteTrie.__new__(_CopyOnWriteTrie)
        copied._root = self._root
        return copied

    def append_item(self, key: str, value: Any, section: int = _MIDDLE) -> None:
        self._root = _copy_path(self._root, key.split("."))
        super().append_item(key, value, section)

    def remove_item(self, key: str, value: Any) -> None:
        self._root = _copy_path(self._root, key.split("."))
        super().remove_item(key, value)


def _copy_path(root: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    """A new root whose nodes along ``parts`` (as far as they exist) are fresh copies: the nodes,
    their children tables and their handler lists, which are all botocore changes on that path."""
    new_root = _copy_node(root)
    node = new_root
    for part in parts:
        child = node["children"].get(part)
        if child is None:
            break
        child = node["children"][part] = _copy_node(child)
        node = child
    return new_root


def _copy_node(node: dict[str, Any]) -> dict[str, Any]:
    values = node["values"]
    return {
        "chunk": node["chunk"],
        "children": dict(node["children"]),
        "values": None if values is None else copy.copy(values),
    }

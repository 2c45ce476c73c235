"""Cheaper botocore event emitters for the clients of a collection, with the same handlers called.

Every client botocore creates starts from a copy of its session's event emitter, and every
registration and emission goes through it. For the CIS scan of two regions (81 clients, 207 calls)
three costs of that machinery were about a tenth of the collection's CPU; each is removed here for
the sessions the engine collects with (``streamline_events``), and only there:

- the copy: botocore copies the session's whole handler tree (about 400 nodes) for each client
  (0.7 ms). The tree here is copy-on-write: a copy shares the nodes, and a registration or removal,
  on the session or any client, first copies the nodes along its event name's path, lets
  botocore's own code change those fresh copies, then publishes the new root whole. No tree ever
  sees another's changes, as before, and a reader never sees a change half made.
- event-name aliasing (``EventAliaser``): each client's emitter memoizes it in a fresh dict, so
  every client recomputed the alias of each event it registered or emitted (3,755 times a scan,
  40 µs each when no alias applies: a split and a failed ``list.index`` per alias). The result
  depends only on the name and the alias table, so every emitter with the same table shares one
  memo; a name no alias matches (whole part or dotted substring, as botocore matches) is recorded
  unchanged after one split, and any other is left to botocore's own method, which logs the rename.
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
        aliaser.share_memo()
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


class _AliasTable:
    """What every emitter with one alias table shares: the memo of aliased names, and the table's
    keys split the way botocore matches them (a whole dot-separated part, or a dotted substring)."""

    __slots__ = ("dotted", "memo", "parts")

    def __init__(self, aliases: dict[str, str]) -> None:
        self.memo: dict[str, str] = {}
        self.parts = frozenset(old for old in aliases if "." not in old)
        self.dotted = tuple(old for old in aliases if "." in old)

    def leaves_unchanged(self, event_name: str) -> bool:
        """Whether botocore's aliasing returns ``event_name`` as it is, without logging a change:
        exactly when no alias matches it (a part for an undotted alias, a substring for a dotted one)."""
        return self.parts.isdisjoint(event_name.split(".")) and not any(
            old in event_name for old in self.dotted
        )


_alias_tables: dict[tuple[tuple[Any, Any], ...], _AliasTable] = {}


def _alias_table(aliases: dict[Any, Any]) -> _AliasTable | None:
    """The shared record of this alias table; None for a table that is not plain text (unhashable
    or not strings): botocore's own memo then serves that emitter alone."""
    try:
        key = tuple(aliases.items())
        hash(key)
    except TypeError:
        return None
    if not all(isinstance(old, str) and isinstance(new, str) for old, new in key):
        return None
    with _memo_lock:
        table = _alias_tables.get(key)
        if table is None:
            table = _alias_tables[key] = _AliasTable(dict(key))
        return table


_memo_lock = threading.Lock()


class _SharedAliasMemo(EventAliaser):  # type: ignore[misc]  # botocore has no types
    """An ``EventAliaser`` whose copies memoize aliases in the memo of their alias table, and that
    tells quickly, without botocore's dozens of splits, that an event name has no alias."""

    _alias_table: _AliasTable | None = None

    def share_memo(self) -> None:
        table = _alias_table(self._event_aliases)
        if table is not None:
            self._alias_table = table
            self._alias_name_cache = table.memo

    def __copy__(self) -> Any:
        copied = super().__copy__()
        if _fits_aliaser(copied):
            copied.share_memo()
        return copied

    def _alias_event_name(self, event_name: str) -> Any:
        memo = self._alias_name_cache
        aliased = memo.get(event_name)
        if aliased is not None:
            return aliased
        table = self._alias_table
        if table is not None and table.memo is memo and table.leaves_unchanged(event_name):
            memo[event_name] = event_name
            return event_name
        return super()._alias_event_name(event_name)  # an alias applies: botocore renames and logs it


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
        staged = self._staged(key)
        _PrefixTrie.append_item(staged, key, value, section)
        self._root = staged._root  # published whole: a reader sees the tree before or after

    def remove_item(self, key: str, value: Any) -> None:
        staged = self._staged(key)
        _PrefixTrie.remove_item(staged, key, value)
        self._root = staged._root

    def _staged(self, key: str) -> _PrefixTrie:
        """A botocore trie of fresh copies along ``key``'s path, for botocore's own code to change."""
        staged = _PrefixTrie.__new__(_PrefixTrie)
        staged._root = _copy_path(self._root, key.split("."))
        return staged


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

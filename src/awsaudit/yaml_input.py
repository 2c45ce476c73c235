"""YAML as awsaudit reads the files users give it (configuration, suppressions): bounded and strict.

- **Aliases are refused** (``*name``): they are how a few hundred bytes expand into gigabytes
  (a "billion laughs" alias bomb). awsaudit's files never need them; anchors alone are harmless.
- **A duplicated key is an error**, not "the last one wins": in a suppression entry a second
  ``check:`` or ``resource:`` would silently widen what it hides.
- **A value that cannot be built is an error with its position**: a date that does not exist
  (``2026-02-30``), an integer longer than Python converts (``4300`` digits) or any other value
  whose construction fails, instead of a ``ValueError`` traceback.

Every failure is a ``yaml.YAMLError`` whose text is one line, so callers keep their own
``except yaml.YAMLError`` and wording.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

# Longer numbers are not settings anyone writes; refusing them early keeps int() cheap.
MAX_INTEGER_DIGITS = 100


class _StrictLoader(yaml.SafeLoader):
    """The pure-Python safe loader (its composer can be told to refuse aliases; the C one cannot)."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _error("aliases (*name) are not allowed in awsaudit's files", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _error(f"duplicate key {_shown(key)}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node.tag == "tag:yaml.org,2002:int" and isinstance(node.value, str):
            digits = sum(character.isdigit() for character in node.value)
            if digits > MAX_INTEGER_DIGITS:
                raise _error(f"an integer of {digits} digits is too large", node.start_mark)
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # e.g. date(2026, 2, 30): "day is out of range"
            raise _error(f"{_shown(node.value)} is not a valid value: {exc}", node.start_mark) from None


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else str(type(value).__name__)
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _error(problem: str, mark: Any) -> ConstructorError:
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    error = ConstructorError(problem=problem + where)
    return error


def load_yaml(text: str) -> Any:
    """Parse one YAML document from a user's file (see the module docstring)."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()

"""A bound on how deeply a policy document may nest, checked without recursion.

AWS policy grammar nests a handful of levels (document, Statement list, statement, Condition, operator,
key, value list). A document nested far deeper is hostile or broken; reading it with recursive code would
raise RecursionError (or exhaust the stack) somewhere far from the document, and take the whole check with
it. Callers test the depth first and turn an excess into their own one-line parse error, so only that one
document is unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Far above any valid policy (about 7 levels), far below Python's recursion limit.
MAX_POLICY_DEPTH = 32


def text_nesting_exceeds(text: str, limit: int = MAX_POLICY_DEPTH) -> bool:
    """Whether JSON text opens more than `limit` arrays/objects inside one another (strings skipped)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # too few brackets in the whole text, strings included: skip the walk below
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def value_nesting_exceeds(value: object, limit: int = MAX_POLICY_DEPTH) -> bool:
    """Whether a decoded JSON value nests lists/objects more than `limit` deep (an explicit stack)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if type(current) is dict or isinstance(current, Mapping):
            children: Iterable[object] = current.values()
        elif isinstance(current, (list, tuple)):
            children = current
        else:
            continue
        if depth + 1 > limit:
            return True
        # Runs over every identity policy of an account: strings (most values) cannot nest, so they are
        # not stacked only to be skipped.
        stack.extend((child, depth + 1) for child in children if type(child) is not str)
    return False

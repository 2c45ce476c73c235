"""Decide whether a parsed filter pattern matches one log event, with CloudWatch's semantics."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from awsaudit.errors import AwsauditError

from .syntax import (
    AllOf,
    AnyOf,
    Check,
    Comparison,
    Expression,
    FilterPattern,
    NumberValue,
    Operator,
    PatternKind,
    Predicate,
    RegexValue,
    Selector,
    Term,
    TermMode,
    TextValue,
    Value,
)


class PatternNotEvaluableError(AwsauditError, ValueError):
    """The pattern is valid but cannot be judged against a JSON event (space-delimited patterns)."""


_MISSING = object()


def matches_event(pattern: FilterPattern, event: Mapping[str, Any]) -> bool:
    """True when `pattern` selects `event`, a decoded JSON log event such as a CloudTrail record."""
    if pattern.kind is PatternKind.MATCH_ALL:
        return True
    if pattern.kind is PatternKind.JSON and pattern.expression is not None:
        return _evaluate(pattern.expression, event)
    if pattern.kind is PatternKind.TERMS:
        return matches_text(pattern, _as_log_line(event))
    raise PatternNotEvaluableError(f"a {pattern.kind.value} pattern cannot be judged against JSON events")


def matches_text(pattern: FilterPattern, message: str) -> bool:
    """Plain-term matching: every required term present, no excluded term, and one optional term if any."""

    def present(term: Term) -> bool:
        return term.regex.search(message) is not None if term.regex is not None else term.text in message

    def of_mode(mode: TermMode) -> list[Term]:
        return [term for term in pattern.terms if term.mode is mode]

    optional = of_mode(TermMode.OPTIONAL)
    return (
        all(present(term) for term in of_mode(TermMode.REQUIRED))
        and not any(present(term) for term in of_mode(TermMode.EXCLUDED))
        and (not optional or any(present(term) for term in optional))
    )


def _as_log_line(event: Mapping[str, Any]) -> str:
    # CloudTrail delivers each record to CloudWatch Logs as compact JSON.
    return json.dumps(event, separators=(",", ":"), default=dict)


def _evaluate(expression: Expression, event: Mapping[str, Any]) -> bool:
    if isinstance(expression, AllOf):
        return all(_evaluate(operand, event) for operand in expression.operands)
    if isinstance(expression, AnyOf):
        return any(_evaluate(operand, event) for operand in expression.operands)
    found = _resolve(expression.selector, event)
    if isinstance(expression, Check):
        return _check(expression.predicate, found)
    return _compare(expression, found)


def _resolve(selector: Selector, event: Mapping[str, Any]) -> Any:
    """The value at `selector`, or the module's missing marker when the path does not exist."""
    node: Any = event
    for step in selector.steps:
        if isinstance(step, int):
            if isinstance(node, Sequence) and not isinstance(node, str) and step < len(node):
                node = node[step]
            else:
                return _MISSING
        elif isinstance(node, Mapping) and step in node:
            node = node[step]
        else:
            return _MISSING
    return node


def _check(predicate: Predicate, found: Any) -> bool:
    if predicate is Predicate.NOT_EXISTS:
        return found is _MISSING
    if predicate is Predicate.IS_NULL:
        return found is None
    if predicate is Predicate.IS_TRUE:
        return found is True
    return found is False


def _compare(comparison: Comparison, found: Any) -> bool:
    # Only string and number nodes are compared; absent fields, null, booleans, objects and arrays
    # make both `=` and `!=` false (AWS: "the filter will not be applied").
    if found is _MISSING or isinstance(found, bool) or not isinstance(found, str | int | float):
        return False
    operator, value = comparison.operator, comparison.value
    if operator in (Operator.EQ, Operator.NE):
        equal = _equals(value, found)
        return equal if operator is Operator.EQ else not equal
    if not isinstance(found, int | float) or not isinstance(value, NumberValue):
        return False
    number = float(found)
    if operator is Operator.LT:
        return number < value.number
    if operator is Operator.LE:
        return number <= value.number
    if operator is Operator.GT:
        return number > value.number
    return number >= value.number


def _equals(value: Value, found: str | int | float) -> bool:
    if isinstance(value, NumberValue):
        if isinstance(found, str):
            return found == value.text
        return float(found) == value.number
    text = found if isinstance(found, str) else json.dumps(found)
    if isinstance(value, RegexValue):
        return value.pattern.search(text) is not None
    return _wildcard_equals(value, text)


def _wildcard_equals(value: TextValue, text: str) -> bool:
    if value.is_any:
        return True
    needle = value.text
    if value.starts_with_wildcard and value.ends_with_wildcard:
        return needle[1:-1] in text
    if value.starts_with_wildcard:
        return text.endswith(needle[1:])
    if value.ends_with_wildcard:
        return text.startswith(needle[:-1])
    return text == needle

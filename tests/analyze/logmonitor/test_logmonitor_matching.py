"""Evaluator: CloudWatch's documented matching semantics."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.analyze.logmonitor.matching import PatternNotEvaluableError, matches_event, matches_text
from awsaudit.analyze.logmonitor.syntax import parse_filter_pattern

# The example document of the AWS "Filter and pattern syntax" page (compound conditions section).
AWS_GUIDE_DOCUMENT: dict[str, Any] = {
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
}

EVENT: dict[str, Any] = {
    "eventSource": "ec2.amazonaws.com",
    "eventName": "PutEvent",
    "errorCode": "Client.UnauthorizedOperation",
    "sourceIPAddress": "123.123.0.7",
    "latency": 750,
    "flag": True,
    "off": False,
    "nothing": None,
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
}


def match(pattern: str, event: dict[str, Any] = EVENT) -> bool:
    return matches_event(parse_filter_pattern(pattern), event)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch '
            "&& $.actions[2] = nomatch }",
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) '
            "&& $.actions[2] = nomatch }",
            False,
        ),
        ("{ $.coordinates[1][2] = 6 }", True),
    ],
)
def test_aws_guide_compound_examples(pattern: str, expected: bool) -> None:
    assert match(pattern, AWS_GUIDE_DOCUMENT) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.eventName = PutEvent }", True),
        ("{ $.eventName = putevent }", False),
        ("{ $.eventName = *Event }", True),
        ("{ $.eventName = Put* }", True),
        ('{ $.eventName = "*tEv*" }', True),
        ("{ $.eventName = P*t }", False),
        ("{ $.eventName = * }", True),
        ("{ $.missing = * }", False),
        ("{ $.sourceIPAddress != 123.123.* }", False),
        ("{ $.sourceIPAddress != 10.* }", True),
        ("{ $.errorCode = *UnauthorizedOperation }", True),
        ('{ $.arrayKey[0] = "value" }', True),
        ("{ $.arrayKey[5] = value }", False),
        ("{ $.objectList[1].id = 2 }", True),
        ("{ $.objectList[1].id = 2.0 }", True),
        ("{ $.eventName[0] = P* }", False),
    ],
)
def test_string_and_wildcard_matching(pattern: str, expected: bool) -> None:
    assert match(pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.missing != anything }", False),
        ("{ $.missing = anything }", False),
        ("{ $.arrayKey = value }", False),
        ("{ $.arrayKey != value }", False),
        ("{ $.objectList[0] != x }", False),
        ("{ $.nothing != x }", False),
        ("{ $.flag != x }", False),
    ],
)
def test_comparisons_do_not_apply_to_absent_or_non_value_nodes(pattern: str, expected: bool) -> None:
    assert match(pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.latency >= 750 }", True),
        ("{ $.latency > 750 }", False),
        ("{ $.latency < 1e3 }", True),
        ("{ $.latency <= +749.5 }", False),
        ("{ $.latency != 500 }", True),
        ("{ $.eventName > 1 }", False),
        ("{ $.missing < 1 }", False),
    ],
)
def test_numeric_comparisons(pattern: str, expected: bool) -> None:
    assert match(pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.flag IS TRUE }", True),
        ("{ $.off IS TRUE }", False),
        ("{ $.off IS FALSE }", True),
        ("{ $.missing IS FALSE }", False),
        ("{ $.nothing IS NULL }", True),
        ("{ $.missing IS NULL }", False),
        ("{ $.missing NOT EXISTS }", True),
        ("{ $.nothing NOT EXISTS }", False),
        ("{ $.objectList[7].id NOT EXISTS }", True),
    ],
)
def test_predicates(pattern: str, expected: bool) -> None:
    assert match(pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.eventName = %^Put% }", True),
        ("{ $.eventName = %Event$% }", True),
        ("{ $.eventName != %^Get% }", True),
        ("{ $.sourceIPAddress = %^\\d{1,3}\\.123\\.% }", True),
    ],
)
def test_regex_values_search_the_field(pattern: str, expected: bool) -> None:
    assert match(pattern) is expected


def test_term_patterns_are_judged_on_the_compact_json_line() -> None:
    event = {"eventName": "ConsoleLogin", "errorMessage": "Failed authentication"}
    assert match('"Failed authentication"', event)
    assert match("ConsoleLogin -DEBUG", event)
    assert not match("ConsoleLogin -Failed", event)
    assert match("?Nothing ?ConsoleLogin", event)
    assert not match("?Nothing ?Else", event)
    assert match("", event)


def test_term_matching_on_text_follows_the_aws_guide() -> None:
    lines = ["ERROR WARN message", "ERROR message", "WARN message"]

    def selected(pattern: str) -> list[int]:
        parsed = parse_filter_pattern(pattern)
        return [n for n, line in enumerate(lines, 1) if matches_text(parsed, line)]

    assert selected("ERROR") == [1, 2]
    assert selected("?ERROR ?WARN") == [1, 2, 3]
    assert selected("ERROR WARN") == [1]
    assert selected("ERROR -WARN") == [2]
    assert selected("%^WARN%") == [3]


def test_space_delimited_patterns_are_not_judged_against_json() -> None:
    with pytest.raises(PatternNotEvaluableError):
        match("[ip, user, ...]")

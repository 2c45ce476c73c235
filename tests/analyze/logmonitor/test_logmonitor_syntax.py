"""Parser: grammar, precedence, classification and errors."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsaudit.analyze.logmonitor.syntax import (
    AllOf,
    AnyOf,
    Check,
    Comparison,
    Expression,
    FilterPatternError,
    NumberValue,
    Operator,
    PatternKind,
    Predicate,
    RegexValue,
    TermMode,
    TextValue,
    parse_filter_pattern,
)


def expression(pattern: str) -> Expression:
    parsed = parse_filter_pattern(pattern)
    assert parsed.kind is PatternKind.JSON and parsed.expression is not None
    return parsed.expression


def selector_steps(operands: tuple[Expression, ...]) -> list[tuple[str | int, ...]]:
    assert all(isinstance(o, Comparison) for o in operands)
    return [o.selector.steps for o in operands if isinstance(o, Comparison)]


def test_and_binds_tighter_than_or() -> None:
    tree = expression("{ $.a = 1 || $.b = 2 && $.c = 3 && $.d = 4 }")
    assert isinstance(tree, AnyOf)
    first, second = tree.operands
    assert isinstance(first, Comparison) and first.selector.steps == ("a",)
    assert isinstance(second, AllOf) and selector_steps(second.operands) == [("b",), ("c",), ("d",)]


def test_parenthesised_or_followed_by_or_chain_keeps_and_only_on_first_group() -> None:
    # The CIS v3+ route-table text: (X) && (A) || (B) || (C) == (X && A) || B || C.
    tree = expression(
        "{($.eventSource = ec2.amazonaws.com) && ($.eventName = A) || ($.eventName = B) || ($.eventName = C)}"
    )
    assert isinstance(tree, AnyOf) and len(tree.operands) == 3
    assert isinstance(tree.operands[0], AllOf)


def test_parentheses_override_precedence_and_nested_groups_flatten() -> None:
    tree = expression("{ ($.a = 1 || $.b = 2) && (($.c = 3)) }")
    assert isinstance(tree, AllOf)
    assert isinstance(tree.operands[0], AnyOf)
    assert isinstance(tree.operands[1], Comparison)


def test_selectors_with_nested_fields_and_array_indexes() -> None:
    tree = expression("{ $.coordinates[0][1] = 5 && $.users[1].email-address = x }")
    assert isinstance(tree, AllOf)
    assert selector_steps(tree.operands) == [("coordinates", 0, 1), ("users", 1, "email-address")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{ $.a = "x y" }', TextValue("x y", quoted=True)),
        ("{ $.a = *UnauthorizedOperation }", TextValue("*UnauthorizedOperation", quoted=False)),
        ("{ $.a=AccessDenied*}", TextValue("AccessDenied*", quoted=False)),
        ("{ $.a = Failed authentication }", TextValue("Failed authentication", quoted=False)),
        ('{ $.a = "say \\"hi\\"" }', TextValue('say "hi"', quoted=True)),
        ("{ $.a = 400 }", NumberValue(400.0, "400")),
        ("{ $.a = -1.5e3 }", NumberValue(-1500.0, "-1.5e3")),
    ],
)
def test_values(text: str, value: object) -> None:
    tree = expression(text)
    assert isinstance(tree, Comparison) and tree.value == value


def test_regex_value_compiles() -> None:
    tree = expression("{ $.eventName = %^Delete[A-Za-z]+Policy$% }")
    assert isinstance(tree, Comparison) and isinstance(tree.value, RegexValue)
    assert tree.value.pattern.search("DeleteRolePolicy")


@pytest.mark.parametrize(
    ("text", "predicate"),
    [
        ("{ $.flag IS TRUE }", Predicate.IS_TRUE),
        ("{ $.flag is false }", Predicate.IS_FALSE),
        ("{ $.thing IS NULL }", Predicate.IS_NULL),
        ("{ $.userIdentity.invokedBy NOT EXISTS }", Predicate.NOT_EXISTS),
    ],
)
def test_predicates(text: str, predicate: Predicate) -> None:
    tree = expression(text)
    assert isinstance(tree, Check) and tree.predicate is predicate


@pytest.mark.parametrize("operator", ["<", "<=", ">", ">=", "=", "!="])
def test_numeric_operators(operator: str) -> None:
    tree = expression(f"{{ $.latency {operator} 500 }}")
    assert isinstance(tree, Comparison) and tree.operator is Operator(operator)


def test_classification_of_other_pattern_kinds() -> None:
    assert parse_filter_pattern("").kind is PatternKind.MATCH_ALL
    assert parse_filter_pattern("   ").kind is PatternKind.MATCH_ALL
    terms = parse_filter_pattern('ERROR "exact phrase" -DEBUG ?WARN %time[a-z]+%')
    assert terms.kind is PatternKind.TERMS
    assert [(t.text, t.mode) for t in terms.terms] == [
        ("ERROR", TermMode.REQUIRED),
        ("exact phrase", TermMode.REQUIRED),
        ("DEBUG", TermMode.EXCLUDED),
        ("WARN", TermMode.OPTIONAL),
        ("time[a-z]+", TermMode.REQUIRED),
    ]
    spaced = parse_filter_pattern("[ip, user, ..., status_code = 4* && bytes > 1000,]")
    assert spaced.kind is PatternKind.SPACE_DELIMITED
    assert [f.name for f in spaced.fields] == ["ip", "user", "...", "status_code"]
    assert spaced.fields[3].condition == "= 4* && bytes > 1000"


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("{ $.a = 1 ", 10),
        ("{ $.a = 1 } trailing", 12),
        ("{ a = 1 }", 2),
        ("{ $.a 1 }", 6),
        ("{ $.a = }", 8),
        ("{ $.a < abc }", 8),
        ('{ $.a = "open }', 8),
        ("{ $.a = 1 & $.b = 2 }", 10),
        ("{ $.a = %(x)% }", 8),
        ("{ $.a[x] = 1 }", 5),
        ("{ ($.a = 1 }", 11),
        ('"unterminated', 0),
        ("[a,,b]", 3),
        ("[a, b", 5),
    ],
)
def test_errors_name_the_position(text: str, position: int) -> None:
    with pytest.raises(FilterPatternError) as caught:
        parse_filter_pattern(text)
    assert caught.value.position == position
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"invalid filter pattern at position {position}: ")


def test_regex_sets_python_warns_about_still_parse() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree = expression("{ $.a = %[[a]% }")
    assert isinstance(tree, Comparison) and isinstance(tree.value, RegexValue)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(FilterPatternError, match="nested deeper"):
        parse_filter_pattern("{" + "(" * 5000 + "$.a = 1" + ")" * 5000 + "}")


def assert_parses_or_reports(text: str) -> None:
    try:
        parse_filter_pattern(text)
    except FilterPatternError as error:
        assert "\n" not in str(error)
        assert 0 <= error.position <= len(text)


_GRAMMAR_PIECES = st.sampled_from(
    [
        "{",
        "}",
        "(",
        ")",
        "$.",
        "$.a",
        "[0]",
        "=",
        "!=",
        "<=",
        ">",
        "&&",
        "||",
        "&",
        "|",
        '"',
        "%",
        "*",
        "IS",
        "NOT",
        "TRUE",
        "EXISTS",
        " ",
        "\n",
        "x",
        "1",
        "-",
        "?",
        "[",
        "]",
        ",",
        "...",
        "\\",
        "$.b.c[1]",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_arbitrary_text_only_raises_filter_pattern_error(text: str) -> None:
    assert_parses_or_reports(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(_GRAMMAR_PIECES, max_size=30).map("".join))
def test_grammar_shaped_text_only_raises_filter_pattern_error(text: str) -> None:
    assert_parses_or_reports(text)

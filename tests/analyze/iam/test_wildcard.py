from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from awsaudit.analyze.iam.wildcard import matches, matches_everything

patterns = st.text(alphabet="ab:*?.", max_size=8)
values = st.text(alphabet="abAB:.", max_size=8)


def reference_match(pattern: str, value: str) -> bool:
    """Textbook recursive definition of IAM globbing, independent of the regex implementation."""

    @cache
    def go(p: int, v: int) -> bool:
        if p == len(pattern):
            return v == len(value)
        if pattern[p] == "*":
            return go(p + 1, v) or (v < len(value) and go(p, v + 1))
        if v == len(value):
            return False
        return (pattern[p] == "?" or pattern[p] == value[v]) and go(p + 1, v + 1)

    return go(0, 0)


@given(patterns, values)
def test_matches_agrees_with_reference_definition(pattern: str, value: str) -> None:
    assert matches(pattern, value, ignore_case=False) == reference_match(pattern, value)


@given(patterns, values)
def test_case_insensitive_matching_ignores_case_of_both_sides(pattern: str, value: str) -> None:
    assert matches(pattern.upper(), value.lower(), ignore_case=True) == reference_match(
        pattern.lower(), value.lower()
    )


@given(values)
def test_literal_pattern_matches_only_itself(value: str) -> None:
    assert matches(value, value, ignore_case=False)
    assert not matches(value, value + "a", ignore_case=False)


@given(st.text(alphabet="ab:", max_size=6), values)
def test_prefix_star_matches_every_extension(prefix: str, suffix: str) -> None:
    assert matches(prefix + "*", prefix + suffix, ignore_case=False)


@given(values)
def test_question_mark_matches_exactly_one_character(value: str) -> None:
    assert matches("?" * len(value), value, ignore_case=False)
    assert not matches("?" * (len(value) + 1), value, ignore_case=False)


def test_regex_metacharacters_are_literal() -> None:
    assert matches("arn:aws:s3:::a.b", "arn:aws:s3:::a.b", ignore_case=False)
    assert not matches("arn:aws:s3:::a.b", "arn:aws:s3:::axb", ignore_case=False)
    assert not matches("s3:Get(Object)", "s3:GetObject", ignore_case=True)


def test_matches_everything_only_for_stars() -> None:
    assert matches_everything("*") and matches_everything("**")
    assert not matches_everything("*:*") and not matches_everything("")

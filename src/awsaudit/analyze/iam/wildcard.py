"""IAM wildcard patterns (`*` any run of characters, `?` one character) compiled to regular expressions."""

import re
from functools import lru_cache


@lru_cache(maxsize=65536)
def compile_pattern(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    """Compile one IAM pattern; every character other than `*` and `?` matches itself only."""
    parts = (".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def matches(pattern: str, value: str, *, ignore_case: bool) -> bool:
    """Whether `value` matches the IAM `pattern` as a whole."""
    if not has_wildcard(pattern):
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return compile_pattern(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def matches_everything(pattern: str) -> bool:
    """Whether the pattern matches every string (it is made of `*` only)."""
    return bool(pattern) and set(pattern) == {"*"}

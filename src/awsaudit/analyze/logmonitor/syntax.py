"""Parse CloudWatch Logs filter patterns into an immutable syntax tree.

The grammar, its precedence rules and the leniencies are documented in
docs/filter-patterns.md; this module is the executable form of that page.
"""

from __future__ import annotations

import enum
import re
import warnings
from dataclasses import dataclass

from awsaudit.errors import AwsauditError, quoted

_MAX_NESTING = 64
# Characters CloudWatch accepts inside a %regex% (docs: regex-expressions.html); parentheses are not.
_REGEX_ALLOWED = re.compile(r"[A-Za-z0-9:_#=@/;,\-^$?\[\]{}|\\*+. ]*")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SELECTOR_NAME = re.compile(r"[A-Za-z0-9_-]+")
_SELECTOR_INDEX = re.compile(r"\[(\d+)\]")
_PREDICATE = re.compile(r"(IS|NOT)\s+(TRUE|FALSE|NULL|EXISTS)\b", re.IGNORECASE)
_UNQUOTED_STOP = set('(){}"&|=!<>%$') | {" ", "\t", "\n", "\r"}
_KEYWORDS = {"IS", "NOT"}


class FilterPatternError(AwsauditError, ValueError):
    """A filter pattern that does not follow the grammar; the message is one line and names the position."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"invalid filter pattern at position {position}: {message}")
        self.position = position
        self.reason = message


class PatternKind(enum.Enum):
    JSON = "json"
    TERMS = "terms"
    SPACE_DELIMITED = "space_delimited"
    MATCH_ALL = "match_all"


@dataclass(frozen=True)
class Selector:
    """A `$.a.b[0]` path: names are str steps, array indexes are int steps."""

    steps: tuple[str | int, ...]
    text: str


@dataclass(frozen=True)
class TextValue:
    """A quoted or unquoted string; a leading or trailing `*` is a wildcard, one in the middle is literal."""

    text: str
    quoted: bool

    @property
    def is_any(self) -> bool:
        return self.text == "*"

    @property
    def starts_with_wildcard(self) -> bool:
        return len(self.text) > 1 and self.text.startswith("*")

    @property
    def ends_with_wildcard(self) -> bool:
        return len(self.text) > 1 and self.text.endswith("*")


@dataclass(frozen=True)
class NumberValue:
    number: float
    text: str


@dataclass(frozen=True)
class RegexValue:
    pattern: re.Pattern[str]
    text: str


Value = TextValue | NumberValue | RegexValue


class Operator(enum.Enum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


class Predicate(enum.Enum):
    IS_TRUE = "IS TRUE"
    IS_FALSE = "IS FALSE"
    IS_NULL = "IS NULL"
    NOT_EXISTS = "NOT EXISTS"


@dataclass(frozen=True)
class Comparison:
    selector: Selector
    operator: Operator
    value: Value


@dataclass(frozen=True)
class Check:
    selector: Selector
    predicate: Predicate


@dataclass(frozen=True)
class AllOf:
    operands: tuple[Expression, ...]


@dataclass(frozen=True)
class AnyOf:
    operands: tuple[Expression, ...]


Expression = Comparison | Check | AllOf | AnyOf


class TermMode(enum.Enum):
    REQUIRED = ""
    EXCLUDED = "-"
    OPTIONAL = "?"


@dataclass(frozen=True)
class Term:
    """One word, quoted phrase or %regex% of a plain term pattern."""

    text: str
    mode: TermMode
    regex: re.Pattern[str] | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One field of a space-delimited pattern; `condition` is kept as written (parsed, not evaluated)."""

    name: str
    condition: str


@dataclass(frozen=True)
class FilterPattern:
    source: str
    kind: PatternKind
    expression: Expression | None = None
    terms: tuple[Term, ...] = ()
    fields: tuple[FieldSpec, ...] = ()


def parse_filter_pattern(source: str) -> FilterPattern:
    """Parse `source`; raise FilterPatternError (and nothing else) when it is not a valid pattern."""
    stripped = source.strip()
    if not stripped:
        return FilterPattern(source=source, kind=PatternKind.MATCH_ALL)
    offset = len(source) - len(source.lstrip())
    if stripped.startswith("{"):
        expression = _JsonParser(source, offset).parse()
        return FilterPattern(source=source, kind=PatternKind.JSON, expression=expression)
    if stripped.startswith("["):
        return FilterPattern(
            source=source, kind=PatternKind.SPACE_DELIMITED, fields=_parse_space_delimited(source, offset)
        )
    return FilterPattern(source=source, kind=PatternKind.TERMS, terms=_parse_terms(source))


def _compile_regex(body: str, position: int) -> re.Pattern[str]:
    if not body:
        raise FilterPatternError("empty %regex%", position)
    if not _REGEX_ALLOWED.fullmatch(body):
        bad = next(ch for ch in body if not _REGEX_ALLOWED.fullmatch(ch))
        raise FilterPatternError(f"character {quoted(bad)} is not allowed in a %regex%", position)
    try:
        # Python warns that sets such as `[[` may change meaning in future versions; today's meaning stands.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(body)
    except (re.error, RecursionError, OverflowError) as exc:
        raise FilterPatternError(f"bad %regex%: {exc}", position) from None


class _JsonParser:
    """Recursive descent over `{ expr }`: expr := conj ('||' conj)*, conj := atom ('&&' atom)*."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.pos = start
        self.depth = 0

    def parse(self) -> Expression:
        self._expect("{")
        expression = self._disjunction()
        self._expect("}")
        self._skip_space()
        if self.pos != len(self.text):
            raise FilterPatternError("unexpected text after the closing '}'", self.pos)
        return expression

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _peek(self, token: str) -> bool:
        self._skip_space()
        return self.text.startswith(token, self.pos)

    def _expect(self, token: str) -> None:
        if not self._peek(token):
            found = self.text[self.pos : self.pos + 10] or "end of pattern"
            raise FilterPatternError(f"expected {quoted(token)}, found {quoted(found)}", self.pos)
        self.pos += len(token)

    def _disjunction(self) -> Expression:
        operands = [self._conjunction()]
        while self._peek("||"):
            self.pos += 2
            operands.append(self._conjunction())
        return operands[0] if len(operands) == 1 else AnyOf(_flatten(operands, AnyOf))

    def _conjunction(self) -> Expression:
        operands = [self._atom()]
        while self._peek("&&"):
            self.pos += 2
            operands.append(self._atom())
        return operands[0] if len(operands) == 1 else AllOf(_flatten(operands, AllOf))

    def _atom(self) -> Expression:
        if self._peek("("):
            self.depth += 1
            if self.depth > _MAX_NESTING:
                raise FilterPatternError(f"parentheses nested deeper than {_MAX_NESTING}", self.pos)
            self.pos += 1
            inner = self._disjunction()
            self._expect(")")
            self.depth -= 1
            return inner
        selector = self._selector()
        self._skip_space()
        operator = self._operator()
        if operator is None:
            return Check(selector, self._predicate())
        return Comparison(selector, operator, self._value(operator))

    def _selector(self) -> Selector:
        start = self.pos
        if not self.text.startswith("$.", self.pos):
            raise FilterPatternError("expected a selector starting with '$.'", self.pos)
        self.pos += 1
        steps: list[str | int] = []
        while self.pos < len(self.text) and self.text[self.pos] in ".[":
            if self.text[self.pos] == ".":
                name = _SELECTOR_NAME.match(self.text, self.pos + 1)
                if name is None:
                    raise FilterPatternError("expected a property name after '.'", self.pos + 1)
                steps.append(name.group())
                self.pos = name.end()
            else:
                index = _SELECTOR_INDEX.match(self.text, self.pos)
                if index is None or not steps:
                    raise FilterPatternError("expected an array index like [0] after a property", self.pos)
                steps.append(int(index.group(1)))
                self.pos = index.end()
        return Selector(tuple(steps), self.text[start : self.pos])

    def _operator(self) -> Operator | None:
        for operator in (Operator.NE, Operator.LE, Operator.GE, Operator.EQ, Operator.LT, Operator.GT):
            if self.text.startswith(operator.value, self.pos):
                self.pos += len(operator.value)
                return operator
        return None

    def _predicate(self) -> Predicate:
        words = _PREDICATE.match(self.text, self.pos)
        if words is None:
            raise FilterPatternError(
                "expected an operator (=, !=, <, <=, >, >=) or IS TRUE/IS FALSE/IS NULL/NOT EXISTS", self.pos
            )
        phrase = f"{words.group(1).upper()} {words.group(2).upper()}"
        try:
            predicate = Predicate(phrase)
        except ValueError:
            raise FilterPatternError(f"unknown predicate {quoted(phrase)}", self.pos) from None
        self.pos = words.end()
        return predicate

    def _value(self, operator: Operator) -> Value:
        self._skip_space()
        start = self.pos
        if self.pos >= len(self.text):
            raise FilterPatternError("expected a value", self.pos)
        char = self.text[self.pos]
        if char == '"':
            value: Value = TextValue(self._quoted(), quoted=True)
        elif char == "%":
            end = self.text.find("%", self.pos + 1)
            if end < 0:
                raise FilterPatternError("unterminated %regex%", self.pos)
            body = self.text[self.pos + 1 : end]
            value = RegexValue(_compile_regex(body, self.pos), body)
            self.pos = end + 1
        else:
            value = self._unquoted()
        if operator not in (Operator.EQ, Operator.NE) and not isinstance(value, NumberValue):
            raise FilterPatternError(f"operator {operator.value} needs a number", start)
        return value

    def _quoted(self) -> str:
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char == '"':
                self.pos += 1
                return "".join(chars)
            chars.append(char)
            self.pos += 1
        raise FilterPatternError("unterminated quoted string", start)

    def _unquoted(self) -> Value:
        words: list[str] = []
        while True:
            word_start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in _UNQUOTED_STOP:
                self.pos += 1
            word = self.text[word_start : self.pos]
            if not word:
                break
            if words and word.upper() in _KEYWORDS:
                self.pos = word_start
                break
            words.append(word)
            # Unquoted values with spaces are accepted (CIS transcriptions write `Failed authentication`).
            after_space = self.pos
            while after_space < len(self.text) and self.text[after_space] in " \t\r\n":
                after_space += 1
            if after_space == self.pos or after_space >= len(self.text):
                break
            if self.text[after_space] in _UNQUOTED_STOP:
                break
            self.pos = after_space
        if not words:
            raise FilterPatternError("expected a value", self.pos)
        text = " ".join(words)
        if len(words) == 1 and _NUMBER.fullmatch(text):
            return NumberValue(float(text), text)
        return TextValue(text, quoted=False)


def _flatten(operands: list[Expression], kind: type[AllOf] | type[AnyOf]) -> tuple[Expression, ...]:
    flat: list[Expression] = []
    for operand in operands:
        if isinstance(operand, kind):
            flat.extend(operand.operands)
        else:
            flat.append(operand)
    return tuple(flat)


def _parse_terms(source: str) -> tuple[Term, ...]:
    terms: list[Term] = []
    pos = 0
    while pos < len(source):
        if source[pos].isspace():
            pos += 1
            continue
        mode = TermMode.REQUIRED
        if source[pos] in "-?":
            mode = TermMode(source[pos])
            pos += 1
            # The AWS guide writes exclusions both as `-term` and as `"ERROR" - "Exiting"`.
            while pos < len(source) and source[pos].isspace():
                pos += 1
            if pos >= len(source):
                raise FilterPatternError(f"{quoted(mode.value)} must be followed by a term", pos)
        if source[pos] == '"':
            end = source.find('"', pos + 1)
            if end < 0:
                raise FilterPatternError("unterminated quoted term", pos)
            terms.append(Term(source[pos + 1 : end], mode))
            pos = end + 1
        elif source[pos] == "%":
            end = source.find("%", pos + 1)
            if end < 0:
                raise FilterPatternError("unterminated %regex%", pos)
            body = source[pos + 1 : end]
            terms.append(Term(body, mode, _compile_regex(body, pos)))
            pos = end + 1
        else:
            start = pos
            while pos < len(source) and not source[pos].isspace():
                if source[pos] in '{}[]"%':
                    raise FilterPatternError(
                        f"character {quoted(source[pos])} must be inside a quoted term", pos
                    )
                pos += 1
            terms.append(Term(source[start:pos], mode))
    return tuple(terms)


def _parse_space_delimited(source: str, start: int) -> tuple[FieldSpec, ...]:
    end = source.rstrip().rfind("]")
    if end <= start or source[end + 1 :].strip():
        raise FilterPatternError("a space-delimited pattern must end with ']'", len(source.rstrip()))
    items = source[start + 1 : end].split(",")
    fields: list[FieldSpec] = []
    offset = start + 1
    for number, raw in enumerate(items):
        item = raw.strip()
        # A trailing comma is accepted: the AWS guide shows `[..., request=*.html*, status_code=4*,]`.
        if not item and number != len(items) - 1:
            raise FilterPatternError("empty field in a space-delimited pattern", offset)
        if item:
            name = re.match(r"\.\.\.|[A-Za-z_][A-Za-z0-9_]*", item)
            if name is None:
                raise FilterPatternError("expected a field name or '...'", offset)
            fields.append(FieldSpec(name.group(), item[name.end() :].strip()))
        offset += len(raw) + 1
    if not fields:
        raise FilterPatternError("a space-delimited pattern needs at least one field", start)
    return tuple(fields)

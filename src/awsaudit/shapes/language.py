"""A small typed shape language for the AWS responses the checks rely on.

A shape says what a dataset must look like for a check to judge it: which fields must be
there and of which JSON type, which lists must not name the same resource twice. Fields a
shape does not name are kept and not judged (snapshots stay faithful to AWS), so a shape
lists what the checks and analyses read, with its type, and nothing more.

Validation is one pass over the declared fields, with no allocation on the happy path: the
path to an offending value is built only while an error propagates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from awsaudit.errors import AwsauditError


class ShapeError(AwsauditError):
    """A value does not have its declared shape; ``where`` is the JSON path to it."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self._reversed_path: list[str | int] = []

    def inside(self, step: str | int) -> ShapeError:
        self._reversed_path.append(step)
        return self

    @property
    def where(self) -> str:
        text = ""
        for step in reversed(self._reversed_path):
            text += f"[{step}]" if isinstance(step, int) else f".{step}"
        return text or "(top)"

    def describe(self) -> str:
        return f"{self.where}: {self.problem}"


def kind_of(value: object) -> str:
    """The JSON name of a value's type, for error messages (never the value: it may be huge or hostile)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number" if math.isfinite(value) else "non-finite number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class Shape:
    """The base of every shape: ``check`` raises ShapeError or returns None."""

    __slots__ = ()

    def check(self, value: Any) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def member(self, step: str | int) -> Member:
        """What this shape declares about the value one step inside it (for tools such as the fuzzer)."""
        return UNDECLARED


class Member:
    """A step inside a shape: the member's shape (None: not declared) and whether it may be absent."""

    __slots__ = ("optional", "shape")

    def __init__(self, shape: Shape | None, optional: bool) -> None:
        self.shape = shape
        self.optional = optional


UNDECLARED = Member(None, optional=False)


class _Scalar(Shape):
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def describe(self) -> str:
        return self._name


class _Str(_Scalar):
    __slots__ = ()

    def check(self, value: Any) -> None:
        if type(value) is not str:
            raise ShapeError(f"expected a string, found {kind_of(value)}")


class _Bool(_Scalar):
    __slots__ = ()

    def check(self, value: Any) -> None:
        # Strictly a boolean: the string "false" is truthy and must never count as set.
        if type(value) is not bool:
            raise ShapeError(f"expected a boolean, found {kind_of(value)}")


class _Int(_Scalar):
    __slots__ = ()

    def check(self, value: Any) -> None:
        if type(value) is not int:
            raise ShapeError(f"expected an integer, found {kind_of(value)}")


class _Num(_Scalar):
    __slots__ = ()

    def check(self, value: Any) -> None:
        kind = type(value)
        if kind is int:
            return
        if kind is not float or not math.isfinite(value):
            raise ShapeError(f"expected a finite number, found {kind_of(value)}")


class _Anything(_Scalar):
    __slots__ = ()

    def check(self, value: Any) -> None:
        return None


Str: Shape = _Str("string")
Bool: Shape = _Bool("boolean")
Int: Shape = _Int("integer")
Num: Shape = _Num("number")
# A value the checks read only as evidence, or hand whole to a parser that judges it (a policy
# document): any JSON value. Non-finite numbers are refused before any shape is consulted.
Anything: Shape = _Anything("any")


class OneOf(Shape):
    """One of a closed set of strings (the credential report's "true"/"false" columns)."""

    __slots__ = ("_allowed",)

    def __init__(self, *allowed: str) -> None:
        self._allowed = frozenset(allowed)

    def check(self, value: Any) -> None:
        if type(value) is not str:
            raise ShapeError(f"expected a string, found {kind_of(value)}")
        if value not in self._allowed:
            raise ShapeError(f"unexpected value (expected one of {', '.join(sorted(self._allowed))})")

    def describe(self) -> str:
        return " | ".join(f'"{a}"' for a in sorted(self._allowed))


class Nullable(Shape):
    """``null`` or the inner shape; null is how the snapshot records "AWS says there is none"."""

    __slots__ = ("_inner",)

    def __init__(self, inner: Shape) -> None:
        self._inner = inner

    def check(self, value: Any) -> None:
        if value is not None:
            self._inner.check(value)

    def describe(self) -> str:
        return f"{self._inner.describe()} or null"

    def member(self, step: str | int) -> Member:
        return self._inner.member(step)


class Either(Shape):
    """The first of several shapes that fits (a field AWS types differently in some answers)."""

    __slots__ = ("_options",)

    def __init__(self, *options: Shape) -> None:
        self._options = options

    def check(self, value: Any) -> None:
        problems = []
        for option in self._options:
            try:
                option.check(value)
                return
            except ShapeError as error:
                problems.append(error.describe())
        raise ShapeError(f"fits none of: {'; '.join(problems)}")

    def describe(self) -> str:
        return " | ".join(option.describe() for option in self._options)

    def member(self, step: str | int) -> Member:
        for option in self._options:
            found = option.member(step)
            if found.shape is not None:
                return found
        return UNDECLARED


class Obj(Shape):
    """An object with required and optional fields; fields it does not name are not judged.

    An optional field may be absent (AWS omits it, or the sub-call that fills it failed and the
    failure is recorded under ``_errors``); when present it must fit its shape.
    """

    __slots__ = ("_optional", "_required")

    def __init__(self, required: Mapping[str, Shape] | None = None, **optional: Shape) -> None:
        self._required = tuple((required or {}).items())
        self._optional = tuple(optional.items())

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self._required)

    def check(self, value: Any) -> None:
        if type(value) is not dict:
            raise ShapeError(f"expected an object, found {kind_of(value)}")
        for name, shape in self._required:
            if name not in value:
                raise ShapeError(f"required field {name} is missing")
            try:
                shape.check(value[name])
            except ShapeError as error:
                raise error.inside(name) from None
        for name, shape in self._optional:
            if name in value:
                try:
                    shape.check(value[name])
                except ShapeError as error:
                    raise error.inside(name) from None
        if RESOURCE_ERRORS_FIELD in value:
            try:
                _RESOURCE_ERRORS.check(value[RESOURCE_ERRORS_FIELD])
            except ShapeError as error:
                raise error.inside(RESOURCE_ERRORS_FIELD) from None

    def member(self, step: str | int) -> Member:
        for name, shape in self._required:
            if name == step:
                return Member(shape, optional=False)
        for name, shape in self._optional:
            if name == step:
                return Member(shape, optional=True)
        if step == RESOURCE_ERRORS_FIELD:
            # Present only when a sub-call failed; the failed field is then absent as well.
            return Member(_RESOURCE_ERRORS, optional=True)
        return UNDECLARED

    def describe(self) -> str:
        fields = [f"{name}: {shape.describe()}" for name, shape in self._required]
        fields += [f"{name}?: {shape.describe()}" for name, shape in self._optional]
        return "{" + ", ".join(fields) + "}"


class ListOf(Shape):
    """A list of items of one shape; ``unique`` names the field that identifies an item.

    Two items with the same identifier are refused: whichever one a check happened to read,
    the other could hide what it says (two security groups with one GroupId).
    """

    __slots__ = ("_item", "_unique")

    def __init__(self, item: Shape, *, unique: str | None = None) -> None:
        self._item = item
        self._unique = unique

    def check(self, value: Any) -> None:
        if type(value) is not list:
            raise ShapeError(f"expected a list, found {kind_of(value)}")
        item_shape = self._item
        for index, item in enumerate(value):
            try:
                item_shape.check(item)
            except ShapeError as error:
                raise error.inside(index) from None
        if self._unique is not None:
            self._check_unique(value, self._unique)

    @staticmethod
    def _check_unique(items: list[Any], key: str) -> None:
        seen: set[Any] = set()
        for index, item in enumerate(items):
            identifier = item.get(key) if type(item) is dict else item
            if type(identifier) is not str:
                if identifier is None:
                    raise ShapeError(f"identifier {key} is missing").inside(index)
                raise ShapeError(f"identifier {key} is {kind_of(identifier)}, not a string").inside(index)
            if identifier in seen:
                raise ShapeError(f"duplicate {key} (two items name the same resource)").inside(index)
            seen.add(identifier)

    def describe(self) -> str:
        unique = f", unique by {self._unique}" if self._unique else ""
        return f"list of {self._item.describe()}{unique}"

    @property
    def unique(self) -> str | None:
        return self._unique

    def member(self, step: str | int) -> Member:
        return Member(self._item, optional=False)


class UniqueStrings(Shape):
    """A list of distinct strings (ARNs, names): a repeated one is a duplicated resource."""

    __slots__ = ()

    def check(self, value: Any) -> None:
        if type(value) is not list:
            raise ShapeError(f"expected a list, found {kind_of(value)}")
        seen: set[str] = set()
        for index, item in enumerate(value):
            if type(item) is not str:
                raise ShapeError(f"expected a string, found {kind_of(item)}").inside(index)
            if item in seen:
                raise ShapeError("duplicate entry").inside(index)
            seen.add(item)

    def describe(self) -> str:
        return "list of distinct strings"

    def member(self, step: str | int) -> Member:
        return Member(Str, optional=False)


class MapOf(Shape):
    """An object whose keys are data (tags by name, queue attributes), every value of one shape."""

    __slots__ = ("_value",)

    def __init__(self, value: Shape) -> None:
        self._value = value

    def check(self, value: Any) -> None:
        if type(value) is not dict:
            raise ShapeError(f"expected an object, found {kind_of(value)}")
        value_shape = self._value
        for key, item in value.items():
            try:
                value_shape.check(item)
            except ShapeError as error:
                raise error.inside(str(key)) from None

    def describe(self) -> str:
        return f"map of {self._value.describe()}"

    def member(self, step: str | int) -> Member:
        return Member(self._value, optional=True)


def list_of(unique: str | None = None, **fields: Shape) -> ListOf:
    """The common case: a list of objects, the identifier field required and a string."""
    required: dict[str, Shape] = {unique: Str} if unique else {}
    return ListOf(Obj(required, **fields), unique=unique)


# Where a resource records the failure of one of its sub-calls (re-exported as snapshot.RESOURCE_ERRORS_KEY):
# {field: {operation, code, message}}, checked on every object that has it.
RESOURCE_ERRORS_FIELD = "_errors"
_RESOURCE_ERRORS = MapOf(Obj({"operation": Str, "code": Str, "message": Str}))

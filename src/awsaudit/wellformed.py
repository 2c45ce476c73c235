"""Values every output format can carry: no lone surrogates, no NaN or infinity.

Audited data is hostile or merely odd: a resource name with a lone UTF-16 surrogate
(``\\ud800``, which no UTF-8 encoder accepts) or a number that is NaN or infinite (which JSON
cannot express; ``json.dumps`` would write a bare ``NaN``, and the file would not parse).
:func:`wellformed` replaces them before anything is rendered or stored, the same way for every
format (docs/reports.md):

- a lone surrogate becomes U+FFFD (the replacement character);
- NaN, +infinity and -infinity become the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``.

Dataclasses (frozen or not), mappings, lists and tuples are rebuilt only where something
changed, so a clean value comes back as the very same object.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def wellformed_text(text: str) -> str:
    if text.isascii():
        return text
    return _SURROGATE.sub(REPLACEMENT, text)


def wellformed_number(number: float) -> float | str:
    if math.isfinite(number):
        return number
    if math.isnan(number):
        return "NaN"
    return "Infinity" if number > 0 else "-Infinity"


def wellformed(value: T) -> T:
    """``value`` with every string and float inside it made representable (see the module doc)."""
    return _clean(value)  # type: ignore[no-any-return]


def _clean(value: Any) -> Any:
    if isinstance(value, Enum) or value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return wellformed_text(value)
    if isinstance(value, float):
        return wellformed_number(value)
    if isinstance(value, Mapping):
        items = [(_clean(k), _clean(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(), strict=True)):
            return value
        return dict(items)
    if isinstance(value, list | tuple):
        cleaned = [_clean(item) for item in value]
        if all(a is b for a, b in zip(cleaned, value, strict=True)):
            return value
        return type(value)(cleaned) if type(value) in (list, tuple) else cleaned
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            current = getattr(value, field.name)
            cleaned = _clean(current)
            if cleaned is not current:
                changes[field.name] = cleaned
        return dataclasses.replace(value, **changes) if changes else value
    return value

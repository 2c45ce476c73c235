"""The methods the ``dataclasses`` module writes for each class, compiled once per installation.

``@dataclass`` writes the source of each method it adds (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, and ``__setattr__``/``__delattr__`` for a frozen class) and compiles it with
``exec``: about 85 µs a method, 0.7 ms a frozen class. A scan's command line creates about 280
dataclasses (its own and its libraries'), so compiling their methods cost ~0.15 s of CPU, every
run, for the same text each time.

``install()`` gives the ``dataclasses`` module an ``exec`` of its own (a module's globals come
before the builtins) that compiles a text once and keeps the code object in the disk cache
(``awsaudit.disk_cache``), then runs it exactly as the builtin would. The code is what
``compile`` makes of the same text with the same (empty) set of ``__future__`` flags as the
builtin ``exec`` called from ``dataclasses``, so every class is exactly what Python would make.
Any other use of ``exec`` (a code object, non-dict namespaces) goes to the builtin unchanged.

The entry holds code that will run, so it is used only when it is as trustworthy as Python's own
bytecode caches: a regular file owned by this user that nobody else may write (on systems where
files have no such owner, nothing is cached); its CRC guards against damage. It is keyed by the
interpreter's version and the ``dataclasses`` module's path, as bytecode is only valid for the
interpreter that wrote it.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import os
import sys
from types import CodeType
from typing import Any

from awsaudit.disk_cache import entry_name, read_entry, write_entry

_ENTRY = entry_name("dataclass-code", f"{sys.version}|{dataclasses.__file__}", suffix=".marshal")
# More texts than awsaudit and its libraries define: the entry has kept those of code since removed
# (an upgrade, a development tree), so it starts again from the texts this process uses.
_MAX_KEPT = 5000


class _CompiledTexts:
    def __init__(self, known: dict[str, CodeType]) -> None:
        self.codes = known
        self.used: set[str] = set()
        self.added = False

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if type(source) is not str or type(globals) is not dict or type(locals) is not dict:
            return builtins.exec(source, globals, locals)
        code = self.codes.get(source)
        if code is None:
            code = self.codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
            self.added = True
        self.used.add(source)
        return builtins.exec(code, globals, locals)

    def save(self) -> None:
        if not self.added:
            return
        kept = self.codes
        if len(kept) > _MAX_KEPT:
            kept = {text: self.codes[text] for text in self.used}
        write_entry(_ENTRY, marshal.dumps(kept))


_installed: _CompiledTexts | None = None


def install() -> None:
    """Compile dataclass methods through the disk cache from now on in this process (idempotent)."""
    global _installed
    if _installed is not None or "exec" in vars(dataclasses) or not hasattr(os, "getuid"):
        # Installed; or a dataclasses module with an exec of its own; or a system whose files have
        # no owner to check (the entry would never be read): leave Python's compilation alone.
        return
    _installed = _CompiledTexts(_trusted_entry())
    dataclasses.exec = _installed.exec  # type: ignore[attr-defined]
    atexit.register(_installed.save)


def _trusted_entry() -> dict[str, CodeType]:
    payload = read_entry(_ENTRY, owner_only=True)
    if payload is None:
        return {}
    try:
        codes = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if type(codes) is not dict or not all(
        type(text) is str and type(code) is CodeType for text, code in codes.items()
    ):
        return {}
    return codes

"""Dataclass methods compiled once per installation: the classes are exactly Python's own."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from awsaudit import dataclass_code
from awsaudit.dataclass_code import _ENTRY, _CompiledTexts, _trusted_entry
from awsaudit.disk_cache import CACHE_DIR_ENV, write_entry


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    return tmp_path


def _make_class(compiled: _CompiledTexts | None, monkeypatch: pytest.MonkeyPatch) -> type:
    """A frozen, ordered dataclass with defaults, made through ``compiled`` (None: the builtin exec)."""
    with monkeypatch.context() as patch:
        if compiled is None:
            patch.delattr(dataclasses, "exec", raising=False)
        else:
            patch.setattr(dataclasses, "exec", compiled.exec, raising=False)

        @dataclasses.dataclass(frozen=True, order=True)
        class Rule:
            port: int
            cidrs: tuple[str, ...] = ()
            tags: dict[str, str] = dataclasses.field(default_factory=dict, compare=False)

    return Rule


def _methods(cls: type) -> dict[str, Any]:
    names = ("__init__", "__repr__", "__eq__", "__lt__", "__hash__", "__setattr__", "__delattr__")
    return {
        name: (code.co_code, code.co_consts, code.co_names, code.co_varnames, code.co_flags)
        for name in names
        for code in [getattr(cls, name).__code__]
    }


def test_a_class_made_through_the_cache_is_the_one_python_makes(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python_made = _make_class(None, monkeypatch)
    cached = _make_class(_CompiledTexts({}), monkeypatch)
    assert _methods(cached) == _methods(python_made)
    rule = cached(443, ("0.0.0.0/0",))
    assert repr(rule).endswith("Rule(port=443, cidrs=('0.0.0.0/0',), tags={})")
    assert rule == cached(443, ("0.0.0.0/0",), {"a": "b"}) and rule < cached(8080)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.port = 22  # type: ignore[misc]


def test_a_later_process_compiles_nothing_and_rewrites_nothing(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _CompiledTexts(_trusted_entry())
    _make_class(first, monkeypatch)
    assert first.added
    first.save()
    written = (cache / _ENTRY).stat().st_mtime_ns

    later = _CompiledTexts(_trusted_entry())
    assert later.codes
    _make_class(later, monkeypatch)
    assert not later.added
    later.save()
    assert (cache / _ENTRY).stat().st_mtime_ns == written


def test_an_entry_others_may_write_is_not_run(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _CompiledTexts({})
    _make_class(compiled, monkeypatch)
    compiled.save()
    assert _trusted_entry()
    os.chmod(cache / _ENTRY, 0o664)
    assert _trusted_entry() == {}


@pytest.mark.parametrize(
    "payload",
    [
        b"not marshal data",
        marshal.dumps(["a list"]),
        marshal.dumps({"text": 1}),
        marshal.dumps({1: compile("", "", "exec")}),
    ],
)
def test_a_damaged_or_foreign_entry_is_ignored(cache: Path, payload: bytes) -> None:
    write_entry(_ENTRY, payload)
    assert _trusted_entry() == {}


def test_a_truncated_entry_is_ignored(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _CompiledTexts({})
    _make_class(compiled, monkeypatch)
    compiled.save()
    entry = cache / _ENTRY
    entry.write_bytes(entry.read_bytes()[:-10])
    assert _trusted_entry() == {}


def test_other_uses_of_exec_go_to_the_builtin() -> None:
    compiled = _CompiledTexts({})
    namespace: dict[str, Any] = {}
    compiled.exec(compile("x = 1", "<test>", "exec"), namespace)
    compiled.exec("y = 2", namespace)  # no locals mapping
    assert (namespace["x"], namespace["y"]) == (1, 2)
    assert compiled.codes == {} and not compiled.added


def test_an_oversized_entry_starts_again_from_the_texts_in_use(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = {f"# removed class {n}\n": compile("", "<string>", "exec") for n in range(3)}
    compiled = _CompiledTexts(dict(stale))
    monkeypatch.setattr(dataclass_code, "_MAX_KEPT", 2)
    _make_class(compiled, monkeypatch)
    compiled.save()
    assert not set(stale) & set(_trusted_entry())
    assert set(_trusted_entry()) == compiled.used


def test_install_replaces_nothing_twice_nor_an_exec_the_module_has(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataclass_code, "_installed", None)
    monkeypatch.setattr(dataclasses, "exec", print, raising=False)
    dataclass_code.install()
    assert dataclasses.exec is print  # type: ignore[attr-defined]

    monkeypatch.delattr(dataclasses, "exec")
    monkeypatch.setattr("atexit.register", lambda function: function)
    dataclass_code.install()
    installed = dataclasses.exec  # type: ignore[attr-defined]
    dataclass_code.install()
    assert dataclasses.exec == installed  # type: ignore[attr-defined]
    assert installed == dataclass_code._installed.exec  # type: ignore[union-attr]


def test_the_command_line_fills_the_entry_once(tmp_path: Path) -> None:
    environment = {**os.environ, CACHE_DIR_ENV: str(tmp_path)}
    command = [sys.executable, "-c", "import awsaudit.cli"]
    subprocess.run(command, env=environment, check=True)
    entry = tmp_path / _ENTRY
    written = entry.stat().st_mtime_ns
    assert len(marshal.loads(entry.read_bytes().partition(b"\n")[2])) > 50  # the CLI's own dataclasses
    subprocess.run(command, env=environment, check=True)
    assert entry.stat().st_mtime_ns == written


def test_nothing_is_installed_where_files_have_no_owner_to_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataclass_code, "_installed", None)
    monkeypatch.delattr(dataclasses, "exec", raising=False)
    monkeypatch.delattr(os, "getuid")
    dataclass_code.install()
    assert "exec" not in vars(dataclasses) and dataclass_code._installed is None

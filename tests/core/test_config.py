"""Configuration: documented defaults, YAML/TOML files, overrides, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml

from awsaudit.config import AuditConfig, ConfigError, load_config


def test_defaults_are_the_documented_ones() -> None:
    config = AuditConfig()
    assert config.max_access_key_age_days == 90
    assert config.unused_credential_days == 45
    assert config.min_password_length == 14
    assert config.password_reuse_prevention == 24
    assert {22, 3389, 5500, 5900, 1433, 3306, 5432, 1521, 27017, 6379, 9200, 445, 23} <= set(
        config.admin_ports
    )
    assert config.trusted_cidrs == ()


def test_the_defaults_pass_the_settings_checks_unchanged(tmp_path: Path) -> None:
    # Lists are not the defaults' tuples: every setting of this file goes through the checks.
    as_lists = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(AuditConfig()).items()}
    path = tmp_path / "audit.yaml"
    path.write_text(yaml.safe_dump(as_lists))
    assert load_config(path) == AuditConfig()


def test_only_settings_other_than_the_defaults_import_pydantic() -> None:
    probe = (
        "import sys; from awsaudit.config import load_config; "
        "load_config(None, {'cis_version': '7.0.0', 'trusted_cidrs': None}); "
        "print('pydantic' in sys.modules); "
        "load_config(None, {'cis_version': '5.0.0'}); print('pydantic' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["False", "True"]


@pytest.mark.parametrize("given", [{"min_password_length": 14.5}, {"require_kms_customer_key": "maybe"}])
def test_values_other_than_the_defaults_are_checked(given: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=f"setting '{next(iter(given))}'"):
        load_config(None, given)


def test_yaml_and_toml_files_and_overrides(tmp_path: Path) -> None:
    yaml_file = tmp_path / "audit.yaml"
    yaml_file.write_text("min_password_length: 16\ntrusted_cidrs: [203.0.113.0/24]\n")
    assert load_config(yaml_file).min_password_length == 16
    toml_file = tmp_path / "audit.toml"
    toml_file.write_text("admin_ports = [22, 2222]\n")
    assert load_config(toml_file).admin_ports == (22, 2222)
    overridden = load_config(yaml_file, {"trusted_cidrs": ("198.51.100.0/24",), "admin_ports": None})
    assert overridden.trusted_cidrs == ("198.51.100.0/24",)


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("min_password_length: [", ".yaml", "not valid yaml"),
        ("- a\n- b\n", ".yaml", "expected a mapping"),
        ("unknown_setting: 1\n", ".yaml", "setting 'unknown_setting'"),
        ("min_password_length: 3\n", ".yaml", "setting 'min_password_length'"),
        ("trusted_cidrs: [not-a-cidr]\n", ".yaml", "not a CIDR block"),
        ("admin_ports: [70000]\n", ".yaml", "outside 0-65535"),
        ("admin_ports = [", ".toml", "not valid toml"),
    ],
)
def test_bad_config_is_one_line_naming_the_file(
    tmp_path: Path, text: str, suffix: str, expected: str
) -> None:
    path = tmp_path / f"audit{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "none.yaml")

"""Audit configuration: thresholds and lists the checks use, with documented defaults.

Loaded from a YAML or TOML file (``--config``) and overridden by CLI options. ``AuditConfig`` is a
plain frozen dataclass whose fields carry their description and constraints; ``load_config`` checks
what a file or an override gives against a pydantic model built from those fields. Importing pydantic
and building that model cost about 0.1 s of CPU and 9 MB (20 ms and 1 MB where typer, the command
line's parser, has imported pydantic already), so they happen only when there is something other
than the defaults to check (the defaults are valid: a test checks them).
"""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_type_hints

from awsaudit.errors import AwsauditError, quoted, shorten

if TYPE_CHECKING:
    from pydantic import BaseModel

_T = TypeVar("_T")

# The defaults of the configurable baseline: turning off what lets the security team see.
DEFAULT_BASELINE_ACTIONS: tuple[str, ...] = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "config:StopConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "guardduty:DeleteDetector",
    "guardduty:DisassociateFromAdministratorAccount",
    "guardduty:DisassociateFromMasterAccount",
    "securityhub:DisableSecurityHub",
    "access-analyzer:DeleteAnalyzer",
    "organizations:LeaveOrganization",
)

# What a security team does first in a compromised account: quarantine an instance, disable a key,
# take a policy away.
DEFAULT_INTERVENTION_ACTIONS: tuple[str, ...] = (
    "ec2:ModifyInstanceAttribute",
    "ec2:StopInstances",
    "iam:UpdateAccessKey",
    "kms:DisableKey",
    "iam:DetachRolePolicy",
    "iam:DetachUserPolicy",
)

# Shipped allow-list: what AWS Control Tower, Landing Zone Accelerator, StackSets, organization
# trails and AWS Config put into a management account. Globs on a resource's name or ARN, or
# ``tag:Key=ValueGlob``.
DEFAULT_GOVERNANCE_GLOBS: tuple[str, ...] = (
    "aws-controltower-*",
    "*AWSControlTower*",
    "aws-accelerator-*",
    "*AWSAccelerator*",
    "StackSet-*",
    "*stackset*",
    "aws-cloudtrail-logs-*",
    "*organization-trail*",
    "config-bucket-*",
    "aws-config-*",
    "tag:aws:cloudformation:stack-name=StackSet-*",
    "tag:aws:cloudformation:stack-name=AWSControlTower*",
    "tag:Accelerator=*",
)

DEFAULT_ADMIN_PORTS: tuple[int, ...] = (
    22,  # SSH
    23,  # Telnet
    445,  # CIFS / SMB
    1433,  # Microsoft SQL Server
    1521,  # Oracle
    3306,  # MySQL / MariaDB
    3389,  # RDP
    5432,  # PostgreSQL
    5500,  # VNC (reverse)
    5900,  # VNC
    6379,  # Redis
    9200,  # Elasticsearch / OpenSearch
    27017,  # MongoDB
)


class ConfigError(AwsauditError):
    """The configuration file or an override is invalid."""


# A day count beyond a century is a typo, and one beyond ~2.9 million days does not fit a date:
# subtracting it from the collection time would overflow.
MAX_DAYS = 36_500


def _setting(default: _T, description: str, **constraints: Any) -> _T:
    """A field of ``AuditConfig``: its default, its documentation and pydantic's constraints on it."""
    return field(default=default, metadata={"description": description, **constraints})


@dataclass(frozen=True)
class AuditConfig:
    """Every tunable the checks read. Field descriptions are the documentation."""

    max_access_key_age_days: int = _setting(90, "Rotate access keys at least this often.", ge=1, le=MAX_DAYS)
    unused_credential_days: int = _setting(
        45, "Passwords and keys unused for this long must be disabled.", ge=1, le=MAX_DAYS
    )
    min_password_length: int = _setting(14, "Minimum IAM password length.", ge=6, le=128)
    password_reuse_prevention: int = _setting(24, "Passwords remembered.", ge=1, le=24)
    admin_ports: tuple[int, ...] = _setting(
        DEFAULT_ADMIN_PORTS, "Administration and database ports never open to the internet."
    )
    trusted_cidrs: tuple[str, ...] = _setting((), "The company's own IP ranges (IPv4 or IPv6).")
    admin_principals: tuple[str, ...] = _setting(
        (), "Names or ARNs of the approved administrators (separation-of-duties exemptions)."
    )
    require_kms_customer_key: bool = _setting(
        False, "S3 default encryption passes only as SSE-KMS or DSSE-KMS with a customer-managed key."
    )
    cis_version: str = _setting(
        "7.0.0",
        "CIS version whose event lists the monitoring controls are judged against.",
        pattern=r"^(3\.0\.0|5\.0\.0|7\.0\.0)$",
    )
    recent_root_use_days: int = _setting(
        30, "Root use within this many days of collection counts as recent.", ge=1, le=MAX_DAYS
    )
    guardrail_baseline: tuple[str, ...] = _setting(
        DEFAULT_BASELINE_ACTIONS,
        "Actions the organization's SCPs must deny in every member account (changing the audit "
        "roles is always added).",
    )
    guardrail_allowed_regions: tuple[str, ...] = _setting(
        (), "When set, SCPs must also deny launching compute outside these regions."
    )
    audit_roles: tuple[str, ...] = _setting(
        (), "Audit / break-glass role names (optionally with a path) the security team uses."
    )
    security_account_id: str | None = _setting(
        None, "The security team's account, which the audit roles trust.", pattern=r"^\d{12}$"
    )
    intervention_actions: tuple[str, ...] = _setting(
        DEFAULT_INTERVENTION_ACTIONS, "What an audit / break-glass role must be able to do in an emergency."
    )
    governance_resources: tuple[str, ...] = _setting(
        DEFAULT_GOVERNANCE_GLOBS,
        "Globs on a resource's name or ARN, or 'tag:Key=Value', that mark governance resources "
        "(not workloads) in the management account.",
    )
    identity_center_admins: tuple[str, ...] = _setting(
        (), "Identity Center group names (globs) allowed to hold full administrator access."
    )


def _ports_in_range(ports: tuple[int, ...]) -> tuple[int, ...]:
    for port in ports:
        if not 0 <= port <= 65535:
            raise ValueError(f"port {port} is outside 0-65535")
    return tuple(sorted(set(ports)))


def _valid_cidrs(cidrs: tuple[str, ...]) -> tuple[str, ...]:
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ValueError(f"{cidr!r} is not a CIDR block") from None
    return cidrs


@cache
def _schema() -> type[BaseModel]:
    """The pydantic model that checks settings: ``AuditConfig``'s fields with their constraints."""
    from pydantic import ConfigDict, Field, create_model, field_validator

    hints = get_type_hints(AuditConfig)
    definitions: dict[str, Any] = {
        f.name: (hints[f.name], Field(f.default, **f.metadata)) for f in fields(AuditConfig)
    }
    schema: type[BaseModel] = create_model(
        "AuditConfig",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __validators__={
            "_ports_in_range": field_validator("admin_ports")(_ports_in_range),
            "_valid_cidrs": field_validator("trusted_cidrs")(_valid_cidrs),
        },
        **definitions,
    )
    return schema


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(AuditConfig)}


def _is_default(name: str, value: Any) -> bool:
    """``value`` is the setting's default, down to the type of every item (``True`` is not ``1``)."""
    return name in _DEFAULTS and _identical(value, _DEFAULTS[name])


def _identical(value: Any, default: Any) -> bool:
    if type(value) is not type(default):
        return False
    if isinstance(value, tuple):
        return len(value) == len(default) and all(map(_identical, value, default))
    return bool(value == default)


def _read_file(source: Path) -> dict[str, Any]:
    language = "TOML" if source.suffix == ".toml" else "YAML"
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8 text") from None
    import yaml  # here: PyYAML costs a run without a config file about 15 ms of start-up

    from awsaudit.yaml_input import load_yaml

    try:
        loaded = tomllib.loads(text) if language == "TOML" else load_yaml(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, ValueError) as exc:
        # ValueError: tomllib's int() of a number longer than Python converts (4300 digits).
        first_line = shorten(str(exc).splitlines()[0], 200) if str(exc) else type(exc).__name__
        raise ConfigError(
            f"{source}: not valid {source.suffix.lstrip('.') or 'YAML'}: {first_line}"
        ) from None
    except RecursionError:
        raise ConfigError(f"{source}: not valid {language}: nested too deeply") from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{source}: expected a mapping of settings at the top level")
    odd = [key for key in loaded if not isinstance(key, str)]
    if odd:
        raise ConfigError(f"{source}: setting names must be text, got {quoted(odd[0])}")
    return loaded


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None) -> AuditConfig:
    """Read a YAML/TOML config file (optional) and apply overrides; ConfigError on any problem."""
    values: dict[str, Any] = {} if path is None else _read_file(Path(path))
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    if all(_is_default(name, value) for name, value in values.items()):
        return AuditConfig()
    from pydantic import ValidationError

    try:
        checked = _schema()(**values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        origin = f"{path}: " if path else ""
        raise ConfigError(f"{origin}setting {where!r}: {problem['msg']}") from None
    return AuditConfig(**dict(checked))

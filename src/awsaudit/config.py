"""Audit configuration: thresholds and lists the checks use, with documented defaults.

Loaded from a YAML or TOML file (``--config``) and overridden by CLI options.
"""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from awsaudit.errors import AwsauditError, quoted, shorten
from awsaudit.yaml_input import load_yaml

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


class AuditConfig(BaseModel):
    """Every tunable the checks read. Field descriptions are the documentation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_access_key_age_days: int = Field(
        90, ge=1, le=MAX_DAYS, description="Rotate access keys at least this often."
    )
    unused_credential_days: int = Field(
        45, ge=1, le=MAX_DAYS, description="Passwords and keys unused for this long must be disabled."
    )
    min_password_length: int = Field(14, ge=6, le=128, description="Minimum IAM password length.")
    password_reuse_prevention: int = Field(24, ge=1, le=24, description="Passwords remembered.")
    admin_ports: tuple[int, ...] = Field(
        DEFAULT_ADMIN_PORTS, description="Administration and database ports never open to the internet."
    )
    trusted_cidrs: tuple[str, ...] = Field((), description="The company's own IP ranges (IPv4 or IPv6).")
    admin_principals: tuple[str, ...] = Field(
        (), description="Names or ARNs of the approved administrators (separation-of-duties exemptions)."
    )
    require_kms_customer_key: bool = Field(
        False,
        description="S3 default encryption passes only as SSE-KMS or DSSE-KMS with a customer-managed key.",
    )
    cis_version: str = Field(
        "7.0.0",
        pattern=r"^(3\.0\.0|5\.0\.0|7\.0\.0)$",
        description="CIS version whose event lists the monitoring controls are judged against.",
    )
    recent_root_use_days: int = Field(
        30, ge=1, le=MAX_DAYS, description="Root use within this many days of collection counts as recent."
    )
    guardrail_baseline: tuple[str, ...] = Field(
        DEFAULT_BASELINE_ACTIONS,
        description=(
            "Actions the organization's SCPs must deny in every member account (changing the audit "
            "roles is always added)."
        ),
    )
    guardrail_allowed_regions: tuple[str, ...] = Field(
        (), description="When set, SCPs must also deny launching compute outside these regions."
    )
    audit_roles: tuple[str, ...] = Field(
        (),
        description="Audit / break-glass role names (optionally with a path) the security team uses.",
    )
    security_account_id: str | None = Field(
        None, pattern=r"^\d{12}$", description="The security team's account, which the audit roles trust."
    )
    intervention_actions: tuple[str, ...] = Field(
        DEFAULT_INTERVENTION_ACTIONS,
        description="What an audit / break-glass role must be able to do in an emergency.",
    )
    governance_resources: tuple[str, ...] = Field(
        DEFAULT_GOVERNANCE_GLOBS,
        description=(
            "Globs on a resource's name or ARN, or 'tag:Key=Value', that mark governance resources "
            "(not workloads) in the management account."
        ),
    )
    identity_center_admins: tuple[str, ...] = Field(
        (), description="Identity Center group names (globs) allowed to hold full administrator access."
    )

    @field_validator("admin_ports")
    @classmethod
    def _ports_in_range(cls, ports: tuple[int, ...]) -> tuple[int, ...]:
        for port in ports:
            if not 0 <= port <= 65535:
                raise ValueError(f"port {port} is outside 0-65535")
        return tuple(sorted(set(ports)))

    @field_validator("trusted_cidrs")
    @classmethod
    def _valid_cidrs(cls, cidrs: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in cidrs:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ValueError(f"{cidr!r} is not a CIDR block") from None
        return cidrs


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None) -> AuditConfig:
    """Read a YAML/TOML config file (optional) and apply overrides; ConfigError on any problem."""
    values: dict[str, Any] = {}
    if path is not None:
        source = Path(path)
        language = "TOML" if source.suffix == ".toml" else "YAML"
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{source}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{source}: not UTF-8 text") from None
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
        values.update(loaded)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return AuditConfig(**values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        origin = f"{path}: " if path else ""
        raise ConfigError(f"{origin}setting {where!r}: {problem['msg']}") from None

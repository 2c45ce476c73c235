"""An organization's accounts as values: its structure, the accounts to scan, their credentials and
outcomes. Collection (discovery, role assumption) and the organization scan both use them, so they
sit below both; all are picklable, to cross to Dask workers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from awsaudit.errors import AwsauditError

_ACCOUNT_ID = re.compile(r"^\d{12}$")


class OrganizationScopeError(AwsauditError, ValueError):
    """An account or OU named on the command line is not in the organization, or the scope is empty."""


def require_account_id(value: str) -> str:
    """Account ids become directory names: only the 12-digit form AWS uses is accepted."""
    if not _ACCOUNT_ID.match(value):
        raise OrganizationScopeError(f"{value!r} is not an AWS account id (12 digits)")
    return value


@dataclass(frozen=True)
class OrganizationalUnit:
    id: str
    name: str
    parent_id: str


@dataclass(frozen=True)
class AccountTarget:
    """One account to scan and where it sits in the organization."""

    account_id: str
    name: str
    email: str
    status: str  # ACTIVE, SUSPENDED, PENDING_CLOSURE (or the newer State values)
    parent_id: str  # the root or OU directly above the account
    ou_path: tuple[str, ...] = ()  # ids from the root down to the parent

    def __post_init__(self) -> None:
        require_account_id(self.account_id)

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"


@dataclass(frozen=True)
class OrganizationStructure:
    """The organization as its management account (or a delegated administrator) lists it."""

    organization_id: str
    management_account_id: str
    caller_account_id: str
    caller_arn: str
    partition: str
    organization: Mapping[str, Any]
    roots: tuple[Mapping[str, Any], ...]
    units: tuple[OrganizationalUnit, ...]
    accounts: tuple[AccountTarget, ...]

    def unit_names(self) -> dict[str, str]:
        names = {str(root["Id"]): str(root.get("Name") or "Root") for root in self.roots}
        names.update({unit.id: unit.name for unit in self.units})
        return names


@dataclass(frozen=True)
class AccountCredentials:
    """Short-lived credentials for exactly one account; the secret never appears in a repr or log."""

    account_id: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    expiration: str | None = None
    source: str = "audit-role"  # "audit-role", or "caller" when the caller's own account is scanned


class AccountStatus(StrEnum):
    COMPLETE = "COMPLETE"  # collected and evaluated (collection errors make some results UNKNOWN)
    UNREACHABLE = "UNREACHABLE"  # the audit role could not be assumed
    FAILED = "FAILED"  # the scan started but could not finish


@dataclass(frozen=True)
class AccountOutcome:
    """What one account's task returns: counts and verdicts only, never the snapshot."""

    account_id: str
    status: AccountStatus
    reason: str | None = None  # why the account is UNREACHABLE or FAILED
    error_code: str | None = None  # AWS error code of that failure, when there is one
    counts: Mapping[str, int] = field(default_factory=dict)  # findings by status
    # Worst status of each selected check ("" when it ran and judged nothing).
    check_statuses: Mapping[str, str] = field(default_factory=dict)
    # Checks this account cannot judge itself, and the account that can (e.g. an organization trail's owner).
    deferred: Mapping[str, str] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)  # small organization-level facts (budgets)
    collection_errors: int = 0
    api_calls: int = 0
    seconds: float = 0.0
    files: tuple[str, ...] = ()
    credentials_source: str | None = None

    @property
    def scanned(self) -> bool:
        return self.status is AccountStatus.COMPLETE

"""Discover the organization (accounts, OUs, where each account sits) and narrow it to the scope asked for.

Needs management-account or delegated-administrator credentials: member accounts are refused the
list calls. Every list is paginated; OUs are walked breadth-first from the roots.

The driver's clients (discovery, and AssumeRole in each account) retry as the collection's do
(awsaudit.collect.retries): 16 attempts with capped full-jitter backoff for throttling and
transient errors, one for anything else. Organizations' list calls have low request rates, and
a discovery that gave up after botocore's 5 attempts failed the whole scan.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import boto3
from botocore.config import Config

from awsaudit import __version__
from awsaudit.accounts import (
    AccountTarget,
    OrganizationalUnit,
    OrganizationScopeError,
    OrganizationStructure,
    require_account_id,
)
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.retries import RetryHandler, RetryPolicy, RetryStatistics
from awsaudit.collect.retries import install as install_retries
from awsaudit.errors import AwsauditError

ClientHook = Callable[[Any], None]


class DiscoveryError(AwsauditError):
    """The organization cannot be listed with these credentials."""


RETRY_POLICY = RetryPolicy()
# One call, its retries and their backoff included, stops retrying after this many seconds.
CALL_DEADLINE = 120.0
_CALL_STARTED = "awsaudit_driver_call_started"  # key in botocore's per-call context


def client_config(max_pool: int = 10) -> Config:
    return Config(
        # Standard mode for its request headers; its retry decisions are replaced (collect/retries.py).
        retries={"mode": "standard", "total_max_attempts": RETRY_POLICY.max_attempts},
        connect_timeout=5.0,
        read_timeout=30.0,
        max_pool_connections=max(10, max_pool),
        user_agent_extra=f"awsaudit/{__version__}",
    )


def make_client(
    session: boto3.Session,
    service: str,
    endpoint_url: str | None,
    hooks: Sequence[ClientHook],
    pool: int = 10,
) -> Any:
    client = session.client(
        service,
        region_name=session.region_name or "us-east-1",
        endpoint_url=endpoint_url,
        config=client_config(pool),
    )
    install_retries(client, RetryHandler(RETRY_POLICY, RetryStatistics(), CALL_DEADLINE, _CALL_STARTED))
    client.meta.events.register("before-call", _note_call_start)
    for hook in hooks:
        hook(client)
    return client


def _note_call_start(context: dict[str, Any] | None = None, **_: Any) -> None:
    """botocore ``before-call`` hook: no backoff sleeps past the call's deadline."""
    if context is not None:
        context[_CALL_STARTED] = time.monotonic()


def discover(
    session: boto3.Session, *, endpoint_url: str | None = None, client_hooks: Sequence[ClientHook] = ()
) -> OrganizationStructure:
    """The organization the session's account manages (or administers as a delegate)."""
    try:
        identity = make_client(session, "sts", endpoint_url, client_hooks).get_caller_identity()
        organizations = make_client(session, "organizations", endpoint_url, client_hooks)
        organization = organizations.describe_organization()["Organization"]
    except Exception as exc:
        _, code, message = describe_failure(exc)
        if code == "AWSOrganizationsNotInUseException":
            raise DiscoveryError("the account is not in an AWS Organization") from None
        raise DiscoveryError(f"cannot describe the organization: {code}: {message}") from None
    caller = str(identity["Account"])
    try:
        roots = _all(organizations, "list_roots", "Roots")
        units: list[OrganizationalUnit] = []
        accounts: list[AccountTarget] = []
        pending: list[tuple[str, tuple[str, ...]]] = [(str(root["Id"]), (str(root["Id"]),)) for root in roots]
        while pending:
            parent, path = pending.pop(0)
            for account in _all(organizations, "list_accounts_for_parent", "Accounts", ParentId=parent):
                accounts.append(_target(account, parent, path))
            for unit in _all(
                organizations, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
            ):
                units.append(OrganizationalUnit(str(unit["Id"]), str(unit.get("Name", "")), parent))
                pending.append((str(unit["Id"]), (*path, str(unit["Id"]))))
    except Exception as exc:
        _, code, message = describe_failure(exc)
        raise DiscoveryError(
            f"cannot list the organization's accounts from account {caller} (management account or "
            f"delegated administrator credentials are needed): {code}: {message}"
        ) from None
    return OrganizationStructure(
        organization_id=str(organization["Id"]),
        management_account_id=str(organization["MasterAccountId"]),
        caller_account_id=caller,
        caller_arn=str(identity["Arn"]),
        partition=str(identity["Arn"]).split(":")[1],
        organization=organization,
        roots=tuple(roots),
        units=tuple(units),
        accounts=tuple(sorted(accounts, key=lambda a: a.account_id)),
    )


def _all(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def _target(account: dict[str, Any], parent: str, path: tuple[str, ...]) -> AccountTarget:
    # "State" replaces "Status" in newer API versions; either says whether the account is active.
    status = str(account.get("State") or account.get("Status") or "")
    return AccountTarget(
        account_id=str(account["Id"]),
        name=str(account.get("Name", "")),
        email=str(account.get("Email", "")),
        status=status,
        parent_id=parent,
        ou_path=path,
    )


def select_targets(
    structure: OrganizationStructure,
    accounts: Iterable[str] = (),
    exclude_accounts: Iterable[str] = (),
    ous: Iterable[str] = (),
) -> list[AccountTarget]:
    """Active accounts in scope: only ``accounts`` if given, within ``ous`` (ids or names, nested OUs
    included), minus ``exclude_accounts``. Naming an account or OU the organization lacks is an error."""
    known = {a.account_id: a for a in structure.accounts}
    wanted = {require_account_id(a) for a in accounts}
    excluded = {require_account_id(a) for a in exclude_accounts}
    for account_id in sorted((wanted | excluded) - set(known)):
        raise OrganizationScopeError(
            f"account {account_id} is not in organization {structure.organization_id}"
        )
    units = _unit_ids(structure, ous)
    selected = [
        account
        for account in structure.accounts
        if account.active
        and (not wanted or account.account_id in wanted)
        and account.account_id not in excluded
        and (units is None or units & set(account.ou_path))
    ]
    if not selected:
        raise OrganizationScopeError("no active account of the organization is in the requested scope")
    return selected


def _unit_ids(structure: OrganizationStructure, ous: Iterable[str]) -> set[str] | None:
    requested = [o for o in ous if o]
    if not requested:
        return None
    names = structure.unit_names()
    found: set[str] = set()
    for wanted in requested:
        matches = {unit_id for unit_id, name in names.items() if wanted in (unit_id, name)}
        if not matches:
            raise OrganizationScopeError(
                f"no organizational unit or root {wanted!r} in organization {structure.organization_id}"
            )
        found |= matches
    return found

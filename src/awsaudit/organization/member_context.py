"""The organization's facts for one account scanned alone (`scan --organization-context SOURCE`).

An organization scan hands every account the ``organization/Context`` dataset collected once from
the management account. A member scanned on its own gets the same dataset from one of:

- ``caller``: collected with the scanning credentials themselves (they belong to the management
  account or a delegated administrator);
- ``profile:NAME``: collected with that AWS profile (management or delegated administrator);
- a snapshot file: one written by ``scan --organization`` (any account's: each holds the context
  it was judged with), or a snapshot of the management account that holds the organization
  datasets, from which the context is built with this run's configuration.

The account's checks then read it exactly as in an organization scan, so the member's verdicts
(linked-account budget, internal trusts, centralized root access, the SCPs above it) are the ones
the organization scan gives it. A context of an organization the account is not in is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from awsaudit.analyze.organization.context import (
    CONTEXT_DATASET,
    CONTEXT_SERVICE,
    ContextError,
    OrganizationContext,
    build_context,
    context_from_dataset,
)
from awsaudit.analyze.organization.guardrails import baseline_items
from awsaudit.collect.session import make_session
from awsaudit.config import AuditConfig
from awsaudit.errors import AwsauditError
from awsaudit.organization.context import collect_context, hand_over
from awsaudit.snapshot import GLOBAL, Snapshot, SnapshotError, load

CALLER = "caller"
PROFILE_PREFIX = "profile:"


class OrganizationContextError(AwsauditError, ValueError):
    """The organization context cannot be obtained from the source given, or does not apply."""


def obtain_context(
    source: str,
    config: AuditConfig,
    *,
    caller_session: Callable[[], Any],
    home_region: str,
    endpoint_url: str | None,
    client_hooks: tuple[Callable[[Any], None], ...],
    max_workers: int,
) -> dict[str, Any]:
    """The ``organization/Context`` dataset from ``source`` (see the module docstring)."""
    if source == CALLER or source.startswith(PROFILE_PREFIX):
        profile = source.removeprefix(PROFILE_PREFIX) if source != CALLER else None
        if profile == "":
            raise OrganizationContextError("--organization-context profile: needs a profile name")
        session = (
            caller_session() if profile is None else make_session(profile=profile, endpoint_url=endpoint_url)
        )
        context, _ = collect_context(
            session,
            config,
            home_region=home_region,
            endpoint_url=endpoint_url,
            client_hooks=client_hooks,
            max_workers=max_workers,
        )
        if context is None:
            who = "the scanning credentials" if profile is None else f"profile {profile}"
            raise OrganizationContextError(
                f"{who} could not read the organization (DescribeOrganization): the organization "
                "context needs management or delegated-administrator credentials"
            )
        return context
    return context_from_file(Path(source), config)


def context_from_file(path: Path, config: AuditConfig) -> dict[str, Any]:
    try:
        snapshot = load(path)
    except SnapshotError as problem:
        raise OrganizationContextError(f"--organization-context {path}: {problem}") from None
    if snapshot.has(CONTEXT_SERVICE, GLOBAL, CONTEXT_DATASET):
        data = snapshot.dataset(CONTEXT_SERVICE, GLOBAL, CONTEXT_DATASET)
        _parse(data, path)
        return dict(data)
    baseline = baseline_items(config.guardrail_baseline, config.audit_roles, config.guardrail_allowed_regions)
    context = build_context(snapshot, baseline)
    if context is None:
        raise OrganizationContextError(
            f"--organization-context {path}: the snapshot holds no organization context and shows no "
            "organization (give a snapshot written by scan --organization, or one of the management "
            "account with the organizations datasets)"
        )
    return context.to_dataset()


def apply_context(snapshot: Snapshot, context: Mapping[str, Any]) -> str:
    """Hand the context to the account's snapshot; returns the management account's id."""
    parsed = _parse(context, "the organization context")
    account = snapshot.account.account_id
    if parsed.is_member(account) is False:
        raise OrganizationContextError(
            f"account {account} is not in organization {parsed.organization_id}: its context does not apply"
        )
    hand_over(snapshot, dict(context))
    return parsed.management_account


def _parse(data: Any, source: object) -> OrganizationContext:
    try:
        return context_from_dataset(data)
    except ContextError as problem:
        raise OrganizationContextError(f"{source}: {problem}") from None

"""The organization context for an organization scan: collected once from the caller's account
(the management account or a delegated administrator) and handed to every account's task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsaudit.analyze.organization.context import CONTEXT_DATASET, CONTEXT_SERVICE, build_context
from awsaudit.analyze.organization.guardrails import baseline_items
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.config import AuditConfig
from awsaudit.snapshot import GLOBAL, Snapshot

CONTEXT_DATASETS = frozenset(
    {
        "organizations/Organization",
        "organizations/Accounts",
        "organizations/Roots",
        "organizations/OrganizationalUnits",
        "organizations/AccountParents",
        "organizations/Policies",
        "organizations/ResourceControlPolicies",
        "budgets/Budgets",
        "iam/OrganizationsFeatures",
    }
)


def collect_context(
    session: Any,
    config: AuditConfig,
    *,
    home_region: str,
    endpoint_url: str | None,
    client_hooks: tuple[Callable[[Any], None], ...],
    max_workers: int,
) -> tuple[dict[str, Any] | None, int]:
    """The ``organization/Context`` dataset (None outside an organization) and the requests it took."""
    snapshot = collect(
        session,
        CollectOptions(
            regions=(home_region,),
            datasets=CONTEXT_DATASETS,
            endpoint_url=endpoint_url,
            client_hooks=client_hooks,
            max_workers=max_workers,
        ),
    )
    baseline = baseline_items(config.guardrail_baseline, config.audit_roles, config.guardrail_allowed_regions)
    context = build_context(snapshot, baseline)
    return (None if context is None else context.to_dataset()), sum(snapshot.api_calls.values())


def hand_over(snapshot: Snapshot, context: dict[str, Any] | None) -> None:
    """Give one account's snapshot the organization's context, as a dataset its checks read."""
    if context is not None:
        snapshot.set(CONTEXT_SERVICE, GLOBAL, CONTEXT_DATASET, context)

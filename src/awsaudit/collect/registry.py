"""Dataset declarations: what each collector fetches, with which client and IAM actions.

A collector module declares its datasets with ``@dataset``; the engine schedules
them. ``fetch`` returns the dataset (AWS field names kept); an optional
``detail`` runs once per item of the returned list, as its own task, to attach
per-resource sub-calls (a bucket's policy, a trail's status) to that item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awsaudit.collect.context import CallContext

FetchFunction = Callable[["CallContext"], Any]
DetailFunction = Callable[["CallContext", dict[str, Any]], None]


@dataclass(frozen=True)
class DatasetSpec:
    service: str  # key under which the dataset sits in the snapshot
    name: str
    client: str  # boto3 client name
    regional: bool
    actions: tuple[str, ...]  # IAM actions fetch and detail may call
    fetch: FetchFunction
    detail: DetailFunction | None = None
    # Collected only when asked for by name (a selected check needs it), never by a collect-all run.
    on_demand: bool = False

    @property
    def key(self) -> str:
        return f"{self.service}/{self.name}"


SPECS: dict[str, DatasetSpec] = {}


def dataset(
    service: str,
    name: str,
    *,
    client: str | None = None,
    regional: bool,
    actions: tuple[str, ...] | list[str],
    detail: DetailFunction | None = None,
    on_demand: bool = False,
) -> Callable[[FetchFunction], FetchFunction]:
    def register(fetch: FetchFunction) -> FetchFunction:
        spec = DatasetSpec(
            service=service,
            name=name,
            client=client or service,
            regional=regional,
            actions=tuple(actions),
            fetch=fetch,
            detail=detail,
            on_demand=on_demand,
        )
        if spec.key in SPECS:
            raise ValueError(f"dataset {spec.key} declared twice")
        SPECS[spec.key] = spec
        return fetch

    return register


def all_specs() -> dict[str, DatasetSpec]:
    """Every declared dataset, importing the collector modules on first use."""
    from awsaudit.collect import services

    services.load_all()
    return dict(sorted(SPECS.items()))


def required_actions(keys: set[str] | None = None) -> list[str]:
    actions = {"sts:GetCallerIdentity", "ec2:DescribeRegions"}
    for key, spec in all_specs().items():
        if keys is None or key in keys:
            actions.update(spec.actions)
    return sorted(actions)

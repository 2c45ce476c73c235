"""Collecting from the lab the way the CLI does: real boto3 clients over HTTP to 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import boto3

from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.lab.server import LAB_ACCOUNT_ID, Lab
from awsaudit.snapshot import Snapshot

ACCOUNT = LAB_ACCOUNT_ID
HOME = "us-east-1"
OTHER = "eu-west-1"


def lab_client(lab: Lab, service: str, region: str = HOME) -> Any:
    """A client that builds lab state (not one the engine uses)."""
    return boto3.client(service, region_name=region, endpoint_url=lab.endpoint_url)  # type: ignore[call-overload]


def collect_lab(
    lab: Lab,
    *,
    datasets: Iterable[str] | None = None,
    regions: tuple[str, ...] = (HOME,),
    hooks: Iterable[Callable[[Any], None]] = (),
    fields: Mapping[str, frozenset[str]] | None = None,
) -> Snapshot:
    options = CollectOptions(
        regions=regions,
        datasets=None if datasets is None else frozenset(datasets),
        fields=fields or {},
        endpoint_url=lab.endpoint_url,
        client_hooks=(*lab.client_hooks(), *hooks),
        max_workers=8,
    )
    return collect(boto3.Session(region_name=HOME), options)


def error_keys(snapshot: Snapshot) -> list[tuple[str, str, str, str]]:
    return [(e.service, e.region, e.dataset, e.code) for e in snapshot.errors]

"""EventBridge: every event bus of a region with its resource policy (ListEventBuses returns it)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset


@dataset("events", "EventBuses", regional=True, actions=["events:ListEventBuses"])
def event_buses(ctx: CallContext) -> list[dict[str, Any]]:
    """{Name, Arn, Policy?} per bus; a bus without a Policy field has none."""
    buses: list[dict[str, Any]] = []
    token: str | None = None
    while True:  # ListEventBuses has no paginator in botocore
        page = ctx.client.list_event_buses(**({"NextToken": token} if token else {}))
        buses.extend(
            {key: bus[key] for key in ("Name", "Arn", "Policy") if key in bus}
            for bus in ctx.result(page, "EventBuses", "list_event_buses")
        )
        token = page.get("NextToken")
        if not token:
            return buses

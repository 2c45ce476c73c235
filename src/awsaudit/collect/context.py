"""What a collector function receives: a client for its region and ways to record sub-call failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from awsaudit.snapshot import RESOURCE_ERRORS_KEY


@dataclass
class CallContext:
    client: Any  # a botocore client for this service and region
    region: str  # the region of the client ("global" datasets use the session's home region)
    account_id: str
    partition: str
    client_for: Callable[[str, str], Any]  # (boto3 client name, region) -> client
    regions: tuple[str, ...] = ()  # every region of this collection

    def paginate(self, operation: str, result_key: str, **kwargs: Any) -> list[Any]:
        """Every item of a paginated list operation, pages merged."""
        items: list[Any] = []
        for page in self.client.get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(result_key, []))
        return items

    def pages(self, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        yield from self.client.get_paginator(operation).paginate(**kwargs)


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def record_field_error(item: dict[str, Any], field: str, operation: str, code: str, message: str) -> None:
    """Mark one sub-call of one resource as failed, so checks read it as 'not collected'."""
    item.setdefault(RESOURCE_ERRORS_KEY, {})[field] = {
        "operation": operation,
        "code": code,
        "message": message,
    }


def attach(
    item: dict[str, Any],
    field: str,
    call: Callable[[], Any],
    *,
    absent: dict[str, Any] | None = None,
) -> None:
    """Run one per-resource sub-call and store its result under ``field``.

    ``absent`` maps error codes that mean "this resource has none" (NoSuchBucketPolicy)
    to the value that records it; any other failure is recorded on the resource.
    """
    from awsaudit.collect.errors import describe_failure

    try:
        item[field] = call()
    except Exception as exc:
        operation, code, message = describe_failure(exc)
        if absent is not None and code in absent:
            item[field] = absent[code]
        else:
            record_field_error(item, field, operation, code, message)

"""What a collector function receives: a client for its region and ways to record sub-call failures."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from awsaudit.snapshot import RESOURCE_ERRORS_KEY


class Listings:
    """One collection's shared list calls: a listing two datasets read is requested once.

    The first task to ask makes the calls; a task asking meanwhile waits for that answer (or its
    failure) instead of sending the same requests again. Entries live as long as the collection.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[Any, ...], Future[list[Any]]] = {}

    def get(self, key: tuple[Any, ...], fetch: Callable[[], list[Any]]) -> list[Any]:
        with self._lock:
            answer = self._answers.get(key)
            owner = answer is None
            if answer is None:
                answer = self._answers[key] = Future()
        if owner:
            try:
                answer.set_result(fetch())
            except BaseException as exc:
                answer.set_exception(exc)
        return answer.result()


@dataclass
class CallContext:
    client: Any  # a botocore client for this service and region
    region: str  # the region of the client ("global" datasets use the session's home region)
    account_id: str
    partition: str
    client_for: Callable[[str, str], Any]  # (boto3 client name, region) -> client
    regions: tuple[str, ...] = ()  # every region of this collection
    listings: Listings = field(default_factory=Listings)  # shared by every task of a collection

    def paginate(self, operation: str, result_key: str, **kwargs: Any) -> list[Any]:
        """Every item of a paginated list operation, pages merged; a page without ``result_key`` fails."""
        items: list[Any] = []
        for page in self.client.get_paginator(operation).paginate(**kwargs):
            items.extend(self.result(page, result_key, operation))
        return items

    def paginate_shared(self, operation: str, result_key: str) -> list[Any]:
        """As ``paginate``, for a listing several datasets read (Lambda's ListFunctions): one
        collection requests it once per region. The list is shared: read it, never change it."""
        service = getattr(getattr(self.client, "meta", None), "service_model", None)
        key = (getattr(service, "service_name", None), self.region, operation, result_key)
        return self.listings.get(key, lambda: self.paginate(operation, result_key))

    def paginate_absent_is_empty(self, operation: str, result_key: str, **kwargs: Any) -> list[Any]:
        """As ``paginate``, for the few operations AWS documents as leaving ``result_key`` out when
        there is nothing to list (SQS ListQueues); everywhere else a missing key is an error."""
        items: list[Any] = []
        for page in self.client.get_paginator(operation).paginate(**kwargs):
            if result_key in page:
                items.extend(self.result(page, result_key, operation))
        return items

    def listed(self, operation: str, result_key: str, **kwargs: Any) -> list[Any]:
        """The list one (unpaginated) call answers under ``result_key``; its absence is an error."""
        return self.result(getattr(self.client, operation)(**kwargs), result_key, operation)

    def result(self, response: Mapping[str, Any], result_key: str, operation: str) -> list[Any]:
        """``response[result_key]``, which must be a list: a 200 answer without it is malformed, not empty."""
        return result_list(response, result_key, self.api_name(operation))

    def api_name(self, operation: str) -> str:
        """The AWS name of a boto3 method (``describe_security_groups`` -> ``DescribeSecurityGroups``)."""
        mapping = getattr(getattr(self.client, "meta", None), "method_to_api_mapping", None) or {}
        return str(mapping.get(operation, operation))

    def pages(self, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        yield from self.client.get_paginator(operation).paginate(**kwargs)


def result_list(response: Mapping[str, Any], result_key: str, operation: str) -> list[Any]:
    """The list an answer carries under ``result_key``; MalformedResponse when it is absent or not a list."""
    from awsaudit.collect.errors import MalformedResponse

    if result_key not in response:
        raise MalformedResponse(operation, f"the answer has no {result_key}")
    value = response[result_key]
    if not isinstance(value, list):
        raise MalformedResponse(operation, f"{result_key} is not a list")
    return value


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def record_field_error(item: dict[str, Any], field: str, operation: str, code: str, message: str) -> None:
    """Mark one sub-call of one resource as failed, so checks read it as 'not collected'."""
    item.setdefault(RESOURCE_ERRORS_KEY, {})[field] = {
        "operation": operation,
        "code": code,
        "message": message,
    }


# The sub-call fields the running task's dataset is collected with (None: every one); the
# collection engine sets it around each of the dataset's tasks (CollectOptions.fields).
_collected_fields: ContextVar[frozenset[str] | None] = ContextVar("collected_fields", default=None)


@contextmanager
def collecting_fields(fields: frozenset[str] | None) -> Iterator[None]:
    """Within this block, ``attach`` makes only the sub-calls of ``fields`` (None: all)."""
    token = _collected_fields.set(fields)
    try:
        yield
    finally:
        _collected_fields.reset(token)


def collects_any() -> bool:
    """Whether the running task's dataset is collected with any sub-call field at all."""
    wanted = _collected_fields.get()
    return wanted is None or bool(wanted)


def collects(field: str) -> bool:
    """Whether the running task's dataset is collected with ``field`` (see ``collecting_fields``)."""
    wanted = _collected_fields.get()
    return wanted is None or field in wanted


def attach(
    item: dict[str, Any],
    field: str,
    call: Callable[[], Any],
    *,
    absent: dict[str, Any] | None = None,
) -> None:
    """Run one per-resource sub-call and store its result under ``field``.

    ``absent`` maps error codes that mean "this resource has none" (NoSuchBucketPolicy)
    to the value that records it; any other failure is recorded on the resource. A field no
    selected check reads (``collecting_fields``) is not called and stays absent.
    """
    from awsaudit.collect.errors import describe_failure

    if not collects(field):
        return
    try:
        item[field] = call()
    except Exception as exc:
        operation, code, message = describe_failure(exc)
        if absent is not None and code in absent:
            item[field] = absent[code]
        else:
            record_field_error(item, field, operation, code, message)

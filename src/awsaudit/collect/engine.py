"""The collection engine: schedules every (dataset, region) task in a bounded pool.

Each task's failure is caught and recorded on exactly its dataset; one failing
dataset never stops the others. Per-resource detail calls run as their own
tasks in the same pool. Nothing is written here: the caller saves the snapshot
only once collection has finished, so an interrupted run leaves no file.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import botocore.endpoint
import botocore.utils
from botocore.config import Config

from awsaudit import __version__
from awsaudit.collect.client_classes import share_client_classes
from awsaudit.collect.context import CallContext, Listings, collecting_fields, record_field_error, result_list
from awsaudit.collect.endpoint_rules import share_endpoint_rulesets
from awsaudit.collect.errors import (
    DeadlineExceeded,
    describe_failure,
    note_failed_operation,
    reject_unparseable_json,
)
from awsaudit.collect.event_hooks import streamline_events
from awsaudit.collect.models import share_models
from awsaudit.collect.progress import CollectionProgress
from awsaudit.collect.redaction import protect_credentials
from awsaudit.collect.registry import DatasetSpec, all_specs
from awsaudit.collect.retries import RetryHandler, RetryPolicy, RetryStatistics
from awsaudit.collect.retries import install as install_retries
from awsaudit.collect.tls import SharedTlsContexts
from awsaudit.collect.validation import refuse_invalid_datasets
from awsaudit.errors import AwsauditError
from awsaudit.snapshot import GLOBAL, Account, CollectionError, Snapshot, now_utc

ClientHook = Callable[[Any], None]


@dataclass(frozen=True)
class CollectOptions:
    regions: tuple[str, ...] | None = None  # None: every enabled region
    datasets: frozenset[str] | None = None  # "service/dataset" keys; None: all
    # Per dataset key, the only per-resource sub-call fields collected (Selection.dataset_fields);
    # a dataset not named here gets every one.
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    max_workers: int = 16
    endpoint_url: str | None = None
    # Attempts per call for throttling and transient errors (collect/retries.py); others get one.
    max_attempts: int = RetryPolicy.max_attempts
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # One API call, its retries and their backoff included, gives up after this many seconds.
    call_deadline: float = 120.0
    # The whole collection: calls not finished by then fail with DeadlineExceeded (None: no limit).
    deadline: float | None = 3600.0
    client_hooks: tuple[ClientHook, ...] = ()  # applied to every client (used by the lab only)
    progress: CollectionProgress | None = None  # told of tasks planned and finished (None: nobody)


class CollectionFailed(AwsauditError):
    """The run cannot start at all (no credentials, identity unknown)."""


@dataclass
class _Run:
    session: boto3.Session
    options: CollectOptions
    account: Account
    home_region: str
    calls: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    errors: list[CollectionError] = field(default_factory=list)
    regions: tuple[str, ...] = ()
    deadline: float = math.inf  # time.monotonic() value after which no request is sent
    retry_handler: RetryHandler | None = None  # made with the first client, shared by all
    listings: Listings = field(default_factory=Listings)
    tls_contexts: SharedTlsContexts = field(default_factory=SharedTlsContexts)
    config: Config = field(init=False)

    def __post_init__(self) -> None:
        self.config = _client_config(self.options)

    def client(self, name: str, region: str) -> Any:
        key = (name, region)
        with self.lock:
            if key not in self.clients:
                # Session objects are not thread-safe; clients are, once made.
                with self.tls_contexts.creating():
                    client = self.session.client(
                        name,
                        region_name=region,
                        endpoint_url=self.options.endpoint_url,
                        config=self.config,
                    )
                self.tls_contexts.share(client)
                install_retries(client, self.retries())
                service = client.meta.service_model.service_name
                client.meta.events.register("before-send", self._request_counter(service))
                client.meta.events.register("before-call", _note_call_start)
                client.meta.events.register("request-created", self._check_deadlines)
                client.meta.events.register("after-call-error", note_failed_operation)
                client.meta.events.register("before-parse", reject_unparseable_json)
                for hook in self.options.client_hooks:
                    hook(client)
                self.clients[key] = client
            return self.clients[key]

    def retries(self) -> RetryHandler:
        if self.retry_handler is None:
            policy = RetryPolicy(max_attempts=self.options.max_attempts)
            self.retry_handler = RetryHandler(
                policy, RetryStatistics(), self.options.call_deadline, _CALL_STARTED
            )
        return self.retry_handler

    def _request_counter(self, service: str) -> Callable[..., None]:
        # A closure, not a functools.partial: botocore's check that a handler takes **kwargs is
        # kept per code object for functions (collect/event_hooks.py), made again for each partial.
        def count_request(event_name: str = "", **_: Any) -> None:
            self._count_request(service, event_name)

        return count_request

    def _count_request(self, service: str, event_name: str = "") -> None:
        # One count per HTTP attempt (retries included): that is what AWS throttles.
        name = f"{service}.{event_name.rsplit('.', 1)[-1]}"
        with self.lock:
            self.calls[name] += 1

    def _check_deadlines(self, request: Any = None, **_: Any) -> None:
        # Raised as each attempt's request is created (botocore does not retry it), so a call stuck
        # in throttling backoff stops at its next attempt instead of sleeping on.
        now = time.monotonic()
        if now > self.deadline:
            raise DeadlineExceeded(f"the collection deadline of {self.options.deadline:g} s has passed")
        context = getattr(request, "context", None) or {}
        started = context.get(_CALL_STARTED, now)
        if now - started > self.options.call_deadline:
            raise DeadlineExceeded(
                f"the call has not succeeded within its deadline of {self.options.call_deadline:g} s"
            )


_CALL_STARTED = "awsaudit_call_started"  # key in botocore's per-call context: when the call began


def _note_call_start(context: dict[str, Any] | None = None, **_: Any) -> None:
    """botocore ``before-call`` hook: the call's own context dict carries its start to every attempt."""
    if context is not None:
        context[_CALL_STARTED] = time.monotonic()


def _client_config(options: CollectOptions) -> Config:
    return Config(
        proxies=_proxies_for_every_endpoint(),
        # Standard mode for its request headers; its retry decisions are replaced (collect/retries.py).
        retries={"mode": "standard", "total_max_attempts": options.max_attempts},
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        max_pool_connections=max(10, options.max_workers),
        user_agent_extra=f"awsaudit/{__version__}",
    )


def _proxies_for_every_endpoint() -> dict[str, str] | None:
    """``{}`` when botocore would find no proxy for any endpoint; None lets it look for each client.

    botocore asks urllib for each client (``get_environ_proxies``: ``{}`` when the endpoint bypasses
    proxies, else ``getproxies()``), scanning the whole environment twice (0.15 ms a client). When
    ``getproxies()`` is empty (no ``*_proxy`` variable, nor system settings where urllib reads them)
    every answer is ``{}``, so that is passed once. Only while botocore's lookup is that one.
    """
    lookup = getattr(getattr(botocore.endpoint, "EndpointCreator", None), "_get_proxies", None)
    environ_proxies = getattr(botocore.utils, "get_environ_proxies", None)
    if (
        getattr(getattr(lookup, "__code__", None), "co_names", None) != ("get_environ_proxies",)
        or getattr(getattr(environ_proxies, "__code__", None), "co_names", None)
        != ("should_bypass_proxies", "getproxies")
        or botocore.endpoint.get_environ_proxies is not environ_proxies
    ):
        return None
    return {} if not botocore.utils.getproxies() else None


def collect(session: boto3.Session, options: CollectOptions) -> Snapshot:
    """Collect the requested datasets of the session's account into a Snapshot."""
    started = time.monotonic()
    protect_credentials(session)
    share_models(session)
    share_client_classes(session)
    streamline_events(session)
    share_endpoint_rulesets()
    deadline = math.inf if options.deadline is None else started + options.deadline
    home_region = session.region_name or "us-east-1"
    probe = _Run(session, options, Account("", "aws", ""), home_region, deadline=deadline)
    try:
        identity = probe.client("sts", home_region).get_caller_identity()
    except Exception as exc:
        _, code, message = describe_failure(exc)
        raise CollectionFailed(f"cannot establish the caller identity: {code}: {message}") from None
    arn = str(identity["Arn"])
    account = Account(account_id=str(identity["Account"]), partition=arn.split(":")[1], caller_arn=arn)
    run = _Run(
        session,
        options,
        account,
        home_region,
        calls=probe.calls,
        clients=probe.clients,
        deadline=deadline,
        retry_handler=probe.retry_handler,
        tls_contexts=probe.tls_contexts,
    )
    specs = [
        s
        for k, s in all_specs().items()
        if (options.datasets is None and not s.on_demand)
        or (options.datasets is not None and k in options.datasets)
    ]
    regions = list(options.regions) if options.regions else _enabled_regions(run)
    run.regions = tuple(sorted(regions))
    snapshot = Snapshot(
        account=account,
        collected_at=now_utc(),
        regions=sorted(regions),
        tool_version=__version__,
        requested=None if options.datasets is None else sorted(options.datasets),
    )
    _run_tasks(run, snapshot, specs, regions)
    _make_jsonable(snapshot.datasets)
    run.errors.extend(refuse_invalid_datasets(snapshot))
    snapshot.errors = sorted(run.errors, key=lambda e: (e.service, e.region, e.dataset, e.resource or ""))
    snapshot.api_calls = dict(run.calls)
    snapshot.statistics = run.retries().statistics.to_json()
    snapshot.duration_seconds = time.monotonic() - started
    return snapshot


def _make_jsonable(container: dict[str, Any] | list[Any]) -> None:
    """Datetimes to ISO-8601 strings and bytes to text, in place (a copy would double peak memory),
    so a fresh snapshot equals a loaded one."""
    stack: list[dict[Any, Any] | list[Any]] = [container]
    while stack:
        current = stack.pop()
        keys = list(current.keys()) if isinstance(current, dict) else range(len(current))
        for key in keys:
            value = current[key]
            if isinstance(value, tuple):
                value = current[key] = list(value)
            if isinstance(value, dict | list):
                stack.append(value)
            elif isinstance(value, datetime):
                current[key] = value.isoformat()
            elif isinstance(value, bytes):
                current[key] = value.decode("utf-8", errors="replace")
        if isinstance(current, dict) and any(not isinstance(k, str) for k in current):
            for key in [k for k in current if not isinstance(k, str)]:
                current[str(key)] = current.pop(key)


def _enabled_regions(run: _Run) -> list[str]:
    """Regions enabled for the account, in the caller's partition only.

    No answer, or an answer naming no region, stops the run: every regional check would otherwise
    vanish and the audit read as clean.
    """
    try:
        response = run.client("ec2", run.home_region).describe_regions(
            Filters=[{"Name": "opt-in-status", "Values": ["opt-in-not-required", "opted-in"]}]
        )
        listed = result_list(response, "Regions", "DescribeRegions")
        names = [str(region["RegionName"]) for region in listed if _opted_in(region)]
        regions = sorted(
            {name for name in names if run.session.get_partition_for_region(name) == run.account.partition}
        )
    except Exception as exc:
        _, code, message = describe_failure(exc)
        raise CollectionFailed(
            f"cannot list the enabled regions (DescribeRegions failed with {code}: {message}); "
            "name them with --regions"
        ) from None
    if not regions:
        raise CollectionFailed(
            "DescribeRegions answered no enabled region in this partition: an empty region list would "
            "leave every regional check unjudged; name the regions with --regions"
        )
    return regions


def _opted_in(region: dict[str, Any]) -> bool:
    # Some endpoints ignore the filter; the status field is authoritative.
    return region.get("OptInStatus", "opt-in-not-required") in {"opt-in-not-required", "opted-in"}


_POLL_SECONDS = 0.5  # the longest the collecting thread blocks between checks for signals


def _run_tasks(run: _Run, snapshot: Snapshot, specs: Iterable[DatasetSpec], regions: list[str]) -> None:
    progress = run.options.progress
    # Each task announces its own end here: waiting with concurrent.futures.wait() instead locked and
    # scanned every pending future once per finished task (quadratic in the tasks of a run).
    finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
    with ThreadPoolExecutor(max_workers=run.options.max_workers, thread_name_prefix="collect") as pool:
        pending: dict[Future[Any], Callable[[Any], None]] = {}

        def submit(task: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
            future = pool.submit(task)
            pending[future] = on_done
            future.add_done_callback(finished.put)
            if progress is not None:
                progress.tasks_added(1)

        for spec in specs:
            for region in regions if spec.regional else [GLOBAL]:
                submit(_dataset_task(run, spec, region), _on_dataset(run, snapshot, spec, region, submit))
        try:
            while pending:
                try:
                    # A bounded wait, so that a signal's handler runs promptly in this thread.
                    future = finished.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue
                on_done = pending.pop(future)
                on_done(future.result())
                if progress is not None:
                    progress.task_done()
        except BaseException:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


_FAILED = object()


def _dataset_task(run: _Run, spec: DatasetSpec, region: str) -> Callable[[], Any]:
    client_region = run.home_region if region == GLOBAL else region
    fields = run.options.fields.get(spec.key)

    def task() -> Any:
        context = _context(run, spec.client, client_region)
        try:
            with collecting_fields(fields):
                return spec.fetch(context)
        except Exception as exc:
            operation, code, message = describe_failure(exc)
            with run.lock:
                run.errors.append(CollectionError(spec.service, region, spec.name, operation, code, message))
            return _FAILED

    return task


def _on_dataset(
    run: _Run,
    snapshot: Snapshot,
    spec: DatasetSpec,
    region: str,
    submit: Callable[[Callable[[], Any], Callable[[Any], None]], None],
) -> Callable[[Any], None]:
    def on_done(value: Any) -> None:
        if value is _FAILED:
            return
        snapshot.set(spec.service, region, spec.name, value)
        if spec.detail is not None and isinstance(value, list):
            client_region = run.home_region if region == GLOBAL else region
            for item in value:
                submit(_detail_task(run, spec, client_region, region, item), _ignore)

    return on_done


def _detail_task(
    run: _Run, spec: DatasetSpec, client_region: str, region: str, item: dict[str, Any]
) -> Callable[[], None]:
    assert spec.detail is not None
    detail = spec.detail
    fields = run.options.fields.get(spec.key)

    def task() -> None:
        context = _context(run, spec.client, client_region)
        try:
            with collecting_fields(fields):
                detail(context, item)
        except Exception as exc:
            operation, code, message = describe_failure(exc)
            record_field_error(item, "detail", operation, code, message)
        failures = item.get("_errors", {})
        with run.lock:
            for field_name, failure in failures.items():
                run.errors.append(
                    CollectionError(
                        spec.service,
                        region,
                        f"{spec.name}.{field_name}",
                        failure["operation"],
                        failure["code"],
                        failure["message"],
                        resource=_resource_name(item),
                    )
                )

    return task


def _resource_name(item: dict[str, Any]) -> str:
    for key in ("Arn", "ARN", "TrailARN", "KeyArn", "Name", "BudgetName", "DetectorId", "Id", "KeyId"):
        if key in item:
            return str(item[key])
    summary = item.get("PolicySummary")
    if isinstance(summary, dict) and "Arn" in summary:
        return str(summary["Arn"])
    return "?"


def _ignore(_: Any) -> None:
    return None


def _context(run: _Run, client_name: str, region: str) -> CallContext:
    return CallContext(
        client=run.client(client_name, region),
        region=region,
        account_id=run.account.account_id,
        partition=run.account.partition,
        client_for=run.client,
        regions=run.regions,
        listings=run.listings,
    )

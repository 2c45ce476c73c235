"""The Snapshot: what one AWS account looked like at one moment.

A snapshot is a JSON document (gzip on disk). Datasets keep AWS's own field
names and sit under ``datasets[service][region][dataset]``; ``global`` is the
region of global services. Collection errors sit beside the data, one entry
per failed dataset, so a missing dataset can never be mistaken for an empty one.
See docs/snapshot.md for the format.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from awsaudit.errors import AwsauditError, shorten
from awsaudit.redaction import redact
from awsaudit.shapes import INVALID_DATA_CODE, shape_problem
from awsaudit.shapes.language import RESOURCE_ERRORS_FIELD

SCHEMA_NAME = "awsaudit.snapshot"
SCHEMA_VERSION = 1
SCHEMA = f"{SCHEMA_NAME}/{SCHEMA_VERSION}"
GLOBAL = "global"

# The operation named by an error that records a dataset refused for its shape (docs/snapshot.md).
VALIDATION_OPERATION = "ValidateShape"

# Resource-level sub-call failures are recorded inside the resource under this key
# (field name -> error), so a check can tell "policy absent" from "policy unreadable"; the shape
# language, one layer below, validates it and so owns the name.
RESOURCE_ERRORS_KEY = RESOURCE_ERRORS_FIELD


class SnapshotError(AwsauditError):
    """A snapshot file could not be read or is not a valid snapshot."""


class NotCollected(AwsauditError):
    """A dataset (or a resource's field) the caller needs is absent from the snapshot.

    Carries the recorded reason: the collection error, or the fact that it was
    never asked for. The check runner turns it into UNKNOWN.
    """

    def __init__(self, service: str, region: str, dataset: str, reason: str) -> None:
        self.service = service
        self.region = region
        self.dataset = dataset
        self.reason = reason
        super().__init__(f"{service}/{region}/{dataset} not collected: {reason}")


@dataclass(frozen=True)
class CollectionError:
    """One failed dataset (or resource sub-call) and why."""

    service: str
    region: str
    dataset: str
    operation: str
    code: str
    message: str
    resource: str | None = None

    def __post_init__(self) -> None:
        # Where collection errors enter (recorded by the engine, or read from a snapshot written
        # by an older awsaudit): an endpoint that echoes the request's headers must not carry
        # the session token any further.
        for name in ("operation", "code", "message", "resource"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, redact(value))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "service": self.service,
            "region": self.region,
            "dataset": self.dataset,
            "operation": self.operation,
            "code": self.code,
            "message": self.message,
        }
        if self.resource is not None:
            data["resource"] = self.resource
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CollectionError:
        return cls(
            service=str(data["service"]),
            region=str(data["region"]),
            dataset=str(data["dataset"]),
            operation=str(data.get("operation", "")),
            code=str(data.get("code", "")),
            message=str(data.get("message", "")),
            resource=None if data.get("resource") is None else str(data["resource"]),
        )

    def describe(self) -> str:
        where = f"{self.service}/{self.region}/{self.dataset}"
        if self.resource:
            where += f" ({self.resource})"
        return f"{where}: {self.operation} failed with {self.code}: {self.message}"


@dataclass(frozen=True)
class Account:
    """Who was audited: the account and the identity used."""

    account_id: str
    partition: str
    caller_arn: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.account_id, "partition": self.partition, "caller_arn": self.caller_arn}


@dataclass
class Snapshot:
    """Collected datasets of one account, with errors and API call counts."""

    account: Account
    collected_at: datetime
    regions: list[str]
    tool_version: str
    datasets: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    errors: list[CollectionError] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)
    duration_seconds: float = 0.0
    # How the collection went beyond its request counts: retries by kind (throttling, transient),
    # calls that ran out of attempts, retries per operation (awsaudit.collect.retries).
    statistics: dict[str, Any] = field(default_factory=dict)
    requested: list[str] | None = None  # dataset keys "service/dataset" asked for; None = all

    # ------------------------------------------------------------------ access
    def dataset(self, service: str, region: str, name: str) -> Any:
        """Return a dataset, or raise NotCollected with the recorded reason."""
        try:
            return self.datasets[service][region][name]
        except KeyError:
            raise NotCollected(service, region, name, self.why_missing(service, region, name)) from None

    def has(self, service: str, region: str, name: str) -> bool:
        return name in self.datasets.get(service, {}).get(region, {})

    def why_missing(self, service: str, region: str, name: str) -> str:
        for error in self.errors:
            if (
                error.resource is None
                and error.service == service
                and error.dataset == name
                and error.region == region
            ):
                return f"{error.operation} failed with {error.code}: {error.message}"
        if self.requested is not None and f"{service}/{name}" not in self.requested:
            return "not requested in this collection"
        if region != GLOBAL and region not in self.regions:
            return f"region {region} was not in the collected regions"
        return "absent from the snapshot"

    def set(self, service: str, region: str, name: str, value: Any) -> None:
        self.datasets.setdefault(service, {}).setdefault(region, {})[name] = value

    def iter_errors(self) -> Iterator[CollectionError]:
        return iter(self.errors)

    @property
    def collected_at_iso(self) -> str:
        return self.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # --------------------------------------------------------------- serialise
    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "tool_version": self.tool_version,
            "collected_at": self.collected_at_iso,
            "duration_seconds": round(self.duration_seconds, 3),
            "account": self.account.to_json(),
            "regions": list(self.regions),
            "requested": self.requested,
            "datasets": self.datasets,
            "errors": [e.to_json() for e in self.errors],
            "api_calls": dict(sorted(self.api_calls.items())),
            "statistics": self.statistics,
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "<snapshot>") -> Snapshot:
        if not isinstance(data, dict) or "schema" not in data:
            raise SnapshotError(f"{source}: not an awsaudit snapshot (no 'schema' field)")
        schema = data["schema"]
        if not isinstance(schema, str) or not schema.startswith(SCHEMA_NAME + "/"):
            raise SnapshotError(f"{source}: not an awsaudit snapshot (schema {schema!r})")
        try:
            version = int(schema.rsplit("/", 1)[1])
        except ValueError:
            raise SnapshotError(f"{source}: unreadable schema version in {schema!r}") from None
        if version > SCHEMA_VERSION:
            raise SnapshotError(
                f"{source}: snapshot schema version {version} is newer than this awsaudit "
                f"supports ({SCHEMA_VERSION}); upgrade awsaudit"
            )
        if version != SCHEMA_VERSION:
            raise SnapshotError(f"{source}: unsupported snapshot schema version {version}")
        try:
            account = data["account"]
            datasets = data["datasets"]
            if not isinstance(datasets, dict) or not all(
                isinstance(regions, dict) and all(isinstance(ds, dict) for ds in regions.values())
                for regions in datasets.values()
            ):
                raise SnapshotError(f"{source}: 'datasets' must map service -> region -> dataset")
            requested = data.get("requested")
            errors = [CollectionError.from_json(e) for e in data.get("errors", [])]
            valid, refused = validated_datasets(datasets)
            return cls(
                account=Account(
                    account_id=str(account["id"]),
                    partition=str(account.get("partition", "aws")),
                    caller_arn=str(account.get("caller_arn", "")),
                ),
                collected_at=_parse_time(str(data["collected_at"])),
                regions=_region_list(data["regions"], requested, datasets, errors, source),
                tool_version=str(data.get("tool_version", "")),
                datasets=valid,
                errors=errors + refused,
                api_calls={str(k): int(v) for k, v in data.get("api_calls", {}).items()},
                duration_seconds=float(data.get("duration_seconds", 0.0)),
                statistics=_statistics(data.get("statistics")),
                requested=None if requested is None else [str(r) for r in requested],
            )
        except SnapshotError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise SnapshotError(
                f"{source}: malformed snapshot ({type(exc).__name__}: {shorten(str(exc))})"
            ) from None


def _region_list(
    value: Any, requested: Any, datasets: Mapping[str, Any], errors: list[CollectionError], source: str
) -> list[str]:
    """The collected regions: a list of distinct names, empty only for a snapshot of global datasets.

    An empty list where regional data was asked for would make every regional check vanish instead
    of failing (a DescribeRegions answer of []), so only a snapshot that names what it collected
    (``requested``) and holds all of it under ``global`` (the organization summary) may have none.
    """
    if not isinstance(value, list) or not all(isinstance(region, str) and region for region in value):
        raise SnapshotError(f"{source}: 'regions' must be a list of region names")
    if len(set(value)) != len(value):
        raise SnapshotError(f"{source}: 'regions' names a region twice")
    if not value and not _only_global(requested, datasets, errors):
        raise SnapshotError(
            f"{source}: the snapshot lists no collected region (an empty region list is not data)"
        )
    return list(value)


def _only_global(requested: Any, datasets: Mapping[str, Any], errors: list[CollectionError]) -> bool:
    if not isinstance(requested, list) or not requested:
        return False
    held = {f"{service}/{name}" for service, regions in datasets.items() for name in regions.get(GLOBAL, {})}
    held.update(f"{e.service}/{e.dataset}" for e in errors if e.region == GLOBAL)
    only_global_regions = all(set(regions) <= {GLOBAL} for regions in datasets.values())
    return only_global_regions and all(str(key) in held for key in requested)


def validated_datasets(
    datasets: Mapping[str, Mapping[str, Mapping[str, Any]]],
) -> tuple[dict[str, dict[str, dict[str, Any]]], list[CollectionError]]:
    """The datasets that have their declared shape, and one InvalidData error for each one that has not.

    A refused dataset is left out, so the checks that need it report UNKNOWN naming the error.
    """
    valid: dict[str, dict[str, dict[str, Any]]] = {}
    refused: list[CollectionError] = []
    for service, regions in datasets.items():
        for region, named in regions.items():
            for name, value in named.items():
                problem = shape_problem(service, name, value)
                if problem is None:
                    valid.setdefault(service, {}).setdefault(region, {})[name] = value
                else:
                    refused.append(
                        CollectionError(
                            service, region, name, VALIDATION_OPERATION, INVALID_DATA_CODE, problem
                        )
                    )
    return valid, refused


def _statistics(raw: Any) -> dict[str, Any]:
    """The collection statistics: counts by name, in named groups (older snapshots have none)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(group, dict)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in group.values())
        for group in raw.values()
    ):
        raise TypeError("'statistics' must map group -> name -> count")
    return {str(name): {str(k): int(v) for k, v in group.items()} for name, group in raw.items()}


# A collection time outside these years is not one (AWS began in 2006); year 1 or 9999 would
# also overflow the moment a time zone or a day count is applied to it.
_YEARS = range(2000, 9000)


def _parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if parsed.year not in _YEARS:
        raise ValueError(f"collected_at {shorten(text)} is not a plausible collection time")
    return parsed


def load(path: str | os.PathLike[str]) -> Snapshot:
    """Read a snapshot (gzip or plain JSON) and validate it; SnapshotError on any problem."""
    source = str(path)
    limit = max_snapshot_bytes()
    try:
        if Path(path).stat().st_size > limit:
            raise SnapshotError(
                f"{source}: larger than {limit:,} bytes (set {MAX_SNAPSHOT_ENV} to allow more)"
            )
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SnapshotError(f"{source}: cannot read ({exc.strerror or exc})") from None
    try:
        text = _gunzip_bounded(raw, limit, source) if raw[:2] == b"\x1f\x8b" else raw
    except (EOFError, OSError, zlib.error):
        raise SnapshotError(f"{source}: truncated or corrupt gzip data") from None
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object_without_duplicate_keys,
            parse_constant=_refuse_non_finite,
            parse_float=_finite_float,
        )
    except _InvalidJson as exc:
        raise SnapshotError(f"{source}: not a valid snapshot ({exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{source}: not valid JSON ({exc.__class__.__name__} at {_where(exc)})") from None
    except RecursionError:
        raise SnapshotError(f"{source}: not a snapshot (JSON nested too deeply)") from None
    except ValueError:
        # Python refuses integers of more than 4,300 digits; no AWS value is one.
        raise SnapshotError(f"{source}: not a valid snapshot (a number too long to be data)") from None
    return Snapshot.from_json(data, source)


MAX_SNAPSHOT_ENV = "AWSAUDIT_MAX_SNAPSHOT_BYTES"
# A snapshot of a large organization account is tens of megabytes of JSON; a gzip "bomb" of
# whitespace is a gigabyte from a megabyte. Decompression stops at this size instead of filling memory.
DEFAULT_MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024
_GUNZIP_STEP = 8 * 1024 * 1024


def max_snapshot_bytes() -> int:
    text = os.environ.get(MAX_SNAPSHOT_ENV, "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else DEFAULT_MAX_SNAPSHOT_BYTES


def _gunzip_bounded(data: bytes, limit: int, source: str) -> bytes:
    """gzip data decompressed (every member), refusing output beyond ``limit`` bytes as it grows."""
    chunks: list[bytes] = []
    size = 0
    while data:
        member = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        pending = data
        while pending or not member.eof:
            chunk = member.decompress(pending, _GUNZIP_STEP)
            size += len(chunk)
            if size > limit:
                raise SnapshotError(
                    f"{source}: decompresses to more than {limit:,} bytes "
                    f"(set {MAX_SNAPSHOT_ENV} to allow more)"
                )
            chunks.append(chunk)
            pending = member.unconsumed_tail
            if not chunk and not pending:
                break
        if not member.eof:
            raise EOFError("truncated gzip member")
        data = member.unused_data.lstrip(b"\0")  # gzip allows zero padding between members
    return b"".join(chunks)


class _InvalidJson(AwsauditError, ValueError):
    """JSON that the json module accepts but a snapshot must not contain."""


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys; which one counts would then be the parser's choice
    # (an open security group hidden behind a second, harmless copy of its rules).
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _InvalidJson(f"duplicate key {_short(key)!r} in one JSON object")
            seen.add(key)
    return result


def _refuse_non_finite(token: str) -> Any:
    raise _InvalidJson(f"{token} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise _InvalidJson("a number too large to be data")
    return value


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _where(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno} column {exc.colno}"
    return "start"


def save(snapshot: Snapshot, path: str | os.PathLike[str]) -> Path:
    """Write atomically (temp file + rename), owner-readable only; gzip unless the name ends in .json."""
    target = Path(path)
    text = json.dumps(snapshot.to_json(), separators=(",", ":"), default=str)
    gzipped = not target.name.endswith(".json")

    def write(handle: BinaryIO) -> None:
        if not gzipped:
            _write_in_slices(handle.write, text)
            return
        with gzip.GzipFile(filename="", mode="wb", fileobj=handle, compresslevel=6, mtime=0) as compressed:
            _write_in_slices(compressed.write, text)

    write_private_atomic(target, write)
    return target


def _write_in_slices(write: Callable[[bytes], object], text: str) -> None:
    # Encoded a slice at a time: the whole encoding (and then its compressed copy) held two more
    # copies of a large account's snapshot at once, the largest allocation of its collection.
    for start in range(0, len(text), _WRITE_SLICE):
        write(text[start : start + _WRITE_SLICE].encode())


_WRITE_SLICE = 1 << 20  # characters


def write_private_atomic(target: Path, payload: bytes | Callable[[BinaryIO], None]) -> None:
    """Write bytes (or what ``payload`` writes to the file) to target via a 0600 temp file in the
    same directory, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(payload, bytes):
                handle.write(payload)
            else:
                payload(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def resource_field(resource: Mapping[str, Any], name: str, *, service: str, region: str) -> Any:
    """A per-resource sub-call result, or NotCollected if that sub-call failed or never ran."""
    failures = resource.get(RESOURCE_ERRORS_KEY) or {}
    if name in failures:
        failure = failures[name]
        operation, code = failure.get("operation", "?"), failure.get("code", "?")
        reason = f"{operation} failed with {code}: {failure.get('message', '')}"
        raise NotCollected(service, region, name, reason)
    if name not in resource:
        raise NotCollected(service, region, name, "not collected for this resource")
    return resource[name]


def now_utc() -> datetime:
    return datetime.now(UTC)

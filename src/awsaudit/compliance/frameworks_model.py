"""Load framework files and roll findings up to per-control statuses.

The bundled framework files are parsed once and kept in awsaudit's disk cache
(awsaudit.disk_cache), keyed by a digest of their text: parsing them (and importing PyYAML) cost
every audit about 30 ms of CPU; reading the cached entry about 1 ms.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import orjson

from awsaudit.disk_cache import entry_name, read_entry, write_entry
from awsaudit.errors import AwsauditError, did_you_mean
from awsaudit.findings import Finding, Status

# The layout of a cached entry: a new one when Framework or Control change.
_CACHE_FORMAT = 1


class FrameworkError(AwsauditError):
    """A framework file is malformed."""


class ControlStatus(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    MANUAL = "MANUAL"
    NOT_AUTOMATED = "NOT_AUTOMATED"
    # Checks exist for the control, but --checks, --exclude-checks or --severity left them all out.
    NOT_SELECTED = "NOT_SELECTED"


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    section: str
    level: int | None
    automated: bool
    checks: tuple[str, ...]


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: str
    controls: tuple[Control, ...]

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def check_ids(self) -> set[str]:
        return {c for control in self.controls for c in control.checks}


def _control(raw: Any, source: str) -> Control:
    if not isinstance(raw, dict):
        raise FrameworkError(f"{source}: each control must be a mapping")
    try:
        level = raw.get("level")
        return Control(
            id=str(raw["id"]),
            title=str(raw["title"]),
            section=str(raw.get("section", "")),
            level=None if level is None else int(level),
            automated=bool(raw.get("automated", True)),
            checks=tuple(str(c) for c in raw.get("checks") or ()),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FrameworkError(f"{source}: control {raw.get('id', '?')}: {exc}") from None


def parse_framework(text: str, source: str) -> Framework:
    import yaml  # here: an audit reads the bundled frameworks from the disk cache

    # libyaml's parser when PyYAML was built with it: the pure-Python one took about 0.1 s per file.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = yaml.load(text, Loader=loader)  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{source}: invalid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("controls"), list):
        raise FrameworkError(f"{source}: expected keys id, version, title, controls")
    try:
        return Framework(
            id=str(raw["id"]),
            version=str(raw["version"]),
            title=str(raw["title"]),
            controls=tuple(_control(c, source) for c in raw["controls"]),
        )
    except KeyError as exc:
        raise FrameworkError(f"{source}: missing key {exc}") from None


def load_frameworks() -> dict[str, Framework]:
    """Every bundled framework, keyed ``id@version``."""
    return dict(_bundled_frameworks())


@cache
def _bundled_frameworks() -> dict[str, Framework]:
    """Parsed once per process: the files ship with the package, and Framework values are immutable."""
    folder = resources.files("awsaudit.compliance") / "frameworks"
    texts = {
        entry.name: entry.read_text()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }
    digest = hashlib.blake2b(orjson.dumps(texts), digest_size=16).hexdigest()
    cache_name = entry_name(f"frameworks-v{_CACHE_FORMAT}", str(folder))
    cached = _from_cache(read_entry(cache_name), digest)
    if cached is not None:
        return cached
    frameworks: dict[str, Framework] = {}
    for name, text in texts.items():
        framework = parse_framework(text, name)
        frameworks[framework.key] = framework
    entry = {"digest": digest, "frameworks": [asdict(f) for f in frameworks.values()]}
    write_entry(cache_name, orjson.dumps(entry))
    return frameworks


def _from_cache(payload: bytes | None, digest: str) -> dict[str, Framework] | None:
    """The frameworks of a cache entry made from files with this digest; None for any other entry."""
    if payload is None:
        return None
    try:
        entry = orjson.loads(payload)
        if entry["digest"] != digest:
            return None
        frameworks = (
            Framework(
                id=raw["id"],
                version=raw["version"],
                title=raw["title"],
                controls=tuple(
                    Control(**{**control, "checks": tuple(control["checks"])}) for control in raw["controls"]
                ),
            )
            for raw in entry["frameworks"]
        )
        return {framework.key: framework for framework in frameworks}
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None


def find_framework(name: str) -> Framework:
    """By ``id@version`` or by ``id`` alone (the newest version)."""
    frameworks = _bundled_frameworks()
    if name in frameworks:
        return frameworks[name]
    matches = [f for f in frameworks.values() if f.id == name]
    if not matches:
        known = ", ".join(sorted(frameworks))
        names = {*frameworks, *(f.id for f in frameworks.values())}
        hint = did_you_mean(name, names) or f" (known: {known})"
        raise FrameworkError(f"unknown framework {name!r}{hint}")
    return max(matches, key=lambda f: tuple(int(p) for p in f.version.split(".") if p.isdigit()))


_WORST_FIRST = (Status.FAIL, Status.UNKNOWN, Status.MANUAL, Status.PASS)


@dataclass(frozen=True)
class ControlResult:
    control: Control
    status: ControlStatus
    counts: dict[str, int]

    @property
    def automated_here(self) -> bool:
        """The framework calls the control manual, yet awsaudit judged it fully.

        Reports show "manual in CIS, automated here" beside such a control's status.
        """
        return not self.control.automated and self.status in (ControlStatus.PASS, ControlStatus.FAIL)


def status_counts(findings: Iterable[Finding]) -> dict[str, dict[str, int]]:
    """Per check id: how many of its findings have each status (keys in the order first seen)."""
    by_check: dict[str, dict[Status, int]] = {}
    for finding in findings:
        counts = by_check.get(finding.check_id)
        if counts is None:
            counts = by_check[finding.check_id] = {}
        counts[finding.status] = counts.get(finding.status, 0) + 1
    # Counted by member (an enum's .value is a property lookup per finding), keyed by value once.
    return {check: {status.value: n for status, n in counts.items()} for check, counts in by_check.items()}


def rollup(
    framework: Framework,
    findings: Iterable[Finding],
    evaluated: set[str],
    registered: Collection[str] = (),
) -> list[ControlResult]:
    """Per control: the worst status of its checks' findings.

    A control the framework calls manual but whose checks all ran and all pass
    is PASS: awsaudit judged it (see ``ControlResult.automated_here``). MANUAL
    comes only from a check that hands the decision to a person (an inventory).
    A control none of whose checks ran is NOT_SELECTED when one of them is
    ``registered`` (the selection left it out), else NOT_AUTOMATED; one whose
    checks ran and found nothing to judge (no buckets, say) is PASS.
    """
    return rollup_counts(framework, status_counts(findings), evaluated, registered)


def rollup_counts(
    framework: Framework,
    counts_by_check: Mapping[str, Mapping[str, int]],
    evaluated: set[str],
    registered: Collection[str] = (),
) -> list[ControlResult]:
    """`rollup` from the findings' `status_counts`: count once, roll up every framework from the counts."""
    results = []
    for control in framework.controls:
        ran = [c for c in control.checks if c in evaluated]
        if not ran:
            left_out = any(c in registered for c in control.checks)
            status = ControlStatus.NOT_SELECTED if left_out else ControlStatus.NOT_AUTOMATED
            results.append(ControlResult(control, status, {}))
            continue
        counts: dict[str, int] = {}
        for check_id in ran:
            for value, count in counts_by_check.get(check_id, {}).items():
                counts[value] = counts.get(value, 0) + count
        status = ControlStatus.PASS
        for candidate in _WORST_FIRST:
            if counts.get(candidate.value):
                status = ControlStatus(candidate.value)
                break
        results.append(ControlResult(control, status, counts))
    return results

"""Suppressions: accepted risks, each with a reason and an optional expiry, read from a YAML file.

A file looks like::

    suppressions:
      - check: "ec2.security_group_*"          # check id glob (required)
        resource: "arn:aws:ec2:*:*:security-group/sg-0abc*"   # resource ARN glob (required)
        account: "111122223333"               # glob, optional
        region: "eu-west-1"                   # glob, optional
        reason: "Bastion host, reviewed by the security team"  # required
        expires: 2026-12-31                   # optional; suppresses through that day (UTC)
        owner: "secops@example.com"           # optional

Globs use shell rules (``*``, ``?``, ``[...]``) and ``*`` also crosses ``:`` and ``/``.
Expiry is judged against the audit's collection time, never the clock, so the same
snapshot and file always give the same report.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from awsaudit.errors import AwsauditError, quoted, shorten
from awsaudit.findings import Finding, Status

_REQUIRED = ("check", "resource", "reason")
_OPTIONAL = ("account", "region", "expires", "owner")
# A passing resource needs no suppression: keeping PASS visible shows when an accepted risk went away.
SUPPRESSIBLE = frozenset({Status.FAIL, Status.UNKNOWN, Status.MANUAL})


class SuppressionError(AwsauditError):
    """A suppressions file is unreadable or one of its entries is malformed."""


@dataclass(frozen=True)
class Suppression:
    check: str
    resource: str
    reason: str
    account: str | None = None
    region: str | None = None
    expires: date | None = None
    owner: str | None = None
    # 1-based position in the file, so reports can point at the entry.
    entry: int = 0

    def is_expired(self, at: datetime) -> bool:
        """Expired once the collection day (UTC) is after the ``expires`` day."""
        return self.expires is not None and at.date() > self.expires

    def matches(self, finding: Finding) -> bool:
        return (
            fnmatch.fnmatchcase(finding.check_id, self.check)
            and fnmatch.fnmatchcase(finding.resource, self.resource)
            and (self.account is None or fnmatch.fnmatchcase(finding.account_id, self.account))
            and (self.region is None or fnmatch.fnmatchcase(finding.region, self.region))
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "check": self.check,
            "resource": self.resource,
            "account": self.account,
            "region": self.region,
            "reason": self.reason,
            "owner": self.owner,
            "expires": None if self.expires is None else self.expires.isoformat(),
        }


def _text(value: Any, key: str, where: str) -> str:
    # Strings only: YAML would read an unquoted account id such as 012345678901 as a number
    # and drop its leading zero.
    if not isinstance(value, str):
        raise SuppressionError(f"{where}: {key!r} must be a string (quote it), got {quoted(value)}")
    text = value.strip()
    if not text:
        raise SuppressionError(f"{where}: {key!r} must not be empty")
    return text


def _expiry(value: Any, where: str) -> date:
    # YAML reads an unquoted 2026-12-31 as a date; a quoted one arrives as text.
    if isinstance(value, datetime):
        raise SuppressionError(f"{where}: 'expires' must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SuppressionError(f"{where}: 'expires' must be a date (YYYY-MM-DD), got {quoted(value)}")


def _shown(key: object) -> str:
    """A key as written, quoted when it holds a line break or other control character."""
    text = str(key)
    return shorten(text) if text.isprintable() else quoted(text)


def _entry(raw: Any, position: int, source: str) -> Suppression:
    where = f"{source}: suppression entry {position}"
    if not isinstance(raw, Mapping):
        raise SuppressionError(f"{where}: expected a mapping with keys {', '.join(_REQUIRED)}")
    if isinstance(raw.get("check"), str):
        where += f" (check {quoted(raw['check'])})"
    unknown = sorted(_shown(k) for k in raw if k not in _REQUIRED + _OPTIONAL)
    if unknown:
        raise SuppressionError(f"{where}: unknown key(s) {', '.join(unknown)}")
    for key in _REQUIRED:
        if raw.get(key) is None:
            raise SuppressionError(f"{where}: missing required {key!r}")
    return Suppression(
        check=_text(raw["check"], "check", where),
        resource=_text(raw["resource"], "resource", where),
        reason=_text(raw["reason"], "reason", where),
        account=None if raw.get("account") is None else _text(raw["account"], "account", where),
        region=None if raw.get("region") is None else _text(raw["region"], "region", where),
        expires=None if raw.get("expires") is None else _expiry(raw["expires"], where),
        owner=None if raw.get("owner") is None else _text(raw["owner"], "owner", where),
        entry=position,
    )


def parse_suppressions(text: str, source: str = "suppressions") -> tuple[Suppression, ...]:
    """Entries of a suppressions document, in file order."""
    import yaml  # here: PyYAML costs a run without a suppressions file about 15 ms of start-up

    from awsaudit.yaml_input import load_yaml

    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise SuppressionError(f"{source}: invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise SuppressionError(f"{source}: invalid YAML: nested too deeply") from None
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not isinstance(raw.get("suppressions") or [], list):
        raise SuppressionError(f"{source}: expected a top-level 'suppressions:' list")
    extra = sorted(_shown(k) for k in raw if k != "suppressions")
    if extra:
        raise SuppressionError(f"{source}: unknown top-level key(s) {', '.join(extra)}")
    return tuple(_entry(item, n, source) for n, item in enumerate(raw.get("suppressions") or [], start=1))


def load_suppressions(path: Path) -> tuple[Suppression, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuppressionError(f"{path}: cannot read suppressions file: {exc}") from None
    return parse_suppressions(text, str(path))


@dataclass(frozen=True)
class SuppressionOutcome:
    """Which entry (if any) suppresses each finding, and which entries have expired."""

    applied: tuple[Suppression | None, ...]  # parallel to the findings given
    expired: tuple[Suppression, ...]
    # How many findings each expired entry would still match (what resurfaced).
    resurfaced: Mapping[int, int]


def apply_suppressions(
    findings: Sequence[Finding], suppressions: Iterable[Suppression], at: datetime
) -> SuppressionOutcome:
    """The first active entry (in file order) that matches a suppressible finding suppresses it."""
    entries = tuple(suppressions)
    active = [s for s in entries if not s.is_expired(at)]
    expired = tuple(s for s in entries if s.is_expired(at))
    resurfaced = dict.fromkeys((s.entry for s in expired), 0)
    applied: list[Suppression | None] = []
    for finding in findings:
        chosen = None
        if finding.status in SUPPRESSIBLE:
            chosen = next((s for s in active if s.matches(finding)), None)
            if chosen is None:
                for stale in expired:
                    if stale.matches(finding):
                        resurfaced[stale.entry] += 1
        applied.append(chosen)
    return SuppressionOutcome(applied=tuple(applied), expired=expired, resurfaced=resurfaced)

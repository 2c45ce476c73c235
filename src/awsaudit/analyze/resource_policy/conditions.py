"""What a Condition block pins a request to, with the operators' semantics as AWS evaluates them.

A condition *pins* a statement when every request it lets through carries a trusted key (the
caller's account or organization, the source resource, the network) with one of a fixed set of
values. Only positive operators pin: a negated operator, ``...IfExists``, ``ForAllValues:`` and
``Null`` all hold when the key is absent (an anonymous caller has no account, a direct call has no
source ARN). A value with a wildcard or a policy variable pins nothing, except where the wildcard
leaves the part that matters fixed (an ARN whose account field is fixed, an organization path whose
organization is fixed).

In a Deny, the mirror image holds: a negated operator without ``IfExists`` denies every request
whose key is absent or different, so ``Deny unless aws:PrincipalOrgID = o-1`` pins the actions it
covers to that organization.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from awsaudit.analyze.resource_policy.document import PolicyError, strings
from awsaudit.errors import quoted


class PinKind(StrEnum):
    ACCOUNT = "account"  # values are account ids
    ARN = "arn"  # values are ARNs; the account field says whose
    ORGANIZATION = "organization"  # values are organization ids
    ORGANIZATION_PATH = "organization-path"  # o-xxx/r-xxx/ou-xxx/...
    NETWORK = "network"  # VPC, VPC endpoint
    IP = "ip"  # aws:SourceIp ranges
    IDENTITY = "identity"  # a named principal (aws:userid), a named key


# Keys that name the caller; they pin any principal.
PRINCIPAL_KEYS: Mapping[str, PinKind] = {
    "aws:principalaccount": PinKind.ACCOUNT,
    "aws:principalarn": PinKind.ARN,
    "aws:principalorgid": PinKind.ORGANIZATION,
    "aws:principalorgpaths": PinKind.ORGANIZATION_PATH,
    "aws:userid": PinKind.IDENTITY,
    "kms:calleraccount": PinKind.ACCOUNT,
    "s3:dataaccesspointaccount": PinKind.ACCOUNT,
    "s3:dataaccesspointarn": PinKind.ARN,
    # S3 counts a fixed SSE-KMS key among the values that make a policy non-public.
    "s3:x-amz-server-side-encryption-aws-kms-key-id": PinKind.IDENTITY,
}
# Keys that name the resource a service acts for; they are what pins a service principal.
SOURCE_KEYS: Mapping[str, PinKind] = {
    "aws:sourcearn": PinKind.ARN,
    "aws:sourceaccount": PinKind.ACCOUNT,
    "aws:sourceowner": PinKind.ACCOUNT,
    "aws:sourceorgid": PinKind.ORGANIZATION,
    "aws:sourceorgpaths": PinKind.ORGANIZATION_PATH,
}
NETWORK_KEYS: Mapping[str, PinKind] = {
    "aws:sourcevpc": PinKind.NETWORK,
    "aws:sourcevpce": PinKind.NETWORK,
    "aws:sourceip": PinKind.IP,
}
PIN_KEYS: Mapping[str, PinKind] = {**PRINCIPAL_KEYS, **SOURCE_KEYS, **NETWORK_KEYS}

_POSITIVE = frozenset(
    op.lower()
    for op in ("StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress")
)
_NEGATED = frozenset(
    op.lower()
    for op in (
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "ArnNotEquals",
        "ArnNotLike",
        "NotIpAddress",
    )
)


@dataclass(frozen=True, slots=True)
class Pin:
    """One condition clause that confines requests to fixed values of a trusted key."""

    operator: str
    key: str
    kind: PinKind
    values: tuple[str, ...]
    applies_to_services: bool  # a source key: it pins service principals too

    def label(self) -> str:
        return f"{self.operator}: {self.key}"


@dataclass(frozen=True, slots=True)
class Clause:
    operator: str
    key: str
    values: tuple[str, ...]


def clauses(condition: Any) -> list[Clause]:
    """Every ``operator: key: values`` of a Condition block; PolicyError when it is malformed."""
    if condition is None:
        return []
    if not isinstance(condition, Mapping):
        raise PolicyError("policy Condition must be an object")
    found = []
    for operator, tests in condition.items():
        if not isinstance(tests, Mapping):
            raise PolicyError(f"policy condition {quoted(operator)} must map keys to values")
        for key, values in tests.items():
            found.append(Clause(str(operator), str(key), strings(values)))
    return found


def allow_pins(condition: Any) -> list[Pin]:
    """The clauses of an Allow's Condition that pin it (they all must hold: the most restrictive wins)."""
    pins = []
    for clause in clauses(condition):
        base = clause.operator.lower().removeprefix("foranyvalue:")
        if base in _POSITIVE:
            pin = _pin(clause)
            if pin is not None:
                pins.append(pin)
    return pins


@dataclass(frozen=True, slots=True)
class DenyCondition:
    """How a Deny's Condition bounds it: always, never-for-sure, or 'unless the request is pinned'."""

    unconditional: bool
    # Pins the Deny leaves open: it denies unless one of them holds (its clauses are ANDed, so any
    # single false clause lets a request through). Empty with unconditional False: no sure effect.
    escape_pins: tuple[Pin, ...]


def deny_condition(condition: Any) -> DenyCondition:
    found = clauses(condition)
    if not found:
        return DenyCondition(unconditional=True, escape_pins=())
    pins = []
    for clause in found:
        if clause.operator.lower() not in _NEGATED:
            return DenyCondition(unconditional=False, escape_pins=())  # denies only some requests
        pin = _pin(clause)
        if pin is None:
            return DenyCondition(unconditional=False, escape_pins=())
        pins.append(pin)
    return DenyCondition(unconditional=False, escape_pins=tuple(pins))


def _pin(clause: Clause) -> Pin | None:
    key = clause.key.lower()
    kind = PIN_KEYS.get(key)
    if kind is None or not clause.values or not all(_fixed(kind, key, v) for v in clause.values):
        return None
    if kind is PinKind.IP and covers_internet(clause.values):
        return None
    return Pin(clause.operator, clause.key, kind, clause.values, key in SOURCE_KEYS)


def _fixed(kind: PinKind, key: str, value: str) -> bool:
    if "${" in value:
        return False
    if kind is PinKind.ARN:
        account = arn_account(value)
        if account is not None:
            return not _has_wildcard(account)
    if kind is PinKind.ORGANIZATION_PATH:
        return bool(value.split("/", 1)[0]) and not _has_wildcard(value.split("/", 1)[0])
    return not _has_wildcard(value)


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def arn_account(arn: str) -> str | None:
    """The account field of an ARN, or None when the ARN has none (an S3 bucket) or is no ARN."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or not parts[4]:
        return None
    return parts[4]


def organization_of_path(path: str) -> str:
    return path.split("/", 1)[0]


def covers_internet(cidrs: Iterable[str]) -> bool:
    """Whether IP ranges cover all of IPv4 or all of IPv6 (so pinning to them pins nothing)."""
    spans: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise PolicyError(f"aws:SourceIp value {quoted(cidr)} is not an IP range") from None
        spans[network.version].append((int(network.network_address), int(network.broadcast_address)))
    for version, family in spans.items():
        next_uncovered, last_address = 0, 2 ** (32 if version == 4 else 128) - 1
        for first, last in sorted(family):
            if first > next_uncovered:
                break
            next_uncovered = max(next_uncovered, last + 1)
        if next_uncovered > last_address:
            return True
    return False


def labels(pins: Sequence[Pin]) -> list[str]:
    return [pin.label() for pin in pins]

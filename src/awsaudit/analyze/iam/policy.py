"""Typed, immutable policy documents: identity, resource, trust, permissions-boundary and SCP policies."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.analyze.iam.wildcard import matches, matches_everything
from awsaudit.analyze.nesting import MAX_POLICY_DEPTH, text_nesting_exceeds, value_nesting_exceeds
from awsaudit.errors import quoted


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class PolicyKind(StrEnum):
    """Where a document is used; it decides which elements the document must carry."""

    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SCP = "scp"
    RESOURCE = "resource"
    TRUST = "trust"


class PrincipalType(StrEnum):
    ANYONE = "*"
    AWS = "AWS"
    FEDERATED = "Federated"
    SERVICE = "Service"
    CANONICAL_USER = "CanonicalUser"


@dataclass(frozen=True, slots=True)
class PrincipalEntry:
    type: PrincipalType
    value: str


@dataclass(frozen=True, slots=True)
class Condition:
    """One key test of a Condition block, kept as data: `{"StringEquals": {"aws:SourceAccount": "1"}}`."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    policy: str
    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...]
    not_actions: bool
    resources: tuple[str, ...]
    not_resources: bool
    principals: tuple[PrincipalEntry, ...]
    not_principals: bool
    conditions: tuple[Condition, ...]

    @property
    def reference(self) -> str:
        """Human-readable pointer to the statement: policy name and Sid (or position)."""
        label = self.sid if self.sid else f"#{self.index}"
        return f"{self.policy} statement {label}"

    @property
    def is_conditional(self) -> bool:
        return bool(self.conditions)

    def matches_action(self, action: str) -> bool:
        hit = any(matches(pattern, action, ignore_case=True) for pattern in self.actions)
        return hit != self.not_actions

    def matches_resource(self, resource: str) -> bool:
        """Whether the statement applies to one concrete resource ARN (ARNs match case-sensitively)."""
        if not self.resources and not self.not_resources:
            return True
        hit = any(matches(pattern, resource, ignore_case=False) for pattern in self.resources)
        return hit != self.not_resources

    def covers_all_resources(self) -> bool:
        """Whether the statement applies to every resource (`"Resource": "*"`, or no Resource element)."""
        if not self.resources and not self.not_resources:
            return True
        return not self.not_resources and any(matches_everything(pattern) for pattern in self.resources)


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    kind: PolicyKind
    statements: tuple[Statement, ...]


def decode_document(document: object, *, name: str) -> Mapping[str, object]:
    """A policy document as a mapping, from a dict, a JSON string or a URL-encoded JSON string.

    Nesting deeper than any policy can is an error, found before anything recurses into the document."""
    if isinstance(document, Mapping):
        if value_nesting_exceeds(document):
            raise PolicyParseError(_too_deep(name))
        return document
    if not isinstance(document, str):
        raise PolicyParseError(f"policy {quoted(name)}: document is a {type(document).__name__}, not JSON")
    text = document.strip()
    if text.startswith("%"):
        text = unquote(text)
    if text_nesting_exceeds(text):
        raise PolicyParseError(_too_deep(name))
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyParseError(
            f"policy {quoted(name)}: invalid JSON ({error.msg} at char {error.pos})"
        ) from None
    if not isinstance(decoded, Mapping):
        raise PolicyParseError(f"policy {quoted(name)}: document is not a JSON object")
    return decoded


def _too_deep(name: str) -> str:
    return f"policy {quoted(name)}: JSON nested more than {MAX_POLICY_DEPTH} levels deep"


def parse_policy(document: object, *, name: str, kind: PolicyKind = PolicyKind.IDENTITY) -> Policy:
    """Parse a policy document; malformed input raises PolicyParseError naming the policy and the problem."""
    mapping = decode_document(document, name=name)
    raw_statements = mapping.get("Statement")
    if raw_statements is None:
        raise PolicyParseError(f"policy {quoted(name)}: no Statement element")
    if isinstance(raw_statements, Mapping):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise PolicyParseError(f"policy {quoted(name)}: Statement must be an object or a list")
    statements = tuple(
        _parse_statement(raw, policy=name, index=index, kind=kind) for index, raw in enumerate(raw_statements)
    )
    return Policy(name=name, kind=kind, statements=statements)


def _parse_statement(raw: object, *, policy: str, index: int, kind: PolicyKind) -> Statement:
    where = f"policy {quoted(policy)} statement #{index}"
    if not isinstance(raw, Mapping):
        raise PolicyParseError(f"{where}: not a JSON object")
    effect_text = raw.get("Effect")
    if effect_text not in ("Allow", "Deny"):
        raise PolicyParseError(f"{where}: Effect must be 'Allow' or 'Deny', got {quoted(effect_text)}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyParseError(f"{where}: Sid must be a string")
    actions, not_actions = _either(raw, "Action", "NotAction", where=where, required=True)
    for action in actions:
        if action != "*" and ":" not in action:
            raise PolicyParseError(f"{where}: action {quoted(action)} is not of the form service:action")
    needs_resource = kind in (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SCP)
    resources, not_resources = _either(raw, "Resource", "NotResource", where=where, required=needs_resource)
    principals, not_principals = _parse_principals(raw, where=where, required=kind is PolicyKind.RESOURCE)
    if kind is PolicyKind.TRUST and not principals:
        raise PolicyParseError(f"{where}: a trust policy statement needs Principal or NotPrincipal")
    return Statement(
        policy=policy,
        index=index,
        sid=sid or None,
        effect=Effect(effect_text),
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principals=principals,
        not_principals=not_principals,
        conditions=_parse_conditions(raw.get("Condition"), where=where),
    )


def _strings(value: object, *, where: str, element: str) -> tuple[str, ...]:
    if type(value) is str and value:
        return (value,)  # the common case, decided without the checks below
    items = value if isinstance(value, list) else [value]
    if not items:
        raise PolicyParseError(f"{where}: {element} is an empty list")
    if not all(isinstance(item, str) and item for item in items):
        raise PolicyParseError(f"{where}: {element} must be a non-empty string or a list of them")
    return tuple(str(item) for item in items)


def _either(
    raw: Mapping[str, object], positive: str, negative: str, *, where: str, required: bool
) -> tuple[tuple[str, ...], bool]:
    if positive in raw and negative in raw:
        raise PolicyParseError(f"{where}: has both {positive} and {negative}")
    if positive in raw:
        return _strings(raw[positive], where=where, element=positive), False
    if negative in raw:
        return _strings(raw[negative], where=where, element=negative), True
    if required:
        raise PolicyParseError(f"{where}: needs {positive} or {negative}")
    return (), False


def _parse_principals(
    raw: Mapping[str, object], *, where: str, required: bool
) -> tuple[tuple[PrincipalEntry, ...], bool]:
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyParseError(f"{where}: has both Principal and NotPrincipal")
    element = "Principal" if "Principal" in raw else "NotPrincipal"
    if element not in raw:
        if required:
            raise PolicyParseError(f"{where}: needs Principal or NotPrincipal")
        return (), False
    value = raw[element]
    if value == "*":
        return (PrincipalEntry(PrincipalType.ANYONE, "*"),), element == "NotPrincipal"
    if not isinstance(value, Mapping) or not value:
        raise PolicyParseError(f"{where}: {element} must be '*' or an object such as {{'AWS': ...}}")
    entries: list[PrincipalEntry] = []
    for type_name, names in value.items():
        try:
            principal_type = PrincipalType(type_name)
        except ValueError:
            raise PolicyParseError(f"{where}: unknown principal type {quoted(type_name)}") from None
        if principal_type is PrincipalType.ANYONE:
            raise PolicyParseError(f"{where}: unknown principal type {quoted(type_name)}")
        entries.extend(
            PrincipalEntry(principal_type, name)
            for name in _strings(names, where=where, element=f"{element}.{type_name}")
        )
    return tuple(entries), element == "NotPrincipal"


def _condition_value(value: object, *, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise PolicyParseError(f"{where}: condition values must be strings, numbers or booleans")


def _parse_conditions(raw: object, *, where: str) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise PolicyParseError(f"{where}: Condition must be an object")
    conditions: list[Condition] = []
    for operator, tests in raw.items():
        if not isinstance(tests, Mapping) or not tests:
            raise PolicyParseError(f"{where}: Condition operator {quoted(operator)} must map keys to values")
        for key, values in tests.items():
            items = values if isinstance(values, list) else [values]
            conditions.append(
                Condition(
                    str(operator), str(key), tuple(_condition_value(item, where=where) for item in items)
                )
            )
    return tuple(conditions)


_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def has_variables(policy: Policy) -> bool:
    return any("${" in value for statement in policy.statements for value in statement.resources)


def resolve_variables(policy: Policy, values: Mapping[str, str]) -> Policy:
    """Substitute policy variables (`${aws:username}`) in Resource elements for one principal.

    A variable without a known value (a tag, the source IP...) becomes `*` and the statement gains a
    `PolicyVariable` condition, so results that rely on it are reported as conditional rather than guessed.
    """
    known = {key.lower(): value for key, value in values.items()}
    statements: list[Statement] = []
    for statement in policy.statements:
        unresolved: list[str] = []

        def substitute(pattern: str, unresolved: list[str] = unresolved) -> str:
            parts = pattern.split("${")
            out = [parts[0]]
            for part in parts[1:]:
                name, closing, rest = part.partition("}")
                if not closing:
                    out.append("${" + part)
                    continue
                variable = name.split(",", 1)[0].strip()
                if variable in _ESCAPES:
                    out.append(_ESCAPES[variable] + rest)
                elif variable.lower() in known:
                    out.append(known[variable.lower()] + rest)
                else:
                    unresolved.append(variable)
                    out.append("*" + rest)
            return "".join(out)

        resources = tuple(substitute(value) for value in statement.resources)
        conditions = statement.conditions + tuple(
            Condition("PolicyVariable", variable, ()) for variable in dict.fromkeys(unresolved)
        )
        statements.append(
            Statement(
                policy=statement.policy,
                index=statement.index,
                sid=statement.sid,
                effect=statement.effect,
                actions=statement.actions,
                not_actions=statement.not_actions,
                resources=resources,
                not_resources=statement.not_resources,
                principals=statement.principals,
                not_principals=statement.not_principals,
                conditions=conditions,
            )
        )
    return Policy(name=policy.name, kind=policy.kind, statements=tuple(statements))

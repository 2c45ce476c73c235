"""Typed, immutable policy documents: identity, resource, trust, permissions-boundary and SCP policies."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.analyze.iam.wildcard import matches, matches_everything
from awsaudit.analyze.nesting import MAX_POLICY_DEPTH, text_nesting_exceeds, value_nesting_exceeds
from awsaudit.errors import AwsauditError, quoted


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


# Every statement of every policy read is built here (a statement per bucket policy, user policy...). A
# frozen dataclass's __init__ sets each field through object.__setattr__; the slots' own setters do the
# same at about half the cost (as awsaudit.findings.new_finding does). Same object, same immutability.
_statement_slots = vars(Statement)  # the member descriptors of its __slots__
_set_policy = _statement_slots["policy"].__set__
_set_index = _statement_slots["index"].__set__
_set_sid = _statement_slots["sid"].__set__
_set_effect = _statement_slots["effect"].__set__
_set_actions = _statement_slots["actions"].__set__
_set_not_actions = _statement_slots["not_actions"].__set__
_set_resources = _statement_slots["resources"].__set__
_set_not_resources = _statement_slots["not_resources"].__set__
_set_principals = _statement_slots["principals"].__set__
_set_not_principals = _statement_slots["not_principals"].__set__
_set_conditions = _statement_slots["conditions"].__set__


def _new_statement(
    policy: str,
    index: int,
    sid: str | None,
    effect: Effect,
    actions: tuple[str, ...],
    not_actions: bool,
    resources: tuple[str, ...],
    not_resources: bool,
    principals: tuple[PrincipalEntry, ...],
    not_principals: bool,
    conditions: tuple[Condition, ...],
) -> Statement:
    """``Statement(...)`` with every field given, built faster (see above)."""
    statement: Statement = object.__new__(Statement)
    _set_policy(statement, policy)
    _set_index(statement, index)
    _set_sid(statement, sid)
    _set_effect(statement, effect)
    _set_actions(statement, actions)
    _set_not_actions(statement, not_actions)
    _set_resources(statement, resources)
    _set_not_resources(statement, not_resources)
    _set_principals(statement, principals)
    _set_not_principals(statement, not_principals)
    _set_conditions(statement, conditions)
    return statement


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


class _Invalid(AwsauditError):
    """A statement problem, without its location: `_parse_statement` adds that only when one is found."""


def _parse_statement(raw: object, *, policy: str, index: int, kind: PolicyKind) -> Statement:
    # Runs for every statement of every policy read (a bucket's, a user's...): the location prefixed to
    # an error message is quoted only when there is an error.
    try:
        return _statement(raw, policy, index, kind)
    except _Invalid as problem:
        raise PolicyParseError(f"policy {quoted(policy)} statement #{index}: {problem}") from None


def _statement(raw: object, policy: str, index: int, kind: PolicyKind) -> Statement:
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise _Invalid("not a JSON object")
    effect_text = raw.get("Effect")
    if effect_text == "Allow":
        effect = Effect.ALLOW
    elif effect_text == "Deny":
        effect = Effect.DENY
    else:
        raise _Invalid(f"Effect must be 'Allow' or 'Deny', got {quoted(effect_text)}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise _Invalid("Sid must be a string")
    actions, not_actions = _either(raw, "Action", "NotAction", required=True)
    for action in actions:
        if action != "*" and ":" not in action:
            raise _Invalid(f"action {quoted(action)} is not of the form service:action")
    needs_resource = kind in (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SCP)
    resources, not_resources = _either(raw, "Resource", "NotResource", required=needs_resource)
    principals, not_principals = _parse_principals(raw, required=kind is PolicyKind.RESOURCE)
    if kind is PolicyKind.TRUST and not principals:
        raise _Invalid("a trust policy statement needs Principal or NotPrincipal")
    return _new_statement(
        policy,
        index,
        sid or None,
        effect,
        actions,
        not_actions,
        resources,
        not_resources,
        principals,
        not_principals,
        _parse_conditions(raw.get("Condition")),
    )


def _strings(value: object, *, element: str) -> tuple[str, ...]:
    if type(value) is str and value:
        return (value,)  # the common case, decided without the checks below
    if type(value) is list and value and all(type(item) is str and item for item in value):
        return tuple(value)  # the next common case: plain non-empty strings, kept as they are
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _Invalid(f"{element} is an empty list")
    if not all(isinstance(item, str) and item for item in items):
        raise _Invalid(f"{element} must be a non-empty string or a list of them")
    return tuple(str(item) for item in items)


def _either(
    raw: Mapping[str, object], positive: str, negative: str, *, required: bool
) -> tuple[tuple[str, ...], bool]:
    if positive in raw:
        if negative in raw:
            raise _Invalid(f"has both {positive} and {negative}")
        return _strings(raw[positive], element=positive), False
    if negative in raw:
        return _strings(raw[negative], element=negative), True
    if required:
        raise _Invalid(f"needs {positive} or {negative}")
    return (), False


_ANYONE = (PrincipalEntry(PrincipalType.ANYONE, "*"),)  # immutable: every `"Principal": "*"` shares it


def _parse_principals(
    raw: Mapping[str, object], *, required: bool
) -> tuple[tuple[PrincipalEntry, ...], bool]:
    if "Principal" in raw:
        if "NotPrincipal" in raw:
            raise _Invalid("has both Principal and NotPrincipal")
        element = "Principal"
    elif "NotPrincipal" in raw:
        element = "NotPrincipal"
    else:
        if required:
            raise _Invalid("needs Principal or NotPrincipal")
        return (), False
    value = raw[element]
    if value == "*":
        return _ANYONE, element == "NotPrincipal"
    if not isinstance(value, Mapping) or not value:
        raise _Invalid(f"{element} must be '*' or an object such as {{'AWS': ...}}")
    entries: list[PrincipalEntry] = []
    for type_name, names in value.items():
        try:
            principal_type = PrincipalType(type_name)
        except ValueError:
            raise _Invalid(f"unknown principal type {quoted(type_name)}") from None
        if principal_type is PrincipalType.ANYONE:
            raise _Invalid(f"unknown principal type {quoted(type_name)}")
        entries.extend(
            PrincipalEntry(principal_type, name) for name in _strings(names, element=f"{element}.{type_name}")
        )
    return tuple(entries), element == "NotPrincipal"


def _condition_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise _Invalid("condition values must be strings, numbers or booleans")


def _parse_conditions(raw: object) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise _Invalid("Condition must be an object")
    conditions: list[Condition] = []
    for operator, tests in raw.items():
        if (type(tests) is not dict and not isinstance(tests, Mapping)) or not tests:
            raise _Invalid(f"Condition operator {quoted(operator)} must map keys to values")
        for key, values in tests.items():
            if type(values) is str:
                texts: tuple[str, ...] = (values,)  # the common case: what _condition_value gives
            else:
                items = values if isinstance(values, list) else [values]
                texts = tuple(_condition_value(item) for item in items)
            conditions.append(Condition(str(operator), str(key), texts))
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

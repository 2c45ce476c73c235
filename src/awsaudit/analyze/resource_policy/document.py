"""Reading a resource policy document into its statements, failing loudly on anything malformed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from awsaudit.analyze.nesting import MAX_POLICY_DEPTH, text_nesting_exceeds, value_nesting_exceeds
from awsaudit.errors import AwsauditError


class PolicyError(AwsauditError, ValueError):
    """A resource policy (or a value in it) cannot be read."""


def parse_policy(policy: str | Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The statements of a policy document (JSON text or parsed); PolicyError when malformed.

    A document nested deeper than any policy can be is malformed too (checked before anything recurses)."""
    too_deep = text_nesting_exceeds(policy) if isinstance(policy, str) else value_nesting_exceeds(policy)
    if too_deep:
        raise PolicyError(f"policy is nested more than {MAX_POLICY_DEPTH} levels deep")
    if isinstance(policy, str):
        try:
            document = json.loads(policy)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"policy is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    else:
        document = policy
    if not isinstance(document, Mapping) or "Statement" not in document:
        raise PolicyError("policy has no Statement")
    statements = document["Statement"]
    statements = [statements] if isinstance(statements, Mapping) else statements
    if not isinstance(statements, list) or not all(isinstance(s, Mapping) for s in statements):
        raise PolicyError("policy Statement must be an object or a list of objects")
    return statements


def strings(value: Any) -> tuple[str, ...]:
    """A policy element's values as strings: one string, a flat list of them, numbers and booleans."""
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(_scalar(item) for item in value)
    return (_scalar(value),)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    raise PolicyError(f"expected a string or a list of strings, got {type(value).__name__}")

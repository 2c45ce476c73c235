"""Turn any failure of an AWS call into (operation, code, message) for the snapshot."""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from awsaudit.errors import AwsauditError
from awsaudit.redaction import redact
from awsaudit.shapes import INVALID_DATA_CODE

_OPERATION = "awsaudit_operation"  # attribute note_failed_operation sets on a failure
_TAGS = re.compile(r"<[^>]{0,200}>")

# Codes that mean "your identity may not do this"; reported as such in summaries.
ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthFailure",
        "403",
    }
)


class MalformedResponse(AwsauditError):
    """A successful AWS answer without the result it must carry (no ``SecurityGroups`` key at all).

    Read as "no resources", such an answer would turn a proxy's or an endpoint's broken reply
    into a clean audit; it is recorded as an InvalidData error on the dataset instead.
    """

    def __init__(self, operation: str, problem: str) -> None:
        super().__init__(f"{operation}: {problem}")
        self.operation = operation
        self.problem = problem


class DeadlineExceeded(BotoCoreError, AwsauditError):  # type: ignore[misc]  # botocore has no types
    """A call or the whole collection ran past its deadline; not retried."""

    fmt = "{reason}"

    def __init__(self, reason: str) -> None:
        BotoCoreError.__init__(self, reason=reason)  # formats ``fmt``; botocore has no type information


def reject_unparseable_json(response_dict: Any = None, operation_model: Any = None, **_: Any) -> None:
    """botocore ``before-parse`` hook: a 2xx JSON answer that is not JSON is an error, not "no data".

    botocore reads such a body (a proxy's HTML page, a body cut off in transit) as an empty
    result, which would turn a broken answer into "no keys", "hub not enabled".
    """
    if response_dict is None or operation_model is None or response_dict.get("status_code", 500) >= 300:
        return
    if operation_model.service_model.resolved_protocol not in ("json", "rest-json"):
        return
    if operation_model.has_streaming_output or operation_model.has_event_stream_output:
        return
    body = response_dict.get("body") or b""
    if not isinstance(body, bytes) or not body.strip():
        return
    try:
        json.loads(body, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_non_finite)
    except _AmbiguousJson as exc:
        raise MalformedResponse(operation_model.name, str(exc)) from None
    except (ValueError, RecursionError):
        raise ResponseParserError(f"{operation_model.name}: the response body is not valid JSON") from None


class _AmbiguousJson(AwsauditError, ValueError):
    """JSON that parses, but whose meaning depends on the parser (a repeated key) or is no number."""


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # botocore keeps the last of two equal keys; the first could be the one that matters.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _AmbiguousJson("the answer repeats a key within one JSON object")
    return result


def _refuse_non_finite(token: str) -> Any:
    raise _AmbiguousJson(f"the answer holds {token}, which is not a number")


def note_failed_operation(exception: BaseException | None = None, event_name: str = "", **_: Any) -> None:
    """botocore ``after-call-error`` hook: the failure carries the name of the operation it failed
    (a ClientError names it already; a timeout or a deadline does not)."""
    if exception is not None and not isinstance(exception, ClientError):
        setattr(exception, _OPERATION, event_name.rsplit(".", 1)[-1])


def failed_operation(exc: BaseException) -> str:
    """The operation a non-ClientError failure interrupted, when a collection client noted it."""
    return str(getattr(exc, _OPERATION, ""))


def describe_failure(exc: BaseException) -> tuple[str, str, str]:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = _one_line(str(error.get("Code") or status or "Unknown"), limit=100)
        message = str(error.get("Message") or "")
        return exc.operation_name, code, _one_line(message)
    if isinstance(exc, MalformedResponse):
        return exc.operation, INVALID_DATA_CODE, _one_line(exc.problem)
    operation = failed_operation(exc)
    if isinstance(exc, DeadlineExceeded):
        return operation, "DeadlineExceeded", _one_line(str(exc))
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return operation, "Timeout", _one_line(str(exc))
    if isinstance(exc, EndpointConnectionError):
        return operation, "EndpointConnectionError", _one_line(str(exc))
    if isinstance(exc, ResponseParserError):
        # An endpoint that answers with something that is not an AWS response (e.g. not implemented).
        return (
            operation,
            "ResponseParserError",
            "unparseable response (malformed or truncated, or the service is not available there)",
        )
    if isinstance(exc, BotoCoreError):
        return operation, type(exc).__name__, _one_line(str(exc))
    return operation, type(exc).__name__, _one_line(str(exc))


def _one_line(text: str, limit: int = 500) -> str:
    # Redacted before the tags go: <SessionToken>…</SessionToken> is recognised by its tags.
    flat = " ".join(_TAGS.sub(" ", redact(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"

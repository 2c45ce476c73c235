"""Turn any failure of an AWS call into (operation, code, message) for the snapshot."""

from __future__ import annotations

import re
import threading

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

_current = threading.local()
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


def set_current_operation(operation: str) -> None:
    """Called from a botocore hook so non-ClientError failures can name their operation."""
    _current.operation = operation


def current_operation() -> str:
    return str(getattr(_current, "operation", ""))


def describe_failure(exc: BaseException) -> tuple[str, str, str]:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(
            error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "Unknown"
        )
        message = str(error.get("Message") or "")
        return exc.operation_name, code, _one_line(message)
    operation = current_operation()
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return operation, "Timeout", _one_line(str(exc))
    if isinstance(exc, EndpointConnectionError):
        return operation, "EndpointConnectionError", _one_line(str(exc))
    if isinstance(exc, ResponseParserError):
        # An endpoint that answers with something that is not an AWS response (e.g. not implemented).
        return (
            operation,
            "ResponseParserError",
            "unparseable response (service not implemented or not available)",
        )
    if isinstance(exc, BotoCoreError):
        return operation, type(exc).__name__, _one_line(str(exc))
    return operation, type(exc).__name__, _one_line(str(exc))


def _one_line(text: str, limit: int = 500) -> str:
    flat = " ".join(_TAGS.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"

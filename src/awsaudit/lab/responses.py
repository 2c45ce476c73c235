"""Canned HTTP answers handed to botocore from a before-send hook (lab emulation, fault injection)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders


class _Body:
    """The raw body botocore reads: it streams and reads, nothing more."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


def canned_response(url: str, status: int, headers: Mapping[str, str], body: bytes) -> AWSResponse:
    """A complete response, as if the endpoint at ``url`` had answered."""
    http_headers = HTTPHeaders()
    for name, value in headers.items():
        http_headers[name] = value
    return AWSResponse(url, status, http_headers, _Body(body))

"""Inject AWS error responses into chosen calls, in place of the lab's answer.

moto cannot throttle or deny on demand, so a botocore ``before-send`` handler answers the
chosen operation with a hand-made error response in the wire format of the service's
protocol; botocore then parses, retries and raises exactly as it would for AWS.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders


@dataclass
class _Fault:
    service: str  # boto3 client name
    operation: str  # API operation name, e.g. "ListKeys"
    code: str
    status: int
    region: str | None  # None: every region
    remaining: int | None  # None: every call


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


class FaultInjector:
    """Register with ``CollectOptions(client_hooks=(..., injector.hook))``."""

    def __init__(self) -> None:
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()  # "service.Operation" -> error responses sent

    def fail(
        self,
        service: str,
        operation: str,
        code: str,
        *,
        status: int = 400,
        region: str | None = None,
        times: int | None = None,
    ) -> FaultInjector:
        """Answer ``service.operation`` with error ``code`` (``times`` times, or always)."""
        self._faults.append(_Fault(service, operation, code, status, region, times))
        return self

    def hook(self, client: Any) -> None:
        service = client.meta.service_model.service_name
        protocol = client.meta.service_model.protocol
        region = client.meta.region_name

        def answer(request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
            operation = event_name.rsplit(".", 1)[-1]
            fault = self._take(service, operation, region)
            if fault is None:
                return None
            fields, body = _error_wire(protocol, fault.code)
            headers = HTTPHeaders()
            for name, value in fields.items():
                headers[name] = value
            return AWSResponse(request.url, fault.status, headers, _Body(body))

        client.meta.events.register_first("before-send", answer)

    def _take(self, service: str, operation: str, region: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if (fault.service, fault.operation) != (service, operation):
                    continue
                if fault.region not in (None, region) or fault.remaining == 0:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                self.injected[f"{service}.{operation}"] += 1
                return fault
        return None


def _error_wire(protocol: str, code: str) -> tuple[dict[str, str], bytes]:
    message = f"injected {code}"
    if protocol in ("json", "rest-json"):
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
        return headers, json.dumps({"__type": code, "message": message}).encode()
    if protocol == "ec2":
        error = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return {"Content-Type": "text/xml"}, f"<Response><Errors>{error}</Errors></Response>".encode()
    if protocol in ("query", "rest-xml"):
        body = (
            f"<ErrorResponse><Error><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>"
        )
        return {"Content-Type": "text/xml"}, body.encode()
    raise ValueError(f"fault injection does not speak the {protocol} protocol")

"""Inject AWS faults into chosen calls, in place of the lab's answer.

moto cannot throttle or deny on demand, so a botocore ``before-send`` handler answers the
chosen operation with a hand-made response in the wire format of the service's protocol
(or raises the exception a broken connection raises); botocore then parses, retries and
raises exactly as it would for AWS.

Two kinds of rule:

* ``fail`` / ``always``: a named operation answers with one fault, ``times`` times or forever
  (a permanent denial, an outage);
* ``sometimes``: a fault kind hits a fraction of the requests, optionally only of chosen
  services or operations. A request is identified by its service, region, URL, body and
  how often that exact request was sent before, and the decision is a hash of that and
  the seed: the same seed faults the same requests whatever order the threads send them in.
  ``max_consecutive`` bounds how often one request is hit in a row, which is what makes a
  fault transient rather than permanent.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from awsaudit.lab.responses import canned_response


class FaultKind(StrEnum):
    THROTTLE = "throttle"  # the service's own throttling code (see throttle_code)
    SERVER_ERROR = "server-error"  # 500 InternalError (S3) or 503 ServiceUnavailable
    CONNECTION_RESET = "connection-reset"  # the peer closed the connection mid-request
    READ_TIMEOUT = "read-timeout"  # no answer within the read timeout
    ACCESS_DENIED = "access-denied"  # the service's own denial code (see denial_code)
    MALFORMED = "malformed"  # 200 with a body that is not the protocol's format
    TRUNCATED = "truncated"  # 200 with a body cut off part-way


def throttle_code(service: str, protocol: str) -> tuple[str, int]:
    """What AWS answers when it throttles this service: the error code and HTTP status."""
    if service == "s3":
        return "SlowDown", 503
    if protocol == "ec2":
        return "RequestLimitExceeded", 503
    if protocol == "query":
        return "Throttling", 400
    if protocol == "rest-json":
        return "TooManyRequestsException", 429
    return "ThrottlingException", 400


def denial_code(service: str, protocol: str) -> tuple[str, int]:
    """What AWS answers when the caller may not call this operation."""
    if protocol == "ec2":
        return "UnauthorizedOperation", 403
    if protocol in ("query", "rest-xml"):
        return "AccessDenied", 403
    return "AccessDeniedException", 403


@dataclass
class _Fault:
    service: str  # boto3 client name
    operation: str  # API operation name, e.g. "ListKeys"
    code: str | None  # None: the service's own code for ``kind``
    status: int
    region: str | None  # None: every region
    remaining: int | None  # None: every call
    kind: FaultKind | None = None


@dataclass(frozen=True)
class _Sometimes:
    kind: FaultKind
    rate: float
    services: frozenset[str] | None
    operations: frozenset[str] | None  # "Operation" or "service.Operation"
    max_consecutive: int | None

    def covers(self, service: str, operation: str) -> bool:
        if self.services is not None and service not in self.services:
            return False
        return self.operations is None or bool({operation, f"{service}.{operation}"} & self.operations)


class FaultInjector:
    """Register with ``CollectOptions(client_hooks=(..., injector.hook))``."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._faults: list[_Fault] = []
        self._sometimes: list[_Sometimes] = []
        self._lock = threading.Lock()
        self._sent: Counter[tuple[str, ...]] = Counter()  # request identity -> times sent
        self._streak: Counter[tuple[str, ...]] = Counter()  # request identity -> faults in a row
        self.injected: Counter[str] = Counter()  # "service.Operation" -> faults injected
        self.by_kind: Counter[str] = Counter()  # fault kind (or error code) -> faults injected
        self.requests = 0  # requests seen, faulted or not

    # ------------------------------------------------------------------ rules
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

    def always(
        self, kind: FaultKind, service: str, operation: str, *, region: str | None = None
    ) -> FaultInjector:
        """Every call of ``service.operation`` (in ``region``, or anywhere) meets fault ``kind``."""
        self._faults.append(_Fault(service, operation, None, 0, region, None, kind))
        return self

    def sometimes(
        self,
        kind: FaultKind,
        rate: float,
        *,
        services: Collection[str] | None = None,
        operations: Collection[str] | None = None,
        max_consecutive: int | None = None,
    ) -> FaultInjector:
        """Fault ``rate`` of the requests (of ``services`` / ``operations`` only, if given)."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate {rate} is not between 0 and 1")
        self._sometimes.append(
            _Sometimes(
                kind,
                rate,
                None if services is None else frozenset(services),
                None if operations is None else frozenset(operations),
                max_consecutive,
            )
        )
        return self

    # ------------------------------------------------------------------- hook
    def hook(self, client: Any) -> None:
        model = client.meta.service_model
        service = model.service_name
        protocol = model.resolved_protocol
        region = client.meta.region_name

        def answer(request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
            operation = event_name.rsplit(".", 1)[-1]
            # The lab's port changes from run to run: only the path and query identify a request.
            target = urlsplit(request.url)
            identity = (service, region, operation, f"{target.path}?{target.query}", _text(request.body))
            fault = self._choose(service, operation, region, identity)
            if fault is None:
                return None
            kind, code, status = fault
            with self._lock:
                self.injected[f"{service}.{operation}"] += 1
                self.by_kind[code or kind.value] += 1
            return _respond(request, kind, code, status, service, protocol, operation)

        client.meta.events.register_first("before-send", answer)

    def _choose(
        self, service: str, operation: str, region: str, identity: tuple[str, ...]
    ) -> tuple[FaultKind, str | None, int] | None:
        with self._lock:
            self.requests += 1
            for fault in self._faults:
                if (fault.service, fault.operation) != (service, operation):
                    continue
                if fault.region not in (None, region) or fault.remaining == 0:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                if fault.kind is None:
                    return FaultKind.ACCESS_DENIED, fault.code, fault.status
                return fault.kind, None, 0
            sent = self._sent[identity]
            self._sent[identity] += 1
            for rule in self._sometimes:
                if not rule.covers(service, operation):
                    continue
                if rule.max_consecutive is not None and self._streak[identity] >= rule.max_consecutive:
                    continue
                if _draw(self.seed, rule.kind, identity, sent) < rule.rate:
                    self._streak[identity] += 1
                    return rule.kind, None, 0
            self._streak[identity] = 0
        return None


def _text(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return str(body)


def _draw(seed: int, kind: FaultKind, identity: tuple[str, ...], sent: int) -> float:
    """A number in [0, 1) fixed by the seed, the fault kind and the request's identity."""
    key = "\0".join((str(seed), kind.value, *identity, str(sent))).encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2**64


def _respond(
    request: Any,
    kind: FaultKind,
    code: str | None,
    status: int,
    service: str,
    protocol: str,
    operation: str,
) -> AWSResponse:
    if kind is FaultKind.CONNECTION_RESET:
        raise ConnectionClosedError(endpoint_url=request.url)
    if kind is FaultKind.READ_TIMEOUT:
        raise ReadTimeoutError(endpoint_url=request.url)
    if kind is FaultKind.MALFORMED:
        return _response(request, 200, *_malformed(protocol))
    if kind is FaultKind.TRUNCATED:
        return _response(request, 200, *_truncated(protocol, operation))
    if code is None:
        if kind is FaultKind.THROTTLE:
            code, status = throttle_code(service, protocol)
        elif kind is FaultKind.ACCESS_DENIED:
            code, status = denial_code(service, protocol)
        elif service == "s3":
            code, status = "InternalError", 500
        else:
            code, status = "ServiceUnavailable", 503
    return _response(request, status, *_error_wire(protocol, code))


def _response(request: Any, status: int, fields: dict[str, str], body: bytes) -> AWSResponse:
    return canned_response(request.url, status, fields, body)


def _malformed(protocol: str) -> tuple[dict[str, str], bytes]:
    # What a captive portal or a misbehaving proxy answers: HTML where AWS data was expected.
    if protocol in ("json", "rest-json"):
        return {"Content-Type": "application/x-amz-json-1.1"}, b"<html><body>502 Bad Gateway</body></html>"
    return {"Content-Type": "text/xml"}, b'{"message": "this is not XML"}'


def _truncated(protocol: str, operation: str) -> tuple[dict[str, str], bytes]:
    if protocol in ("json", "rest-json"):
        return {"Content-Type": "application/x-amz-json-1.1"}, b'{"Items": [{"Name": "first"}, {"Na'
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<{operation}Response><{operation}Result><Items><mem'
    return {"Content-Type": "text/xml"}, body.encode()


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

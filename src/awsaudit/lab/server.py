"""The embedded lab: moto's ThreadedMotoServer on 127.0.0.1, inside this process.

Running in-process lets scenarios set state no AWS API can (old access keys,
root-account facts) by changing moto's backend objects. Gaps of moto are worked
around here, through client hooks the lab hands to the collection engine, never
in the collectors.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# The lab must never touch a real account or the machine's AWS configuration.
LAB_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIALABLABLABLAB0000",
    "AWS_SECRET_ACCESS_KEY": "lab-secret-key-not-a-real-credential",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
LAB_ACCOUNT_ID = "123456789012"

_ACCOUNT_HOST_PREFIX = re.compile(r"//\d{12}\.")


@dataclass
class Lab:
    """A running lab server and what the engine needs to talk to it."""

    endpoint_url: str
    analyzers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # region -> analyzers
    _server: Any = None

    def client_hooks(self) -> tuple[Callable[[Any], None], ...]:
        return (self._strip_account_host_prefix, self._emulate_access_analyzer)

    def environment(self) -> dict[str, str]:
        """Variables that point boto3 and the AWS CLI at this lab."""
        return {**LAB_ENVIRONMENT, "AWS_ENDPOINT_URL": self.endpoint_url}

    def reset(self) -> None:
        from moto.core.models import reset_model_data  # type: ignore[import-untyped]

        reset_model_data()
        self.analyzers.clear()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    # --- moto gaps, worked around for lab clients only -----------------------
    @staticmethod
    def _strip_account_host_prefix(client: Any) -> None:
        """s3control prefixes the account id to the host; loopback has no such name."""
        if client.meta.service_model.service_name == "s3control":
            client.meta.events.register(
                "before-send.s3-control.*",
                lambda request, **_: setattr(request, "url", _ACCOUNT_HOST_PREFIX.sub("//", request.url, count=1)),
            )

    def _emulate_access_analyzer(self, client: Any) -> None:
        """moto has no Access Analyzer backend: answer ListAnalyzers from the scenario's state."""
        if client.meta.service_model.service_name != "accessanalyzer":
            return
        region = client.meta.region_name

        def answer(request: Any, **_: Any) -> Any:
            from botocore.awsrequest import AWSResponse

            body = json.dumps({"analyzers": self.analyzers.get(region, [])}).encode()
            return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, _RawBody(body))

        client.meta.events.register_first("before-send.accessanalyzer.ListAnalyzers", answer)


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


def start_lab() -> Lab:
    """Start a lab server on a free loopback port; the process environment is set for it."""
    os.environ.update(LAB_ENVIRONMENT)
    os.environ.pop("MOTO_ACCOUNT_ID", None)  # it would defeat multi-account state
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer  # type: ignore[import-untyped]

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return Lab(endpoint_url=f"http://{host}:{port}", _server=server)


@contextmanager
def running_lab() -> Iterator[Lab]:
    lab = start_lab()
    try:
        yield lab
    finally:
        lab.stop()

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
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from awsaudit.lab.exposure_emulation import EmulatedExposure
from awsaudit.lab.exposure_emulation import install as install_exposure_emulation
from awsaudit.lab.organization_emulation import OrganizationEmulation

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

_ORGANIZATION_WIDE_OPERATIONS = (
    "ListAccounts",
    "ListRoots",
    "ListOrganizationalUnitsForParent",
    "ListPolicies",
    "DescribePolicy",
    "ListTargetsForPolicy",
    "ListDelegatedAdministrators",
)
_ACCOUNT_HOST_PREFIX = re.compile(r"//\d{12}\.")
# The lab's emulated state (what moto cannot hold), served beside moto's API so that a Lab
# made in another process (`awsaudit collect` against `awsaudit lab serve`) can read it.
STATE_PATH = "/awsaudit-lab/state"


@dataclass
class Lab:
    """A running lab server and what the engine needs to talk to it."""

    endpoint_url: str
    analyzers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # region -> analyzers
    # Buckets whose versioning has MFA delete on: moto accepts the setting but never returns it.
    mfa_delete_buckets: set[str] = field(default_factory=set)
    # Accounts that are members (not the management account) of an organization: moto answers
    # their organization-wide list calls, AWS refuses them with AccessDeniedException.
    member_accounts: set[str] = field(default_factory=set)
    # What the exposure and threat-detection calls moto lacks must answer (lab/exposure_emulation.py).
    exposure: EmulatedExposure = field(default_factory=EmulatedExposure)
    # Organization APIs moto lacks (centralized root access, Lightsail, permission-set boundaries).
    organization: OrganizationEmulation = field(init=False, repr=False)
    _server: Any = None
    _remote_state_read: bool = False
    _remote_state_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.organization = OrganizationEmulation(self._is_lab_account, self._read_remote_state)

    def client_hooks(self) -> tuple[Callable[[Any], None], ...]:
        return (
            self._strip_account_host_prefix,
            self._emulate_access_analyzer,
            self._emulate_mfa_delete,
            self._refuse_member_organization_listing,
            self._emulate_exposure_services,
            *self.organization.hooks(),
        )

    @staticmethod
    def _is_lab_account(client: Any) -> bool:
        """Whether the client signs with the lab's own key (the lab account), not an assumed role's."""
        credentials = client._request_signer._credentials
        return credentials is not None and credentials.access_key == LAB_ENVIRONMENT["AWS_ACCESS_KEY_ID"]

    def environment(self) -> dict[str, str]:
        """Variables that point boto3 and the AWS CLI at this lab."""
        return {**LAB_ENVIRONMENT, "AWS_ENDPOINT_URL": self.endpoint_url}

    def reset(self) -> None:
        """Wipe every account's state, as POST /moto-api/reset does, and the lab's emulated state."""
        from moto.moto_api._internal.models import moto_api_backend
        from moto.organizations.models import organizations_backends
        from moto.s3.models import s3_backends

        moto_api_backend.reset()
        # Registries kept beside the backends survive moto's reset: organization membership
        # and global bucket names would otherwise outlive the accounts that held them.
        organizations_backends.master_accounts.clear()
        s3_backends.bucket_accounts.clear()
        self.analyzers.clear()
        self.mfa_delete_buckets.clear()
        self.member_accounts.clear()
        self.exposure.clear()
        self.organization.clear()

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
                lambda request, **_: setattr(
                    request, "url", _ACCOUNT_HOST_PREFIX.sub("//", request.url, count=1)
                ),
            )

    def _emulate_access_analyzer(self, client: Any) -> None:
        """moto has no Access Analyzer backend: answer ListAnalyzers from the scenario's state."""
        if client.meta.service_model.service_name != "accessanalyzer":
            return
        region = client.meta.region_name

        def answer(request: Any, **_: Any) -> Any:
            from awsaudit.lab.responses import canned_response

            self._read_remote_state()
            body = json.dumps({"analyzers": self.analyzers.get(region, [])}).encode()
            return canned_response(request.url, 200, {"Content-Type": "application/json"}, body)

        client.meta.events.register_first("before-send.accessanalyzer.ListAnalyzers", answer)

    def _emulate_mfa_delete(self, client: Any) -> None:
        """Report MFADelete on the buckets the scenario enabled it for (moto drops the setting)."""
        if client.meta.service_model.service_name != "s3":
            return

        def remember_bucket(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["lab_bucket"] = params.get("Bucket")

        def add_mfa_delete(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            self._read_remote_state()
            if context.get("lab_bucket") in self.mfa_delete_buckets and "Status" in parsed:
                parsed["MFADelete"] = "Enabled"

        client.meta.events.register("before-parameter-build.s3.GetBucketVersioning", remember_bucket)
        client.meta.events.register("after-call.s3.GetBucketVersioning", add_mfa_delete)

    def _refuse_member_organization_listing(self, client: Any) -> None:
        """A member account may describe its organization but not list its accounts, OUs or policies."""
        if client.meta.service_model.service_name != "organizations":
            return
        credentials = client._request_signer._credentials  # the lab's own key is the lab account
        if credentials is None or credentials.access_key != LAB_ENVIRONMENT["AWS_ACCESS_KEY_ID"]:
            return

        def refuse(request: Any, **_: Any) -> Any:
            from awsaudit.lab.responses import canned_response

            self._read_remote_state()
            if LAB_ACCOUNT_ID not in self.member_accounts:
                return None
            body = json.dumps(
                {
                    "__type": "AccessDeniedException",
                    "Message": "You don't have permissions to access this resource.",
                }
            ).encode()
            headers = {
                "Content-Type": "application/x-amz-json-1.1",
                "x-amzn-ErrorType": "AccessDeniedException",
            }
            return canned_response(request.url, 400, headers, body)

        for operation in _ORGANIZATION_WIDE_OPERATIONS:
            client.meta.events.register_first(f"before-send.organizations.{operation}", refuse)

    def _emulate_exposure_services(self, client: Any) -> None:
        def current() -> EmulatedExposure:
            self._read_remote_state()
            return self.exposure

        install_exposure_emulation(client, current)

    def state(self) -> dict[str, Any]:
        return {
            "analyzers": self.analyzers,
            "mfa_delete_buckets": sorted(self.mfa_delete_buckets),
            "member_accounts": sorted(self.member_accounts),
            "exposure": self.exposure.to_json(),
            "organization": self.organization.state(),
        }

    def _read_remote_state(self) -> None:
        """A Lab that does not run the server reads the emulated state from the one that does, once."""
        if self._server is not None:
            return
        with self._remote_state_lock:  # collector threads wait until the state is in
            if self._remote_state_read:
                return
            self._remote_state_read = True
            try:
                with urllib.request.urlopen(self.endpoint_url + STATE_PATH, timeout=5) as response:
                    state = json.load(response)
            except (OSError, ValueError):
                return  # a plain moto server: nothing is emulated
            self.analyzers.update(state.get("analyzers", {}))
            self.mfa_delete_buckets.update(state.get("mfa_delete_buckets", []))
            self.member_accounts.update(state.get("member_accounts", []))
            self.exposure.update(state.get("exposure", {}))
            self.organization.load(state.get("organization") or {})


def _with_state_endpoint(app: Callable[..., Any], lab: Lab) -> Callable[..., Any]:
    """Wrap moto's WSGI application so that GET STATE_PATH returns the lab's emulated state."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == STATE_PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps(lab.state()).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return app(environ, start_response)

    return application


def start_lab() -> Lab:
    """Start a lab server on a free loopback port; the process environment is set for it."""
    os.environ.update(LAB_ENVIRONMENT)
    os.environ.pop("MOTO_ACCOUNT_ID", None)  # it would defeat multi-account state
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    lab = Lab(endpoint_url=f"http://{host}:{port}", _server=server)
    wsgi_server = server._server  # werkzeug's server: requests are dispatched to its .app
    assert wsgi_server is not None  # set by start()
    wsgi_server.app = _with_state_endpoint(wsgi_server.app, lab)
    return lab


@contextmanager
def running_lab() -> Iterator[Lab]:
    lab = start_lab()
    try:
        yield lab
    finally:
        lab.stop()

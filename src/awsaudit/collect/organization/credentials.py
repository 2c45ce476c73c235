"""Driver side: obtain short-lived credentials for one account by assuming the audit role there.

Kept apart from the scan itself so a task elsewhere (another thread, a Dask worker) receives
credentials for exactly its account and never the driver's own. The caller's own account is
scanned with the caller's identity: the audit role usually does not exist there (AWS creates
OrganizationAccountAccessRole only in member accounts).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3

from awsaudit.accounts import AccountCredentials
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.organization.discovery import ClientHook, make_client
from awsaudit.errors import AwsauditError

DEFAULT_AUDIT_ROLE = "OrganizationAccountAccessRole"
_ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,512}$")
_SESSION_NAME_UNSAFE = re.compile(r"[^\w+=,.@-]")
SESSION_SECONDS = 3600


class CredentialsRefused(AwsauditError):
    """The audit role could not be assumed in an account (role missing, trust refused, throttled...)."""

    def __init__(self, account_id: str, code: str, message: str) -> None:
        self.account_id = account_id
        self.code = code
        self.message = message
        super().__init__(f"cannot assume the audit role in {account_id}: {code}: {message}")


class AuditRoleError(AwsauditError, ValueError):
    """The audit role name is not a valid IAM role name or path."""


def session_name(scan_id: str) -> str:
    """``awsaudit-<scan id>``: CloudTrail in each account then shows which scan assumed the role."""
    return _SESSION_NAME_UNSAFE.sub("-", f"awsaudit-{scan_id}")[:64]


class AuditRoleCredentials:
    """Assumes ``role_name`` in each account from the driver's session (thread-safe)."""

    def __init__(
        self,
        session: boto3.Session,
        *,
        role_name: str,
        caller_account_id: str,
        partition: str,
        scan_id: str,
        external_id: str | None = None,
        endpoint_url: str | None = None,
        client_hooks: Sequence[ClientHook] = (),
        pool: int = 10,
    ) -> None:
        if not _ROLE_NAME.match(role_name) or role_name.startswith("arn:"):
            raise AuditRoleError(f"--audit-role {role_name!r} is not an IAM role name (e.g. AuditRole)")
        self.role_name = role_name.strip("/")
        self.caller_account_id = caller_account_id
        self.partition = partition
        self.scan_id = scan_id
        self.session_name = session_name(scan_id)
        self._session = session
        self._external_id = external_id
        self._endpoint_url = endpoint_url
        self._client_hooks = tuple(client_hooks)
        self._sts: Any = make_client(session, "sts", endpoint_url, client_hooks, pool)
        self._lock = threading.Lock()

    def role_arn(self, account_id: str) -> str:
        return f"arn:{self.partition}:iam::{account_id}:role/{self.role_name}"

    def for_workers(self) -> WorkerRoleAssumption:
        """How a worker assumes the same role with its own identity (``--worker-credentials``)."""
        return WorkerRoleAssumption(
            role_name=self.role_name,
            partition=self.partition,
            scan_id=self.scan_id,
            external_id=self._external_id,
            endpoint_url=self._endpoint_url,
            home_region=self._session.region_name or "us-east-1",
            client_hooks=self._client_hooks,
        )

    def for_account(self, account_id: str) -> AccountCredentials:
        """Credentials for ``account_id``; raises CredentialsRefused with AWS's reason."""
        if account_id == self.caller_account_id:
            with self._lock:  # botocore sessions are not thread-safe
                frozen = self._session.get_credentials()
            if frozen is None:
                raise CredentialsRefused(account_id, "NoCredentials", "the caller has no credentials")
            own = frozen.get_frozen_credentials()
            return AccountCredentials(
                account_id, str(own.access_key), str(own.secret_key), own.token, source="caller"
            )
        params: dict[str, Any] = {
            "RoleArn": self.role_arn(account_id),
            "RoleSessionName": self.session_name,
            "DurationSeconds": SESSION_SECONDS,
        }
        if self._external_id:
            params["ExternalId"] = self._external_id
        try:
            issued = self._sts.assume_role(**params)["Credentials"]
        except Exception as exc:
            _, code, message = describe_failure(exc)
            raise CredentialsRefused(account_id, code, message) from None
        return AccountCredentials(
            account_id=account_id,
            access_key_id=str(issued["AccessKeyId"]),
            secret_access_key=str(issued["SecretAccessKey"]),
            session_token=str(issued["SessionToken"]),
            expiration=str(issued.get("Expiration", "")) or None,
        )


@dataclass(frozen=True)
class WorkerRoleAssumption:
    """What a worker needs to assume the audit role with its own identity: no credentials at all.

    The worker's own account (when it runs in the management account) is scanned with its identity,
    as the driver's own account is; every other account through the audit role.
    """

    role_name: str
    partition: str
    scan_id: str
    external_id: str | None = None
    endpoint_url: str | None = None
    home_region: str = "us-east-1"
    client_hooks: tuple[ClientHook, ...] = field(default=(), repr=False)

    def for_account(self, account_id: str) -> AccountCredentials:
        """Credentials for ``account_id`` from the worker's identity; raises CredentialsRefused."""
        session = boto3.Session(region_name=self.home_region)
        try:
            sts = make_client(session, "sts", self.endpoint_url, self.client_hooks, 1)
            own_account = str(sts.get_caller_identity()["Account"])
        except Exception as exc:
            _, code, message = describe_failure(exc)
            raise CredentialsRefused(
                account_id, code, f"the worker has no usable identity: {message}"
            ) from None
        provider = AuditRoleCredentials(
            session,
            role_name=self.role_name,
            caller_account_id=own_account,
            partition=self.partition,
            scan_id=self.scan_id,
            external_id=self.external_id,
            endpoint_url=self.endpoint_url,
            client_hooks=self.client_hooks,
            pool=1,
        )
        return provider.for_account(account_id)

"""Changes to moto's in-process backend objects: the state no AWS API can set.

Old access keys, last-use dates, root-account facts (account summary flags and the
credential report's ``<root_account>`` row, which moto never emits) and AWS managed
policies without loading all 1,582 of them. Only valid while the lab server runs in
this process (see server.py); every change is wiped by ``Lab.reset``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from awsaudit.errors import AwsauditError

_REPORT_TIME = "%Y-%m-%dT%H:%M:%S+00:00"


class BackendError(AwsauditError):
    """A backend object the lab wanted to change does not exist."""


def seed_ids(seed: int) -> None:
    """Make moto's generated ids (VPCs, keys, users...) repeat from run to run."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(seed)


def _iam(account_id: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account_id]["global"]


def _user(account_id: str, user_name: str) -> Any:
    try:
        return _iam(account_id).users[user_name]
    except KeyError:
        raise BackendError(f"IAM user {user_name!r} does not exist in account {account_id}") from None


def set_user_created(account_id: str, user_name: str, created: datetime) -> None:
    """Backdate a user (the credential report's user_creation_time and password_last_changed)."""
    _user(account_id, user_name).create_date = created


def set_password_last_used(account_id: str, user_name: str, when: datetime) -> None:
    _user(account_id, user_name).password_last_used = when


def set_access_key_dates(
    account_id: str,
    user_name: str,
    access_key_id: str,
    *,
    created: datetime,
    last_used: datetime | None,
    service: str = "s3",
    region: str = "us-east-1",
) -> None:
    """Backdate a key's creation (last_rotated) and set when it was last used (None: never)."""
    from moto.iam.models import AccessKeyLastUsed

    for key in _user(account_id, user_name).access_keys:
        if key.access_key_id == access_key_id:
            key.create_date = created
            key.last_used = None if last_used is None else AccessKeyLastUsed(last_used, service, region)
            return
    raise BackendError(f"user {user_name!r} has no access key {access_key_id}")


@dataclass(frozen=True)
class RootKey:
    active: bool
    last_rotated: datetime
    last_used: datetime | None


@dataclass(frozen=True)
class RootState:
    """What the root user looks like: MFA, access keys, last console sign-in."""

    created: datetime
    mfa_enabled: bool
    password_last_used: datetime | None
    access_keys: tuple[RootKey, ...] = ()

    def report_row(self, account_id: str) -> str:
        """The credential report row AWS writes for the root user (22 columns, AWS's values)."""
        keys = list(self.access_keys[:2])
        columns = [
            "<root_account>",
            f"arn:aws:iam::{account_id}:root",
            self.created.strftime(_REPORT_TIME),
            "not_supported",  # password_enabled
            _report_time(self.password_last_used, "no_information"),
            "not_supported",  # password_last_changed
            "not_supported",  # password_next_rotation
            "true" if self.mfa_enabled else "false",
        ]
        for index in range(2):
            key = keys[index] if index < len(keys) else None
            if key is None:
                columns += ["false", "N/A", "N/A", "N/A", "N/A"]
            else:
                used = key.last_used is not None
                columns += [
                    "true" if key.active else "false",
                    key.last_rotated.strftime(_REPORT_TIME),
                    _report_time(key.last_used, "N/A"),
                    "us-east-1" if used else "N/A",
                    "iam" if used else "N/A",
                ]
        columns += ["false", "N/A", "false", "N/A"]  # X.509 signing certificates
        return ",".join(columns) + "\n"


def _report_time(when: datetime | None, missing: str) -> str:
    return missing if when is None else when.strftime(_REPORT_TIME)


def set_root_state(account_id: str, state: RootState) -> None:
    """Root MFA and key flags in the account summary, and a root row in the credential report."""
    backend = _iam(account_id)
    backend.account_summary._account_mfa_enabled = int(state.mfa_enabled)
    backend.account_summary._account_access_keys_present = int(any(k.active for k in state.access_keys))
    users_report = type(backend).get_credential_report
    row = state.report_row(account_id)

    def report_with_root() -> str:
        header, _, users = str(users_report(backend)).partition("\n")
        return f"{header}\n{row}{users}"  # AWS lists the root user first

    # An instance attribute: only this account's backend changes, and a reset drops it.
    backend.get_credential_report = report_with_root


@cache
def _aws_managed_policy_data() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data: dict[str, Any] = json.loads(aws_managed_policies_data)
    return data


def add_aws_managed_policies(account_id: str, names: Iterable[str]) -> list[str]:
    """Make AWS managed policies (real documents, shipped with moto) attachable; returns their ARNs.

    Loading all of them (MOTO_IAM_LOAD_MANAGED_POLICIES) costs ~1 s and 40-70 MB per account
    and makes GetAccountAuthorizationDetails return every one; the lab adds only those it uses.
    """
    from moto.iam.models import AWSManagedPolicy

    backend = _iam(account_id)
    arns = []
    for name in names:
        try:
            data = _aws_managed_policy_data()[name]
        except KeyError:
            raise BackendError(f"moto ships no AWS managed policy named {name!r}") from None
        policy = AWSManagedPolicy.from_data(name, account_id, backend.region_name, data)
        backend.managed_policies.setdefault(policy.arn, policy)
        arns.append(str(policy.arn))
    return arns


def make_member_account(management_account_id: str, created_account_id: str, member_account_id: str) -> None:
    """Give an account created in the organization the id of an existing account.

    moto cannot invite an existing account (no InviteAccountToOrganization/AcceptHandshake);
    create_account picks a random id. Renaming the created account makes ``member_account_id``
    a member: DescribeOrganization answers for it, with the management account as master.
    """
    from moto.organizations.models import organizations_backends

    organization = organizations_backends[management_account_id]["aws"]
    for account in organization.accounts:
        if account.id == created_account_id:
            account.id = member_account_id
            break
    else:
        raise BackendError(
            f"account {created_account_id} is not in the organization of {management_account_id}"
        )
    organizations_backends.master_accounts.pop(created_account_id, None)
    organizations_backends.master_accounts[member_account_id] = (management_account_id, "aws")


def set_root_password_present(account_id: str, present: bool) -> None:
    """``AccountPasswordPresent`` in the account summary (AWS reports it; moto leaves it out)."""
    summary = _iam(account_id).account_summary
    base = type(summary)

    class _WithRootPassword(base):  # type: ignore[misc, valid-type]
        @property
        def summary_map(self) -> dict[str, Any]:
            return {**super().summary_map, "AccountPasswordPresent": int(present)}

    # Only this account's summary changes class; a reset builds a fresh one.
    summary.__class__ = _WithRootPassword

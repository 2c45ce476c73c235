"""boto3 sessions for many accounts in one process, sharing one loader of AWS service models.

Each boto3 Session normally parses every service model it uses (EC2's alone is megabytes of JSON):
done per account, that is most of a small account's scan time and memory. A session per account
over one shared loader keeps credentials apart and parses each model once per process.
"""

from __future__ import annotations

import threading

import boto3
import botocore.loaders
import botocore.session

from awsaudit.accounts import AccountCredentials
from awsaudit.collect.client_classes import share_client_classes_across_sessions

_lock = threading.Lock()
_shared: list[botocore.loaders.Loader] = []


class _SearchPaths(list[str]):
    """boto3 appends its data directory to the loader's search paths for every session it makes;
    over one shared loader that list would grow by one entry per account: keep each path once."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


def shared_loader() -> botocore.loaders.Loader:
    with _lock:
        if not _shared:
            # The loader keeps the list it is given as its search paths (the default ones are added).
            _shared.append(botocore.loaders.Loader(extra_search_paths=_SearchPaths()))
        return _shared[0]


def account_session(credentials: AccountCredentials, region: str) -> boto3.Session:
    """A session with exactly these credentials (never the environment's), the shared model loader,
    and the service models and client classes every account session of the process shares (building
    them was about a third of creating a client, and a member account makes ~35 clients)."""
    core = botocore.session.get_session()
    core.register_component("data_loader", shared_loader())
    session = boto3.Session(
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
        region_name=region,
        botocore_session=core,
    )
    share_client_classes_across_sessions(session)
    return session

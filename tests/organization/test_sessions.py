"""Account sessions share one model loader without growing its search paths."""

from __future__ import annotations

from awsaudit.accounts import AccountCredentials
from awsaudit.collect.organization.sessions import account_session, shared_loader


def _credentials(account_id: str) -> AccountCredentials:
    return AccountCredentials(account_id, "AKIAEXAMPLE", "secret")


def test_sessions_share_one_loader_whose_search_paths_stay_put() -> None:
    first = account_session(_credentials("111122223333"), "us-east-1")
    paths = list(shared_loader().search_paths)
    for account in ("222233334444", "333344445555", "444455556666"):
        later = account_session(_credentials(account), "eu-west-1")
        assert later._session.get_component("data_loader") is shared_loader()
    assert first._session.get_component("data_loader") is shared_loader()
    assert shared_loader().search_paths == paths
    assert len(set(paths)) == len(paths)
    assert any(path.endswith("boto3/data") or path.endswith("boto3\\data") for path in paths)

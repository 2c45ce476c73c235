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


def test_account_sessions_share_client_classes_and_keep_their_own_credentials() -> None:
    first = account_session(AccountCredentials("111122223333", "AKIAFIRSTACCOUNT0000", "one"), "us-east-1")
    second = account_session(AccountCredentials("222233334444", "AKIASECONDACCOUNT000", "two"), "us-east-1")
    ec2_first, ec2_second = (s.client("ec2", region_name="us-east-1") for s in (first, second))
    assert type(ec2_first) is type(ec2_second)
    assert ec2_first.meta.service_model is ec2_second.meta.service_model
    assert ec2_first.meta.events is not ec2_second.meta.events  # handlers stay per client
    signers = (ec2_first._request_signer, ec2_second._request_signer)
    keys = [signer._credentials.get_frozen_credentials().access_key for signer in signers]
    assert keys == ["AKIAFIRSTACCOUNT0000", "AKIASECONDACCOUNT000"]

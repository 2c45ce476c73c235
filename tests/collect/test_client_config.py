"""Proxies are looked up once per collection only when botocore would find none for any client."""

from __future__ import annotations

import os
from typing import Any

import boto3
import botocore.endpoint
import pytest

from awsaudit.collect.engine import CollectOptions, _client_config, _proxies_for_every_endpoint


@pytest.fixture
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    return monkeypatch


def _proxies_botocore_uses(config: Any) -> Any:
    session = boto3.Session(region_name="eu-west-1", aws_access_key_id="AKIATEST", aws_secret_access_key="t")
    client = session.client("ec2", config=config)
    return client._endpoint.http_session._proxy_config._proxies


def test_without_proxy_variables_every_client_gets_what_botocore_would_find(
    no_proxy_variables: pytest.MonkeyPatch,
) -> None:
    no_proxy_variables.setenv("HTTP_PROXY", "")  # urllib ignores an empty value
    assert _proxies_for_every_endpoint() == {}
    config = _client_config(CollectOptions())
    assert config.proxies == {}
    assert _proxies_botocore_uses(config) == _proxies_botocore_uses(None) == {}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HTTPS_PROXY", "http://proxy.example:3128"),
        ("https_proxy", "http://proxy.example:3128"),
        ("ALL_PROXY", "socks5://proxy.example:1080"),
        ("no_proxy", "169.254.169.254"),
        ("Ftp_Proxy", "http://proxy.example:21"),
    ],
)
def test_any_proxy_variable_leaves_the_lookup_to_botocore(
    no_proxy_variables: pytest.MonkeyPatch, name: str, value: str
) -> None:
    no_proxy_variables.setenv(name, value)
    assert _proxies_for_every_endpoint() is None
    config = _client_config(CollectOptions())
    assert config.proxies is None
    assert _proxies_botocore_uses(config) == _proxies_botocore_uses(None)


def test_another_botocore_lookup_is_left_to_botocore(no_proxy_variables: pytest.MonkeyPatch) -> None:
    no_proxy_variables.setattr(botocore.endpoint.EndpointCreator, "_get_proxies", lambda self, url: {})
    assert _proxies_for_every_endpoint() is None

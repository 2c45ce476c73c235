"""Clients of one service share its parsed endpoint ruleset and resolve the endpoints botocore does."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.config
import botocore.regions
import pytest
from botocore.endpoint_provider import EndpointProvider

from awsaudit.collect.endpoint_rules import share_endpoint_rulesets
from awsaudit.collect.models import share_models


@pytest.fixture
def restored(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """botocore's own provider class back in place after the test."""
    monkeypatch.setattr(botocore.regions, "EndpointProvider", EndpointProvider)
    return monkeypatch


def _client(service: str, region: str, **config: Any) -> Any:
    session = boto3.Session(region_name=region, aws_access_key_id="AKIATEST", aws_secret_access_key="t")
    share_models(session)  # one loader for the process: the same ruleset data for every client
    return session.client(service, config=botocore.config.Config(**config) if config else None)


def _resolved(provider: Any, region: str, **parameters: Any) -> Any:
    endpoint = provider.resolve_endpoint(Region=region, UseFIPS=False, UseDualStack=False, **parameters)
    return endpoint.url, endpoint.properties, endpoint.headers


@pytest.mark.parametrize("service", ["ec2", "s3", "iam", "sts"])
def test_clients_share_the_parsed_ruleset_and_resolve_botocores_endpoints(
    restored: pytest.MonkeyPatch, service: str
) -> None:
    assert share_endpoint_rulesets()
    assert share_endpoint_rulesets()  # idempotent
    east, west = _client(service, "us-east-1"), _client(service, "eu-west-1")
    east_provider, west_provider = east._ruleset_resolver._provider, west._ruleset_resolver._provider
    assert east_provider is not west_provider
    assert east_provider.ruleset is west_provider.ruleset
    data = east._loader.load_service_model(service, "endpoint-rule-set-1")
    plain = EndpointProvider(data, east._loader.load_data("partitions"), east_provider._excluded_params)
    assert plain.ruleset is not east_provider.ruleset
    assert vars(east_provider).keys() == vars(plain).keys()
    assert east_provider._excluded_params == plain._excluded_params
    for region in ("us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"):
        assert _resolved(west_provider, region) == _resolved(plain, region)
    assert "eu-west-1" in west.meta.endpoint_url or service in {"iam"}


def test_other_data_are_parsed_for_themselves(restored: pytest.MonkeyPatch) -> None:
    assert share_endpoint_rulesets()
    client = _client("sts", "us-east-1")
    data = client._loader.load_service_model("sts", "endpoint-rule-set-1")
    partitions = client._loader.load_data("partitions")
    copied = dict(data)
    provider = botocore.regions.EndpointProvider(copied, partitions)
    assert provider.ruleset is not client._ruleset_resolver._provider.ruleset
    assert _resolved(provider, "eu-west-1") == _resolved(EndpointProvider(data, partitions), "eu-west-1")


def test_another_provider_is_left_alone(restored: pytest.MonkeyPatch) -> None:
    class Other(EndpointProvider):  # type: ignore[misc]
        pass

    restored.setattr(botocore.regions, "EndpointProvider", Other)
    assert not share_endpoint_rulesets()
    assert botocore.regions.EndpointProvider is Other


def test_a_provider_taking_other_arguments_is_left_alone(restored: pytest.MonkeyPatch) -> None:
    def init(self: Any, ruleset_data: Any, partition_data: Any, excluded_params: Any, more: Any) -> None:
        return None

    restored.setattr(EndpointProvider, "__init__", init)
    assert not share_endpoint_rulesets()
    assert botocore.regions.EndpointProvider is EndpointProvider

"""The regions --regions is checked against: botocore's endpoint data, read through the shared loader."""

from __future__ import annotations

import boto3
import botocore.session
import pytest

from awsaudit.collect.models import share_models
from awsaudit.collect.regions import UnknownRegionError, check_regions, known_regions


def test_known_regions_are_those_of_botocores_own_endpoint_data() -> None:
    endpoints = botocore.session.get_session().get_data("endpoints")  # standard-library decoding
    expected = {region for partition in endpoints["partitions"] for region in partition["regions"]}
    assert known_regions() == expected
    check_regions(["eu-west-1", "cn-north-1"])
    with pytest.raises(UnknownRegionError, match="eu-westt-1"):
        check_regions(["eu-westt-1"])


def test_a_collection_session_finds_the_endpoint_data_already_loaded() -> None:
    known_regions()
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="AKIATEST", aws_secret_access_key="t")
    share_models(session)
    loader = session._session.get_component("data_loader")
    assert any("endpoints" in str(key) for key in loader._cache)

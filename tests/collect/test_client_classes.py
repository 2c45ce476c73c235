"""Clients of one service in several regions share the service model and the client class."""

from __future__ import annotations

import boto3

from awsaudit.collect.client_classes import share_client_classes


def _session() -> boto3.Session:
    return boto3.Session(region_name="us-east-1", aws_access_key_id="AKIATEST", aws_secret_access_key="test")


def test_a_sharing_session_builds_each_service_once_and_keeps_each_clients_region() -> None:
    session = _session()
    assert share_client_classes(session)
    east = session.client("ec2", region_name="us-east-1")
    west = session.client("ec2", region_name="eu-west-1")
    assert type(east) is type(west)
    assert east.meta.service_model is west.meta.service_model
    assert (east.meta.region_name, west.meta.region_name) == ("us-east-1", "eu-west-1")
    assert "eu-west-1" in west.meta.endpoint_url and "us-east-1" in east.meta.endpoint_url
    assert east.meta.events is not west.meta.events  # handlers stay per client
    assert type(session.client("s3", region_name="us-east-1")) is not type(east)


def test_other_sessions_build_their_own() -> None:
    shared = _session()
    share_client_classes(shared)
    plain = _session()
    first = plain.client("sts", region_name="us-east-1")
    second = plain.client("sts", region_name="eu-west-1")
    assert type(first) is not type(second)
    assert type(shared.client("sts", region_name="us-east-1")) is not type(first)

"""Credentials: the standard boto3 chain, optionally assuming a role first."""

from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from awsaudit.collect.engine import CollectionFailed
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.redaction import install as hide_credentials_from_logs

SESSION_NAME = "awsaudit"


def make_session(
    profile: str | None = None,
    region: str | None = None,
    role_arn: str | None = None,
    external_id: str | None = None,
    endpoint_url: str | None = None,
) -> boto3.Session:
    """A session from the profile / environment / SSO chain, or for ``role_arn`` assumed from it."""
    hide_credentials_from_logs()  # before AssumeRole, whose response body botocore logs at DEBUG
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
        configured: str | None = getattr(session, "region_name", None)  # None when nothing is configured
        if not configured:
            session = boto3.Session(profile_name=profile, region_name="us-east-1")
        if role_arn is None:
            return session
        params = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME, "DurationSeconds": 3600}
        if external_id:
            params["ExternalId"] = external_id
        sts = session.client("sts", endpoint_url=endpoint_url)
        credentials = sts.assume_role(**params)["Credentials"]
    except (BotoCoreError, ClientError) as exc:
        _, code, message = describe_failure(exc)
        raise CollectionFailed(f"cannot get credentials: {code}: {message}") from None
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=session.region_name,
    )

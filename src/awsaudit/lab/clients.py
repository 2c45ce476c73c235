"""boto3 clients that talk to the lab, as one account, with the lab's work-arounds applied."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from awsaudit.lab.server import LAB_ACCOUNT_ID, LAB_ENVIRONMENT

if TYPE_CHECKING:
    from awsaudit.lab.server import Lab

# Scenario building talks to a local emulator: fail fast instead of retrying.
_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 2}, max_pool_connections=32)


class LabAccount:
    """Clients for one account of the lab; another account is reached by assuming a role into it."""

    def __init__(
        self, lab: Lab, account_id: str = LAB_ACCOUNT_ID, session: boto3.Session | None = None
    ) -> None:
        self.lab = lab
        self.account_id = account_id
        self._session = session or boto3.Session(
            aws_access_key_id=LAB_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LAB_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
            region_name="us-east-1",
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str = "us-east-1") -> Any:
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                client = self._session.client(
                    service,
                    region_name=region,
                    endpoint_url=self.lab.endpoint_url,
                    config=_CONFIG,
                )
                for hook in self.lab.client_hooks():
                    hook(client)
                self._clients[key] = client
            return self._clients[key]

    def assume(self, account_id: str, role_name: str = "OrganizationAccountAccessRole") -> LabAccount:
        """The same lab as another account (moto accepts any role and keeps each account's state apart)."""
        credentials = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName="awsaudit-lab"
        )["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name="us-east-1",
        )
        return LabAccount(self.lab, account_id, session)

    # ARNs in the forms the checks name their resources.
    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def region_arn(self, service: str, region: str) -> str:
        return f"arn:aws:{service}:{region}:{self.account_id}:account"

    def ec2_arn(self, region: str, kind: str, resource_id: str) -> str:
        return f"arn:aws:ec2:{region}:{self.account_id}:{kind}/{resource_id}"

    @staticmethod
    def bucket_arn(name: str) -> str:
        return f"arn:aws:s3:::{name}"

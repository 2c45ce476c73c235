"""The scenario registry, its input errors, the backend changes and `lab serve`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import boto3
import pytest

from awsaudit.lab import backend
from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios import SCENARIOS, ScenarioError, build_scenario
from awsaudit.lab.scenarios.resources import days_ago
from awsaudit.lab.server import LAB_ACCOUNT_ID, Lab

pytestmark = pytest.mark.lab


def test_registry_names_every_scenario() -> None:
    assert set(SCENARIOS) == {"misconfigured", "well-configured", "synthetic", "organization"}
    assert all(scenario.description for scenario in SCENARIOS.values())


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("nonesuch", {}, "unknown scenario 'nonesuch'"),
        ("misconfigured", {"users": 3}, "takes no parameter users"),
        ("synthetic", {"users": -1}, "must be a non-negative integer"),
    ],
)
def test_bad_input_is_a_scenario_error(lab: Lab, name: str, params: dict[str, int], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        build_scenario(name, lab, **params)


def test_root_row_leads_the_credential_report(lab: Lab) -> None:
    lab.reset()
    account = LabAccount(lab)
    account.client("iam").create_user(UserName="someone")
    state = backend.RootState(created=days_ago(10), mfa_enabled=True, password_last_used=None)
    backend.set_root_state(LAB_ACCOUNT_ID, state)
    iam = account.client("iam")
    iam.generate_credential_report()
    lines = iam.get_credential_report()["Content"].decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["<root_account>", "someone"]
    root = dict(zip(lines[0].split(","), lines[1].split(","), strict=True))
    assert (root["mfa_active"], root["password_last_used"], root["access_key_1_active"]) == (
        "true",
        "no_information",
        "false",
    )
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1


def test_missing_backend_objects_are_reported(lab: Lab) -> None:
    lab.reset()
    with pytest.raises(backend.BackendError, match="IAM user 'ghost' does not exist"):
        backend.set_password_last_used(LAB_ACCOUNT_ID, "ghost", days_ago(1))
    with pytest.raises(backend.BackendError, match="no AWS managed policy named 'NoSuchPolicy'"):
        backend.add_aws_managed_policies(LAB_ACCOUNT_ID, ["NoSuchPolicy"])


def test_reset_forgets_organizations_and_bucket_names(lab: Lab) -> None:
    lab.reset()
    build_scenario("well-configured", lab)
    lab.reset()
    account = LabAccount(lab)
    with pytest.raises(account.client("organizations").exceptions.AWSOrganizationsNotInUseException):
        account.client("organizations").describe_organization()
    account.client("s3").create_bucket(Bucket=f"wellconf-cloudtrail-{LAB_ACCOUNT_ID}")
    assert lab.analyzers == {} and lab.mfa_delete_buckets == set()


def test_serve_prints_the_environment_and_stops_on_interrupt() -> None:
    command = [sys.executable, "-c", "from awsaudit.lab.serve import serve; serve('synthetic')"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=dict(os.environ)) as process:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Ctrl-C" in line:
                break
        exports = dict(
            line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")
        )
        identity = boto3.client(
            "sts",
            region_name="us-east-1",
            endpoint_url=exports["AWS_ENDPOINT_URL"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        ).get_caller_identity()
        assert identity["Account"] == LAB_ACCOUNT_ID
        process.send_signal(signal.SIGINT)
        remaining, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "lab stopped" in remaining

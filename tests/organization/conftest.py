"""One lab for the directory; the organization scenario is built once and scanned by several tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from awsaudit.accounts import OrganizationStructure
from awsaudit.collect.organization.discovery import discover
from awsaudit.lab.scenarios import BuiltScenario, build_scenario
from awsaudit.lab.scenarios.organization import lab_hooks as organization_hooks
from awsaudit.lab.server import Lab


@pytest.fixture(scope="module")
def organization(lab: Lab) -> BuiltScenario:
    lab.reset()
    return build_scenario("organization", lab)


def lab_hooks(lab: Lab) -> tuple[Callable[[Any], None], ...]:
    return organization_hooks(lab)


@pytest.fixture(scope="module")
def structure(lab: Lab, organization: BuiltScenario) -> OrganizationStructure:
    del organization
    return discover(
        boto3.Session(region_name="us-east-1"), endpoint_url=lab.endpoint_url, client_hooks=lab_hooks(lab)
    )

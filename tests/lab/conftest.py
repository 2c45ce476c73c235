"""One lab server for the whole directory; each scenario is built once and collected once."""

from __future__ import annotations

import boto3

from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.lab.scenarios import BuiltScenario, build_scenario
from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot


def build_and_collect(lab: Lab, name: str, **params: int) -> tuple[BuiltScenario, Snapshot]:
    lab.reset()
    built = build_scenario(name, lab, **params)
    options = CollectOptions(
        regions=built.regions, endpoint_url=lab.endpoint_url, client_hooks=lab.client_hooks()
    )
    return built, collect(boto3.Session(region_name="us-east-1"), options)

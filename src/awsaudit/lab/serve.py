"""`awsaudit lab serve`: a lab with a scenario, for manual use, until Ctrl-C."""

from __future__ import annotations

import shlex
import sys
import time

from awsaudit.interrupts import Interrupted
from awsaudit.lab.scenarios import build_scenario, scenario_named
from awsaudit.lab.server import start_lab


def serve(scenario: str) -> None:
    """Start the lab, build ``scenario``, print how to reach it, and block until interrupted."""
    scenario_named(scenario)
    lab = start_lab()
    try:
        built = build_scenario(scenario, lab)
        environment = lab.environment()
        out = sys.stdout
        out.write(f"# awsaudit lab: scenario {scenario!r} at {lab.endpoint_url}\n")
        out.write("# Point boto3 / the AWS CLI at it (paste into a shell):\n")
        for name, value in sorted(environment.items()):
            out.write(f"export {name}={shlex.quote(value)}\n")
        out.write(f"# regions: {' '.join(built.regions)}\n")
        if built.findings_enumerated:
            out.write(f"# planted problems: {len(built.planted)}\n")
        for note in built.notes:
            out.write(f"# note: {note}\n")
        out.write(f"# e.g. awsaudit lab collect -o lab.json.gz --regions {','.join(built.regions)}\n")
        out.write("# Ctrl-C stops the lab.\n")
        out.flush()
        try:
            while True:
                time.sleep(3600)
        except (KeyboardInterrupt, Interrupted):
            out.write("# lab stopped\n")
    finally:
        lab.stop()

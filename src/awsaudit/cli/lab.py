"""`awsaudit demo` and `awsaudit lab …`: the embedded AWS emulator (moto), never the production path.

`awsaudit lab collect` and `awsaudit lab scan` are the production commands with the lab's emulator
work-arounds installed on every boto3 client (through the click context); the production commands
themselves neither import nor look for the lab.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer

from awsaudit.audit import select
from awsaudit.cli import audit
from awsaudit.cli.common import console, guard
from awsaudit.cli.delivery import deliver, report_request
from awsaudit.cli.options import DebugOpt, OutputDirOpt, QuietOpt
from awsaudit.config import AuditConfig
from awsaudit.errors import UsageProblem

lab_app = typer.Typer(
    help="The embedded AWS lab (moto) for demos, tests and manual exploration.", no_args_is_help=True
)


def lab_module(name: str) -> ModuleType:
    """A module of ``awsaudit.lab``, imported only when a lab command runs: moto is an optional extra
    and costs start-up time."""
    try:
        return importlib.import_module(f"awsaudit.lab.{name}")
    except ImportError as exc:
        if "moto" in str(exc):
            raise UsageProblem("the lab needs moto: pip install 'awsaudit[lab]'") from None
        raise


class LabClientHooks:
    """The emulator's work-arounds for clients sent to a running `awsaudit lab serve` (never to AWS)."""

    def client_hooks(self, endpoint_url: str | None) -> tuple[Callable[[Any], None], ...]:
        if not endpoint_url:
            raise UsageProblem(
                "the lab commands need --endpoint-url (or AWS_ENDPOINT_URL) of a running `awsaudit lab serve`"
            )
        server = lab_module("server")
        return tuple(lab_module("scenarios.organization").lab_hooks(server.Lab(endpoint_url=endpoint_url)))


@lab_app.callback()
def lab_options(ctx: typer.Context) -> None:
    """The embedded AWS lab (moto) for demos, tests and manual exploration."""
    ctx.obj = LabClientHooks()


@lab_app.command("serve")
def lab_serve(
    scenario: Annotated[
        str, typer.Option("--scenario", help="Scenario to build (see `awsaudit lab scenarios`).")
    ] = "misconfigured",
) -> None:
    """Run a lab server with a scenario and print how to point boto3 / the AWS CLI at it."""

    def body() -> None:
        lab_module("serve").serve(scenario)

    guard(body)


@lab_app.command("scenarios")
def lab_scenarios() -> None:
    """List the lab's scenarios."""

    def body() -> None:
        scenarios = lab_module("scenarios").SCENARIOS
        for name, scenario in sorted(scenarios.items()):
            console.print(f"[bold]{name}[/]: {scenario.description}", highlight=False)

    guard(body)


def demo(
    output_dir: OutputDirOpt = Path("awsaudit-demo"),
    scenario: Annotated[str, typer.Option("--scenario", help="Lab scenario to scan.")] = "misconfigured",
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Scan the embedded lab's deliberately misconfigured account (no AWS account needed)."""

    def body() -> None:
        run_demo = lab_module("demo").run_demo
        request = report_request(
            ["json", "csv", "markdown", "html"], output_dir, None, None, False, quiet=quiet
        )
        if not quiet:
            console.print(f"Starting the embedded AWS lab and building the '{scenario}' scenario…")
        run = run_demo(select(), AuditConfig(), scenario, show_progress=not quiet)
        if not quiet:
            # Before the result block, which ends every run.
            problems = "problem" if run.planted == 1 else "problems"
            console.print(
                f"The scenario planted {run.planted} {problems}. Open the report: "
                f"{(output_dir / 'awsaudit-report.html').resolve()}",
                highlight=False,
                soft_wrap=True,
            )
        deliver(run.result, request)

    guard(body)


def register(app: typer.Typer) -> None:
    """Add `demo` and the `lab` group (with collect and scan against a running lab) to a command line."""
    app.command()(demo)
    lab_app.command("collect", help="`awsaudit collect` against a running `awsaudit lab serve`.")(
        audit.collect
    )
    lab_app.command("scan", help="`awsaudit scan` against a running `awsaudit lab serve`.")(audit.scan)
    app.add_typer(lab_app, name="lab")

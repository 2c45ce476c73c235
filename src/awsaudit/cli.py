"""The ``awsaudit`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from awsaudit import __version__

app = typer.Typer(
    name="awsaudit",
    help="Audit the security configuration of AWS accounts (CIS AWS Foundations and the audit guide).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lab_app = typer.Typer(help="The embedded AWS lab (moto) for demos, tests and manual exploration.", no_args_is_help=True)
app.add_typer(lab_app, name="lab")

console = Console()
error_console = Console(stderr=True)

T = TypeVar("T")


class UsageProblem(Exception):
    """Bad input from the user: reported as one line, exit code 2."""


def _fail(message: str) -> NoReturn:
    error_console.print(f"awsaudit: error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _guard(action: Callable[[], T]) -> T:
    """Run a command body, turning every known input problem into one line and exit code 2."""
    from awsaudit.audit import SelectionError
    from awsaudit.compliance.frameworks_model import FrameworkError
    from awsaudit.config import ConfigError
    from awsaudit.snapshot import SnapshotError

    known: tuple[type[Exception], ...] = (
        UsageProblem,
        SelectionError,
        FrameworkError,
        ConfigError,
        SnapshotError,
        OSError,
    )
    try:
        from awsaudit.collect.engine import CollectionFailed

        known = (*known, CollectionFailed)
    except ImportError:  # pragma: no cover - boto3 is a hard dependency
        pass
    try:
        return action()
    except known as problem:
        _fail(str(problem))


def _version(value: bool) -> None:
    if value:
        console.print(f"awsaudit {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """awsaudit: collect → snapshot → checks → findings."""


# ----------------------------------------------------------------- options
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS profile from ~/.aws/config.")]
RegionsOpt = Annotated[
    str | None, typer.Option("--regions", help="Comma-separated regions (default: every enabled region).")
]
RoleOpt = Annotated[str | None, typer.Option("--role-arn", help="Assume this role before collecting.")]
ExternalIdOpt = Annotated[str | None, typer.Option("--external-id", help="External id for --role-arn.")]
EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint-url", envvar="AWS_ENDPOINT_URL", help="Send every API call to this endpoint."),
]
WorkersOpt = Annotated[int, typer.Option("--max-workers", min=1, max=256, help="Concurrent API calls.")]
FrameworkOpt = Annotated[
    list[str] | None, typer.Option("--framework", help="Framework id or id@version (repeatable).")
]
ChecksOpt = Annotated[list[str] | None, typer.Option("--checks", help="Check ids or globs to run (repeatable).")]
ExcludeOpt = Annotated[list[str] | None, typer.Option("--exclude-checks", help="Check ids or globs to skip.")]
SeverityOpt = Annotated[str | None, typer.Option("--severity", help="Only checks at or above this severity.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="YAML or TOML file with audit settings.")]
TrustedOpt = Annotated[
    list[str] | None, typer.Option("--trusted-cidr", help="A company CIDR (repeatable; overrides the config).")
]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Findings JSON file to write.")]


def _split(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _config(path: Path | None, trusted: list[str] | None) -> Any:
    from awsaudit.config import load_config

    return load_config(path, {"trusted_cidrs": tuple(trusted) if trusted else None})


def _collect(
    profile: str | None,
    regions: str | None,
    role_arn: str | None,
    external_id: str | None,
    endpoint_url: str | None,
    max_workers: int,
    datasets: frozenset[str] | None,
) -> Any:
    from awsaudit.collect.engine import CollectOptions, collect
    from awsaudit.collect.registry import all_specs
    from awsaudit.collect.session import make_session

    if datasets is not None:
        unknown = sorted(datasets - set(all_specs()))
        if unknown:
            raise UsageProblem(f"unknown dataset(s): {', '.join(unknown)} (see docs/snapshot.md)")
    session = make_session(profile=profile, role_arn=role_arn, external_id=external_id, endpoint_url=endpoint_url)
    options = CollectOptions(
        regions=_split(regions),
        datasets=datasets,
        max_workers=max_workers,
        endpoint_url=endpoint_url,
        client_hooks=_lab_hooks(),
        show_progress=True,
    )
    return collect(session, options)


def _lab_hooks() -> tuple[Any, ...]:
    """When pointed at `awsaudit lab serve`, apply the lab's emulator work-arounds (never against AWS)."""
    import os

    if os.environ.get("AWSAUDIT_LAB_ENDPOINT") and os.environ.get("AWSAUDIT_LAB_ENDPOINT") == os.environ.get(
        "AWS_ENDPOINT_URL"
    ):
        from awsaudit.lab.server import Lab

        return Lab(endpoint_url=os.environ["AWS_ENDPOINT_URL"]).client_hooks()
    return ()


# ---------------------------------------------------------------- commands
@app.command()
def collect(
    output: Annotated[Path, typer.Option("--output", "-o", help="Snapshot file (.json.gz, or .json).")],
    profile: ProfileOpt = None,
    regions: RegionsOpt = None,
    role_arn: RoleOpt = None,
    external_id: ExternalIdOpt = None,
    endpoint_url: EndpointOpt = None,
    max_workers: WorkersOpt = 16,
    datasets: Annotated[
        str | None, typer.Option("--datasets", help="Comma-separated service/Dataset keys (default: all).")
    ] = None,
) -> None:
    """Collect a snapshot of the account (read-only API calls) and save it."""

    def body() -> None:
        from awsaudit.snapshot import save

        wanted = _split(datasets)
        snapshot = _collect(
            profile, regions, role_arn, external_id, endpoint_url, max_workers,
            None if wanted is None else frozenset(wanted),
        )
        save(snapshot, output)
        calls = sum(snapshot.api_calls.values())
        error_console.print(
            f"Collected account {snapshot.account.account_id} in {len(snapshot.regions)} region(s): "
            f"{calls} API requests in {snapshot.duration_seconds:.1f} s, {len(snapshot.errors)} collection error(s). "
            f"Wrote {output}",
            highlight=False,
        )

    _guard(body)


@app.command()
def evaluate(
    snapshot_path: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="A snapshot written by collect.")],
    output: OutputOpt = Path("awsaudit-findings.json"),
    framework: FrameworkOpt = None,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    severity: SeverityOpt = None,
    config: ConfigOpt = None,
    trusted_cidr: TrustedOpt = None,
) -> None:
    """Audit a saved snapshot offline (no AWS access needed)."""

    def body() -> None:
        from awsaudit.audit import evaluate as run_evaluation
        from awsaudit.audit import select, write_findings
        from awsaudit.report.console import print_summary
        from awsaudit.snapshot import load

        audit_config = _config(config, trusted_cidr)
        selection = select(framework or (), checks or (), exclude_checks or (), severity)
        result = run_evaluation(load(snapshot_path), selection, audit_config)
        write_findings(result, output)
        print_summary(result, console, [str(output)])

    _guard(body)


@app.command()
def scan(
    output: OutputOpt = Path("awsaudit-findings.json"),
    snapshot_out: Annotated[
        Path | None, typer.Option("--snapshot", help="Also save the collected snapshot here.")
    ] = None,
    profile: ProfileOpt = None,
    regions: RegionsOpt = None,
    role_arn: RoleOpt = None,
    external_id: ExternalIdOpt = None,
    endpoint_url: EndpointOpt = None,
    max_workers: WorkersOpt = 16,
    framework: FrameworkOpt = None,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    severity: SeverityOpt = None,
    config: ConfigOpt = None,
    trusted_cidr: TrustedOpt = None,
) -> None:
    """Collect only what the selected checks need, then evaluate."""

    def body() -> None:
        from awsaudit.audit import evaluate as run_evaluation
        from awsaudit.audit import select, write_findings
        from awsaudit.report.console import print_summary
        from awsaudit.snapshot import save

        audit_config = _config(config, trusted_cidr)
        selection = select(framework or (), checks or (), exclude_checks or (), severity)
        snapshot = _collect(
            profile, regions, role_arn, external_id, endpoint_url, max_workers, selection.dataset_keys()
        )
        written = []
        if snapshot_out is not None:
            written.append(str(save(snapshot, snapshot_out)))
        result = run_evaluation(snapshot, selection, audit_config)
        written.append(str(write_findings(result, output)))
        print_summary(result, console, written)

    _guard(body)


@app.command()
def demo(
    output: OutputOpt = Path("awsaudit-demo/awsaudit-findings.json"),
    scenario: Annotated[str, typer.Option("--scenario", help="Lab scenario to scan.")] = "misconfigured",
) -> None:
    """Scan the embedded lab's deliberately misconfigured account (no AWS account needed)."""

    def body() -> None:
        from awsaudit.audit import select, write_findings
        from awsaudit.config import AuditConfig
        from awsaudit.report.console import print_summary

        run_demo = _lab_module("demo").run_demo
        console.print(f"Starting the embedded AWS lab and building the '{scenario}' scenario…")
        run = run_demo(select(), AuditConfig(), scenario)
        written = [str(write_findings(run.result, output))]
        print_summary(run.result, console, written)
        console.print(f"The scenario planted {run.planted} problems; the scan judged them above.")

    _guard(body)


@app.command("checks")
def list_checks(
    output_format: Annotated[str, typer.Option("--format", help="table, markdown or json.")] = "table",
) -> None:
    """List every check with its severity, scope and the frameworks that use it."""

    def body() -> None:
        from awsaudit.catalogue import render_checks

        if output_format not in {"table", "markdown", "json"}:
            raise UsageProblem(f"unknown format {output_format!r} (choose table, markdown or json)")
        render_checks(output_format, console)

    _guard(body)


@app.command("frameworks")
def list_frameworks(
    name: Annotated[str | None, typer.Argument(help="Show one framework's controls (id or id@version).")] = None,
) -> None:
    """List the compliance frameworks, or the controls of one."""

    def body() -> None:
        from awsaudit.catalogue import render_framework, render_frameworks

        if name is None:
            render_frameworks(console)
        else:
            render_framework(name, console)

    _guard(body)


@app.command()
def permissions() -> None:
    """Print the read-only IAM policy awsaudit needs (every action its collectors call)."""
    from awsaudit.collect.registry import required_actions

    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AwsauditReadOnly", "Effect": "Allow", "Action": required_actions(), "Resource": "*"}
        ],
    }
    sys.stdout.write(json.dumps(policy, indent=2) + "\n")


@lab_app.command("serve")
def lab_serve(
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario to build (see `awsaudit lab scenarios`).")]
    = "misconfigured",
) -> None:
    """Run a lab server with a scenario and print how to point boto3 / the AWS CLI at it."""

    def body() -> None:
        serve = _lab_module("serve").serve
        serve(scenario)

    _guard(body)


@lab_app.command("scenarios")
def lab_scenarios() -> None:
    """List the lab's scenarios."""

    def body() -> None:
        scenarios = _lab_module("scenarios").SCENARIOS
        for name, scenario in sorted(scenarios.items()):
            console.print(f"[bold]{name}[/]: {scenario.description}", highlight=False)

    _guard(body)


def _lab_module(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"awsaudit.lab.{name}")
    except ImportError as exc:
        if "moto" in str(exc):
            raise UsageProblem("the lab needs moto: pip install 'awsaudit[lab]'") from None
        raise


def main() -> None:
    app()

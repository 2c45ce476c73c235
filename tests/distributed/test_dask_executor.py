"""Organization scans on a Dask LocalCluster (two worker processes) against the organization lab."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import cloudpickle  # type: ignore[import-untyped]
import pytest

from awsaudit.accounts import AccountCredentials, AccountOutcome, AccountTarget
from awsaudit.audit import select
from awsaudit.collect.organization.credentials import WorkerRoleAssumption
from awsaudit.config import AuditConfig
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.scenarios.organization import lab_hooks
from awsaudit.lab.server import Lab
from awsaudit.organization.dask_executor import AccountAccess, DaskExecutor, run_account
from awsaudit.organization.scan import OrganizationScan, OrganizationScanOptions, scan_organization
from awsaudit.organization.task import AccountScanRequest

pytestmark = pytest.mark.lab

# Tasks defined here travel by value: the workers cannot import the test package.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

CHECKS = ("organizations.*", "budgets.*", "iam.root_*")
MANAGEMENT = "123456789012"


def _scan(lab: Lab, output: Path | str, executor: Any = None) -> OrganizationScan:
    options = OrganizationScanOptions(
        max_accounts_parallel=2,
        max_workers=8,
        regions=("us-east-1",),
        endpoint_url=lab.endpoint_url,
        client_hooks=lab_hooks(lab),
    )
    return scan_organization(
        boto3.Session(region_name="us-east-1"),
        select(include=CHECKS),
        AuditConfig(),
        output,
        options=options,
        executor=executor,
    )


def _findings(output: Path) -> dict[str, set[tuple[str, str, str]]]:
    return {
        path.parent.name: {
            (f["check_id"], f["resource"], f["status"]) for f in json.loads(path.read_text())["findings"]
        }
        for path in output.glob("*/findings.json")
        if path.parent.name.isdigit()
    }


@pytest.fixture(scope="module")
def local_findings(
    lab: Lab, organization: BuiltScenario, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, set[tuple[str, str, str]]]:
    output = tmp_path_factory.mktemp("local")
    _scan(lab, output)
    return _findings(output)


def recording_task(
    record_dir: Path,
    target: AccountTarget,
    access: AccountAccess,
    request: AccountScanRequest,
    destination: str | None,
) -> AccountOutcome:
    """Runs the real task after writing down, in the worker, what it was given (never the secret)."""
    secret = access.secret_access_key if isinstance(access, AccountCredentials) else ""
    received = {
        "target": target.account_id,
        "pid": os.getpid(),
        "kind": type(access).__name__,
        "account": getattr(access, "account_id", None),
        "key_id": getattr(access, "access_key_id", ""),
        "token": bool(getattr(access, "session_token", None)),
        "secret_in_repr": bool(secret) and secret in repr(access),
    }
    (record_dir / f"{target.account_id}-{time.monotonic_ns()}.json").write_text(json.dumps(received))
    return run_account(target, access, request, destination)


def _received(record_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(record_dir.glob("*.json"))]


def _statuses(scan: OrganizationScan) -> dict[str, str]:
    return {row.target.account_id: row.outcome.status.value for row in scan.summary.rows}


def test_findings_equal_the_local_executor_account_for_account(
    lab: Lab, client: Any, local_findings: dict[str, set[tuple[str, str, str]]], tmp_path: Path
) -> None:
    scan = _scan(lab, tmp_path, DaskExecutor(client))
    assert _findings(tmp_path) == local_findings
    assert len(local_findings) == 5  # every account but the one without the audit role
    assert sorted(_statuses(scan).values()) == ["COMPLETE"] * 5 + ["UNREACHABLE"]


def test_tasks_receive_session_credentials_for_their_account_only(
    lab: Lab, client: Any, organization: BuiltScenario, tmp_path: Path
) -> None:
    records = tmp_path / "received"
    records.mkdir()
    scan = _scan(lab, tmp_path / "out", DaskExecutor(client, task=functools.partial(recording_task, records)))
    received = _received(records)
    assert {r["target"] for r in received} == set(_statuses(scan)) - {MANAGEMENT} - {
        row.target.account_id for row in scan.summary.rows if row.outcome.status.value == "UNREACHABLE"
    }
    for record in received:
        assert record["kind"] == AccountCredentials.__name__
        assert record["account"] == record["target"]
        assert record["key_id"].startswith("ASIA") and record["token"]
        assert not record["secret_in_repr"]
    # The driver's own (long-lived) keys never leave it: its account is scanned in the driver.
    assert _statuses(scan)[MANAGEMENT] == "COMPLETE"


def test_workers_can_assume_the_role_with_their_own_identity(
    lab: Lab, client: Any, local_findings: dict[str, set[tuple[str, str, str]]], tmp_path: Path
) -> None:
    records = tmp_path / "received"
    records.mkdir()
    task = functools.partial(recording_task, records)
    scan = _scan(lab, tmp_path / "out", DaskExecutor(client, worker_credentials=True, task=task))
    assert {r["kind"] for r in _received(records)} == {WorkerRoleAssumption.__name__}
    assert _findings(tmp_path / "out") == local_findings
    assert sorted(_statuses(scan).values()) == ["COMPLETE"] * 5 + ["UNREACHABLE"]


def test_output_through_fsspec_uri(
    lab: Lab, client: Any, local_findings: dict[str, set[tuple[str, str, str]]], tmp_path: Path
) -> None:
    scan = _scan(lab, f"file://{tmp_path}", DaskExecutor(client))
    assert _findings(tmp_path) == local_findings
    assert f"file://{tmp_path}/organization-summary.json" in scan.written
    summary = json.loads((tmp_path / "organization-summary.json").read_text())
    complete = [a for a in summary["accounts"] if a["status"] == "COMPLETE"]
    assert all(f.startswith(f"file://{tmp_path}/{a['id']}/") for a in complete for f in a["files"])
    assert not list(tmp_path.rglob("*.tmp"))


def failing_task(
    record_dir: Path,
    target: AccountTarget,
    access: AccountAccess,
    request: AccountScanRequest,
    destination: str | None,
) -> AccountOutcome:
    assert isinstance(access, AccountCredentials)
    (record_dir / f"{target.account_id}.secret").write_text(access.secret_access_key)
    raise RuntimeError("the worker's disk is full")


def test_a_task_that_raises_is_reported_and_its_secret_is_never_logged(
    lab: Lab, client: Any, organization: BuiltScenario, tmp_path: Path
) -> None:
    records = tmp_path / "received"
    records.mkdir()
    task = functools.partial(failing_task, records)
    scan = _scan(lab, tmp_path / "out", DaskExecutor(client, retries=0, task=task))
    secrets = [p.read_text() for p in records.glob("*.secret")]
    assert len(secrets) == 4
    failed = [row.outcome for row in scan.summary.rows if row.outcome.status.value == "FAILED"]
    assert len(failed) == 4
    assert all("RuntimeError: the worker's disk is full" in (o.reason or "") for o in failed)
    logs = json.dumps([client.get_worker_logs(), client.get_scheduler_logs()])
    assert logs.count("Compute Failed") >= 4  # the failures were logged (older Dask also logs the arguments)
    assert not [s for s in secrets if s in logs or any(s in (o.reason or "") for o in failed)]


def _kill_first_worker_that_starts(
    records: Path, killed: list[int], stop: threading.Event
) -> Callable[[], None]:
    def watch() -> None:
        while not stop.is_set():
            started = [r for r in _received(records) if r["target"] != MANAGEMENT]
            if started:
                os.kill(started[0]["pid"], signal.SIGKILL)
                killed.append(started[0]["pid"])
                return
            time.sleep(0.05)

    return watch


def test_a_worker_killed_mid_scan_leaves_a_complete_result_without_duplicates(
    lab: Lab, client: Any, local_findings: dict[str, set[tuple[str, str, str]]], tmp_path: Path
) -> None:
    client.wait_for_workers(2)
    records = tmp_path / "received"
    records.mkdir()
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_first_worker_that_starts(records, killed, stop))
    killer.start()
    try:
        task = functools.partial(recording_task, records)
        scan = _scan(lab, tmp_path / "out", DaskExecutor(client, task=task))
    finally:
        stop.set()
        killer.join()
    assert killed, "no worker was killed"
    runs = [r["target"] for r in _received(records)]
    (victim,) = [r["target"] for r in _received(records) if r["pid"] == killed[0]]
    assert runs.count(victim) == 2  # the killed task ran again elsewhere
    accounts = [row.target.account_id for row in scan.summary.rows]
    assert len(accounts) == len(set(accounts)) == 6
    assert sorted(_statuses(scan).values()) == ["COMPLETE"] * 5 + ["UNREACHABLE"]
    assert _findings(tmp_path / "out") == local_findings
    assert not list((tmp_path / "out").rglob("*.tmp"))
    client.wait_for_workers(2)


def test_interrupting_the_driver_cancels_the_outstanding_tasks(
    lab: Lab, client: Any, organization: BuiltScenario, tmp_path: Path
) -> None:
    def interrupt(outcome: AccountOutcome) -> None:
        raise KeyboardInterrupt

    options = OrganizationScanOptions(
        regions=("us-east-1",), endpoint_url=lab.endpoint_url, client_hooks=lab_hooks(lab)
    )
    with pytest.raises(KeyboardInterrupt):
        scan_organization(
            boto3.Session(region_name="us-east-1"),
            select(include=CHECKS),
            AuditConfig(),
            tmp_path,
            options=options,
            on_outcome=interrupt,
            executor=DaskExecutor(client),
        )
    deadline = time.monotonic() + 30
    while any(key.startswith("awsaudit-") for keys in client.processing().values() for key in keys):
        assert time.monotonic() < deadline, "tasks still run after the interrupt"
        time.sleep(0.1)
    assert not (tmp_path / "organization-summary.json").exists()
    assert len(list(tmp_path.glob("*/findings.json"))) < 5  # not every account was scanned
    assert not list(tmp_path.rglob("*.tmp"))
    for findings in tmp_path.glob("*/findings.json"):
        json.loads(findings.read_text())  # whatever was written is whole

"""The per-account task and the runner: credentials per account, failures isolated, files written as
each account finishes, nothing of an account kept in memory."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import stat
import weakref
from pathlib import Path
from typing import Any

import boto3
import pytest

from awsaudit.accounts import (
    AccountCredentials,
    AccountOutcome,
    AccountStatus,
    OrganizationStructure,
)
from awsaudit.audit import select
from awsaudit.collect.organization.credentials import AuditRoleCredentials, CredentialsRefused, session_name
from awsaudit.lab.scenarios import BuiltScenario
from awsaudit.lab.server import Lab
from awsaudit.organization import task as task_module
from awsaudit.organization.runner import per_account_workers, scan_accounts
from awsaudit.organization.task import FINDINGS_FILE, SNAPSHOT_FILE, AccountScanRequest, scan_account
from awsaudit.snapshot import Snapshot, load

from .conftest import lab_hooks

pytestmark = pytest.mark.lab

CHECKS = ("budgets.budget_with_alert", "organizations.account_in_organization")


def _credentials(lab: Lab, structure: OrganizationStructure) -> AuditRoleCredentials:
    return AuditRoleCredentials(
        boto3.Session(region_name="us-east-1"),
        role_name="OrganizationAccountAccessRole",
        caller_account_id=structure.caller_account_id,
        partition="aws",
        scan_id="20261128T150000Z-abcdef",
        endpoint_url=lab.endpoint_url,
        client_hooks=lab_hooks(lab),
    )


def _request(lab: Lab, output: Path, **kw: Any) -> AccountScanRequest:
    return AccountScanRequest.for_selection(
        select(include=CHECKS),
        output,
        regions=("us-east-1",),
        endpoint_url=lab.endpoint_url,
        client_hooks=lab_hooks(lab),
        **kw,
    )


def test_the_budget_is_shared_between_accounts() -> None:
    assert per_account_workers(16, 4) == 4
    assert per_account_workers(16, 5) == 3
    assert per_account_workers(2, 8) == 1


def test_session_name_identifies_the_tool_and_scan() -> None:
    assert session_name("20261128T150000Z-abcdef") == "awsaudit-20261128T150000Z-abcdef"
    assert session_name("a b/c" * 30).startswith("awsaudit-a-b-c") and len(session_name("x" * 90)) == 64


def test_credentials_are_for_one_account_and_hide_the_secret(
    lab: Lab, structure: OrganizationStructure
) -> None:
    provider = _credentials(lab, structure)
    member = next(a.account_id for a in structure.accounts if a.name == "well-run")
    issued = provider.for_account(member)
    assert issued.account_id == member and issued.source == "audit-role"
    assert issued.access_key_id.startswith("ASIA") and issued.session_token
    assert issued.secret_access_key not in repr(issued) and str(issued.session_token) not in repr(issued)
    identity = (
        boto3.Session(
            aws_access_key_id=issued.access_key_id,
            aws_secret_access_key=issued.secret_access_key,
            aws_session_token=issued.session_token,
            region_name="us-east-1",
        )
        .client("sts", endpoint_url=lab.endpoint_url)
        .get_caller_identity()
    )
    assert identity["Account"] == member
    assert identity["Arn"].endswith("/awsaudit-20261128T150000Z-abcdef")
    assert provider.for_account(structure.caller_account_id).source == "caller"


def test_a_missing_role_is_refused_with_its_reason(lab: Lab, structure: OrganizationStructure) -> None:
    missing = next(a.account_id for a in structure.accounts if a.name == "no-audit-role")
    with pytest.raises(CredentialsRefused) as refused:
        _credentials(lab, structure).for_account(missing)
    assert refused.value.code == "AccessDenied"
    assert f"arn:aws:iam::{missing}:role/OrganizationAccountAccessRole" in refused.value.message


def test_unassumable_account_is_reported_and_the_others_complete(
    lab: Lab, organization: BuiltScenario, structure: OrganizationStructure, tmp_path: Path
) -> None:
    targets = list(structure.accounts)
    outcomes = scan_accounts(
        targets, _credentials(lab, structure), _request(lab, tmp_path), max_accounts_parallel=3
    )
    by_name = {t.name: o for t, o in zip(targets, outcomes, strict=True)}
    refused = by_name.pop("no-audit-role")
    assert refused.status is AccountStatus.UNREACHABLE and refused.error_code == "AccessDenied"
    assert "could not be assumed" in (refused.reason or "")
    assert refused.check_statuses == {} and not (tmp_path / refused.account_id).exists()
    for name, outcome in by_name.items():
        assert outcome.status is AccountStatus.COMPLETE, (name, outcome.reason)
        directory = tmp_path / outcome.account_id
        snapshot = load(directory / SNAPSHOT_FILE)
        assert snapshot.account.account_id == outcome.account_id
        report = json.loads((directory / FINDINGS_FILE).read_text())
        assert report["account"]["id"] == outcome.account_id
        assert {f["check_id"] for f in report["findings"]} <= set(CHECKS)
        assert stat.S_IMODE((directory / FINDINGS_FILE).stat().st_mode) == 0o600
        assert outcome.check_statuses.keys() == set(CHECKS)
    assert by_name["no-budget"].check_statuses["budgets.budget_with_alert"] == "FAIL"
    assert by_name["well-run"].check_statuses["budgets.budget_with_alert"] == "PASS"
    assert by_name["well-run"].facts["budgets"][0]["Notified"] is True


def test_snapshots_are_written_as_each_account_finishes_and_never_kept(
    lab: Lab, organization: BuiltScenario, structure: OrganizationStructure, tmp_path: Path, monkeypatch: Any
) -> None:
    alive: list[weakref.ref[Snapshot]] = []
    real_collect = task_module.collect  # type: ignore[attr-defined]

    def tracked_collect(*args: Any, **kwargs: Any) -> Snapshot:
        snapshot = real_collect(*args, **kwargs)
        alive.append(weakref.ref(snapshot))
        return snapshot

    monkeypatch.setattr(task_module, "collect", tracked_collect)
    on_disk_when_reported: list[bool] = []

    def reported(outcome: AccountOutcome) -> None:
        if outcome.scanned:
            on_disk_when_reported.append((tmp_path / outcome.account_id / SNAPSHOT_FILE).is_file())

    targets = [a for a in structure.accounts if a.name != "no-audit-role"]
    outcomes = scan_accounts(
        targets,
        _credentials(lab, structure),
        _request(lab, tmp_path),
        max_accounts_parallel=2,
        on_outcome=reported,
    )
    gc.collect()
    assert len(alive) == len(targets) and on_disk_when_reported == [True] * len(targets)
    assert [ref() for ref in alive] == [None] * len(targets), "a snapshot outlived its account's task"
    assert all(len(json.dumps(o.facts)) < 2_000 for o in outcomes)


def test_credentials_for_another_account_are_never_written_under_the_target(
    lab: Lab, structure: OrganizationStructure, tmp_path: Path
) -> None:
    provider = _credentials(lab, structure)
    well_run, no_budget = (
        next(a for a in structure.accounts if a.name == name) for name in ("well-run", "no-budget")
    )
    issued = provider.for_account(well_run.account_id)
    relabelled = AccountCredentials(
        no_budget.account_id, issued.access_key_id, issued.secret_access_key, issued.session_token
    )
    outcome = scan_account(no_budget, relabelled, _request(lab, tmp_path))
    assert outcome.status is AccountStatus.FAILED
    assert f"reached account {well_run.account_id}" in (outcome.reason or "")
    assert not (tmp_path / no_budget.account_id).exists()


def test_a_failure_half_way_is_the_outcome_not_an_exception(
    lab: Lab, structure: OrganizationStructure, tmp_path: Path
) -> None:
    target = next(a for a in structure.accounts if a.name == "well-run")
    issued = _credentials(lab, structure).for_account(target.account_id)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the output directory should be")
    outcome = scan_account(target, issued, _request(lab, blocked))
    assert outcome.status is AccountStatus.FAILED and outcome.reason
    assert outcome.check_statuses == {}


def test_accounts_can_run_in_worker_processes(
    lab: Lab, organization: BuiltScenario, structure: OrganizationStructure, tmp_path: Path
) -> None:
    targets = [a for a in structure.accounts if a.name in {"well-run", "no-audit-role"}]
    request = _request(lab, tmp_path)
    outcomes = scan_accounts(
        targets, _credentials(lab, structure), request, max_accounts_parallel=2, processes=2
    )
    by_name = {t.name: o for t, o in zip(targets, outcomes, strict=True)}
    assert by_name["well-run"].status is AccountStatus.COMPLETE, by_name["well-run"].reason
    assert by_name["no-audit-role"].status is AccountStatus.UNREACHABLE
    assert (tmp_path / by_name["well-run"].account_id / FINDINGS_FILE).is_file()


DOOMED_KEY = "AKIADOOMEDPROCESS000"


class _ExitOnDoomedCredentials:
    """A client hook (picklable, run in the worker) that ends the process when a client is made with
    the doomed account's credentials: what a crash of the interpreter looks like to the driver."""

    def __call__(self, client: Any) -> None:
        if client._request_signer._credentials.access_key == DOOMED_KEY:
            os._exit(7)


class _DoomOne:
    def __init__(self, provider: AuditRoleCredentials, doomed: str) -> None:
        self.provider = provider
        self.doomed = doomed

    def for_account(self, account_id: str) -> AccountCredentials:
        if account_id == self.doomed:
            return AccountCredentials(account_id, DOOMED_KEY, "doomed")
        return self.provider.for_account(account_id)


def test_a_dead_worker_process_fails_its_account_and_a_new_one_takes_the_rest(
    lab: Lab, organization: BuiltScenario, structure: OrganizationStructure, tmp_path: Path
) -> None:
    targets = [a for a in structure.accounts if a.name in {"well-run", "no-budget", "linked-budget"}]
    doomed = targets[0]
    request = _request(lab, tmp_path)
    request = dataclasses.replace(request, client_hooks=(*request.client_hooks, _ExitOnDoomedCredentials()))
    outcomes = scan_accounts(
        targets,
        _DoomOne(_credentials(lab, structure), doomed.account_id),
        request,
        max_accounts_parallel=2,
        processes=2,  # one account per process: the doomed one takes no other down with it
    )
    assert outcomes[0].status is AccountStatus.FAILED
    assert "ended with code 7" in (outcomes[0].reason or "")
    assert [o.status for o in outcomes[1:]] == [AccountStatus.COMPLETE] * 2, [o.reason for o in outcomes]
    assert not (tmp_path / doomed.account_id).exists()


class _RequireEnvironment:
    """A client hook (run in the worker) refusing to make clients unless the variable is set so."""

    def __init__(self, name: str, value: str) -> None:
        self.name = name
        self.value = value

    def __call__(self, client: Any) -> None:
        if os.environ.get(self.name) != self.value:
            raise RuntimeError(f"{self.name} was not handed to the worker process")


def test_worker_processes_take_the_drivers_current_environment(
    lab: Lab, organization: BuiltScenario, structure: OrganizationStructure, tmp_path: Path, monkeypatch: Any
) -> None:
    # Set after the forkserver started (earlier tests), whose children would otherwise inherit its own.
    monkeypatch.setenv("AWSAUDIT_TEST_WORKER_ENVIRONMENT", tmp_path.name)
    request = _request(lab, tmp_path)
    hook = _RequireEnvironment("AWSAUDIT_TEST_WORKER_ENVIRONMENT", tmp_path.name)
    request = dataclasses.replace(request, client_hooks=(*request.client_hooks, hook))
    targets = [a for a in structure.accounts if a.name == "well-run"]
    credentials = _credentials(lab, structure)
    [outcome] = scan_accounts(targets, credentials, request, max_accounts_parallel=1, processes=1)
    assert outcome.status is AccountStatus.COMPLETE, outcome.reason

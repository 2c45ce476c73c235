"""Discovery lists the organization's accounts and OUs; the scope options narrow it, or fail clearly."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from awsaudit.accounts import AccountTarget, OrganizationScopeError, OrganizationStructure
from awsaudit.collect.organization import discovery
from awsaudit.collect.organization.credentials import AuditRoleCredentials
from awsaudit.collect.organization.discovery import DiscoveryError, discover, select_targets
from awsaudit.collect.retries import RetryPolicy
from awsaudit.lab.server import LAB_ACCOUNT_ID, Lab
from tests.collect.faults import FaultInjector, FaultKind

from .conftest import lab_hooks

pytestmark = pytest.mark.lab


def _by_name(structure: OrganizationStructure) -> dict[str, AccountTarget]:
    return {a.name: a for a in structure.accounts}


def test_discovers_management_members_and_their_units(structure: OrganizationStructure) -> None:
    assert structure.management_account_id == structure.caller_account_id == LAB_ACCOUNT_ID
    accounts = _by_name(structure)
    assert set(accounts) == {
        "master",
        "well-run",
        "linked-budget",
        "no-budget",
        "no-audit-role",
        "sandbox-dev",
        "at-root",
        "root-less",
    }
    units = {u.name: u.id for u in structure.units}
    assert set(units) == {"Production", "Sandbox"}
    root = structure.roots[0]["Id"]
    assert accounts["master"].ou_path == (root,)
    assert accounts["well-run"].ou_path == (root, units["Production"])
    assert accounts["no-budget"].parent_id == units["Sandbox"]
    assert all(a.active for a in structure.accounts)


def test_scope_by_accounts_exclusions_and_units(structure: OrganizationStructure) -> None:
    accounts = _by_name(structure)
    every = select_targets(structure)
    assert len(every) == 8
    only = select_targets(structure, accounts=[accounts["well-run"].account_id])
    assert [t.name for t in only] == ["well-run"]
    without = select_targets(structure, exclude_accounts=[accounts["master"].account_id])
    assert "master" not in {t.name for t in without} and len(without) == 7
    sandbox = select_targets(structure, ous=["Sandbox"])
    assert {t.name for t in sandbox} == {"no-budget", "no-audit-role", "sandbox-dev"}
    by_id = select_targets(structure, ous=[u.id for u in structure.units if u.name == "Production"])
    assert {t.name for t in by_id} == {"well-run", "linked-budget"}
    root = str(structure.roots[0]["Id"])
    assert len(select_targets(structure, ous=[root])) == 8
    narrowed = select_targets(structure, ous=["Sandbox"], exclude_accounts=[accounts["no-budget"].account_id])
    assert {t.name for t in narrowed} == {"no-audit-role", "sandbox-dev"}


def test_scope_errors_name_the_problem(structure: OrganizationStructure) -> None:
    with pytest.raises(OrganizationScopeError, match="999999999999 is not in organization"):
        select_targets(structure, accounts=["999999999999"])
    with pytest.raises(OrganizationScopeError, match="not an AWS account id"):
        select_targets(structure, exclude_accounts=["../etc"])
    with pytest.raises(OrganizationScopeError, match="no organizational unit or root 'Finance'"):
        select_targets(structure, ous=["Finance"])
    everyone = [a.account_id for a in structure.accounts]
    with pytest.raises(OrganizationScopeError, match="no active account"):
        select_targets(structure, exclude_accounts=everyone)


def test_inactive_accounts_are_not_scanned() -> None:
    structure = OrganizationStructure(
        organization_id="o-1",
        management_account_id="111111111111",
        caller_account_id="111111111111",
        caller_arn="arn:aws:iam::111111111111:user/auditor",
        partition="aws",
        organization={},
        roots=({"Id": "r-1", "Name": "Root"},),
        units=(),
        accounts=(
            AccountTarget("111111111111", "management", "m@example.com", "ACTIVE", "r-1", ("r-1",)),
            AccountTarget("222222222222", "closed", "c@example.com", "SUSPENDED", "r-1", ("r-1",)),
        ),
    )
    assert [t.account_id for t in select_targets(structure)] == ["111111111111"]


def _session_in(lab: Lab, account_id: str) -> boto3.Session:
    sts = boto3.Session(region_name="us-east-1").client("sts", endpoint_url=lab.endpoint_url)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="test"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="us-east-1",
    )


def test_a_member_account_cannot_discover(lab: Lab, structure: OrganizationStructure) -> None:
    member = next(a.account_id for a in structure.accounts if a.name == "well-run")
    with pytest.raises(DiscoveryError, match="management account or delegated administrator"):
        discover(_session_in(lab, member), endpoint_url=lab.endpoint_url, client_hooks=(_refuse_listing,))


def _refuse_listing(client: Any) -> None:
    """What AWS answers a member account's ListRoots (moto answers it)."""
    from botocore.exceptions import ClientError

    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "member"}}, "ListRoots")

    client.meta.events.register("before-call.organizations.ListRoots", refuse)


def test_outside_an_organization_discovery_says_so(lab: Lab, structure: OrganizationStructure) -> None:
    with pytest.raises(DiscoveryError, match="not in an AWS Organization"):
        discover(_session_in(lab, "777777777777"), endpoint_url=lab.endpoint_url)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver's retry policy with millisecond backoff: the attempts are what is tested."""
    monkeypatch.setattr(discovery, "RETRY_POLICY", RetryPolicy(throttling_base=0.001, transient_base=0.001))


def _discover(lab: Lab, faults: FaultInjector) -> OrganizationStructure:
    return discover(
        boto3.Session(region_name="us-east-1"),
        endpoint_url=lab.endpoint_url,
        client_hooks=(*lab_hooks(lab), faults.hook),
    )


@pytest.mark.usefixtures("fast_retries")
def test_discovery_outlasts_faults_botocore_gave_up_on(lab: Lab, structure: OrganizationStructure) -> None:
    # Six throttles in a row, six 503s in a row: more than the five attempts of botocore's adaptive mode.
    faults = FaultInjector().fail(
        "organizations", "ListAccountsForParent", "TooManyRequestsException", times=6
    )
    faults.fail("organizations", "ListRoots", "ServiceUnavailableException", status=503, times=6)
    assert _discover(lab, faults) == structure
    assert faults.injected == {"organizations.ListAccountsForParent": 6, "organizations.ListRoots": 6}


@pytest.mark.usefixtures("fast_retries")
@pytest.mark.parametrize("kind", [FaultKind.THROTTLE, FaultKind.SERVER_ERROR])
def test_discovery_under_thirty_percent_faults_is_unchanged(
    lab: Lab, structure: OrganizationStructure, kind: FaultKind
) -> None:
    faults = FaultInjector(20261202).sometimes(kind, 0.3)
    assert _discover(lab, faults) == structure
    assert sum(faults.injected.values()) > 0


def test_a_permanent_refusal_is_asked_once(lab: Lab, structure: OrganizationStructure) -> None:
    faults = FaultInjector().always(FaultKind.ACCESS_DENIED, "organizations", "ListRoots")
    with pytest.raises(DiscoveryError, match="AccessDeniedException"):
        _discover(lab, faults)
    assert faults.injected == {"organizations.ListRoots": 1}


@pytest.mark.usefixtures("fast_retries")
def test_assume_role_outlasts_throttling(lab: Lab, structure: OrganizationStructure) -> None:
    faults = FaultInjector().fail("sts", "AssumeRole", "Throttling", times=6)
    provider = AuditRoleCredentials(
        boto3.Session(region_name="us-east-1"),
        role_name="OrganizationAccountAccessRole",
        caller_account_id=structure.caller_account_id,
        partition="aws",
        scan_id="20261202T150000Z-abcdef",
        endpoint_url=lab.endpoint_url,
        client_hooks=(*lab_hooks(lab), faults.hook),
    )
    member = next(a.account_id for a in structure.accounts if a.name == "well-run")
    assert provider.for_account(member).account_id == member
    assert faults.injected == {"sts.AssumeRole": 6}

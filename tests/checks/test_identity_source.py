"""The Identity Center identity source, inferred from documented fields, in the federation inventory."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.analyze.organization.directory_inventory import (
    ACTIVE_DIRECTORY,
    EXTERNAL_IDENTITY_PROVIDER,
    IDENTITY_CENTER_DIRECTORY,
    UNDETERMINED,
    identity_source,
)
from awsaudit.findings import Status
from awsaudit.snapshot import RESOURCE_ERRORS_KEY
from tests.builders import SnapshotBuilder, run

REGION = "eu-west-1"
STORE = "d-9067abcdef"


def _instance(**fields: Any) -> dict[str, Any]:
    return {
        "InstanceArn": "arn:aws:sso:::instance/ssoins-1",
        "IdentityStoreId": STORE,
        "PermissionSets": [],
        "Groups": [],
        "Description": {"Name": "corp", "Status": "ACTIVE"},
        **fields,
    }


def _sample(sampled: int, external: int, *issuers: str) -> dict[str, Any]:
    return {"Sampled": sampled, "WithExternalIds": external, "Issuers": list(issuers), "More": False}


@pytest.mark.parametrize(
    ("instance", "directories", "expected"),
    [
        (_instance(UserSample=_sample(3, 3, "https://idp.example.com")), [], EXTERNAL_IDENTITY_PROVIDER),
        (_instance(UserSample=_sample(3, 0)), [], IDENTITY_CENTER_DIRECTORY),
        (_instance(UserSample=_sample(0, 0)), [], UNDETERMINED),
        # The identity store is a directory of the account: Active Directory, whatever the users say.
        (
            _instance(UserSample=_sample(2, 2, "x")),
            [{"DirectoryId": STORE, "Type": "ADConnector", "Name": "corp.example.com"}],
            ACTIVE_DIRECTORY,
        ),
        # A directory that is not the identity store says nothing about it.
        (
            _instance(UserSample=_sample(2, 0)),
            [{"DirectoryId": "d-other", "Type": "MicrosoftAD", "Name": "x"}],
            IDENTITY_CENTER_DIRECTORY,
        ),
    ],
)
def test_identity_source_is_inferred_and_says_so(
    instance: dict[str, Any], directories: list[dict[str, Any]], expected: str
) -> None:
    source = identity_source(instance, directories, REGION)
    assert (source["type"], source["inferred"]) == (expected, True)
    assert source["basis"]


def test_users_not_sampled_leave_the_source_undetermined_with_the_reason() -> None:
    failed = {"UserSample": {"operation": "ListUsers", "code": "AccessDeniedException", "message": "denied"}}
    source = identity_source(_instance(**{RESOURCE_ERRORS_KEY: failed}), None, REGION)
    assert source["type"] == UNDETERMINED
    assert "AccessDeniedException" in source["basis"]


def test_the_federation_inventory_shows_the_identity_source_and_the_instance() -> None:
    builder = SnapshotBuilder(regions=(REGION,))
    builder.with_dataset("iam", "SAMLProviders", []).with_dataset("iam", "OpenIDConnectProviders", [])
    builder.with_dataset("iam", "CredentialReport", {"Rows": []})
    external = _instance(UserSample=_sample(5, 5, "https://idp.example.com"))
    builder.with_dataset("sso-admin", "Instances", [external], REGION)
    builder.with_dataset("ds", "Directories", [], REGION)
    (finding,) = run(builder.build(), "iam.identity_federation")
    assert finding.status is Status.MANUAL
    (listed,) = finding.evidence["identity_center_instances"]
    assert (listed["Name"], listed["Status"]) == ("corp", "ACTIVE")
    assert listed["identity_source"]["type"] == EXTERNAL_IDENTITY_PROVIDER
    assert listed["identity_source"]["issuers"] == ["https://idp.example.com"]

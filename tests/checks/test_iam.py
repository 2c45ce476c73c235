"""Identity checks on hand-built snapshots (collection time: 2026-06-01T12:00:00Z)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Severity, Status
from tests.analyze.iam.test_credential_report import credential_row, report, root_credential_row
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run, statuses

ACCOUNT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:user/{name}"


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def with_report(*rows: dict[str, str]) -> SnapshotBuilder:
    return SnapshotBuilder().with_dataset("iam", "CredentialReport", report(*rows))


def summary(mfa: int = 1, keys: int = 0) -> dict[str, int]:
    return {"AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys, "Users": 3, "Roles": 5}


REPORT_DENIED = SnapshotBuilder().with_error("iam", "CredentialReport", operation="GetCredentialReport")


# ---------------------------------------------------------------- root_access_keys


def root_keys(builder: SnapshotBuilder, keys: int = 0) -> list[Finding]:
    return run(
        builder.with_dataset("iam", "AccountSummary", summary(keys=keys)).build(), "iam.root_access_keys"
    )


def test_root_without_keys_passes() -> None:
    finding = only(root_keys(with_report(root_credential_row(), credential_row("alice"))))
    assert (finding.status, finding.resource) == (Status.PASS, ACCOUNT_ARN)
    assert finding.evidence["access_key_1_active"] == "false"


@pytest.mark.parametrize("number", [1, 2])
def test_active_root_key_in_report_fails(number: int) -> None:
    row = root_credential_row(**{f"access_key_{number}_active": "true"})
    finding = only(root_keys(with_report(row)))
    assert finding.status is Status.FAIL and f"access_key_{number}" in finding.message


def test_inactive_root_key_passes() -> None:
    row = root_credential_row(
        access_key_1_active="false", access_key_1_last_rotated="2024-01-01T00:00:00+00:00"
    )
    assert only(root_keys(with_report(row))).status is Status.PASS


def test_account_summary_alone_decides_when_report_has_no_root_row() -> None:
    assert only(root_keys(with_report(credential_row("alice")), keys=1)).status is Status.FAIL
    assert only(root_keys(with_report(credential_row("alice")), keys=0)).status is Status.PASS


def test_account_summary_key_flag_fails_even_if_report_row_is_clean() -> None:
    assert only(root_keys(with_report(root_credential_row()), keys=1)).status is Status.FAIL


def test_root_keys_unknown_without_report() -> None:
    builder = SnapshotBuilder().with_error("iam", "CredentialReport")
    assert only(root_keys(builder)).status is Status.UNKNOWN


# ---------------------------------------------------------------- root_mfa / root_hardware_mfa


@pytest.mark.parametrize(("mfa", "expected"), [(1, Status.PASS), (0, Status.FAIL)])
def test_root_mfa(mfa: int, expected: Status) -> None:
    snapshot = SnapshotBuilder().with_dataset("iam", "AccountSummary", summary(mfa=mfa)).build()
    assert statuses(run(snapshot, "iam.root_mfa")) == {ACCOUNT_ARN: expected}


def test_root_mfa_unknown() -> None:
    denied = SnapshotBuilder().with_error("iam", "AccountSummary").build()
    assert only(run(denied, "iam.root_mfa")).status is Status.UNKNOWN
    incomplete = SnapshotBuilder().with_dataset("iam", "AccountSummary", {"Users": 1}).build()
    assert only(run(incomplete, "iam.root_mfa")).status is Status.UNKNOWN


ROOT_VIRTUAL = {
    "SerialNumber": f"arn:aws:iam::{ACCOUNT_ID}:mfa/root-account-mfa-device",
    "User": {"Arn": ACCOUNT_ARN, "UserId": ACCOUNT_ID, "CreateDate": "2020-03-01T08:00:00+00:00"},
    "EnableDate": "2020-03-02T08:00:00+00:00",
}
ALICE_VIRTUAL = {
    "SerialNumber": f"arn:aws:iam::{ACCOUNT_ID}:mfa/alice",
    "User": {"Arn": user_arn("alice"), "UserName": "alice"},
    "EnableDate": "2025-01-01T00:00:00+00:00",
}


def hardware_mfa(mfa: int, devices: list[dict[str, Any]]) -> Finding:
    snapshot = (
        SnapshotBuilder()
        .with_dataset("iam", "AccountSummary", summary(mfa=mfa))
        .with_dataset("iam", "VirtualMFADevices", devices)
        .build()
    )
    return only(run(snapshot, "iam.root_hardware_mfa"))


def test_root_mfa_not_virtual_passes() -> None:
    assert hardware_mfa(1, [ALICE_VIRTUAL]).status is Status.PASS


def test_root_virtual_mfa_fails() -> None:
    finding = hardware_mfa(1, [ROOT_VIRTUAL, ALICE_VIRTUAL])
    assert finding.status is Status.FAIL
    assert finding.evidence["root_virtual_mfa_devices"] == [ROOT_VIRTUAL["SerialNumber"]]


def test_root_virtual_mfa_with_a_custom_name_fails() -> None:
    device = {**ROOT_VIRTUAL, "SerialNumber": f"arn:aws:iam::{ACCOUNT_ID}:mfa/my-phone"}
    assert hardware_mfa(1, [device]).status is Status.FAIL


def test_unassigned_leftover_root_device_is_ignored() -> None:
    leftover = {"SerialNumber": ROOT_VIRTUAL["SerialNumber"]}
    assert hardware_mfa(1, [leftover]).status is Status.PASS


def test_no_root_mfa_fails_hardware_check() -> None:
    assert hardware_mfa(0, []).status is Status.FAIL


def test_hardware_mfa_unknown_without_devices() -> None:
    snapshot = (
        SnapshotBuilder()
        .with_dataset("iam", "AccountSummary", summary())
        .with_error("iam", "VirtualMFADevices")
        .build()
    )
    assert only(run(snapshot, "iam.root_hardware_mfa")).status is Status.UNKNOWN


# ---------------------------------------------------------------- root_recent_use


def test_root_used_recently_fails() -> None:
    row = root_credential_row(password_last_used="2026-05-25T10:00:00+00:00")
    finding = only(run(with_report(row).build(), "iam.root_recent_use"))
    assert finding.status is Status.FAIL and "password_last_used" in finding.message


def test_root_key_used_recently_fails() -> None:
    row = root_credential_row(
        access_key_2_active="false",
        access_key_2_last_rotated="2019-01-01T00:00:00+00:00",
        access_key_2_last_used_date="2026-05-31T23:59:59.999999Z",
    )
    finding = only(run(with_report(row).build(), "iam.root_recent_use"))
    assert finding.status is Status.FAIL and "access_key_2_last_used_date" in finding.message


def test_root_not_used_recently_passes_with_dates() -> None:
    row = root_credential_row(password_last_used="2026-03-01T10:00:00+00:00")
    finding = only(run(with_report(row).build(), "iam.root_recent_use"))
    assert finding.status is Status.PASS
    assert finding.evidence["password_last_used"] == "2026-03-01T10:00:00+00:00"
    assert finding.evidence["access_key_1_last_used_date"] == "N/A"


@pytest.mark.parametrize("marker", ["N/A", "no_information"])
def test_root_never_used_passes(marker: str) -> None:
    row = root_credential_row(password_last_used=marker)
    assert only(run(with_report(row).build(), "iam.root_recent_use")).status is Status.PASS


def test_root_use_window_is_configurable() -> None:
    row = root_credential_row(password_last_used="2026-03-01T10:00:00+00:00")
    config = AuditConfig(recent_root_use_days=120)
    assert only(run(with_report(row).build(), "iam.root_recent_use", config)).status is Status.FAIL


def test_root_use_unknown_without_root_row_or_report() -> None:
    assert (
        only(run(with_report(credential_row("alice")).build(), "iam.root_recent_use")).status
        is Status.UNKNOWN
    )
    assert only(run(REPORT_DENIED.build(), "iam.root_recent_use")).status is Status.UNKNOWN


# ---------------------------------------------------------------- password policy

STRONG_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "ExpirePasswords": False,
    "PasswordReusePrevention": 24,
    "HardExpiry": False,
}
PASSWORD_CHECKS = (
    "iam.password_policy_min_length",
    "iam.password_policy_reuse",
    "iam.password_policy_complexity",
)


def password_policy(policy: dict[str, Any] | None) -> SnapshotBuilder:
    return SnapshotBuilder().with_dataset("iam", "PasswordPolicy", {"PasswordPolicy": policy})


@pytest.mark.parametrize("check_id", PASSWORD_CHECKS)
def test_strong_policy_passes(check_id: str) -> None:
    assert only(run(password_policy(STRONG_POLICY).build(), check_id)).status is Status.PASS


@pytest.mark.parametrize("check_id", PASSWORD_CHECKS)
def test_no_policy_fails(check_id: str) -> None:
    finding = only(run(password_policy(None).build(), check_id))
    assert finding.status is Status.FAIL and finding.message == "No IAM password policy is set"


@pytest.mark.parametrize("check_id", PASSWORD_CHECKS)
def test_policy_not_collected_is_unknown(check_id: str) -> None:
    snapshot = SnapshotBuilder().with_error("iam", "PasswordPolicy").build()
    assert only(run(snapshot, check_id)).status is Status.UNKNOWN


def test_short_minimum_length_fails() -> None:
    finding = only(
        run(password_policy({**STRONG_POLICY, "MinimumPasswordLength": 8}).build(), PASSWORD_CHECKS[0])
    )
    assert finding.status is Status.FAIL
    assert finding.evidence == {"MinimumPasswordLength": 8, "required_minimum": 14}
    assert finding.message == "Password minimum length: 8 (at least 14 required)"


def test_minimum_length_follows_config() -> None:
    snapshot = password_policy({**STRONG_POLICY, "MinimumPasswordLength": 14}).build()
    assert only(run(snapshot, PASSWORD_CHECKS[0], AuditConfig(min_password_length=16))).status is Status.FAIL


@pytest.mark.parametrize("reuse", [None, 5])
def test_missing_or_low_reuse_prevention_fails(reuse: int | None) -> None:
    policy = {k: v for k, v in STRONG_POLICY.items() if k != "PasswordReusePrevention"}
    if reuse is not None:
        policy["PasswordReusePrevention"] = reuse
    assert only(run(password_policy(policy).build(), PASSWORD_CHECKS[1])).status is Status.FAIL


def test_complexity_names_each_missing_requirement() -> None:
    policy = {**STRONG_POLICY, "RequireSymbols": False, "RequireUppercaseCharacters": False}
    finding = only(run(password_policy(policy).build(), PASSWORD_CHECKS[2]))
    assert finding.status is Status.FAIL
    assert finding.message == "The password policy does not require an uppercase letter, a symbol"
    assert finding.evidence["RequireNumbers"] is True and finding.evidence["RequireSymbols"] is False


# ---------------------------------------------------------------- console_user_mfa


def test_console_users_without_mfa_fail_others_pass_and_keyonly_users_are_not_judged() -> None:
    snapshot = with_report(
        root_credential_row(mfa_active="false"),
        credential_row("alice", password_enabled="true", mfa_active="true"),
        credential_row("bob", password_enabled="true", mfa_active="false"),
        credential_row(
            "ci", access_key_1_active="true", access_key_1_last_rotated="2026-05-01T00:00:00+00:00"
        ),
    ).build()
    assert statuses(run(snapshot, "iam.console_user_mfa")) == {
        user_arn("alice"): Status.PASS,
        user_arn("bob"): Status.FAIL,
    }


def test_console_user_mfa_unknown() -> None:
    assert only(run(REPORT_DENIED.build(), "iam.console_user_mfa")).status is Status.UNKNOWN


def test_malformed_row_makes_only_that_user_unknown() -> None:
    snapshot = with_report(
        credential_row("alice", password_enabled="true", mfa_active="maybe"),
        credential_row("bob", password_enabled="true", mfa_active="true"),
    ).build()
    findings = run(snapshot, "iam.console_user_mfa")
    assert statuses(findings) == {user_arn("alice"): Status.UNKNOWN, user_arn("bob"): Status.PASS}
    assert "'alice', mfa_active: 'maybe'" in findings[0].message


# ---------------------------------------------------------------- unused_credentials


def unused(*rows: dict[str, str]) -> dict[str, Status]:
    return statuses(run(with_report(*rows).build(), "iam.unused_credentials"))


def test_recently_used_password_and_key_pass() -> None:
    row = credential_row(
        "alice",
        password_enabled="true",
        password_last_used="2026-05-30T08:00:00+00:00",
        password_last_changed="2025-01-10T09:05:00+00:00",
        access_key_1_active="true",
        access_key_1_last_rotated="2025-02-01T00:00:00+00:00",
        access_key_1_last_used_date="2026-05-31T00:00:00+00:00",
    )
    assert unused(row) == {user_arn("alice"): Status.PASS}


def test_stale_password_fails() -> None:
    row = credential_row(
        "alice",
        password_enabled="true",
        password_last_used="2026-04-01T08:00:00+00:00",
        password_last_changed="2025-01-10T09:05:00+00:00",
    )
    findings = run(with_report(row).build(), "iam.unused_credentials")
    finding = only(findings)
    assert finding.status is Status.FAIL
    assert finding.evidence["unused"]["password"]["idle_days"] == 61


def test_never_used_key_is_judged_by_its_creation() -> None:
    old = credential_row("old", access_key_1_active="true", access_key_1_last_rotated="2026-04-01T00:00:00Z")
    new = credential_row("new", access_key_1_active="true", access_key_1_last_rotated="2026-05-20T00:00:00Z")
    assert unused(old, new) == {user_arn("old"): Status.FAIL, user_arn("new"): Status.PASS}


@pytest.mark.parametrize("marker", ["N/A", "no_information"])
def test_never_used_password_is_judged_by_last_change_then_creation(marker: str) -> None:
    changed_recently = credential_row(
        "reset",
        user_creation_time="2020-01-01T00:00:00+00:00",
        password_enabled="true",
        password_last_used=marker,
        password_last_changed="2026-05-25T00:00:00+00:00",
    )
    created_long_ago = credential_row(
        "idle",
        user_creation_time="2020-01-01T00:00:00+00:00",
        password_enabled="true",
        password_last_used=marker,
    )
    assert unused(changed_recently, created_long_ago) == {
        user_arn("reset"): Status.PASS,
        user_arn("idle"): Status.FAIL,
    }


def test_inactive_keys_and_disabled_passwords_are_not_judged_stale() -> None:
    row = credential_row(
        "alice",
        password_enabled="false",
        password_last_used="2019-01-01T00:00:00+00:00",
        access_key_1_active="false",
        access_key_1_last_rotated="2019-01-01T00:00:00+00:00",
    )
    assert unused(row) == {user_arn("alice"): Status.PASS}


def test_exactly_at_the_limit_is_not_over_it() -> None:
    row = credential_row(
        "edge", access_key_1_active="true", access_key_1_last_rotated="2026-04-17T12:00:00+00:00"
    )
    assert unused(row) == {user_arn("edge"): Status.PASS}
    row = credential_row(
        "over", access_key_1_active="true", access_key_1_last_rotated="2026-04-17T11:59:59+00:00"
    )
    assert unused(row) == {user_arn("over"): Status.FAIL}


def test_root_row_is_excluded_from_unused_credentials() -> None:
    assert unused(root_credential_row(password_last_used="2019-01-01T00:00:00+00:00")) == {}


def test_credential_without_any_date_is_unknown() -> None:
    row = credential_row("odd", user_creation_time="not_supported", access_key_1_active="true")
    assert unused(row) == {user_arn("odd"): Status.UNKNOWN}


def test_unused_credentials_unknown_without_report() -> None:
    assert only(run(REPORT_DENIED.build(), "iam.unused_credentials")).status is Status.UNKNOWN


# ---------------------------------------------------------------- access_key_rotation / one_active_key


def test_key_rotation() -> None:
    snapshot = with_report(
        credential_row(
            "fresh", access_key_1_active="true", access_key_1_last_rotated="2026-04-01T00:00:00+00:00"
        ),
        credential_row(
            "stale",
            access_key_1_active="true",
            access_key_1_last_rotated="2026-05-01T00:00:00+00:00",
            access_key_2_active="true",
            access_key_2_last_rotated="2025-12-01T00:00:00.000001+00:00",
        ),
        credential_row(
            "parked", access_key_1_active="false", access_key_1_last_rotated="2020-01-01T00:00:00Z"
        ),
        root_credential_row(access_key_1_active="true", access_key_1_last_rotated="2020-01-01T00:00:00Z"),
    ).build()
    findings = run(snapshot, "iam.access_key_rotation")
    assert statuses(findings) == {user_arn("fresh"): Status.PASS, user_arn("stale"): Status.FAIL}
    stale = next(f for f in findings if f.status is Status.FAIL)
    assert stale.message == "stale: access_key_2 older than 90 days"


def test_key_rotation_follows_config() -> None:
    row = credential_row(
        "fresh", access_key_1_active="true", access_key_1_last_rotated="2026-04-01T00:00:00+00:00"
    )
    config = AuditConfig(max_access_key_age_days=30)
    assert statuses(run(with_report(row).build(), "iam.access_key_rotation", config)) == {
        user_arn("fresh"): Status.FAIL
    }


def test_active_key_without_rotation_date_is_unknown() -> None:
    row = credential_row("odd", access_key_1_active="true", access_key_1_last_rotated="N/A")
    assert statuses(run(with_report(row).build(), "iam.access_key_rotation")) == {
        user_arn("odd"): Status.UNKNOWN
    }


def test_key_rotation_unknown_without_report() -> None:
    assert only(run(REPORT_DENIED.build(), "iam.access_key_rotation")).status is Status.UNKNOWN


def test_one_active_key() -> None:
    snapshot = with_report(
        credential_row("two", access_key_1_active="true", access_key_2_active="true"),
        credential_row("one", access_key_1_active="false", access_key_2_active="true"),
        credential_row("none"),
    ).build()
    assert statuses(run(snapshot, "iam.one_active_key")) == {
        user_arn("two"): Status.FAIL,
        user_arn("one"): Status.PASS,
        user_arn("none"): Status.PASS,
    }


def test_one_active_key_unknown_without_report() -> None:
    assert only(run(REPORT_DENIED.build(), "iam.one_active_key")).status is Status.UNKNOWN


# ---------------------------------------------------------------- no_keys_at_setup

CREATED = "2025-01-10T09:00:00+00:00"


def setup_row(name: str, rotated: str, used: str = "N/A", password: str = "true") -> dict[str, str]:
    return credential_row(
        name,
        user_creation_time=CREATED,
        password_enabled=password,
        access_key_1_active="true",
        access_key_1_last_rotated=rotated,
        access_key_1_last_used_date=used,
    )


def test_never_used_key_created_with_console_user_fails() -> None:
    snapshot = with_report(setup_row("eager", "2025-01-10T09:00:03.250000+00:00")).build()
    finding = only(run(snapshot, "iam.no_keys_at_setup"))
    assert finding.status is Status.FAIL and "access_key_1" in finding.message
    assert finding.evidence["access_key_1_last_used_date"] == "N/A"
    assert finding.evidence["created_within_an_hour_of_the_user"] == ["access_key_1"]


def test_never_used_key_created_later_fails_as_the_cis_audit_procedure_reads() -> None:
    snapshot = with_report(setup_row("late", "2025-01-10T11:00:00+00:00")).build()
    finding = only(run(snapshot, "iam.no_keys_at_setup"))
    assert finding.status is Status.FAIL
    assert finding.evidence["created_within_an_hour_of_the_user"] == []


@pytest.mark.parametrize(
    ("rotated", "used"),
    [
        ("2025-01-10T09:00:03+00:00", "2025-02-01T00:00:00+00:00"),  # created at setup but used since
        ("2025-01-10T09:00:03+00:00", "no_information"),  # used before IAM tracked use
    ],
)
def test_keys_used_pass(rotated: str, used: str) -> None:
    snapshot = with_report(setup_row("user", rotated, used)).build()
    assert only(run(snapshot, "iam.no_keys_at_setup")).status is Status.PASS


def test_users_without_console_password_are_not_judged_for_setup_keys() -> None:
    snapshot = with_report(setup_row("robot", "2025-01-10T09:00:03+00:00", password="false")).build()
    assert run(snapshot, "iam.no_keys_at_setup") == []


def test_no_keys_at_setup_unknown_without_report() -> None:
    assert only(run(REPORT_DENIED.build(), "iam.no_keys_at_setup")).status is Status.UNKNOWN


# ---------------------------------------------------------------- authorization details


def policy_doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ADMIN_STATEMENT = {"Effect": "Allow", "Action": "*", "Resource": "*"}
READ_STATEMENT = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::data/*"}


def attached(name: str, aws: bool = False) -> dict[str, str]:
    owner = "aws" if aws else ACCOUNT_ID
    return {"PolicyName": name, "PolicyArn": f"arn:aws:iam::{owner}:policy/{name}"}


def user(
    name: str,
    managed: Sequence[dict[str, str]] = (),
    inline: Sequence[dict[str, Any]] = (),
    groups: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": name,
        "UserId": f"AIDA{name.upper()}",
        "Arn": user_arn(name),
        "CreateDate": "2025-01-10T09:00:00+00:00",
        "UserPolicyList": list(inline),
        "GroupList": list(groups),
        "AttachedManagedPolicies": list(managed),
        "Tags": [],
    }


def group(
    name: str, managed: Sequence[dict[str, str]] = (), inline: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "Path": "/",
        "GroupName": name,
        "GroupId": f"AGPA{name.upper()}",
        "Arn": f"arn:aws:iam::{ACCOUNT_ID}:group/{name}",
        "CreateDate": "2025-01-10T09:00:00+00:00",
        "GroupPolicyList": list(inline),
        "AttachedManagedPolicies": list(managed),
    }


def role(
    name: str, managed: Sequence[dict[str, str]] = (), inline: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{name.upper()}",
        "Arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}",
        "CreateDate": "2025-01-10T09:00:00+00:00",
        "AssumeRolePolicyDocument": policy_doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
        "InstanceProfileList": [],
        "RolePolicyList": list(inline),
        "AttachedManagedPolicies": list(managed),
        "Tags": [],
        "RoleLastUsed": {},
    }


def managed_policy(name: str, document: Any, attachments: int = 1, aws: bool = False) -> dict[str, Any]:
    owner = "aws" if aws else ACCOUNT_ID
    return {
        "PolicyName": name,
        "PolicyId": f"ANPA{name.upper()}",
        "Arn": f"arn:aws:iam::{owner}:policy/{name}",
        "Path": "/",
        "DefaultVersionId": "v2",
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": "2025-01-10T09:00:00+00:00",
        "UpdateDate": "2025-01-10T09:00:00+00:00",
        "PolicyVersionList": [
            {"Document": policy_doc(READ_STATEMENT), "VersionId": "v1", "IsDefaultVersion": False},
            {"Document": document, "VersionId": "v2", "IsDefaultVersion": True},
        ],
    }


def details(
    users: Sequence[dict[str, Any]] = (),
    groups: Sequence[dict[str, Any]] = (),
    roles: Sequence[dict[str, Any]] = (),
    policies: Sequence[dict[str, Any]] = (),
) -> SnapshotBuilder:
    data = {
        "UserDetailList": list(users),
        "GroupDetailList": list(groups),
        "RoleDetailList": list(roles),
        "Policies": list(policies),
    }
    return SnapshotBuilder().with_dataset("iam", "AccountAuthorizationDetails", data)


DETAILS_DENIED = SnapshotBuilder().with_error("iam", "AccountAuthorizationDetails")


# ---------------------------------------------------------------- user_attached_policies


def test_user_attached_policies() -> None:
    snapshot = details(
        users=[
            user("grouped", groups=["devs"]),
            user("managed", managed=[attached("ReadOnlyAccess", aws=True)]),
            user("inline", inline=[{"PolicyName": "adhoc", "PolicyDocument": policy_doc(READ_STATEMENT)}]),
        ]
    ).build()
    findings = run(snapshot, "iam.user_attached_policies")
    assert statuses(findings) == {
        user_arn("grouped"): Status.PASS,
        user_arn("managed"): Status.FAIL,
        user_arn("inline"): Status.FAIL,
    }
    by_user = {f.resource: f.evidence for f in findings}
    assert by_user[user_arn("managed")]["AttachedManagedPolicies"] == ["ReadOnlyAccess"]
    assert by_user[user_arn("inline")]["UserPolicyList"] == ["adhoc"]


def test_user_attached_policies_unknown() -> None:
    assert only(run(DETAILS_DENIED.build(), "iam.user_attached_policies")).status is Status.UNKNOWN


# ---------------------------------------------------------------- full_admin_policy: the judgement


def judge_one(*statements: dict[str, Any]) -> Finding:
    """The verdict on one attached customer policy holding `statements`."""
    snapshot = details(policies=[managed_policy("Judged", policy_doc(*statements))]).build()
    return only(run(snapshot, "iam.full_admin_policy"))


@pytest.mark.parametrize(
    "statement",
    [
        ADMIN_STATEMENT,
        {"Effect": "Allow", "Action": "*:*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": ["arn:aws:s3:::x", "*"]},
        {"Effect": "Allow", "NotAction": "iam:PassRoleThatDoesNotExist", "Resource": "*"},
    ],
)
def test_full_admin_statements_fail_high(statement: dict[str, Any]) -> None:
    finding = judge_one(READ_STATEMENT, statement)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.HIGH)
    assert finding.evidence["kind"] == "full"


@pytest.mark.parametrize(
    ("statement", "action"),
    [
        ({"Effect": "Allow", "Action": ["iam:*", "sts:*"], "Resource": "*"}, "iam:PutUserPolicy"),
        ({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::bucket"}, "iam:PutUserPolicy"),
        (
            {"Effect": "Allow", "NotAction": ["s3:DeleteBucket", "kms:*"], "Resource": "*"},
            "iam:PutUserPolicy",
        ),
        ({"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "*"}, "iam:AttachRolePolicy"),
        (
            {
                "Effect": "Allow",
                "Action": "iam:CreatePolicyVersion",
                "Resource": f"arn:aws:iam::{ACCOUNT_ID}:policy/Judged",
            },
            "iam:CreatePolicyVersion",
        ),
    ],
)
def test_policies_that_let_the_holder_grant_itself_everything_fail(
    statement: dict[str, Any], action: str
) -> None:
    finding = judge_one(READ_STATEMENT, statement)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.HIGH)
    assert finding.evidence["kind"] == "self-grant"
    assert action in {grant["action"] for grant in finding.evidence["self_grants"]}
    assert "grants administrator power" in finding.message


def test_full_admin_split_across_statements_is_caught_and_marked_not_literal() -> None:
    finding = judge_one(
        {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:*", "sts:*"], "Resource": "*"},
    )
    assert finding.status is Status.FAIL
    assert finding.evidence["literal"] is False
    assert len(finding.evidence["statements"]) == 2


def test_policies_that_only_together_allow_everything_fail_on_the_principal() -> None:
    most = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    iam_reads = {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    no_self_grant = {
        "Effect": "Deny",
        "Action": ["iam:Put*", "iam:Attach*", "iam:CreatePolicyVersion"],
        "Resource": f"arn:aws:iam::{ACCOUNT_ID}:policy/nothing",
    }
    inline = [
        {"PolicyName": "most", "PolicyDocument": policy_doc(most)},
        {"PolicyName": "iam", "PolicyDocument": policy_doc(iam_reads, no_self_grant)},
    ]
    finding = only(run(details(roles=[role("split", inline=inline)]).build(), "iam.full_admin_policy"))
    assert finding.status is Status.FAIL
    assert finding.evidence["kind"] in ("full", "self-grant")


def test_conditional_full_admin_fails_with_lower_severity_naming_the_condition() -> None:
    condition = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    finding = judge_one({**ADMIN_STATEMENT, "Condition": condition})
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.MEDIUM)
    assert finding.evidence["conditional"] is True
    (entry,) = finding.evidence["conditions"]
    assert entry["conditions"] == [
        {"operator": "Bool", "key": "aws:MultiFactorAuthPresent", "values": ["true"]}
    ]


@pytest.mark.parametrize(
    "statements",
    [
        [READ_STATEMENT],
        [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
        [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket"}],
        [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}],
        [ADMIN_STATEMENT, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}],
        [
            {
                "Effect": "Allow",
                "Action": "iam:AttachUserPolicy",
                "Resource": "*",
                "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
            }
        ],
    ],
)
def test_not_admin_equivalent_passes(statements: list[dict[str, Any]]) -> None:
    assert judge_one(*statements).status is Status.PASS


def test_single_statement_object_json_text_and_url_encoding_are_read() -> None:
    for document in (
        {"Version": "2012-10-17", "Statement": ADMIN_STATEMENT},
        '{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}',
        "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D",
    ):
        snapshot = details(policies=[managed_policy("Judged", document)]).build()
        assert only(run(snapshot, "iam.full_admin_policy")).status is Status.FAIL


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("{not json", "invalid JSON"),
        (None, "not JSON"),
        ({"Statement": "Allow everything"}, "Statement must be"),
        ({"Statement": ["x"]}, "not a JSON object"),
        (policy_doc({"Effect": "Allow", "Action": 7, "Resource": "*"}), "Action must be"),
    ],
)
def test_malformed_documents_are_unknown_with_the_parser_message(document: object, problem: str) -> None:
    finding = only(run(details(policies=[managed_policy("Odd", document)]).build(), "iam.full_admin_policy"))
    assert finding.status is Status.UNKNOWN
    assert problem in finding.message


# ---------------------------------------------------------------- full_admin_policy


def test_full_admin_policy_judges_attached_customer_policies_and_inline_policies() -> None:
    admin_inline = {"PolicyName": "break-glass", "PolicyDocument": policy_doc(ADMIN_STATEMENT)}
    read_inline = {"PolicyName": "read", "PolicyDocument": policy_doc(READ_STATEMENT)}
    snapshot = details(
        users=[user("alice", inline=[read_inline])],
        groups=[group("ops", managed=[attached("TooBroad")])],
        roles=[
            role("rescue", inline=[read_inline, admin_inline]),
            role("app", managed=[attached("AdministratorAccess", aws=True)]),
        ],
        policies=[
            managed_policy("TooBroad", policy_doc(ADMIN_STATEMENT), attachments=0),  # referenced by a group
            managed_policy("Scoped", policy_doc(READ_STATEMENT)),
            managed_policy("Unattached", policy_doc(ADMIN_STATEMENT), attachments=0),
            managed_policy("AdministratorAccess", policy_doc(ADMIN_STATEMENT), aws=True),
        ],
    ).build()
    findings = run(snapshot, "iam.full_admin_policy")
    assert statuses(findings) == {
        f"arn:aws:iam::{ACCOUNT_ID}:policy/TooBroad": Status.FAIL,
        f"arn:aws:iam::{ACCOUNT_ID}:policy/Scoped": Status.PASS,
        user_arn("alice"): Status.PASS,
        f"arn:aws:iam::{ACCOUNT_ID}:role/rescue": Status.FAIL,
    }
    too_broad = next(f for f in findings if f.resource.endswith("policy/TooBroad"))
    assert too_broad.evidence["holders"] == [f"arn:aws:iam::{ACCOUNT_ID}:group/ops"]
    rescue = next(f for f in findings if f.resource.endswith("role/rescue"))
    assert rescue.evidence["policies"] == ["role rescue inline policy break-glass"]
    # AWS's own AdministratorAccess is judged by iam.aws_managed_admin_attached (CIS frameworks only).
    managed = run(snapshot, "iam.aws_managed_admin_attached")
    assert statuses(managed) == {"arn:aws:iam::aws:policy/AdministratorAccess": Status.FAIL}
    assert only(managed).evidence["holders"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/app"]


def test_aws_managed_admin_attached_passes_for_harmless_and_is_unknown_without_document() -> None:
    snapshot = details(
        roles=[role("reader", managed=[attached("ReadOnlyAccess", aws=True), attached("Missing", aws=True)])],
        policies=[managed_policy("ReadOnlyAccess", policy_doc(READ_STATEMENT), aws=True)],
    ).build()
    assert statuses(run(snapshot, "iam.aws_managed_admin_attached")) == {
        "arn:aws:iam::aws:policy/ReadOnlyAccess": Status.PASS,
        "arn:aws:iam::aws:policy/Missing": Status.UNKNOWN,
    }


def test_only_the_default_version_counts() -> None:
    policy = managed_policy("Rotated", policy_doc(READ_STATEMENT))
    policy["PolicyVersionList"][0]["Document"] = policy_doc(ADMIN_STATEMENT)  # old, non-default version
    assert statuses(run(details(policies=[policy]).build(), "iam.full_admin_policy")) == {
        f"arn:aws:iam::{ACCOUNT_ID}:policy/Rotated": Status.PASS
    }


def test_malformed_policy_is_unknown_for_that_policy_only() -> None:
    broken = managed_policy("Broken", "{not json")
    snapshot = details(policies=[broken, managed_policy("Fine", policy_doc(READ_STATEMENT))]).build()
    findings = run(snapshot, "iam.full_admin_policy")
    assert statuses(findings) == {
        f"arn:aws:iam::{ACCOUNT_ID}:policy/Broken": Status.UNKNOWN,
        f"arn:aws:iam::{ACCOUNT_ID}:policy/Fine": Status.PASS,
    }
    assert "invalid JSON" in next(f for f in findings if f.status is Status.UNKNOWN).message


def test_an_admin_inline_policy_fails_even_beside_an_unreadable_one() -> None:
    inline: list[dict[str, Any]] = [
        {"PolicyName": "garbled", "PolicyDocument": "{not json"},
        {"PolicyName": "everything", "PolicyDocument": policy_doc(ADMIN_STATEMENT)},
    ]
    finding = only(run(details(roles=[role("mixed", inline=inline)]).build(), "iam.full_admin_policy"))
    assert finding.status is Status.FAIL
    assert finding.evidence["unreadable"] == ["garbled"]


def test_full_admin_policy_unknown_without_details() -> None:
    assert only(run(DETAILS_DENIED.build(), "iam.full_admin_policy")).status is Status.UNKNOWN


# ---------------------------------------------------------------- support_role

SUPPORT_DOC = managed_policy(
    "AWSSupportAccess", policy_doc({"Effect": "Allow", "Action": "support:*", "Resource": "*"}), aws=True
)
ACCOUNT_TRUST = policy_doc(
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"}
)


def assumable(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "AssumeRolePolicyDocument": ACCOUNT_TRUST}


def test_support_role_present_passes_naming_the_grant() -> None:
    snapshot = details(
        roles=[assumable(role("support", managed=[attached("AWSSupportAccess", aws=True)]))],
        policies=[SUPPORT_DOC],
    ).build()
    finding = only(run(snapshot, "iam.support_role"))
    assert finding.status is Status.PASS
    entry = finding.evidence["roles"][f"arn:aws:iam::{ACCOUNT_ID}:role/support"]
    assert entry["policies"] == ["arn:aws:iam::aws:policy/AWSSupportAccess"]


def test_support_by_an_equivalent_inline_grant_passes() -> None:
    inline = [
        {
            "PolicyName": "cases",
            "PolicyDocument": policy_doc({"Effect": "Allow", "Action": "support:*Case*", "Resource": "*"}),
        }
    ]
    snapshot = details(roles=[assumable(role("helpdesk", inline=inline))]).build()
    assert only(run(snapshot, "iam.support_role")).status is Status.PASS


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            {
                "groups": [group("support", managed=[attached("AWSSupportAccess", aws=True)])],
                "users": [user("ann", groups=["support"])],
            },
            "Only users can manage AWS Support cases (ann)",
        ),
        ({"roles": [role("support", managed=[attached("AWSSupportAccess", aws=True)])]}, "No role or user"),
        ({"roles": [assumable(role("support", managed=[attached("AWSSupportAccess")]))]}, "No role or user"),
    ],
)
def test_support_only_for_users_or_services_or_by_name_fails(setup: dict[str, Any], message: str) -> None:
    named_like_support = managed_policy("AWSSupportAccess", policy_doc(READ_STATEMENT))
    snapshot = details(**setup, policies=[SUPPORT_DOC, named_like_support]).build()
    finding = only(run(snapshot, "iam.support_role"))
    assert finding.status is Status.FAIL and message in finding.message


def test_support_role_unknown() -> None:
    assert only(run(DETAILS_DENIED.build(), "iam.support_role")).status is Status.UNKNOWN


# ---------------------------------------------------------------- cloudshell_full_access


def test_cloudshell_by_effect_however_granted() -> None:
    cloudshell = attached("AWSCloudShellFullAccess", aws=True)
    cloudshell_doc = managed_policy(
        "AWSCloudShellFullAccess",
        policy_doc({"Effect": "Allow", "Action": "cloudshell:*", "Resource": "*"}),
        aws=True,
    )
    admin = [{"PolicyName": "all", "PolicyDocument": policy_doc(ADMIN_STATEMENT)}]
    no_files = [
        {
            "PolicyName": "shell",
            "PolicyDocument": policy_doc(
                {
                    "Effect": "Allow",
                    "Action": ["cloudshell:CreateEnvironment", "cloudshell:CreateSession"],
                    "Resource": "*",
                }
            ),
        }
    ]
    snapshot = details(
        users=[
            user("direct", managed=[cloudshell]),
            user("member", groups=["shell"]),
            user("plain", groups=["devs"]),
            user("admin", inline=admin),
            user("shell-only", inline=no_files),
        ],
        groups=[group("shell", managed=[cloudshell]), group("devs")],
        roles=[role("ops", managed=[cloudshell]), role("app")],
        policies=[cloudshell_doc],
    ).build()
    findings = run(snapshot, "iam.cloudshell_full_access")
    assert statuses(findings) == {
        user_arn("direct"): Status.FAIL,
        user_arn("member"): Status.FAIL,
        user_arn("plain"): Status.PASS,
        user_arn("admin"): Status.FAIL,
        user_arn("shell-only"): Status.PASS,
        f"arn:aws:iam::{ACCOUNT_ID}:role/ops": Status.FAIL,
        f"arn:aws:iam::{ACCOUNT_ID}:role/app": Status.PASS,
    }
    by_resource = {f.resource: f.evidence for f in findings}
    assert by_resource[user_arn("member")]["from_AWSCloudShellFullAccess"] is True
    assert by_resource[user_arn("admin")]["from_AWSCloudShellFullAccess"] is False
    assert by_resource[user_arn("admin")]["policies"] == ["user admin inline policy all"]


def test_cloudshell_unknown_when_a_policy_in_force_is_missing() -> None:
    snapshot = details(users=[user("mystery", managed=[attached("NotCollected")])]).build()
    assert only(run(snapshot, "iam.cloudshell_full_access")).status is Status.UNKNOWN


def test_cloudshell_unknown() -> None:
    assert only(run(DETAILS_DENIED.build(), "iam.cloudshell_full_access")).status is Status.UNKNOWN


# ---------------------------------------------------------------- expired_server_certificates


def certificate(name: str, expiration: Any) -> dict[str, Any]:
    return {
        "Path": "/",
        "ServerCertificateName": name,
        "ServerCertificateId": f"ASCA{name.upper()}",
        "Arn": f"arn:aws:iam::{ACCOUNT_ID}:server-certificate/{name}",
        "UploadDate": "2024-01-01T00:00:00+00:00",
        "Expiration": expiration,
    }


def test_server_certificates() -> None:
    snapshot = (
        SnapshotBuilder()
        .with_dataset(
            "iam",
            "ServerCertificates",
            [
                certificate("old", "2026-05-31T23:59:59+00:00"),
                certificate("current", "2027-01-01T00:00:00Z"),
                certificate("garbled", "next year"),
            ],
        )
        .build()
    )
    assert statuses(run(snapshot, "iam.expired_server_certificates")) == {
        f"arn:aws:iam::{ACCOUNT_ID}:server-certificate/old": Status.FAIL,
        f"arn:aws:iam::{ACCOUNT_ID}:server-certificate/current": Status.PASS,
        f"arn:aws:iam::{ACCOUNT_ID}:server-certificate/garbled": Status.UNKNOWN,
    }


def test_server_certificates_unknown() -> None:
    snapshot = SnapshotBuilder().with_error("iam", "ServerCertificates").build()
    assert only(run(snapshot, "iam.expired_server_certificates")).status is Status.UNKNOWN


# ---------------------------------------------------------------- identity_federation


def test_identity_federation_inventory() -> None:
    oidc_ok = {
        "Arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com",
        "Provider": {
            "Url": "token.actions.githubusercontent.com",
            "ClientIDList": ["sts.amazonaws.com"],
            "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"],
        },
    }
    oidc_failed = {
        "Arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/accounts.google.com",
        "_errors": {
            "Provider": {"operation": "GetOpenIDConnectProvider", "code": "AccessDenied", "message": "x"}
        },
    }
    saml = {
        "Arn": f"arn:aws:iam::{ACCOUNT_ID}:saml-provider/Okta",
        "ValidUntil": "2125-01-01T00:00:00+00:00",
        "CreateDate": "2025-01-01T00:00:00+00:00",
    }
    snapshot = (
        with_report(root_credential_row(), credential_row("alice"), credential_row("bob"))
        .with_dataset("iam", "SAMLProviders", [saml])
        .with_dataset("iam", "OpenIDConnectProviders", [oidc_ok, oidc_failed])
        .build()
    )
    finding = only(run(snapshot, "iam.identity_federation"))
    assert finding.status is Status.MANUAL
    assert finding.evidence["iam_users"] == 2
    assert finding.evidence["saml_providers"][0]["Arn"].endswith("saml-provider/Okta")
    assert finding.evidence["oidc_providers"][0]["Url"] == "token.actions.githubusercontent.com"
    assert "AccessDenied" in finding.evidence["oidc_providers"][1]["Provider"]["not_collected"]


def test_identity_federation_unknown() -> None:
    snapshot = REPORT_DENIED.with_dataset("iam", "SAMLProviders", []).with_dataset(
        "iam", "OpenIDConnectProviders", []
    )
    assert only(run(snapshot.build(), "iam.identity_federation")).status is Status.UNKNOWN


# ---------------------------------------------------------------- accessanalyzer.enabled

REGIONS = ("eu-west-1", "us-east-1")


def analyzer(name: str, kind: str = "ACCOUNT", status: str = "ACTIVE") -> dict[str, str]:
    return {
        "arn": f"arn:aws:access-analyzer:eu-west-1:{ACCOUNT_ID}:analyzer/{name}",
        "name": name,
        "type": kind,
        "status": status,
    }


def test_access_analyzer_per_region() -> None:
    builder = SnapshotBuilder(regions=REGIONS)
    builder.with_dataset(
        "accessanalyzer", "Analyzers", [analyzer("org", kind="ORGANIZATION")], region="eu-west-1"
    )
    builder.with_dataset(
        "accessanalyzer",
        "Analyzers",
        [analyzer("unused", kind="ACCOUNT_UNUSED_ACCESS"), analyzer("broken", status="FAILED")],
        region="us-east-1",
    )
    findings = run(builder.build(), "accessanalyzer.enabled")
    assert {(f.region, f.resource, f.status) for f in findings} == {
        ("eu-west-1", f"arn:aws:accessanalyzer:eu-west-1:{ACCOUNT_ID}:account", Status.PASS),
        ("us-east-1", f"arn:aws:accessanalyzer:us-east-1:{ACCOUNT_ID}:account", Status.FAIL),
    }


def test_no_analyzer_fails_and_missing_region_is_unknown() -> None:
    builder = SnapshotBuilder(regions=REGIONS).with_dataset(
        "accessanalyzer", "Analyzers", [], region="eu-west-1"
    )
    builder.with_error("accessanalyzer", "Analyzers", region="us-east-1")
    assert {f.region: f.status for f in run(builder.build(), "accessanalyzer.enabled")} == {
        "eu-west-1": Status.FAIL,
        "us-east-1": Status.UNKNOWN,
    }


# ---------------------------------------------------------------- ec2.instance_profile_attached


def ec2_instance(instance_id: str, state: str = "running", profile: bool = True) -> dict[str, Any]:
    item: dict[str, Any] = {
        "InstanceId": instance_id,
        "State": {"Code": 16, "Name": state},
        "InstanceType": "t3.micro",
    }
    if profile:
        item["IamInstanceProfile"] = {
            "Arn": f"arn:aws:iam::{ACCOUNT_ID}:instance-profile/app",
            "Id": "AIPAEXAMPLE",
        }
    return item


def test_instance_profiles() -> None:
    instances = [
        ec2_instance("i-0with"),
        ec2_instance("i-0without", profile=False),
        ec2_instance("i-0stopped", state="stopped", profile=False),
        ec2_instance("i-0gone", state="terminated", profile=False),
    ]
    snapshot = SnapshotBuilder().with_regional("ec2", "Instances", instances).build()
    prefix = f"arn:aws:ec2:eu-west-1:{ACCOUNT_ID}:instance/"
    assert statuses(run(snapshot, "ec2.instance_profile_attached")) == {
        prefix + "i-0with": Status.PASS,
        prefix + "i-0without": Status.FAIL,
        prefix + "i-0stopped": Status.FAIL,
    }


def test_instance_profiles_unknown() -> None:
    snapshot = SnapshotBuilder().with_error("ec2", "Instances", region="eu-west-1").build()
    assert only(run(snapshot, "ec2.instance_profile_attached")).status is Status.UNKNOWN


GITHUB_PROVIDER = {
    "Arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com",
    "Provider": {"Url": "token.actions.githubusercontent.com", "ClientIDList": ["sts.amazonaws.com"]},
}


def _github_trust(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_PROVIDER["Arn"]},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition,
            }
        ],
    }


def _federated_role(name: str, trust_policy: object) -> dict[str, Any]:
    return {
        "RoleName": name,
        "RoleId": f"AROA{name.upper()}",
        "Arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}",
        "AssumeRolePolicyDocument": trust_policy,
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "InstanceProfileList": [],
    }


AUDIENCE = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}


def test_identity_federation_lists_the_roles_each_provider_admits_with_their_grade() -> None:
    main_branch = {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}
    pinned = _github_trust({"StringEquals": {**AUDIENCE, **main_branch}})
    any_repository = _github_trust({"StringEquals": AUDIENCE})
    snapshot = (
        details(roles=[_federated_role("deploy-main", pinned), _federated_role("ci-any", any_repository)])
        .with_dataset("iam", "CredentialReport", report(root_credential_row()))
        .with_dataset("iam", "SAMLProviders", [])
        .with_dataset("iam", "OpenIDConnectProviders", [GITHUB_PROVIDER])
        .build()
    )
    finding = only(run(snapshot, "iam.identity_federation"))
    assert finding.status is Status.MANUAL
    provider = finding.evidence["oidc_providers"][0]
    trusted_by = {t["role"].rsplit("/", 1)[-1]: t for t in provider["trusted_by"]}
    assert trusted_by["deploy-main"]["risk"] == "none"
    assert trusted_by["ci-any"]["risk"] == "high"
    assert "2 federated role trust(s), 1 too broad" in finding.message
    assert "role_trusts_not_judged" not in finding.evidence


def test_identity_federation_says_when_role_trusts_could_not_be_judged() -> None:
    snapshot = (
        with_report(root_credential_row())
        .with_dataset("iam", "SAMLProviders", [])
        .with_dataset("iam", "OpenIDConnectProviders", [GITHUB_PROVIDER])
        .with_error("iam", "AccountAuthorizationDetails")
        .build()
    )
    finding = only(run(snapshot, "iam.identity_federation"))
    assert finding.status is Status.MANUAL
    assert "not collected" in finding.evidence["role_trusts_not_judged"]
    assert finding.evidence["oidc_providers"][0]["trusted_by"] == []
    assert finding.message.endswith("role trusts not judged")


def test_support_role_with_an_unreadable_trust_is_unknown_not_failed() -> None:
    # Whether a person may assume the role is unknown, so the control is neither met nor missed.
    unreadable = {**role("support", managed=[attached("AWSSupportAccess", aws=True)])}
    unreadable["AssumeRolePolicyDocument"] = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    snapshot = details(roles=[unreadable], policies=[SUPPORT_DOC]).build()
    finding = only(run(snapshot, "iam.support_role"))
    assert finding.status is Status.UNKNOWN
    assert "trust policy unreadable" in finding.message
    entry = finding.evidence["roles_with_unreadable_trust"][f"arn:aws:iam::{ACCOUNT_ID}:role/support"]
    assert entry["trust_error"]


def test_support_role_assumable_passes_beside_one_with_an_unreadable_trust() -> None:
    unreadable = {**role("legacy", managed=[attached("AWSSupportAccess", aws=True)])}
    unreadable["AssumeRolePolicyDocument"] = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    readable = assumable(role("support", managed=[attached("AWSSupportAccess", aws=True)]))
    snapshot = details(roles=[unreadable, readable], policies=[SUPPORT_DOC]).build()
    finding = only(run(snapshot, "iam.support_role"))
    assert finding.status is Status.PASS
    assert f"arn:aws:iam::{ACCOUNT_ID}:role/legacy" in finding.evidence["roles_with_unreadable_trust"]

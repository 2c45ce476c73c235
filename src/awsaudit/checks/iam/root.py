"""Root user checks: no access keys, MFA (hardware for CIS level 2), no recent use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from awsaudit.analyze.iam.credential_report import (
    Stamp,
    known,
)
from awsaudit.analyze.organization.context import context_of_snapshot
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.iam import ACCOUNT_SUMMARY, CREDENTIAL_REPORT, credential_age, key_columns, root_or_none
from awsaudit.checks.registry import Needs, check
from awsaudit.findings import Severity

_ROOT_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"
_ROOT_MFA_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html"


@check(
    id="iam.root_access_keys",
    title="The root user has no access keys",
    severity=Severity.CRITICAL,
    needs=[CREDENTIAL_REPORT, ACCOUNT_SUMMARY],
    rationale=(
        "Root access keys carry unrestricted, unrestrictable power over the account and cannot be limited by "
        "any policy; a leaked one is a full compromise."
    ),
    remediation=(
        "Sign in as the root user; Console: account menu > Security credentials > Access keys > "
        "Actions > Delete (with root credentials: aws iam delete-access-key --access-key-id <key-id>)"
    ),
    references=[
        _ROOT_DOC,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_add-key.html",
    ],
)
def root_access_keys(ctx: CheckContext) -> Iterator[Result]:
    summary = ctx.global_dataset("iam", "AccountSummary")
    root = root_or_none(ctx)
    present = summary.get("AccountAccessKeysPresent")
    evidence: dict[str, Any] = {"AccountAccessKeysPresent": present}
    active: list[str] = []
    if root is not None:
        evidence.update(root.evidence(*(c for key in root.access_keys for c in key_columns(key))))
        active = [f"access_key_{key.number}" for key in root.active_keys]
    if active or present == 1:
        named = ", ".join(active) if active else "AccountAccessKeysPresent = 1"
        yield ctx.failed(ctx.account_arn(), f"The root user has an access key ({named})", evidence)
    elif root is None and present is None:
        yield ctx.unknown(
            ctx.account_arn(), "Neither a root credential-report row nor AccountAccessKeysPresent", evidence
        )
    else:
        yield ctx.passed(ctx.account_arn(), "The root user has no access key", evidence)


@check(
    id="iam.root_mfa",
    title="The root user signs in with MFA",
    severity=Severity.CRITICAL,
    needs=[ACCOUNT_SUMMARY],
    rationale="A root password alone is one phishing email away from losing the whole account.",
    remediation=(
        "Sign in as the root user; Console: account menu > Security credentials > "
        "Multi-factor authentication (MFA) > Assign MFA device"
    ),
    references=[_ROOT_MFA_DOC],
)
def root_mfa(ctx: CheckContext) -> Iterator[Result]:
    summary = ctx.global_dataset("iam", "AccountSummary")
    enabled = summary.get("AccountMFAEnabled")
    evidence = {"AccountMFAEnabled": enabled}
    rootless = _without_root_credentials(ctx, summary)
    if rootless is not None:
        yield ctx.passed(ctx.account_arn(), ROOTLESS_MESSAGE, {**evidence, **rootless})
    elif enabled is None:
        yield ctx.unknown(ctx.account_arn(), "The account summary lacks AccountMFAEnabled", evidence)
    elif enabled == 1:
        yield ctx.passed(ctx.account_arn(), "The root user has MFA", evidence)
    else:
        yield ctx.failed(ctx.account_arn(), "The root user has no MFA", evidence)


ROOTLESS_MESSAGE = "The root user has no credentials (root credentials are managed centrally)"


def _without_root_credentials(ctx: CheckContext, summary: Mapping[str, Any]) -> dict[str, Any] | None:
    """Evidence that the root user has no password, keys or certificates under centralized root
    access (the organization removed them); None when that is not established."""
    context = context_of_snapshot(ctx.snapshot)
    if context is None or context.root_credentials_managed() is not True:
        return None
    if context.management_account == ctx.account_id:
        return None  # centralized root access governs members, not the management account
    flags = {
        key: summary.get(key)
        for key in ("AccountPasswordPresent", "AccountAccessKeysPresent", "AccountSigningCertificatesPresent")
    }
    if flags["AccountPasswordPresent"] != 0 or flags["AccountAccessKeysPresent"] != 0:
        return None
    if flags["AccountSigningCertificatesPresent"] not in (0, None):
        return None
    return {
        **flags,
        "organization": context.organization_id,
        "root_access_features": context.root_access_features.value,
    }


def _is_root_virtual_device(device: Mapping[str, Any]) -> bool:
    """A virtual MFA device in use by the root user (unassigned leftovers protect nothing and are ignored)."""
    user_arn = str((device.get("User") or {}).get("Arn", ""))
    if user_arn.endswith(":root"):
        return True
    named_for_root = str(device.get("SerialNumber", "")).endswith(":mfa/root-account-mfa-device")
    return named_for_root and bool(device.get("User") or device.get("EnableDate"))


@check(
    id="iam.root_hardware_mfa",
    title="The root user's MFA is a hardware device",
    severity=Severity.HIGH,
    needs=[ACCOUNT_SUMMARY, Needs("iam", "VirtualMFADevices")],
    rationale=(
        "A virtual MFA lives on a phone or laptop that can be lost, cloned or compromised with its owner; "
        "a hardware key or FIDO security key stays with the root credentials."
    ),
    remediation=(
        "Sign in as the root user; Console: account menu > Security credentials > Multi-factor "
        "authentication (MFA) > Assign MFA device > Passkey or security key / Hardware TOTP token; then "
        "remove the virtual device there"
    ),
    references=[
        _ROOT_MFA_DOC,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_physical.html",
    ],
)
def root_hardware_mfa(ctx: CheckContext) -> Iterator[Result]:
    enabled = ctx.global_dataset("iam", "AccountSummary").get("AccountMFAEnabled")
    virtual = [
        str(device.get("SerialNumber"))
        for device in ctx.global_dataset("iam", "VirtualMFADevices")
        if _is_root_virtual_device(device)
    ]
    evidence = {"AccountMFAEnabled": enabled, "root_virtual_mfa_devices": virtual}
    rootless = _without_root_credentials(ctx, ctx.global_dataset("iam", "AccountSummary"))
    if rootless is not None:
        yield ctx.passed(ctx.account_arn(), ROOTLESS_MESSAGE, {**evidence, **rootless})
    elif enabled is None:
        yield ctx.unknown(ctx.account_arn(), "The account summary lacks AccountMFAEnabled", evidence)
    elif enabled != 1:
        yield ctx.failed(ctx.account_arn(), "The root user has no MFA at all", evidence)
    elif virtual:
        yield ctx.failed(
            ctx.account_arn(), f"The root user uses virtual MFA ({', '.join(virtual)})", evidence
        )
    else:
        yield ctx.passed(ctx.account_arn(), "The root user's MFA is not a virtual device", evidence)


_ROOT_USE_COLUMNS = (
    "password_last_used",
    "access_key_1_last_used_date",
    "access_key_2_last_used_date",
)


@check(
    id="iam.root_recent_use",
    title="The root user is not used for daily work",
    severity=Severity.HIGH,
    needs=[CREDENTIAL_REPORT],
    rationale=(
        "Root can do anything and cannot be restricted; using it day to day exposes its credentials and "
        "leaves no per-person accountability."
    ),
    remediation=(
        "Use IAM Identity Center users or IAM roles for administration; find what root did with "
        "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root"
    ),
    references=[_ROOT_DOC, "https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html"],
)
def root_recent_use(ctx: CheckContext) -> Iterator[Result]:
    root = root_or_none(ctx)
    if root is None:
        yield ctx.unknown(ctx.account_arn(), "The credential report has no <root_account> row", {})
        return
    uses: dict[str, Stamp] = {
        "password_last_used": root.password_last_used,
        **{f"access_key_{key.number}_last_used_date": key.last_used for key in root.access_keys},
    }
    window = timedelta(days=ctx.config.recent_root_use_days)
    recent = [
        column
        for column, stamp in uses.items()
        if (when := known(stamp)) is not None and credential_age(ctx, when) <= window
    ]
    evidence = {**root.evidence(*_ROOT_USE_COLUMNS), "window_days": ctx.config.recent_root_use_days}
    if recent:
        yield ctx.failed(
            ctx.account_arn(),
            f"The root user was used within {window.days} days ({', '.join(recent)})",
            evidence,
        )
    else:
        yield ctx.passed(ctx.account_arn(), f"The root user was not used within {window.days} days", evidence)

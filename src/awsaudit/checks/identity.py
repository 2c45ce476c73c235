"""Identity and access checks (guide G2; CIS v7 2.4-2.20): root user, passwords, keys, policies."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from awsaudit.analyze.iam import (
    AdminGrant,
    Policy,
    PolicyKind,
    PolicyParseError,
    full_admin_verdict,
    parse_policy,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.credential_report import (
    ROOT_USER,
    AccessKey,
    CredentialReportError,
    CredentialRow,
    Stamp,
    known,
    parse_row,
    report_rows,
    root_row,
)
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected

_CREDENTIAL_REPORT = Needs("iam", "CredentialReport")
_ACCOUNT_SUMMARY = Needs("iam", "AccountSummary")
_PASSWORD_POLICY = Needs("iam", "PasswordPolicy")
_AUTHORIZATION = Needs("iam", "AccountAuthorizationDetails")

_CREDENTIAL_REPORT_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html"
_PASSWORD_POLICY_DOC = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html"
)
_ROOT_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"
_ROOT_MFA_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html"
_ACCESS_KEYS_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"
_PASSWORD_POLICY_COMMAND = (
    "aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 "
    "--require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols "
    "(the call replaces the whole policy: repeat the settings you keep)"
)

# Instances in these states are gone or going: they run nothing and need nothing.
_GONE_INSTANCE_STATES = frozenset({"shutting-down", "terminated"})


def is_live_instance(instance: Mapping[str, Any]) -> bool:
    """An EC2 instance that exists as a workload (pending, running, stopping or stopped)."""
    return (instance.get("State") or {}).get("Name") not in _GONE_INSTANCE_STATES


# ---------------------------------------------------------------- helpers


def _age(ctx: CheckContext, when: datetime) -> timedelta:
    return ctx.snapshot.collected_at - when


def _parsed_report(ctx: CheckContext) -> list[tuple[Mapping[str, Any], CredentialRow | str]]:
    """Each raw row with its parsed form, or the reason it cannot be parsed; shared by every check."""

    def parse() -> list[tuple[Mapping[str, Any], CredentialRow | str]]:
        parsed: list[tuple[Mapping[str, Any], CredentialRow | str]] = []
        for raw in report_rows(ctx.global_dataset("iam", "CredentialReport")):
            try:
                parsed.append((raw, parse_row(raw)))
            except CredentialReportError as problem:
                parsed.append((raw, str(problem)))
        return parsed

    return ctx.derived("iam.credential_report", parse)


def _each_user(ctx: CheckContext, judge: Callable[[CredentialRow], Iterable[Result]]) -> Iterator[Result]:
    """Judge every IAM user row of the credential report (root excluded); a bad row is UNKNOWN alone."""
    for raw, row in _parsed_report(ctx):
        if isinstance(row, str):
            yield ctx.unknown(str(raw.get("arn") or raw.get("user")), row, {"row": dict(raw)})
        elif not row.is_root:
            yield from judge(row)


def _root_or_none(ctx: CheckContext) -> CredentialRow | None:
    return root_row(ctx.global_dataset("iam", "CredentialReport"))


def _key_columns(key: AccessKey) -> tuple[str, ...]:
    prefix = f"access_key_{key.number}_"
    return (f"{prefix}active", f"{prefix}last_rotated", f"{prefix}last_used_date")


# ---------------------------------------------------------------- root user


@check(
    id="iam.root_access_keys",
    title="The root user has no access keys",
    severity=Severity.CRITICAL,
    needs=[_CREDENTIAL_REPORT, _ACCOUNT_SUMMARY],
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
    root = _root_or_none(ctx)
    present = summary.get("AccountAccessKeysPresent")
    evidence: dict[str, Any] = {"AccountAccessKeysPresent": present}
    active: list[str] = []
    if root is not None:
        evidence.update(root.evidence(*(c for key in root.access_keys for c in _key_columns(key))))
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
    needs=[_ACCOUNT_SUMMARY],
    rationale="A root password alone is one phishing email away from losing the whole account.",
    remediation=(
        "Sign in as the root user; Console: account menu > Security credentials > "
        "Multi-factor authentication (MFA) > Assign MFA device"
    ),
    references=[_ROOT_MFA_DOC],
)
def root_mfa(ctx: CheckContext) -> Iterator[Result]:
    enabled = ctx.global_dataset("iam", "AccountSummary").get("AccountMFAEnabled")
    evidence = {"AccountMFAEnabled": enabled}
    if enabled is None:
        yield ctx.unknown(ctx.account_arn(), "The account summary lacks AccountMFAEnabled", evidence)
    elif enabled == 1:
        yield ctx.passed(ctx.account_arn(), "The root user has MFA", evidence)
    else:
        yield ctx.failed(ctx.account_arn(), "The root user has no MFA", evidence)


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
    needs=[_ACCOUNT_SUMMARY, Needs("iam", "VirtualMFADevices")],
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
    if enabled is None:
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
    needs=[_CREDENTIAL_REPORT],
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
    root = _root_or_none(ctx)
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
        if (when := known(stamp)) is not None and _age(ctx, when) <= window
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


# ---------------------------------------------------------------- password policy


def _password_policy(ctx: CheckContext) -> Mapping[str, Any] | None:
    policy: Mapping[str, Any] | None = ctx.global_dataset("iam", "PasswordPolicy")["PasswordPolicy"]
    return policy


@dataclass(frozen=True)
class _MinimumSetting:
    """A numeric password-policy setting that must reach a configured minimum."""

    field: str
    minimum: Callable[[CheckContext], int]
    label: str


def _judge_minimum(ctx: CheckContext, setting: _MinimumSetting) -> Result:
    policy = _password_policy(ctx)
    required = setting.minimum(ctx)
    if policy is None:
        return ctx.failed(ctx.account_arn(), "No IAM password policy is set", {"PasswordPolicy": None})
    value = policy.get(setting.field)
    evidence = {setting.field: value, "required_minimum": required}
    if value is None or value < required:
        shown = "not set" if value is None else value
        return ctx.failed(
            ctx.account_arn(), f"Password {setting.label}: {shown} (at least {required} required)", evidence
        )
    return ctx.passed(ctx.account_arn(), f"Password {setting.label}: {value}", evidence)


_MIN_LENGTH = _MinimumSetting(
    "MinimumPasswordLength", lambda ctx: ctx.config.min_password_length, "minimum length"
)
_REUSE = _MinimumSetting(
    "PasswordReusePrevention", lambda ctx: ctx.config.password_reuse_prevention, "reuse prevention"
)


@check(
    id="iam.password_policy_min_length",
    title="The IAM password policy requires long passwords",
    severity=Severity.MEDIUM,
    needs=[_PASSWORD_POLICY],
    rationale="Length is what makes a password resist guessing and offline cracking.",
    remediation=_PASSWORD_POLICY_COMMAND,
    references=[_PASSWORD_POLICY_DOC],
)
def password_policy_min_length(ctx: CheckContext) -> Iterator[Result]:
    yield _judge_minimum(ctx, _MIN_LENGTH)


@check(
    id="iam.password_policy_reuse",
    title="The IAM password policy prevents password reuse",
    severity=Severity.MEDIUM,
    needs=[_PASSWORD_POLICY],
    rationale="Reused passwords bring back credentials that may already have leaked.",
    remediation=_PASSWORD_POLICY_COMMAND,
    references=[_PASSWORD_POLICY_DOC],
)
def password_policy_reuse(ctx: CheckContext) -> Iterator[Result]:
    yield _judge_minimum(ctx, _REUSE)


_COMPLEXITY = {
    "RequireUppercaseCharacters": "an uppercase letter",
    "RequireLowercaseCharacters": "a lowercase letter",
    "RequireNumbers": "a number",
    "RequireSymbols": "a symbol",
}


@check(
    id="iam.password_policy_complexity",
    title="The IAM password policy requires mixed character classes",
    severity=Severity.LOW,
    needs=[_PASSWORD_POLICY],
    rationale="Requiring every character class widens the space an attacker must search.",
    remediation=_PASSWORD_POLICY_COMMAND,
    references=[_PASSWORD_POLICY_DOC],
)
def password_policy_complexity(ctx: CheckContext) -> Iterator[Result]:
    policy = _password_policy(ctx)
    if policy is None:
        yield ctx.failed(ctx.account_arn(), "No IAM password policy is set", {"PasswordPolicy": None})
        return
    evidence = {setting: bool(policy.get(setting, False)) for setting in _COMPLEXITY}
    missing = [meaning for setting, meaning in _COMPLEXITY.items() if not evidence[setting]]
    if missing:
        yield ctx.failed(
            ctx.account_arn(), f"The password policy does not require {', '.join(missing)}", evidence
        )
    else:
        yield ctx.passed(ctx.account_arn(), "The password policy requires every character class", evidence)


# ---------------------------------------------------------------- users' credentials


@check(
    id="iam.console_user_mfa",
    title="Every IAM user with a console password has MFA",
    severity=Severity.HIGH,
    needs=[_CREDENTIAL_REPORT],
    rationale="A console password without MFA falls to phishing, reuse or guessing.",
    remediation=(
        "aws iam create-virtual-mfa-device --virtual-mfa-device-name <user> --outfile <qr.png> "
        "--bootstrap-method QRCodePNG; aws iam enable-mfa-device --user-name <user> "
        "--serial-number <mfa-arn> --authentication-code1 <code> --authentication-code2 <next-code>"
    ),
    references=[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
        _CREDENTIAL_REPORT_DOC,
    ],
)
def console_user_mfa(ctx: CheckContext) -> Iterator[Result]:
    def judge(row: CredentialRow) -> Iterator[Result]:
        if not row.has_password:
            return
        evidence = row.evidence("password_enabled", "mfa_active")
        if row.mfa_active is True:
            yield ctx.passed(row.arn, f"{row.user} has a console password and MFA", evidence)
        else:
            yield ctx.failed(row.arn, f"{row.user} has a console password without MFA", evidence)

    yield from _each_user(ctx, judge)


@dataclass(frozen=True)
class _Usage:
    """One enabled credential: when it was last used, or since when it has been waiting unused."""

    credential: str
    last_used: datetime | None
    available_since: datetime | None

    @property
    def reference(self) -> datetime | None:
        return self.last_used or self.available_since


def _enabled_credentials(row: CredentialRow) -> list[_Usage]:
    created = known(row.created)
    usages = []
    if row.has_password:
        usages.append(
            _Usage("password", known(row.password_last_used), known(row.password_last_changed) or created)
        )
    for key in row.active_keys:
        usages.append(
            _Usage(f"access_key_{key.number}", known(key.last_used), known(key.last_rotated) or created)
        )
    return usages


@check(
    id="iam.unused_credentials",
    title="Credentials unused for too long are disabled",
    severity=Severity.MEDIUM,
    needs=[_CREDENTIAL_REPORT],
    rationale=(
        "A password or key nobody uses still works for whoever finds it; disabling idle credentials removes "
        "that risk at no cost."
    ),
    remediation=(
        "aws iam delete-login-profile --user-name <user> (password); "
        "aws iam update-access-key --user-name <user> --access-key-id <key-id> --status Inactive (key)"
    ),
    references=[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
        _CREDENTIAL_REPORT_DOC,
    ],
)
def unused_credentials(ctx: CheckContext) -> Iterator[Result]:
    limit = timedelta(days=ctx.config.unused_credential_days)

    def judge(row: CredentialRow) -> Iterator[Result]:
        stale: dict[str, Any] = {}
        undated: list[str] = []
        for usage in _enabled_credentials(row):
            reference = usage.reference
            if reference is None:
                undated.append(usage.credential)
            elif _age(ctx, reference) > limit:
                stale[usage.credential] = {
                    "last_used": usage.last_used.isoformat() if usage.last_used else None,
                    "judged_from": reference.isoformat(),
                    "idle_days": _age(ctx, reference).days,
                }
        evidence = {"unused": stale, "limit_days": limit.days, "undated": undated}
        if stale:
            yield ctx.failed(
                row.arn,
                f"{row.user} has credentials unused for over {limit.days} days: {', '.join(stale)}",
                evidence,
            )
        elif undated:
            yield ctx.unknown(row.arn, f"{row.user}: no date to judge {', '.join(undated)} by", evidence)
        else:
            yield ctx.passed(
                row.arn, f"{row.user} has no credential unused for over {limit.days} days", evidence
            )

    yield from _each_user(ctx, judge)


@check(
    id="iam.access_key_rotation",
    title="Active access keys are rotated regularly",
    severity=Severity.MEDIUM,
    needs=[_CREDENTIAL_REPORT],
    rationale="The older a key, the more places it has been copied to and the longer a leak stays useful.",
    remediation=(
        "aws iam create-access-key --user-name <user>; move every consumer to the new key; "
        "aws iam update-access-key --user-name <user> --access-key-id <old-key-id> --status Inactive; "
        "aws iam delete-access-key --user-name <user> --access-key-id <old-key-id>"
    ),
    references=[_ACCESS_KEYS_DOC, _CREDENTIAL_REPORT_DOC],
)
def access_key_rotation(ctx: CheckContext) -> Iterator[Result]:
    limit = timedelta(days=ctx.config.max_access_key_age_days)

    def judge(row: CredentialRow) -> Iterator[Result]:
        keys = row.active_keys
        if not keys:
            return
        evidence: dict[str, Any] = {"max_age_days": limit.days}
        evidence.update(row.evidence(*(c for key in keys for c in _key_columns(key)[:2])))
        rotated = {f"access_key_{key.number}": known(key.last_rotated) for key in keys}
        undated = [name for name, when in rotated.items() if when is None]
        old = [name for name, when in rotated.items() if when is not None and _age(ctx, when) > limit]
        if old:
            yield ctx.failed(row.arn, f"{row.user}: {', '.join(old)} older than {limit.days} days", evidence)
        elif undated:
            yield ctx.unknown(row.arn, f"{row.user}: no rotation date for {', '.join(undated)}", evidence)
        else:
            yield ctx.passed(row.arn, f"{row.user}: active keys are younger than {limit.days} days", evidence)

    yield from _each_user(ctx, judge)


@check(
    id="iam.one_active_key",
    title="Each IAM user has at most one active access key",
    severity=Severity.LOW,
    needs=[_CREDENTIAL_REPORT],
    rationale="A second active key doubles what can leak and usually means a rotation was never finished.",
    remediation=(
        "aws iam update-access-key --user-name <user> --access-key-id <unused-key-id> --status Inactive"
    ),
    references=[_ACCESS_KEYS_DOC, _CREDENTIAL_REPORT_DOC],
)
def one_active_key(ctx: CheckContext) -> Iterator[Result]:
    def judge(row: CredentialRow) -> Iterator[Result]:
        evidence = row.evidence("access_key_1_active", "access_key_2_active")
        count = len(row.active_keys)
        if count > 1:
            yield ctx.failed(row.arn, f"{row.user} has {count} active access keys", evidence)
        else:
            yield ctx.passed(row.arn, f"{row.user} has {count} active access key(s)", evidence)

    yield from _each_user(ctx, judge)


# A key created this close to the user, and never used, was handed out at setup "just in case".
_SETUP_WINDOW = timedelta(hours=1)


@check(
    id="iam.no_keys_at_setup",
    title="Console users were not given access keys at creation",
    severity=Severity.LOW,
    needs=[_CREDENTIAL_REPORT],
    rationale=(
        "Keys created with a console user and never used are unneeded credentials that can only leak; "
        "keys should be created when someone needs one."
    ),
    remediation="aws iam delete-access-key --user-name <user> --access-key-id <key-id>",
    references=[_ACCESS_KEYS_DOC, _CREDENTIAL_REPORT_DOC],
)
def no_keys_at_setup(ctx: CheckContext) -> Iterator[Result]:
    def judge(row: CredentialRow) -> Iterator[Result]:
        if not row.has_password:
            return
        created = known(row.created)
        columns = ["user_creation_time"]
        setup_keys = []
        for key in row.active_keys:
            columns.extend(_key_columns(key))
            rotated = known(key.last_rotated)
            never_used = key.last_used == "N/A"
            if created and rotated and never_used and abs(rotated - created) <= _SETUP_WINDOW:
                setup_keys.append(f"access_key_{key.number}")
        evidence = row.evidence(*columns)
        if setup_keys:
            yield ctx.failed(
                row.arn, f"{row.user} has never-used keys created at setup: {', '.join(setup_keys)}", evidence
            )
        else:
            yield ctx.passed(row.arn, f"{row.user} has no unused key from initial setup", evidence)

    yield from _each_user(ctx, judge)


# ---------------------------------------------------------------- policies


def _authorization(ctx: CheckContext) -> Mapping[str, Any]:
    details: Mapping[str, Any] = ctx.global_dataset("iam", "AccountAuthorizationDetails")
    return details


@check(
    id="iam.user_attached_policies",
    title="IAM users get permissions only through groups or roles",
    severity=Severity.LOW,
    needs=[_AUTHORIZATION],
    rationale=(
        "Permissions attached to individual users drift apart and are hard to review; groups and roles keep "
        "access consistent and auditable."
    ),
    remediation=(
        "aws iam add-user-to-group --group-name <group> --user-name <user>; then "
        "aws iam detach-user-policy --user-name <user> --policy-arn <policy-arn> and "
        "aws iam delete-user-policy --user-name <user> --policy-name <policy-name>"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html"],
)
def user_attached_policies(ctx: CheckContext) -> Iterator[Result]:
    for user in _authorization(ctx).get("UserDetailList") or []:
        managed = [str(p.get("PolicyName")) for p in user.get("AttachedManagedPolicies") or []]
        inline = [str(p.get("PolicyName")) for p in user.get("UserPolicyList") or []]
        evidence = {"AttachedManagedPolicies": managed, "UserPolicyList": inline}
        name = user.get("UserName")
        if managed or inline:
            yield ctx.failed(str(user["Arn"]), f"{name} has policies attached directly", evidence)
        else:
            yield ctx.passed(str(user["Arn"]), f"{name} has no policy attached directly", evidence)


def _is_aws_managed(policy_arn: str) -> bool:
    return policy_arn.split(":")[4:5] == ["aws"]


def _default_document(policy: Mapping[str, Any]) -> object:
    """The document of the version in force (None when absent, which the parser rejects)."""
    for version in policy.get("PolicyVersionList") or []:
        if version.get("IsDefaultVersion") or version.get("VersionId") == policy.get("DefaultVersionId"):
            return version.get("Document")
    return None


_PRINCIPAL_LISTS = (
    ("UserDetailList", "UserPolicyList"),
    ("GroupDetailList", "GroupPolicyList"),
    ("RoleDetailList", "RolePolicyList"),
)


def _entities(details: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Every user, group and role with the name of its inline-policy list."""
    for entity_list, inline_list in _PRINCIPAL_LISTS:
        for entity in details.get(entity_list) or []:
            yield entity, inline_list


@check(
    id="iam.full_admin_policy",
    title="No customer policy grants full administrative rights",
    severity=Severity.HIGH,
    needs=[_AUTHORIZATION],
    rationale=(
        "A policy allowing every action on every resource gives away the whole account; administrators "
        "should use AWS's AdministratorAccess deliberately and everyone else least privilege."
    ),
    remediation=(
        "aws iam create-policy-version --policy-arn <policy-arn> "
        "--policy-document file://least-privilege.json --set-as-default (managed); "
        "aws iam delete-role-policy --role-name <role> --policy-name <name> "
        "(inline; delete-user-policy / delete-group-policy likewise)"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
)
def full_admin_policy(ctx: CheckContext) -> Iterator[Result]:
    details = _authorization(ctx)
    referenced = {
        str(attached.get("PolicyArn"))
        for entity, _ in _entities(details)
        for attached in entity.get("AttachedManagedPolicies") or []
    }
    for policy in details.get("Policies") or []:
        arn = str(policy["Arn"])
        if _is_aws_managed(arn) or not (policy.get("AttachmentCount") or arn in referenced):
            continue
        # moto leaves PolicyName out of this API's answer; the name is the last part of the ARN.
        name = str(policy.get("PolicyName") or arn.rsplit("/", 1)[-1])
        yield _judge_documents(ctx, arn, {name: _default_document(policy)})
    for entity, inline_list in _entities(details):
        inline = {str(p.get("PolicyName")): p.get("PolicyDocument") for p in entity.get(inline_list) or []}
        if inline:
            yield _judge_documents(ctx, str(entity["Arn"]), inline)


def _judge_documents(ctx: CheckContext, resource: str, documents: Mapping[str, object]) -> Result:
    """One verdict over a managed policy's document or a principal's inline policies.

    Judged semantically (every action of the catalog on every resource, after the policy's own denies), so
    `NotAction` and `iam:*` + `NotAction: iam:*` splits count as well as a literal `"*"`. Inline policies are
    also judged together: statements split across them grant what they grant jointly.
    """
    parsed: dict[str, Policy] = {}
    unreadable: dict[str, str] = {}
    for name, document in documents.items():
        try:
            parsed[name] = parse_policy(document, name=name)
        except PolicyParseError as problem:
            unreadable[name] = str(problem)
    verdicts = {name: full_admin_verdict(policy) for name, policy in parsed.items()}
    if len(parsed) > 1 and all(v.grant is AdminGrant.NONE for v in verdicts.values()):
        joint = Policy(
            name=" + ".join(sorted(parsed)),
            kind=PolicyKind.IDENTITY,
            statements=tuple(s for policy in parsed.values() for s in policy.statements),
        )
        verdicts[joint.name] = full_admin_verdict(joint)
    full = sorted(name for name, v in verdicts.items() if v.grant is AdminGrant.FULL)
    conditional = sorted(name for name, v in verdicts.items() if v.grant is AdminGrant.CONDITIONAL)
    evidence = {
        "policies": sorted(documents),
        "full_admin": full,
        "conditional_admin": conditional,
        "literal": sorted(name for name, v in verdicts.items() if v.literal),
        "statements": [s.reference for name in (*full, *conditional) for s in verdicts[name].statements],
        "conditions": {
            name: [
                {
                    "statement": s.reference,
                    "conditions": [[c.operator, c.key, list(c.values)] for c in s.conditions],
                }
                for s in verdicts[name].statements
                if s.is_conditional
            ]
            for name in conditional
        },
        "unreadable": unreadable,
    }
    if full:
        return ctx.failed(resource, f"Allows every action on every resource: {', '.join(full)}", evidence)
    if conditional:
        return ctx.failed(
            resource,
            f"Allows every action on every resource under conditions: {', '.join(conditional)}",
            evidence,
            severity=Severity.MEDIUM,
        )
    if unreadable:
        return ctx.unknown(resource, "; ".join(unreadable.values()), evidence)
    return ctx.passed(resource, "No statement allows every action on every resource", evidence)


def _holders(details: Mapping[str, Any], policy_suffix: str) -> list[Mapping[str, Any]]:
    """Users, groups and roles with the AWS-managed policy attached directly."""
    return [
        entity
        for entity, _ in _entities(details)
        if any(
            str(p.get("PolicyArn", "")).endswith(policy_suffix)
            for p in entity.get("AttachedManagedPolicies") or []
        )
    ]


_SUPPORT_POLICY = ":iam::aws:policy/AWSSupportAccess"


@check(
    id="iam.support_role",
    title="Someone is entitled to manage incidents with AWS Support",
    severity=Severity.LOW,
    needs=[_AUTHORIZATION],
    rationale=(
        "During an incident, opening and following AWS Support cases must not wait for someone to be granted "
        "the right; a dedicated role with AWSSupportAccess provides it without broader rights."
    ),
    remediation=(
        "aws iam create-role --role-name <support-role> --assume-role-policy-document file://trust.json; "
        "aws iam attach-role-policy --role-name <support-role> "
        "--policy-arn arn:aws:iam::aws:policy/AWSSupportAccess"
    ),
    references=["https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSupportAccess.html"],
)
def support_role(ctx: CheckContext) -> Iterator[Result]:
    holders = [str(entity["Arn"]) for entity in _holders(_authorization(ctx), _SUPPORT_POLICY)]
    evidence = {"AWSSupportAccess_attached_to": holders}
    if holders:
        yield ctx.passed(
            ctx.account_arn(), f"AWSSupportAccess is attached to {len(holders)} principal(s)", evidence
        )
    else:
        yield ctx.failed(ctx.account_arn(), "No user, group or role has AWSSupportAccess", evidence)


_CLOUDSHELL_POLICY = ":iam::aws:policy/AWSCloudShellFullAccess"


@check(
    id="iam.cloudshell_full_access",
    title="AWSCloudShellFullAccess is not granted",
    severity=Severity.MEDIUM,
    needs=[_AUTHORIZATION],
    rationale=(
        "Full CloudShell access includes uploading and downloading files and internet access from the "
        "shell, an easy path to move data out of the account."
    ),
    remediation=(
        "aws iam detach-user-policy --user-name <user> "
        "--policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess "
        "(detach-group-policy --group-name / detach-role-policy --role-name likewise)"
    ),
    references=[
        "https://docs.aws.amazon.com/cloudshell/latest/userguide/sec-auth-with-identities.html",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCloudShellFullAccess.html",
    ],
)
def cloudshell_full_access(ctx: CheckContext) -> Iterator[Result]:
    details = _authorization(ctx)
    direct = {str(entity["Arn"]) for entity in _holders(details, _CLOUDSHELL_POLICY)}
    granting_groups = {
        str(group.get("GroupName"))
        for group in details.get("GroupDetailList") or []
        if str(group["Arn"]) in direct
    }
    for entity, _ in _entities(details):
        arn = str(entity["Arn"])
        via = sorted(granting_groups & set(entity.get("GroupList") or []))
        evidence = {"attached_directly": arn in direct, "via_groups": via}
        if arn in direct or via:
            yield ctx.failed(arn, "Has AWSCloudShellFullAccess", evidence)
        else:
            yield ctx.passed(arn, "Does not have AWSCloudShellFullAccess", evidence)


# ---------------------------------------------------------------- certificates, federation


@check(
    id="iam.expired_server_certificates",
    title="No expired server certificate is stored in IAM",
    severity=Severity.MEDIUM,
    needs=[Needs("iam", "ServerCertificates")],
    rationale=(
        "An expired certificate still deployable to a load balancer or CloudFront breaks clients and "
        "erodes trust in the service."
    ),
    remediation="aws iam delete-server-certificate --server-certificate-name <name>",
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html"],
)
def expired_server_certificates(ctx: CheckContext) -> Iterator[Result]:
    for certificate in ctx.global_dataset("iam", "ServerCertificates"):
        arn = str(certificate["Arn"])
        name = certificate.get("ServerCertificateName")
        text = certificate.get("Expiration")
        evidence = {"Expiration": text}
        expires = _parse_expiration(text)
        if expires is None:
            yield ctx.unknown(arn, f"Certificate {name} has no readable Expiration", evidence)
        elif expires < ctx.snapshot.collected_at:
            yield ctx.failed(arn, f"Certificate {name} expired on {expires.date()}", evidence)
        else:
            yield ctx.passed(arn, f"Certificate {name} valid until {expires.date()}", evidence)


def _parse_expiration(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@check(
    id="iam.identity_federation",
    title="Identity federation is a deliberate, reviewed choice",
    severity=Severity.INFO,
    needs=[Needs("iam", "SAMLProviders"), Needs("iam", "OpenIDConnectProviders"), _CREDENTIAL_REPORT],
    rationale=(
        "Users managed centrally (IAM Identity Center, a corporate directory) are created, reviewed and "
        "removed in one place; every identity provider is also a trust a person must approve."
    ),
    remediation=(
        "Console: IAM Identity Center > Settings > Identity source; IAM > Identity providers to review"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers.html"],
    manual=True,
)
def identity_federation(ctx: CheckContext) -> Iterator[Result]:
    saml = [
        {"Arn": p.get("Arn"), "ValidUntil": p.get("ValidUntil")}
        for p in ctx.global_dataset("iam", "SAMLProviders")
    ]
    oidc = [_oidc_evidence(ctx, p) for p in ctx.global_dataset("iam", "OpenIDConnectProviders")]
    rows = report_rows(ctx.global_dataset("iam", "CredentialReport"))
    users = [row for row in rows if row.get("user") != ROOT_USER]
    evidence = {"saml_providers": saml, "oidc_providers": oidc, "iam_users": len(users)}
    yield ctx.manual(
        ctx.account_arn(),
        f"Review {len(saml)} SAML and {len(oidc)} OIDC provider(s) and {len(users)} IAM user(s)",
        evidence,
    )


def _oidc_evidence(ctx: CheckContext, provider: Mapping[str, Any]) -> dict[str, Any]:
    try:
        detail = ctx.field(provider, "Provider") or {}
    except NotCollected as absent:
        return {"Arn": provider.get("Arn"), "Provider": {"not_collected": absent.reason}}
    return {"Arn": provider.get("Arn"), "Url": detail.get("Url"), "ClientIDList": detail.get("ClientIDList")}


# ---------------------------------------------------------------- regional


_EXTERNAL_ACCESS_TYPES = frozenset({"ACCOUNT", "ORGANIZATION"})


@check(
    id="accessanalyzer.enabled",
    title="IAM Access Analyzer watches for external access in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("accessanalyzer", "Analyzers", regional=True)],
    rationale=(
        "An external-access analyzer reports resources (buckets, keys, roles, queues...) shared outside the "
        "account or organization; it works per region."
    ),
    remediation="aws accessanalyzer create-analyzer --analyzer-name <name> --type ACCOUNT --region <region>",
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-getting-started.html"],
)
def access_analyzer_enabled(ctx: CheckContext) -> Iterator[Result]:
    analyzers = ctx.dataset("accessanalyzer", "Analyzers")
    evidence = {"analyzers": [{k: a.get(k) for k in ("name", "type", "status")} for a in analyzers]}
    active = [
        str(a.get("name"))
        for a in analyzers
        if a.get("status") == "ACTIVE" and a.get("type") in _EXTERNAL_ACCESS_TYPES
    ]
    if active:
        yield ctx.passed(
            ctx.scope_arn(), f"Active external-access analyzer in {ctx.region}: {', '.join(active)}", evidence
        )
    else:
        yield ctx.failed(ctx.scope_arn(), f"No active external-access analyzer in {ctx.region}", evidence)


@check(
    id="ec2.instance_profile_attached",
    title="EC2 instances use an IAM role for AWS access",
    severity=Severity.LOW,
    scope=Scope.REGION,
    needs=[Needs("ec2", "Instances", regional=True)],
    rationale=(
        "An instance role hands the instance short-lived, automatically rotated credentials; without one, "
        "software on it tends to carry long-lived access keys."
    ),
    remediation=(
        "aws ec2 associate-iam-instance-profile --instance-id <instance-id> "
        "--iam-instance-profile Name=<instance-profile> --region <region>"
    ),
    references=["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html"],
)
def instance_profile_attached(ctx: CheckContext) -> Iterator[Result]:
    for instance in ctx.dataset("ec2", "Instances"):
        if not is_live_instance(instance):
            continue
        instance_id = instance["InstanceId"]
        arn = f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:instance/{instance_id}"
        profile = instance.get("IamInstanceProfile")
        evidence = {"IamInstanceProfile": profile, "State": (instance.get("State") or {}).get("Name")}
        if profile:
            yield ctx.passed(arn, f"{instance_id} has instance profile {profile.get('Arn')}", evidence)
        else:
            yield ctx.failed(arn, f"{instance_id} has no IAM instance profile", evidence)

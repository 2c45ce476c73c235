"""Account password policy checks: minimum length, reuse prevention, complexity."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.iam import PASSWORD_POLICY
from awsaudit.checks.registry import check
from awsaudit.findings import Severity

_PASSWORD_POLICY_DOC = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html"
)


_PASSWORD_POLICY_COMMAND = (
    "aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 "
    "--require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols "
    "(the call replaces the whole policy: repeat the settings you keep)"
)


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
    needs=[PASSWORD_POLICY],
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
    needs=[PASSWORD_POLICY],
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
    needs=[PASSWORD_POLICY],
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

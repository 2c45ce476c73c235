"""A remediation step: exact AWS CLI commands, their effect and risk, how to check and undo them."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from awsaudit.findings import Finding
from awsaudit.snapshot import GLOBAL


@dataclass(frozen=True)
class Decide:
    """A value only the operator can choose: rendered as a shell variable that must be set first.

    ``${NAME:?…}`` stops the script under ``set -u`` when the variable is unset, so an
    uncommented command never runs with a guessed value.
    """

    variable: str
    question: str
    choices: tuple[str, ...]

    def shell(self) -> str:
        return f'"${{{self.variable}:?set {self.variable} first (see the TODO above)}}"'


Arg = str | Decide
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f]")


def quote(argument: str) -> str:
    """One shell word on one line: a line break inside a commented-out command would start live code.

    Plain text gets POSIX single quotes; text with control characters gets bash's ANSI-C
    quoting ($'…') with every control character, backslash and quote escaped.
    """
    if not _UNPRINTABLE.search(argument):
        return shlex.quote(argument)
    escaped = "".join(
        f"\\x{ord(c):02x}" if _UNPRINTABLE.match(c) else "\\" + c if c in "\\'" else c for c in argument
    )
    return f"$'{escaped}'"


@dataclass(frozen=True)
class Command:
    """One AWS CLI call as argv; every argument is shell-quoted when rendered."""

    argv: tuple[Arg, ...]

    def shell(self) -> str:
        return " ".join(a.shell() if isinstance(a, Decide) else quote(a) for a in self.argv)

    @property
    def decisions(self) -> tuple[Decide, ...]:
        return tuple(a for a in self.argv if isinstance(a, Decide))


def hcl_string(value: str) -> str:
    """A Terraform string literal: quotes, backslashes, newlines and template openers escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def aws(*argv: Arg) -> Command:
    return Command(("aws", *argv))


@dataclass(frozen=True)
class Step:
    summary: str  # what the step does, one line
    commands: tuple[Command, ...]
    changes: str  # what it changes in the account
    breaks: str  # what can break
    rollback: tuple[Command, ...] = ()
    rollback_note: str = ""  # why there is no rollback, or what else it takes
    terraform: str = ""  # the Terraform equivalent, when one is common

    @property
    def decisions(self) -> tuple[Decide, ...]:
        seen: dict[str, Decide] = {}
        for command in self.commands:
            for decision in command.decisions:
                seen.setdefault(decision.variable, decision)
        return tuple(seen.values())


@dataclass(frozen=True)
class Target:
    """Where a finding's fix applies: its account, the region to call, and the resource's identifiers."""

    finding: Finding
    home_region: str
    partition: str = "aws"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def region(self) -> str:
        """The region to send the call to: the finding's, or the home region for account-wide ones."""
        if self.finding.region != GLOBAL:
            return self.finding.region
        parts = self.finding.resource.split(":")
        if len(parts) > 3 and parts[3]:
            return parts[3]
        return self.home_region

    @property
    def resource_id(self) -> str:
        """The last component of the resource ARN (``sg-…``, a bucket, a user or role name, a key id)."""
        resource = self.finding.resource
        if resource.startswith("arn:") and ":::" in resource:
            return resource.split(":::", 1)[1]
        parts = resource.split(":", 5)
        tail = parts[-1]
        if tail.startswith("db:"):
            return tail[3:]
        if len(parts) > 2 and parts[2] == "iam":
            return tail.rsplit("/", 1)[-1]  # IAM names follow their path: user/division/alice
        return tail.partition("/")[2] or tail

    @property
    def resource_kind(self) -> str:
        """``user``, ``role``, ``policy``, ``security-group`` … from the ARN's resource part."""
        tail = self.finding.resource.split(":", 5)[-1]
        return tail.split("/", 1)[0] if "/" in tail else tail.split(":", 1)[0]


Recipe = Callable[[Target], tuple[Step, ...]]


def single(step: Step) -> tuple[Step, ...]:
    return (step,)


# Decisions several recipes share.
KMS_KEY = Decide(
    "KMS_KEY_ARN",
    "Which customer-managed KMS key should encrypt it?",
    ("an existing key ARN whose policy admits the service", "a new key: aws kms create-key, then its ARN"),
)
ALERT_TOPIC = Decide(
    "ALERT_TOPIC_ARN",
    "Which SNS topic should the alarm notify (with a confirmed subscription someone reads)?",
    ("an existing security-alerts topic ARN", "a new topic: aws sns create-topic --name security-alerts"),
)

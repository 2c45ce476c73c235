"""Account checks: contact details and the security alternate contact are current."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, check
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected

_CONTACT_TYPES = ("BILLING", "OPERATIONS", "SECURITY")
_SECURITY_FIELDS = ("Name", "Title", "EmailAddress", "PhoneNumber")
_ALTERNATE_CONTACTS = Needs("account", "AlternateContacts")


@check(
    id="account.contact_details",
    title="The account's contact details are current",
    severity=Severity.INFO,
    needs=[_ALTERNATE_CONTACTS],
    rationale=(
        "AWS contacts the account's contacts about abuse, compromise and billing; stale details mean those "
        "warnings reach nobody."
    ),
    remediation=(
        "Console: Account > Alternate contacts > Edit; or aws account put-alternate-contact "
        "--alternate-contact-type <BILLING|OPERATIONS|SECURITY> --name <name> --title <title> "
        "--email-address <email> --phone-number <phone>"
    ),
    references=[
        "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html"
    ],
    manual=True,
)
def contact_details(ctx: CheckContext) -> Iterator[Result]:
    contacts = ctx.global_dataset("account", "AlternateContacts")
    evidence: dict[str, Any] = {}
    for kind in _CONTACT_TYPES:
        try:
            evidence[kind] = ctx.field(contacts, kind)
        except NotCollected as absent:
            evidence[kind] = {"not_collected": absent.reason}
    unset = [kind for kind in _CONTACT_TYPES if evidence[kind] is None]
    message = "Confirm the alternate contacts are current"
    if unset:
        message += f" ({', '.join(unset)} not set)"
    yield ctx.manual(ctx.account_arn(), message, evidence)


@check(
    id="account.security_contact",
    title="A security alternate contact is registered",
    severity=Severity.LOW,
    needs=[_ALTERNATE_CONTACTS],
    rationale="AWS sends security notifications (compromise, abuse reports) to the security contact.",
    remediation=(
        "aws account put-alternate-contact --alternate-contact-type SECURITY --name <name> --title <title> "
        "--email-address <email> --phone-number <phone>"
    ),
    references=[
        "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html"
    ],
)
def security_contact(ctx: CheckContext) -> Iterator[Result]:
    security = ctx.field(ctx.global_dataset("account", "AlternateContacts"), "SECURITY")
    if security is None:
        yield ctx.failed(ctx.account_arn(), "No security alternate contact is registered", {"SECURITY": None})
    else:
        yield ctx.passed(
            ctx.account_arn(),
            f"Security contact: {security.get('EmailAddress')}",
            {"SECURITY": {key: security[key] for key in _SECURITY_FIELDS if key in security}},
        )

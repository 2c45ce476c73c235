"""Account: the alternate contacts (billing, operations, security)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.registry import dataset

CONTACT_TYPES = ("BILLING", "OPERATIONS", "SECURITY")


@dataset("account", "AlternateContacts", regional=False, actions=["account:GetAlternateContact"])
def alternate_contacts(ctx: CallContext) -> dict[str, Any]:
    """{BILLING: {...} or null, OPERATIONS: ..., SECURITY: ...}; null means no contact of that type is set."""
    contacts: dict[str, Any] = {}
    for contact_type in CONTACT_TYPES:
        try:
            contacts[contact_type] = ctx.client.get_alternate_contact(AlternateContactType=contact_type)[
                "AlternateContact"
            ]
        except ClientError as exc:
            if describe_failure(exc)[1] != "ResourceNotFoundException":
                raise
            contacts[contact_type] = None
    return contacts

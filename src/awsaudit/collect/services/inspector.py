"""Inspector: whether EC2, ECR and Lambda scanning are enabled for the account in the region."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset


@dataset(
    "inspector2",
    "AccountStatus",
    regional=True,
    actions=["inspector2:BatchGetAccountStatus"],
)
def account_status(ctx: CallContext) -> dict[str, Any]:
    """The account's entry of BatchGetAccountStatus: {accountId, state, resourceState}, or {} if absent."""
    answer = ctx.client.batch_get_account_status(accountIds=[ctx.account_id])
    for account in ctx.result(answer, "accounts", "batch_get_account_status"):
        if account.get("accountId") == ctx.account_id:
            return dict(account)
    failed = answer.get("failedAccounts") or []
    if failed:
        reason = failed[0]
        raise RuntimeError(
            f"Inspector could not report the account: {reason.get('errorCode')} {reason.get('errorMessage')}"
        )
    return {}

"""SQS: every queue of a region with its access policy (the queue's only resource policy)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset


def _queue_detail(ctx: CallContext, queue: dict[str, Any]) -> None:
    # SQS has no bulk read of attributes: one GetQueueAttributes per queue, asking only for these.
    attach(
        queue,
        "Attributes",
        lambda: ctx.client.get_queue_attributes(
            QueueUrl=queue["QueueUrl"], AttributeNames=["Policy", "QueueArn"]
        ).get("Attributes", {}),
    )


@dataset(
    "sqs",
    "Queues",
    regional=True,
    actions=["sqs:ListQueues", "sqs:GetQueueAttributes"],
    detail=_queue_detail,
)
def queues(ctx: CallContext) -> list[dict[str, Any]]:
    """{QueueUrl, Attributes: {Policy?, QueueArn}} per queue; no Policy attribute means no policy."""
    # AWS leaves QueueUrls out of the answer when the region has no queue.
    return [{"QueueUrl": url} for url in ctx.paginate_absent_is_empty("list_queues", "QueueUrls")]

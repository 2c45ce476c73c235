"""SNS: subscriptions (does an alarm's topic reach anyone?) and topics with their access policies."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset


@dataset("sns", "Subscriptions", regional=True, actions=["sns:ListSubscriptions"])
def subscriptions(ctx: CallContext) -> list[Any]:
    """Every subscription; ``SubscriptionArn`` reads ``PendingConfirmation`` until confirmed."""
    return ctx.paginate("list_subscriptions", "Subscriptions")


def _topic_detail(ctx: CallContext, topic: dict[str, Any]) -> None:
    # SNS has no bulk read of topic attributes: one GetTopicAttributes per topic.
    attach(
        topic,
        "Attributes",
        lambda: {
            key: value
            for key, value in ctx.client.get_topic_attributes(TopicArn=topic["TopicArn"])[
                "Attributes"
            ].items()
            if key in ("Policy", "Owner")
        },
    )


@dataset(
    "sns",
    "Topics",
    regional=True,
    actions=["sns:ListTopics", "sns:GetTopicAttributes"],
    detail=_topic_detail,
)
def topics(ctx: CallContext) -> list[dict[str, Any]]:
    """{TopicArn, Attributes: {Policy, Owner}} per topic (only those attributes are kept)."""
    return [{"TopicArn": topic["TopicArn"]} for topic in ctx.paginate("list_topics", "Topics")]

"""AWS Config: recorders, their status, and delivery channels of one region."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset


@dataset("config", "ConfigurationRecorders", regional=True, actions=["config:DescribeConfigurationRecorders"])
def configuration_recorders(ctx: CallContext) -> list[Any]:
    return ctx.listed("describe_configuration_recorders", "ConfigurationRecorders")


@dataset(
    "config",
    "ConfigurationRecorderStatus",
    regional=True,
    actions=["config:DescribeConfigurationRecorderStatus"],
)
def configuration_recorder_status(ctx: CallContext) -> list[Any]:
    return ctx.listed("describe_configuration_recorder_status", "ConfigurationRecordersStatus")


@dataset("config", "DeliveryChannels", regional=True, actions=["config:DescribeDeliveryChannels"])
def delivery_channels(ctx: CallContext) -> list[Any]:
    return ctx.listed("describe_delivery_channels", "DeliveryChannels")

"""CloudWatch: metric alarms (the other half of a CIS monitoring control)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset


@dataset("cloudwatch", "MetricAlarms", regional=True, actions=["cloudwatch:DescribeAlarms"])
def metric_alarms(ctx: CallContext) -> list[Any]:
    return ctx.paginate("describe_alarms", "MetricAlarms", AlarmTypes=["MetricAlarm"])

"""RDS: DB instances (encryption, public accessibility, minor version upgrades)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset


@dataset("rds", "DBInstances", regional=True, actions=["rds:DescribeDBInstances"])
def db_instances(ctx: CallContext) -> list[Any]:
    return ctx.paginate("describe_db_instances", "DBInstances")

"""EFS: file systems (encryption at rest)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset


@dataset("efs", "FileSystems", regional=True, actions=["elasticfilesystem:DescribeFileSystems"])
def file_systems(ctx: CallContext) -> list[Any]:
    return ctx.paginate("describe_file_systems", "FileSystems")

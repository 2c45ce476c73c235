"""S3 access points (per region) and Multi-Region Access Points, each with its access policy."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset

# AWS serves every Multi-Region Access Point request from this region's control plane.
MULTI_REGION_CONTROL_REGION = "us-west-2"


def _access_point_detail(ctx: CallContext, point: dict[str, Any]) -> None:
    # No bulk read of access point policies or settings: calls per access point.
    attach(
        point,
        "Policy",
        lambda: ctx.client.get_access_point_policy(AccountId=ctx.account_id, Name=point["Name"])["Policy"],
        absent={"NoSuchAccessPointPolicy": None},
    )
    # The access point's own Block Public Access (on by default): it can neutralise a public policy.
    attach(
        point,
        "PublicAccessBlockConfiguration",
        lambda: ctx.client.get_access_point(AccountId=ctx.account_id, Name=point["Name"]).get(
            "PublicAccessBlockConfiguration"
        ),
    )


@dataset(
    "s3control",
    "AccessPoints",
    regional=True,
    actions=["s3:ListAccessPoints", "s3:GetAccessPointPolicy", "s3:GetAccessPoint"],
    detail=_access_point_detail,
)
def access_points(ctx: CallContext) -> list[dict[str, Any]]:
    """{Name, AccessPointArn, Bucket, NetworkOrigin, Policy (JSON text or null),
    PublicAccessBlockConfiguration} per access point."""
    points: list[dict[str, Any]] = []
    token: str | None = None
    while True:  # ListAccessPoints has no paginator in botocore
        page = ctx.client.list_access_points(
            AccountId=ctx.account_id, **({"NextToken": token} if token else {})
        )
        points.extend(
            {key: point[key] for key in ("Name", "AccessPointArn", "Bucket", "NetworkOrigin") if key in point}
            for point in ctx.result(page, "AccessPointList", "list_access_points")
        )
        token = page.get("NextToken")
        if not token:
            return points


def _multi_region_detail(ctx: CallContext, point: dict[str, Any]) -> None:
    # No bulk read of Multi-Region Access Point policies: one call per access point.
    control = ctx.client_for("s3control", MULTI_REGION_CONTROL_REGION)
    attach(
        point,
        "Policy",
        lambda: (
            control.get_multi_region_access_point_policy(AccountId=ctx.account_id, Name=point["Name"])
            .get("Policy", {})
            .get("Established", {})
            .get("Policy")
        ),
        absent={"NoSuchMultiRegionAccessPointPolicy": None},
    )


@dataset(
    "s3control",
    "MultiRegionAccessPoints",
    regional=False,
    actions=["s3:ListMultiRegionAccessPoints", "s3:GetMultiRegionAccessPointPolicy"],
    detail=_multi_region_detail,
)
def multi_region_access_points(ctx: CallContext) -> list[dict[str, Any]]:
    """{Name, Alias, PublicAccessBlock (fixed at creation), Policy (the established policy's JSON text
    or null)} per Multi-Region Access Point."""
    control = ctx.client_for("s3control", MULTI_REGION_CONTROL_REGION)
    points: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = control.list_multi_region_access_points(
            AccountId=ctx.account_id, **({"NextToken": token} if token else {})
        )
        points.extend(
            {key: p[key] for key in ("Name", "Alias", "PublicAccessBlock") if key in p}
            for p in ctx.result(page, "AccessPoints", "list_multi_region_access_points")
        )
        token = page.get("NextToken")
        if not token:
            return points

"""CloudTrail: the trails homed in each region, with their logging status and event selectors."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach, without_metadata
from awsaudit.collect.registry import dataset


def _trail_detail(ctx: CallContext, trail: dict[str, Any]) -> None:
    # The ARN (not the name) is what a member account must pass for an organization trail.
    arn = trail["TrailARN"]
    attach(trail, "Status", lambda: without_metadata(ctx.client.get_trail_status(Name=arn)))
    attach(trail, "EventSelectors", lambda: without_metadata(ctx.client.get_event_selectors(TrailName=arn)))


@dataset(
    "cloudtrail",
    "Trails",
    regional=True,
    actions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
    detail=_trail_detail,
)
def trails(ctx: CallContext) -> list[Any]:
    """Trails whose home is this region, each listed once across the account.

    Shadow copies are asked for and then filtered by HomeRegion rather than hidden with
    includeShadowTrails=False: an organization trail reaches a member account only as a
    shadow copy, and would otherwise be invisible from the member. A trail homed in a
    region outside the collection (``--regions``) is kept by the first collected region,
    so a narrowed collection still sees the multi-region trail that covers it.
    """
    listed = ctx.listed("describe_trails", "trailList", includeShadowTrails=True)
    adopts_foreign = ctx.region == min(ctx.regions, default=ctx.region)
    return [
        trail
        for trail in listed
        if trail.get("HomeRegion") == ctx.region
        or (adopts_foreign and trail.get("HomeRegion") not in ctx.regions)
    ]

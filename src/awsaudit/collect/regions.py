"""The AWS regions botocore knows, offline: validating ``--regions`` before any API call.

The list comes from botocore's bundled endpoint data (every partition: aws, aws-cn, aws-us-gov, …),
so a typo such as ``eu-westt-1`` is rejected in a second instead of producing one collection error
per dataset. A region newer than the installed botocore is unknown to it too: upgrading botocore
adds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import botocore.session

from awsaudit.errors import AwsauditError, did_you_mean


class UnknownRegionError(AwsauditError):
    """A region named on the command line exists in no AWS partition botocore knows."""


@cache
def known_regions() -> frozenset[str]:
    """Every region of every partition in botocore's endpoint data (no network)."""
    endpoints = botocore.session.get_session().get_data("endpoints")
    return frozenset(region for partition in endpoints["partitions"] for region in partition["regions"])


def check_regions(regions: Iterable[str]) -> None:
    """Raise for the first region no partition knows, with the closest known one."""
    known = known_regions()
    for region in regions:
        if region not in known:
            raise UnknownRegionError(f"unknown region {region!r} in --regions{did_you_mean(region, known)}")

"""The AWS regions botocore knows, offline: validating ``--regions`` before any API call.

The list comes from botocore's bundled endpoint data (every partition: aws, aws-cn, aws-us-gov, …),
so a typo such as ``eu-westt-1`` is rejected in a second instead of producing one collection error
per dataset. A region newer than the installed botocore is unknown to it too: upgrading botocore
adds it. The data is read through the process's shared loader (collect/models.py): decoded with
orjson (5 ms instead of the standard library's 20), and already loaded when the collection's
session builds its endpoint resolver from the same file.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import boto3

from awsaudit.collect.models import shared_loader
from awsaudit.errors import AwsauditError, did_you_mean


class UnknownRegionError(AwsauditError):
    """A region named on the command line exists in no AWS partition botocore knows."""


@cache
def known_regions() -> frozenset[str]:
    """Every region of every partition in botocore's endpoint data (no network)."""
    # boto3's session searches botocore's paths, then boto3's own data: the collection's session
    # finds the same shared loader, with this file already read.
    search_paths = boto3.Session()._session.get_component("data_loader").search_paths
    endpoints = shared_loader(tuple(search_paths)).load_data("endpoints")
    return frozenset(region for partition in endpoints["partitions"] for region in partition["regions"])


def check_regions(regions: Iterable[str]) -> None:
    """Raise for the first region no partition knows, with the closest known one."""
    known = known_regions()
    for region in regions:
        if region not in known:
            raise UnknownRegionError(f"unknown region {region!r} in --regions{did_you_mean(region, known)}")

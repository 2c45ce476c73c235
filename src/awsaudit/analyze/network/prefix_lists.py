"""Resolving managed prefix lists; a list whose entries were not collected stays unknown, never open."""

from collections.abc import Mapping

from awsaudit.analyze.network.addresses import IPNetwork
from awsaudit.analyze.network.model import PrefixList


def prefix_list_networks(
    prefix_list_id: str, prefix_lists: Mapping[str, PrefixList]
) -> tuple[IPNetwork, ...] | None:
    """The CIDRs of a prefix list, or None when the snapshot does not hold its entries."""
    prefix_list = prefix_lists.get(prefix_list_id)
    return None if prefix_list is None else prefix_list.entries

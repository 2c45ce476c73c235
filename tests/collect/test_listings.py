"""A listing several datasets read is fetched once per collection, and its failure reaches each."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from awsaudit.collect.context import Listings


def test_concurrent_readers_share_one_fetch() -> None:
    listings = Listings()
    started = threading.Event()
    release = threading.Event()
    fetches = []

    def fetch() -> list[str]:
        fetches.append(1)
        started.set()
        release.wait(5)
        return ["resize"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(listings.get, ("lambda", "eu-west-1", "list_functions"), fetch)
        started.wait(5)
        second = pool.submit(listings.get, ("lambda", "eu-west-1", "list_functions"), fetch)
        release.set()
        assert first.result(5) == second.result(5) == ["resize"]
    assert fetches == [1]
    assert listings.get(("lambda", "us-east-1", "list_functions"), lambda: []) == []


def test_a_failed_listing_fails_every_reader() -> None:
    listings = Listings()

    def fetch() -> list[str]:
        raise RuntimeError("AccessDenied")

    for _ in range(2):
        with pytest.raises(RuntimeError, match="AccessDenied"):
            listings.get(("lambda", "eu-west-1", "list_functions"), fetch)

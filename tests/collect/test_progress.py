"""Collection tells a progress listener of every task it plans and finishes (report/ draws them)."""

from __future__ import annotations

import boto3

from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.lab.server import Lab
from awsaudit.report.progress import CollectionBar
from tests.collect.support import HOME, lab_client


class Recorder:
    def __init__(self) -> None:
        self.added = 0
        self.done = 0

    def tasks_added(self, count: int) -> None:
        self.added += count

    def task_done(self) -> None:
        self.done += 1
        assert self.done <= self.added


def test_every_planned_task_is_reported_done_detail_tasks_included(clean_lab: Lab) -> None:
    kms = lab_client(clean_lab, "kms")
    for _ in range(2):
        kms.create_key(Description="progress")
    recorder = Recorder()
    options = CollectOptions(
        regions=(HOME,),
        datasets=frozenset({"kms/Keys"}),
        endpoint_url=clean_lab.endpoint_url,
        client_hooks=clean_lab.client_hooks(),
        progress=recorder,
    )
    collect(boto3.Session(region_name=HOME), options)
    assert recorder.added == recorder.done
    assert recorder.added > 1  # the listing, then a detail task per key


def test_the_bar_draws_nothing_off_a_terminal() -> None:
    with CollectionBar(enabled=True) as bar:  # pytest's stderr is not a terminal
        bar.tasks_added(3)
        bar.task_done()
    with CollectionBar(enabled=False) as bar:
        bar.tasks_added(1)

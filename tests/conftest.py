"""Suite-wide fixtures and the test contract.

- One emulator (`lab`) for the whole session. moto keeps its state in process-wide backends, so
  every lab server of a process shares one account state anyway: suites reset it and build their
  scenario in module- or session-scoped fixtures of their own.
- Every test that uses the `lab` fixture is marked `lab` automatically, so `make unit`
  (`-m "not lab"`) never waits on the emulator. A test that starts the emulator some other way
  while unmarked fails in a unit run instead of silently slowing it down.
- With AWSAUDIT_TESTS_REQUIRE_ALL=1 (set by `make test` and CI), a missing test prerequisite
  (Chromium, the PostgreSQL server) fails the run instead of skipping its tests.
- Hypothesis examples have no deadline (speed is measured in benchmarks/, never asserted).
- Process-wide settings the CLI's `main()` makes for its own process (SIGINT/SIGTERM handlers, the
  garbage collector's thresholds and frozen objects) are undone after each test that calls it: left
  in place, a forked pool worker inherits the Python SIGTERM handler, and a SIGTERM that reaches it
  before the interpreter finishes its fork bookkeeping is dropped, so Pool.terminate() waits forever.
- Audits the tests run are recorded in a throwaway history store, never the user's own; derived
  data (the compact action catalog) goes to a throwaway disk cache.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest
from hypothesis import settings

from awsaudit.lab.server import Lab, start_lab

LAB_MARKER = "lab"

# Property tests judge results, never speed: a per-example deadline only makes them flaky on a
# loaded machine.
settings.register_profile("awsaudit", deadline=None)
settings.load_profile("awsaudit")


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    running = start_lab()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def process_settings_restored() -> Iterator[None]:
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    thresholds = gc.get_threshold()
    yield
    for signum, handler in handlers.items():
        if signal.getsignal(signum) is not handler:
            signal.signal(signum, handler)
    gc.set_threshold(*thresholds)
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture(autouse=True, scope="session")
def private_history_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never write to the user's own history database (scan and evaluate record by default)."""
    previous = os.environ.get("AWSAUDIT_STORE")
    os.environ["AWSAUDIT_STORE"] = f"sqlite:///{tmp_path_factory.mktemp('store') / 'history.sqlite'}"
    yield
    if previous is None:
        os.environ.pop("AWSAUDIT_STORE", None)
    else:
        os.environ["AWSAUDIT_STORE"] = previous


@pytest.fixture(autouse=True, scope="session")
def private_disk_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never write to the user's own cache folder (the compact action catalog is kept there)."""
    previous = os.environ.get("AWSAUDIT_CACHE_DIR")
    os.environ["AWSAUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("AWSAUDIT_CACHE_DIR", None)
    else:
        os.environ["AWSAUDIT_CACHE_DIR"] = previous


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if LAB_MARKER in getattr(item, "fixturenames", ()):
            item.add_marker(LAB_MARKER)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("markexpr", "") == f"not {LAB_MARKER}":
        _forbid_emulator()


def _forbid_emulator() -> None:
    from moto.server import ThreadedMotoServer

    def refuse(self: Any) -> NoReturn:
        raise RuntimeError(
            "this test starts the AWS emulator but is not marked `lab`: use the `lab` fixture "
            "(or mark it with pytest.mark.lab) so that `make unit` stays emulator-free"
        )

    ThreadedMotoServer.start = refuse  # type: ignore[method-assign]

"""Several processes recording scans into one store at once: every scan lands whole."""

from __future__ import annotations

import multiprocessing

from awsaudit.store import open_store, record_audit
from tests.store.helpers import many, model_of

WRITERS = 6
FINDINGS_PER_SCAN = 1500


def _write(url: str, index: int) -> int:
    model = model_of(many(FINDINGS_PER_SCAN + index), f"2026-06-01T12:00:{index:02d}Z")
    return int(record_audit(url, model, None))


def test_parallel_writers_on_a_new_store_each_record_one_complete_scan(store_url: str) -> None:
    # The store does not exist yet: the writers also race to create the schema.
    context = multiprocessing.get_context("fork")
    pool = context.Pool(WRITERS)
    try:
        ids = pool.starmap(_write, [(store_url, i) for i in range(WRITERS)])
    except BaseException:
        pool.terminate()
        raise
    # Not terminate() (what `with Pool` does): its SIGTERM can be lost by a worker that, on a loaded
    # machine, is still starting; closed, every worker leaves on its own once the queue is empty.
    pool.close()
    pool.join()
    assert len(set(ids)) == WRITERS
    with open_store(store_url) as store:
        assert sorted(s.id for s in store.scans()) == sorted(ids)
        for index, scan_id in enumerate(ids):
            assert len(store.findings(scan_id, evidence=False)) == FINDINGS_PER_SCAN + index

"""Organization scan on the local executor and on Dask (1 and 2 worker processes) against the lab.

    python benchmarks/bench_distributed.py                     # 50 members; local, dask-1, dask-2
    python benchmarks/bench_distributed.py --members 50 --members 200

For each size and executor a fresh `organization` lab is built in a child process (so no run finds
moto's account backends already warm), and a second child process is the driver: it starts the
executor (a LocalCluster of N worker processes sharing --max-accounts-parallel accounts in flight,
or nothing for the local executor), then scans every account (all checks, one region). Reported:
accounts per minute, requests per second against the emulator (the accounts' own API calls), the
driver's peak RSS, and the largest worker process's peak RSS. Cluster start-up is timed apart.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from bench_organization import children_peak_rss_mb, peak_rss_mb, serve_lab


@dataclass(frozen=True)
class Run:
    members: int
    executor: str  # "local", or "dask-N" for N worker processes
    accounts: int
    startup_seconds: float
    scan_seconds: float
    requests: int
    driver_peak_mb: float
    worker_peak_mb: float
    statuses: dict[str, int]

    @property
    def accounts_per_minute(self) -> float:
        return 60 * self.accounts / self.scan_seconds

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.scan_seconds


def drive(endpoint_url: str, workers: int, parallel: int, budget: int, connection: Connection) -> None:
    """Child process: the driver. ``workers`` 0 is the local executor."""
    import contextlib

    import boto3

    from awsaudit.audit import select
    from awsaudit.config import AuditConfig
    from awsaudit.lab.scenarios.organization import lab_hooks
    from awsaudit.lab.server import LAB_ENVIRONMENT, Lab
    from awsaudit.organization.dask_executor import DaskExecutor, dask_client
    from awsaudit.organization.scan import OrganizationScanOptions, scan_organization

    os.environ.update(LAB_ENVIRONMENT)
    options = OrganizationScanOptions(
        max_accounts_parallel=parallel,
        max_workers=budget,
        regions=("us-east-1",),
        endpoint_url=endpoint_url,
        client_hooks=lab_hooks(Lab(endpoint_url=endpoint_url)),
    )
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as output:
        started = time.perf_counter()
        executor = None
        if workers:
            client = stack.enter_context(
                dask_client(None, workers=workers, threads_per_worker=max(1, parallel // workers))
            )
            client.wait_for_workers(workers)
            executor = DaskExecutor(client)
        startup = time.perf_counter() - started
        started = time.perf_counter()
        scan = scan_organization(
            boto3.Session(region_name="us-east-1"),
            select(),
            AuditConfig(),
            Path(output),
            options=options,
            executor=executor,
        )
        seconds = time.perf_counter() - started
        driver_peak = peak_rss_mb()
    statuses = dict(scan.summary.status_counts())
    requests = sum(row.outcome.api_calls for row in scan.summary.rows)
    connection.send(
        (len(scan.summary.rows), startup, seconds, requests, driver_peak, children_peak_rss_mb(), statuses)
    )


def measure(members: int, workers: int, parallel: int, budget: int) -> Run:
    spawn = multiprocessing.get_context("spawn")
    lab_end, lab_child_end = spawn.Pipe()
    lab = spawn.Process(target=serve_lab, args=(members, lab_child_end), daemon=True)
    lab.start()
    endpoint_url, _ = lab_end.recv()
    driver_end, driver_child_end = spawn.Pipe()
    driver = spawn.Process(target=drive, args=(endpoint_url, workers, parallel, budget, driver_child_end))
    driver.start()
    accounts, startup, seconds, requests, driver_peak, worker_peak, statuses = driver_end.recv()
    driver.join()
    lab_end.send("stop")
    lab_end.recv()
    lab.join()
    return Run(
        members=members,
        executor=f"dask-{workers}" if workers else "local",
        accounts=accounts,
        startup_seconds=startup,
        scan_seconds=seconds,
        requests=requests,
        driver_peak_mb=driver_peak,
        worker_peak_mb=worker_peak,
        statuses=statuses,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, action="append", help="member accounts (repeatable)")
    parser.add_argument(
        "--dask-workers", type=int, action="append", help="Dask worker processes (repeatable; 0: local)"
    )
    parser.add_argument("--max-accounts-parallel", type=int, default=8)
    parser.add_argument("--max-workers", type=int, default=16, help="the scan's total concurrency budget")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    print(
        "members accounts executor  start s  scan s  accounts/min  requests  req/s  driver peak MB  "
        "worker peak MB  statuses",
        flush=True,
    )
    runs = []
    for members in args.members or [50]:
        for workers in args.dask_workers or [0, 1, 2]:
            run = measure(members, workers, args.max_accounts_parallel, args.max_workers)
            runs.append(run)
            print(
                f"{run.members:7d} {run.accounts:8d} {run.executor:8s} {run.startup_seconds:8.1f} "
                f"{run.scan_seconds:7.1f} {run.accounts_per_minute:13.0f} {run.requests:9d} "
                f"{run.requests_per_second:6.0f} {run.driver_peak_mb:15.0f} {run.worker_peak_mb:15.0f}  "
                f"{run.statuses}",
                flush=True,
            )
    if args.json:
        figures = [
            asdict(r)
            | {"accounts_per_minute": r.accounts_per_minute, "requests_per_second": r.requests_per_second}
            for r in runs
        ]
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Organization scan benchmark: time, emulator throughput and peak memory for 1, 10 and 50 members.

    python benchmarks/bench_organization.py                      # 1, 10 and 50 member accounts
    python benchmarks/bench_organization.py --members 10 --max-accounts-parallel 8

For each size a child process builds the `organization` lab (moto server); a first child process
scans it once untimed (moto creates each account's backends on first touch, a cost AWS does not
have; `--cold` skips this warm-up); another child process then runs `awsaudit`'s organization scan
against it (all checks, one region), so the scanner's peak RSS (the driver's, or its largest account
worker process's) starts clean for every size. In the same scanner process a tight client loop then
measures what the emulator serves at most (as many threads as the scan's concurrency budget,
cycling through parameterless read calls the scan also makes). Throughput ratio = requests per
second of the scan / requests per second of the tight loop; the target is at least 70 %.

Beside it: the scanner's CPU (driver and worker processes, user + system) per account, the
emulator's CPU per second of the scan and of the tight loop ("lab busy": 100 % is one core; moto
serves from one process), the driver's and the largest worker's peak RSS, and the machine's load
average (the machine is shared: compare runs made at the same time).
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.70
FLAT_MEMORY_SLACK_MB = 40.0  # peak RSS may grow this much from the smallest to the largest organization
CAPACITY_SECONDS = 8.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    """The largest of the scan's worker processes (one account in flight each)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def stop_forkserver() -> None:
    """Stop the forkserver (if the scan started one) and wait for it: the processes it forked and
    reaped then count in this process's RUSAGE_CHILDREN."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # private, but the only way to wait for it
    if stop is not None:
        stop()


def own_cpu_seconds() -> float:
    """User + system CPU of this process and of its children that have been waited for."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of another process so far (Linux /proc; 0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measurement:
    members: int
    accounts: int
    build_seconds: float
    scan_seconds: float
    scan_requests: int
    scan_rps: float
    capacity_rps: float
    driver_peak_rss_mb: float
    worker_peak_rss_mb: float  # 0 with threads
    lab_rss_mb: float
    scanner_cpu_seconds: float  # the driver's and its worker processes' user + system CPU
    lab_scan_cpu_seconds: float  # the emulator's CPU while the scan ran
    lab_capacity_busy: float  # the emulator's CPU per second of the tight loop
    load_average: float  # the machine's 1-minute load average when the scan ended
    statuses: dict[str, int]

    @property
    def ratio(self) -> float:
        return self.scan_rps / self.capacity_rps

    @property
    def peak_rss_mb(self) -> float:
        return max(self.driver_peak_rss_mb, self.worker_peak_rss_mb)

    @property
    def lab_scan_busy(self) -> float:
        """The emulator's CPU per second of the scan: 1.0 is one core (it serves in one process)."""
        return self.lab_scan_cpu_seconds / self.scan_seconds

    @property
    def scanner_cpu_per_account_ms(self) -> float:
        return 1000 * self.scanner_cpu_seconds / self.accounts


def serve_lab(members: int, connection: Connection) -> None:
    """Child process: build the organization, hand over its address, serve until told to stop."""
    from awsaudit.lab.scenarios import build_scenario
    from awsaudit.lab.server import start_lab

    lab = start_lab()
    started = time.perf_counter()
    build_scenario("organization", lab, members=members)
    connection.send((lab.endpoint_url, time.perf_counter() - started))
    connection.recv()
    connection.send(peak_rss_mb())
    lab.stop()


def warm_emulator(endpoint_url: str, parallel: int, workers: int) -> None:
    """Child process: an untimed organization scan, so that moto has created every account's
    backends (on AWS there is no such first-touch cost) and the measured scanner still starts cold."""
    import boto3

    from awsaudit.audit import select
    from awsaudit.config import AuditConfig
    from awsaudit.lab.scenarios.organization import lab_hooks
    from awsaudit.lab.server import LAB_ENVIRONMENT, Lab
    from awsaudit.organization.scan import OrganizationScanOptions, scan_organization

    os.environ.update(LAB_ENVIRONMENT)
    options = OrganizationScanOptions(
        max_accounts_parallel=parallel,
        max_workers=workers,
        regions=("us-east-1",),
        endpoint_url=endpoint_url,
        client_hooks=lab_hooks(Lab(endpoint_url=endpoint_url)),
    )
    with tempfile.TemporaryDirectory() as output:
        scan_organization(
            boto3.Session(region_name="us-east-1"), select(), AuditConfig(), Path(output), options=options
        )


def scan_organization(
    endpoint_url: str, lab_pid: int, parallel: int, workers: int, processes: int, connection: Connection
) -> None:
    """Child process: scan the organization, then measure the emulator's capacity; send the figures."""
    import boto3

    from awsaudit.audit import select
    from awsaudit.cli.main import GC_THRESHOLDS
    from awsaudit.config import AuditConfig
    from awsaudit.lab.scenarios.organization import lab_hooks
    from awsaudit.lab.server import LAB_ENVIRONMENT, Lab
    from awsaudit.organization.scan import OrganizationScanOptions, scan_organization

    os.environ.update(LAB_ENVIRONMENT)
    # The garbage collector as `awsaudit` sets it for its process (cli/main.py).
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()
    lab = Lab(endpoint_url=endpoint_url)
    options = OrganizationScanOptions(
        max_accounts_parallel=parallel,
        max_workers=workers,
        processes=processes,
        regions=("us-east-1",),
        endpoint_url=endpoint_url,
        client_hooks=lab_hooks(lab),
    )
    with tempfile.TemporaryDirectory() as output:
        cpu_before, lab_before = own_cpu_seconds(), process_cpu_seconds(lab_pid)
        started = time.perf_counter()
        scan = scan_organization(
            boto3.Session(region_name="us-east-1"), select(), AuditConfig(), Path(output), options=options
        )
        seconds = time.perf_counter() - started
        stop_forkserver()  # its worker processes' CPU and peak RSS count as this process's children's
        scanner_cpu = own_cpu_seconds() - cpu_before
        lab_cpu = process_cpu_seconds(lab_pid) - lab_before
        load = os.getloadavg()[0]
    statuses = dict(scan.summary.status_counts())
    # The accounts' API requests (retries included); the driver's few per account (AssumeRole) aside.
    requests = sum(row.outcome.api_calls for row in scan.summary.rows)
    for row in scan.summary.rows:
        if row.outcome.status.value == "FAILED":
            sys.stderr.write(f"account {row.target.account_id} failed: {row.outcome.reason}\n")
    accounts = len(scan.summary.rows)
    del scan
    driver_peak, worker_peak = peak_rss_mb(), children_peak_rss_mb()
    lab_before = process_cpu_seconds(lab_pid)
    capacity, loop_seconds = tight_loop_rps(endpoint_url, workers)
    lab_busy = (process_cpu_seconds(lab_pid) - lab_before) / loop_seconds
    connection.send(
        {
            "accounts": accounts,
            "scan_seconds": seconds,
            "scan_requests": requests,
            "scan_rps": requests / seconds,
            "capacity_rps": capacity,
            "driver_peak_rss_mb": driver_peak,
            "worker_peak_rss_mb": worker_peak,
            "scanner_cpu_seconds": scanner_cpu,
            "lab_scan_cpu_seconds": lab_cpu,
            "lab_capacity_busy": lab_busy,
            "load_average": load,
            "statuses": statuses,
        }
    )


# Read calls the scan itself makes, without parameters: the emulator's capacity for this kind of work.
SCAN_MIX = (
    ("sts", "get_caller_identity"),
    ("ec2", "describe_vpcs"),
    ("ec2", "describe_subnets"),
    ("ec2", "describe_route_tables"),
    ("ec2", "describe_network_acls"),
    ("ec2", "describe_security_groups"),
    ("ec2", "describe_network_interfaces"),
    ("ec2", "describe_flow_logs"),
    ("ec2", "describe_instances"),
    ("iam", "get_account_summary"),
    ("iam", "get_account_authorization_details"),
    ("iam", "list_virtual_mfa_devices"),
    ("s3", "list_buckets"),
    ("cloudtrail", "describe_trails"),
    ("logs", "describe_metric_filters"),
    ("cloudwatch", "describe_alarms"),
    ("sns", "list_subscriptions"),
    ("config", "describe_configuration_recorders"),
    ("kms", "list_keys"),
    ("rds", "describe_db_instances"),
    ("lambda", "list_functions"),
    ("organizations", "describe_organization"),
)


def tight_loop_rps(endpoint_url: str, threads: int) -> tuple[float, float]:
    """Requests per second the emulator serves to `threads` clients cycling through SCAN_MIX back to
    back, and the seconds the loop ran."""
    import boto3

    session = boto3.Session(region_name="us-east-1")
    calls: list[Callable[[], Any]] = [
        getattr(session.client(service, endpoint_url=endpoint_url), operation)
        for service, operation in SCAN_MIX
    ]
    for call in calls:
        call()  # the management account's backends exist already; this warms the client side
    done = [0] * threads
    deadline = time.perf_counter() + CAPACITY_SECONDS

    def loop(index: int) -> None:
        for call in itertools.islice(itertools.cycle(calls), index, None):
            if time.perf_counter() >= deadline:
                return
            call()
            done[index] += 1

    workers = [threading.Thread(target=functools.partial(loop, n)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    return sum(done) / seconds, seconds


def measure(members: int, parallel: int, workers: int, processes: int, warm: bool) -> Measurement:
    spawn = multiprocessing.get_context("spawn")
    lab_end, lab_child_end = spawn.Pipe()
    lab = spawn.Process(target=serve_lab, args=(members, lab_child_end), daemon=True)
    lab.start()
    endpoint_url, build_seconds = lab_end.recv()
    if warm:
        warming = spawn.Process(target=warm_emulator, args=(endpoint_url, parallel, workers))
        warming.start()
        warming.join()
    scan_end, scan_child_end = spawn.Pipe()
    # Not a daemon: the scan starts a worker process per account in flight.
    assert lab.pid is not None
    scanner = spawn.Process(
        target=scan_organization, args=(endpoint_url, lab.pid, parallel, workers, processes, scan_child_end)
    )
    scanner.start()
    figures = scan_end.recv()
    scanner.join()
    lab_end.send("stop")
    lab_rss = lab_end.recv()
    lab.join()
    return Measurement(members=members, build_seconds=build_seconds, lab_rss_mb=lab_rss, **figures)


def verdicts(results: list[Measurement], parallel: int) -> list[str]:
    lines = []
    for result in results:
        ok = result.ratio >= TARGET_RATIO
        lines.append(
            f"{'PASS' if ok else 'MISS'}: {result.members} members: emulator kept {100 * result.ratio:.0f} % "
            f"as busy as its capacity (>= {100 * TARGET_RATIO:.0f} %)"
        )
    # Below max_accounts_parallel fewer accounts are in flight at once, so memory is compared from the
    # first size that fills the pool.
    full = [r for r in results if r.accounts >= parallel] or results
    growth = full[-1].peak_rss_mb - full[0].peak_rss_mb
    lines.append(
        f"{'PASS' if growth <= FLAT_MEMORY_SLACK_MB else 'MISS'}: scanner peak RSS grew {growth:.0f} MB from "
        f"{full[0].members} to {full[-1].members} members (<= {FLAT_MEMORY_SLACK_MB:.0f} MB)"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, action="append", help="member accounts (repeatable)")
    parser.add_argument("--max-accounts-parallel", type=int, default=8)
    parser.add_argument("--max-workers", type=int, default=16, help="the scan's total concurrency budget")
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="worker processes scanning the accounts (default 0: threads of the scanner process)",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no untimed warm-up scan first: the scan pays moto's creation of every account's backends",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results = []
    out = sys.stdout
    out.write(
        "members accounts  build s  scan s  requests  scan req/s  capacity req/s  ratio  "
        "scanner CPU s  CPU ms/account  lab busy scan/loop  driver MB  worker MB  lab MB  load  statuses\n"
    )
    for members in args.members or [1, 10, 50]:
        r = measure(members, args.max_accounts_parallel, args.max_workers, args.processes, not args.cold)
        results.append(r)
        out.write(
            f"{r.members:7d} {r.accounts:8d} {r.build_seconds:8.1f} {r.scan_seconds:7.1f} "
            f"{r.scan_requests:9d} {r.scan_rps:11.0f} {r.capacity_rps:15.0f} {100 * r.ratio:5.0f}% "
            f"{r.scanner_cpu_seconds:14.1f} {r.scanner_cpu_per_account_ms:15.0f} "
            f"{100 * r.lab_scan_busy:8.0f}%/{100 * r.lab_capacity_busy:3.0f}% "
            f"{r.driver_peak_rss_mb:10.0f} {r.worker_peak_rss_mb:10.0f} {r.lab_rss_mb:7.0f} "
            f"{r.load_average:5.1f}  {r.statuses}\n"
        )
        out.flush()
    lines = verdicts(results, args.max_accounts_parallel)
    for line in lines:
        out.write(f"  {line}\n")
    if args.json:
        figures = [asdict(r) | {"ratio": r.ratio, "lab_scan_busy": r.lab_scan_busy} for r in results]
        args.json.write_text(json.dumps({"results": figures, "targets": lines}, indent=2) + "\n")


if __name__ == "__main__":
    main()

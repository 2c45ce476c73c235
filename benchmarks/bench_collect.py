"""Collection benchmark: build a lab scenario, collect it, report time, requests and memory.

    python benchmarks/bench_collect.py --users 5000 --security-groups 2000 --regions 2
    python benchmarks/bench_collect.py --scenario misconfigured --extra-regions 1

The lab (moto server + scenario) runs in a child process, so this process's RSS is the
collector's own; the lab's RSS is reported beside it (moto alone takes ~250 MB once EC2
is touched). Client and server share the machine's cores. With --lab-in-process both
run in this process, as `awsaudit demo` does, and RSS covers both.

The collector's process is set up as the `awsaudit` command sets up its own (cli/main.py):
garbage-collector thresholds, glibc's allocator capped at two arenas. --library-defaults keeps
Python's and glibc's defaults instead (what a program that embeds `collect` gets).
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import resource
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# Targets from the foundation issue (2-core machine).
MISCONFIGURED_MAX_SECONDS = 3.0
MISCONFIGURED_MAX_REQUESTS = 150
MAX_REQUESTS_PER_EXTRA_REGION = 40
MAX_PEAK_RSS_MB = 200.0
LARGE_ACCOUNT = {"users": 5000, "security_groups": 2000}
SLOWEST_SHOWN = 5


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


@dataclass(frozen=True)
class Run:
    regions: tuple[str, ...]
    seconds: float
    requests: int
    errors: list[str]  # one line per collection error
    calls: dict[str, int]
    call_seconds: dict[str, float]  # time spent in each operation, summed over its calls

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds


class OperationTimer:
    """A client hook summing the wall time of each operation (retries and pages included)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self._lock = threading.Lock()

    def hook(self, client: Any) -> None:
        service = client.meta.service_model.service_name
        client.meta.events.register("before-call", self._start)
        client.meta.events.register("after-call", functools.partial(self._stop, service))

    @staticmethod
    def _start(context: dict[str, Any], **_: Any) -> None:
        context["bench_started"] = time.perf_counter()

    def _stop(self, service: str, model: Any, context: dict[str, Any], **_: Any) -> None:
        elapsed = time.perf_counter() - context.get("bench_started", time.perf_counter())
        with self._lock:
            self.seconds[f"{service}.{model.name}"] += elapsed


@dataclass
class Report:
    scenario: str
    sizes: dict[str, int]
    build_seconds: float
    memory_mb: dict[str, float] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)


@dataclass(frozen=True)
class BuiltLab:
    endpoint_url: str
    regions: tuple[str, ...]
    build_seconds: float
    rss_mb: float  # the lab's process, after building


def build_lab(scenario: str, sizes: dict[str, int]) -> tuple[Any, BuiltLab]:
    from awsaudit.lab.scenarios import build_scenario
    from awsaudit.lab.server import start_lab

    lab = start_lab()
    started = time.perf_counter()
    built = build_scenario(scenario, lab, **sizes)
    return lab, BuiltLab(lab.endpoint_url, built.regions, time.perf_counter() - started, current_rss_mb())


def serve_lab(scenario: str, sizes: dict[str, int], connection: Connection) -> None:
    """Child process: build the lab, hand its address over, serve until told to stop, report memory."""
    lab, built = build_lab(scenario, sizes)
    connection.send(built)
    connection.recv()
    connection.send((current_rss_mb(), peak_rss_mb()))
    lab.stop()


def set_up_as_the_command() -> None:
    """The process settings `awsaudit`'s entry point makes before any command runs."""
    from awsaudit.cli.main import limit_malloc_arenas
    from awsaudit.heap import tune_collector

    limit_malloc_arenas()
    tune_collector()


def run_benchmark(args: argparse.Namespace) -> Report:
    import boto3

    from awsaudit.collect.engine import CollectOptions, collect
    from awsaudit.lab.scenarios.synthetic import REGION_ORDER
    from awsaudit.lab.server import LAB_ENVIRONMENT, Lab

    sizes: dict[str, int] = {}
    if args.scenario == "synthetic":
        sizes = {
            "users": args.users,
            "roles": args.roles,
            "security_groups": args.security_groups,
            "buckets": args.buckets,
            "regions": args.regions,
            "policy_resources": args.policy_resources,
        }
    if not args.library_defaults:
        set_up_as_the_command()
    memory = {"collector_start": current_rss_mb()}
    connection = None
    if args.lab_in_process:
        lab, built = build_lab(args.scenario, sizes)
    else:
        connection, child_end = multiprocessing.Pipe()
        child = multiprocessing.get_context("spawn").Process(
            target=serve_lab, args=(args.scenario, sizes, child_end), daemon=True
        )
        child.start()
        built = connection.recv()
        os.environ.update(LAB_ENVIRONMENT)
        lab = Lab(endpoint_url=built.endpoint_url)  # reads the emulated state from the child's server
    memory["lab_built"] = built.rss_mb
    report = Report(args.scenario, sizes, built.build_seconds, memory)
    extra = [r for r in REGION_ORDER if r not in built.regions][: args.extra_regions]
    plans = [built.regions] * args.repeat
    if extra:
        plans.append(tuple(sorted((*built.regions, *extra))))
    try:
        for regions in plans:
            timer = OperationTimer()
            options = CollectOptions(
                regions=regions,
                endpoint_url=lab.endpoint_url,
                client_hooks=(*lab.client_hooks(), timer.hook),
                max_workers=args.max_workers,
            )
            started = time.perf_counter()
            snapshot = collect(boto3.Session(region_name="us-east-1"), options)
            seconds = time.perf_counter() - started
            calls = dict(snapshot.api_calls)
            report.runs.append(
                Run(
                    regions,
                    seconds,
                    sum(calls.values()),
                    [error.describe() for error in snapshot.errors],
                    calls,
                    dict(timer.seconds),
                )
            )
            memory[f"collector_after_run_{len(report.runs)}"] = current_rss_mb()
            del snapshot
    finally:
        if connection is not None:
            connection.send("stop")
            memory["lab_end"], memory["lab_peak"] = connection.recv()
        else:
            lab.stop()
    memory["collector_peak"] = peak_rss_mb()  # includes the lab with --lab-in-process
    return report


def print_report(report: Report, show_calls: bool) -> None:
    out = sys.stdout
    sizes = ", ".join(f"{k}={v}" for k, v in report.sizes.items()) or "fixed size"
    out.write(f"scenario {report.scenario} ({sizes}), built in {report.build_seconds:.2f} s\n")
    out.write("  RSS MB: " + ", ".join(f"{k} {v:.0f}" for k, v in report.memory_mb.items()) + "\n")
    for index, run in enumerate(report.runs, 1):
        out.write(
            f"  run {index} ({len(run.regions)} regions): {run.seconds:.2f} s, {run.requests} requests "
            f"({run.requests_per_second:.0f}/s), {len(run.errors)} collection errors\n"
        )
    for run in report.runs:
        for error in run.errors:
            out.write(f"    error: {error}\n")
    if report.runs:
        first = report.runs[0]
        slowest = sorted(first.call_seconds.items(), key=lambda item: -item[1])[:SLOWEST_SHOWN]
        out.write("  slowest operations (run 1, summed over calls): ")
        out.write(", ".join(f"{name} {seconds:.2f} s" for name, seconds in slowest) + "\n")
    if show_calls and report.runs:
        out.write("  requests per operation (run 1):\n")
        for name, count in sorted(report.runs[0].calls.items(), key=lambda item: (-item[1], item[0])):
            out.write(f"    {count:6d}  {name}\n")


def check_targets(report: Report) -> list[str]:
    """The issue's targets that apply to this run, each as 'PASS|MISS: what'."""
    verdicts = []
    first, last = report.runs[0], report.runs[-1]
    if report.scenario == "misconfigured" and len(first.regions) == 2:
        verdicts.append(
            _verdict(first.seconds < MISCONFIGURED_MAX_SECONDS, f"2 regions in {first.seconds:.2f} s (< 3 s)")
        )
        verdicts.append(
            _verdict(
                first.requests < MISCONFIGURED_MAX_REQUESTS, f"2 regions in {first.requests} requests (< 150)"
            )
        )
    added_regions = len(last.regions) - len(first.regions)
    if added_regions:
        per_region = (last.requests - first.requests) / added_regions
        verdicts.append(
            _verdict(
                per_region < MAX_REQUESTS_PER_EXTRA_REGION,
                f"{per_region:.1f} requests per further region (< 40)",
            )
        )
    large = all(report.sizes.get(key, 0) >= size for key, size in LARGE_ACCOUNT.items())
    if large:
        peak = report.memory_mb["collector_peak"]
        verdicts.append(_verdict(peak < MAX_PEAK_RSS_MB, f"collector peak RSS {peak:.0f} MB (< 200 MB)"))
    return verdicts


def _verdict(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'MISS'}: {text}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenario", choices=["synthetic", "misconfigured", "well-configured"], default="synthetic"
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--roles", type=int, default=20)
    parser.add_argument("--security-groups", type=int, default=50)
    parser.add_argument("--buckets", type=int, default=10)
    parser.add_argument("--regions", type=int, default=2, help="synthetic: regions holding resources")
    parser.add_argument(
        "--policy-resources",
        type=int,
        default=0,
        help="synthetic: this many of each resource-policy kind, snapshot and image (first region)",
    )
    parser.add_argument(
        "--extra-regions", type=int, default=0, help="then collect again with this many empty regions"
    )
    parser.add_argument("--max-workers", type=int, default=16)
    parser.add_argument(
        "--repeat", type=int, default=1, help="collections of the scenario's regions (1st is cold)"
    )
    parser.add_argument("--calls", action="store_true", help="list requests per operation")
    parser.add_argument("--lab-in-process", action="store_true", help="run the lab in this process")
    parser.add_argument(
        "--library-defaults",
        action="store_true",
        help="keep Python's GC thresholds and glibc's malloc arenas (not as the awsaudit command sets them)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    report = run_benchmark(args)
    print_report(report, args.calls)
    verdicts = check_targets(report)
    for verdict in verdicts:
        sys.stdout.write(f"  {verdict}\n")
    if args.json:
        figures = asdict(report) | {"targets": verdicts}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

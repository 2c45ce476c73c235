"""The cost of one `awsaudit scan` process against a warmed lab: CPU, peak RSS, requests.

    python benchmarks/bench_scan.py                       # misconfigured, 2 regions, CIS, 5 runs
    python benchmarks/bench_scan.py --repeat 9 --max-workers 4 --framework guide
    python benchmarks/bench_scan.py --json figures.json
    python benchmarks/bench_scan.py --baseline-src /tmp/main/src     # main's tree, run in alternation
    python benchmarks/bench_scan.py --max-workers 4 --baseline-args '--max-workers 16'

The lab (moto server and scenario) runs in a child process. Before the clock starts, one
untimed scan touches every emulated service the scan uses, so that moto's imports and lazy
backends are paid by nobody (on AWS there is no such cost), and records the request count.
Each timed scan is then `awsaudit lab scan ... --no-store` in its own process, measured with
wait4(): user+sys CPU and peak RSS of exactly that process. The lab's own CPU over the same
runs is reported beside it. Figures are medians over the repetitions; the machine is shared,
so compare medians of runs made at the same time. The scan may write bytecode caches, as an
installed package has them (--no-bytecode-cache measures a checkout run under
PYTHONDONTWRITEBYTECODE, which compiles every module from source on every run).
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# Targets of issue 19 (2-core machine, misconfigured lab in 2 regions, CIS).
MAX_CPU_SECONDS = 1.2
MAX_PEAK_RSS_MB = 130.0
CLI = "from awsaudit.cli import main; main()"


@dataclass(frozen=True)
class ScanRun:
    cpu_seconds: float  # user + sys of the scan process
    user_seconds: float
    system_seconds: float
    wall_seconds: float
    peak_rss_mb: float
    lab_cpu_seconds: float  # what the emulator spent serving this scan


@dataclass
class Report:
    """The runs of one awsaudit source tree (the installed one, or a baseline given by path)."""

    label: str
    scenario: str
    regions: tuple[str, ...]
    command: list[str]
    requests: int = 0
    statistics: dict[str, Any] = field(default_factory=dict)
    runs: list[ScanRun] = field(default_factory=list)

    def median(self, name: str) -> float:
        return statistics.median(getattr(run, name) for run in self.runs)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serve_lab(scenario: str, connection: Connection) -> None:
    """Child process: build the lab, hand its address over, answer CPU queries until told to stop."""
    from awsaudit.lab.scenarios import build_scenario
    from awsaudit.lab.server import start_lab

    lab = start_lab()
    try:
        built = build_scenario(scenario, lab)
        connection.send((lab.endpoint_url, tuple(built.regions)))
        while (message := connection.recv()) != "stop":
            assert message == "cpu"
            connection.send(_cpu_seconds())
    finally:
        lab.stop()


def _scan_command(args: argparse.Namespace, regions: tuple[str, ...], output_dir: Path) -> list[str]:
    command = [sys.executable, "-c", CLI, "lab", "scan", "--regions", ",".join(regions), "--no-store"]
    command += ["--output-dir", str(output_dir), "--output-format", args.output_format]
    command += ["--max-workers", str(args.max_workers)] if args.max_workers else []
    command += ["--framework", args.framework] if args.framework else []
    return command + args.scan_args


def _run_measured(command: list[str], environment: dict[str, str]) -> tuple[float, float, float, float]:
    """(user, sys, wall, peak RSS MB) of one process, from its own wait4() accounting."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):  # 1: failures found and --fail-on given
        raise SystemExit(f"scan failed with exit code {process.returncode}:\n{errors}")
    return usage.ru_utime, usage.ru_stime, wall, usage.ru_maxrss / 1024  # kilobytes on Linux


def _warm_up(command: list[str], environment: dict[str, str], output_dir: Path) -> dict[str, Any]:
    """One untimed scan that touches every service; its snapshot tells the requests and retries."""
    snapshot_path = output_dir / "warm-up.json.gz"
    _run_measured([*command, "--snapshot", str(snapshot_path)], environment)
    with gzip.open(snapshot_path) as stream:
        snapshot: dict[str, Any] = json.load(stream)
    return snapshot


def run_benchmark(args: argparse.Namespace) -> list[Report]:
    from awsaudit.lab.server import LAB_ENVIRONMENT

    connection, child_end = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=serve_lab, args=(args.scenario, child_end), daemon=True
    )
    child.start()
    endpoint_url, built_regions = connection.recv()
    regions = tuple(args.regions.split(",")) if args.regions else built_regions
    environment = {**os.environ, **LAB_ENVIRONMENT, "AWS_ENDPOINT_URL": endpoint_url}
    if not args.no_bytecode_cache:
        # An installed awsaudit has its bytecode compiled (pip does it); an editable checkout run
        # under PYTHONDONTWRITEBYTECODE would recompile every module of the scan on every run.
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scan-") as temporary:
            output_dir = Path(temporary)
            command = _scan_command(args, regions, output_dir)
            subjects = [("current", environment, command)]
            if args.baseline_src or args.baseline_args:
                baseline_environment = dict(environment)
                if args.baseline_src:
                    path = os.pathsep.join([str(args.baseline_src), environment.get("PYTHONPATH", "")])
                    baseline_environment["PYTHONPATH"] = path.rstrip(os.pathsep)
                # A repeated option's last value counts: the baseline's arguments override the current's.
                baseline_command = command + shlex.split(args.baseline_args or "")
                subjects.insert(0, ("baseline", baseline_environment, baseline_command))
            reports = []
            for label, subject_environment, subject_command in subjects:
                report = Report(label, args.scenario, regions, subject_command[3:])
                warm = _warm_up(subject_command, subject_environment, output_dir)
                report.requests = sum(warm.get("api_calls", {}).values())
                report.statistics = dict(warm.get("statistics") or {})
                reports.append(report)
            # Interleaved, so that a baseline and the current tree see the same load on a shared machine.
            for _ in range(args.repeat):
                for report, (_, subject_environment, subject_command) in zip(reports, subjects, strict=True):
                    connection.send("cpu")
                    lab_before = connection.recv()
                    user, system, wall, rss = _run_measured(subject_command, subject_environment)
                    connection.send("cpu")
                    lab_cpu = connection.recv() - lab_before
                    report.runs.append(ScanRun(user + system, user, system, wall, rss, lab_cpu))
    finally:
        connection.send("stop")
        child.join(timeout=30)
    return reports


def print_report(report: Report) -> None:
    out = sys.stdout
    out.write(f"{report.label}: scenario {report.scenario}, regions {','.join(report.regions)}\n")
    out.write(f"  command: awsaudit {' '.join(report.command)}\n")
    out.write(f"  requests (warm-up run): {report.requests}\n")
    if report.statistics:
        out.write(f"  run statistics (warm-up run): {json.dumps(report.statistics, sort_keys=True)}\n")
    out.write("  run   cpu s  (user+sys)   wall s  peak RSS MB  lab cpu s\n")
    for index, run in enumerate(report.runs, 1):
        out.write(
            f"  {index:3d}  {run.cpu_seconds:6.2f}  ({run.user_seconds:.2f}+{run.system_seconds:.2f})"
            f"  {run.wall_seconds:7.2f}  {run.peak_rss_mb:11.0f}  {run.lab_cpu_seconds:9.2f}\n"
        )
    out.write(
        f"  median {report.median('cpu_seconds'):.2f} s CPU, {report.median('wall_seconds'):.2f} s wall, "
        f"{report.median('peak_rss_mb'):.0f} MB peak RSS, lab {report.median('lab_cpu_seconds'):.2f} s CPU\n"
    )


def check_targets(report: Report) -> list[str]:
    cpu, rss = report.median("cpu_seconds"), report.median("peak_rss_mb")
    return [
        f"{'PASS' if cpu <= MAX_CPU_SECONDS else 'MISS'}: scan CPU {cpu:.2f} s (<= {MAX_CPU_SECONDS} s)",
        f"{'PASS' if rss <= MAX_PEAK_RSS_MB else 'MISS'}: peak RSS {rss:.0f} MB (<= {MAX_PEAK_RSS_MB:g})",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", default="misconfigured")
    parser.add_argument("--regions", help="comma-separated (default: the scenario's)")
    parser.add_argument("--framework", default="cis-aws-foundations", help="'' for the default selection")
    parser.add_argument("--max-workers", type=int, default=0, help="0: the scan's default")
    parser.add_argument("--output-format", default="json")
    parser.add_argument("--repeat", type=int, default=5, help="timed scans (after the warm-up)")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE for the scan (every module compiled from source each run)",
    )
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="the src/ folder of another awsaudit tree (e.g. `git archive main src`), run in alternation",
    )
    parser.add_argument(
        "--baseline-args",
        help="scan options of a baseline run in alternation (overriding the current's): '--max-workers 16'",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("scan_args", nargs="*", help="further `awsaudit scan` options (after --)")
    args = parser.parse_args()
    reports = run_benchmark(args)
    for report in reports:
        print_report(report)
    current = reports[-1]
    verdicts = check_targets(current)
    if len(reports) == 2:
        baseline = reports[0]
        for name in ("cpu_seconds", "peak_rss_mb", "wall_seconds"):
            ratio = current.median(name) / baseline.median(name)
            sys.stdout.write(f"  current/baseline {name}: {ratio:.2f}\n")
    for verdict in verdicts:
        sys.stdout.write(f"  {verdict}\n")
    if args.json:
        figures = {"reports": [asdict(report) for report in reports], "targets": verdicts}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

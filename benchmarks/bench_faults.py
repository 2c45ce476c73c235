"""A scan of the misconfigured lab under injected faults, beside the clean scan: time, retries, findings.

    python benchmarks/bench_faults.py                  # 30 % throttling and 30 % 5xx, 3 runs each
    python benchmarks/bench_faults.py --rate 0.5 --repeat 5

The lab runs in this process (as in tests/robustness); a warm-up scan pays moto's first-use
costs before anything is timed. Each faulted scan uses a fresh seed of the fault harness
(tests/collect/faults.py): every request may be faulted, independently, with no bound on how
often one request is hit in a row. Reported per run: wall time of collection and evaluation,
requests, faults injected, retries by kind, calls that ran out of attempts, and whether the
findings are identical to the clean run's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package (fault harness)

from tests.collect.faults import FaultInjector, FaultKind
from tests.robustness.scanning import comparable, scan_lab

from awsaudit.lab.scenarios import build_scenario
from awsaudit.lab.server import start_lab

MAX_SLOWDOWN = 3.0  # issue 19: a faulted scan takes at most 3x the clean time


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-workers", type=int, default=None)
    args = parser.parse_args()
    options = {} if args.max_workers is None else {"max_workers": args.max_workers}
    lab = start_lab()
    try:
        built = build_scenario("misconfigured", lab)
        scan_lab(lab, built, **options)  # warm-up
        clean_runs = [scan_lab(lab, built, **options) for _ in range(args.repeat)]
        clean = clean_runs[0]
        expected = [comparable(f) for f in clean.result.findings]
        clean_seconds = statistics.median(run.seconds for run in clean_runs)
        out = sys.stdout
        out.write(f"clean: {clean_seconds:.2f} s (median of {args.repeat}), ")
        out.write(f"{sum(clean.snapshot.api_calls.values())} requests\n")
        verdicts = []
        for kind in (FaultKind.THROTTLE, FaultKind.SERVER_ERROR):
            seconds = []
            for seed in range(args.repeat):
                faults = FaultInjector(seed).sometimes(kind, args.rate)
                run = scan_lab(lab, built, [faults.hook], **options)
                same = [comparable(f) for f in run.result.findings] == expected and not run.snapshot.errors
                seconds.append(run.seconds)
                stats = run.snapshot.statistics
                requests = sum(run.snapshot.api_calls.values())
                out.write(
                    f"{kind.value} {args.rate:.0%} seed {seed}: {run.seconds:.2f} s, "
                    f"{requests} requests, {sum(faults.by_kind.values())} faults, "
                    f"retries {stats.get('retries')}, gave up {stats.get('gave_up')}, "
                    f"findings {'identical' if same else 'DIFFERENT'}\n"
                )
                verdicts.append(same)
            slowdown = statistics.median(seconds) / clean_seconds
            ok = slowdown <= MAX_SLOWDOWN
            out.write(f"  {'PASS' if ok else 'MISS'}: {kind.value} median slowdown {slowdown:.2f}x (<= 3x)\n")
        out.write(f"  {'PASS' if all(verdicts) else 'MISS'}: findings identical in every faulted run\n")
    finally:
        lab.stop()


if __name__ == "__main__":
    main()

"""Time to record and to diff the largest synthetic scan in the history store.

    python benchmarks/bench_store.py [--resources 28000] [--store URL]...

Builds bench_evaluate's synthetic snapshot (28,000 resources give about 100,000
findings), evaluates it, and records it as scan 1. A second snapshot changes one
resource in ten (security groups opened and closed, users' MFA flipped) and is
recorded as scan 2; then `awsaudit diff` compares the two scans, findings and
configuration. Each --store gets a fresh database: an SQLite file in a temporary
directory unless given, and PostgreSQL when a URL is given (its tables must be empty).
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

from bench_evaluate import build  # the script's own directory is on sys.path

from awsaudit.audit import evaluate, select
from awsaudit.config import AuditConfig
from awsaudit.history.compare import compare, findings_since
from awsaudit.report.model import ReportModel, build_report_model
from awsaudit.snapshot import Snapshot, save
from awsaudit.store import open_store

REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"]


def _changed(snapshot: Snapshot) -> Snapshot:
    """One resource in ten changes: an SSH rule toggled on its group, MFA toggled on its user."""
    later = copy.deepcopy(snapshot)
    for region in REGIONS:
        for index, group in enumerate(later.datasets["ec2"][region]["SecurityGroups"]):
            if index % 10 == 5:
                group["IpPermissions"][0]["FromPort"] = group["IpPermissions"][0]["ToPort"] = 22
            elif index % 10 == 0:
                group["IpPermissions"][0]["FromPort"] = group["IpPermissions"][0]["ToPort"] = 443
    for index, row in enumerate(later.datasets["iam"]["global"]["CredentialReport"]["Rows"]):
        if index % 10 == 1:
            row["mfa_active"] = "false" if row["mfa_active"] == "true" else "true"
    return later


def _model(snapshot: Snapshot) -> ReportModel:
    return build_report_model(evaluate(snapshot, select(), AuditConfig()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--resources", type=int, default=28_000)
    parser.add_argument("--store", action="append", help="store URL (repeatable; default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="awsaudit-bench-store-") as temporary:
        _run(args.resources, args.store, Path(temporary))


def _run(resources: int, stores: list[str] | None, folder: Path) -> None:
    first = build(resources, REGIONS)
    second = _changed(first)
    paths = [save(first, folder / "first.json.gz"), save(second, folder / "second.json.gz")]
    models = [_model(first), _model(second)]
    print(f"resources={resources} findings={len(models[0].findings)} / {len(models[1].findings)}")
    for url in stores or [f"sqlite:///{folder / 'history.sqlite'}"]:
        with open_store(url) as store:
            location = store.location
            ids = []
            for model, path in zip(models, paths, strict=True):
                started = time.perf_counter()
                ids.append(store.record(model, path))
                print(f"{location}: record scan {ids[-1]}: {time.perf_counter() - started:.2f} s")
            started = time.perf_counter()
            findings_since(store, store.scan(ids[0]), store.scan(ids[1]))
            print(f"{location}: findings diff (the HTML report's): {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        comparison = compare(str(ids[0]), str(ids[1]), url)
        elapsed = time.perf_counter() - started
        counts = {c.value: sum(n.values()) for c, n in comparison.findings.counts().items()}
        changed = len(comparison.configuration.resources) if comparison.configuration else 0
        print(f"{location}: awsaudit diff (findings + snapshots + configuration): {elapsed:.2f} s")
        print(f"  {counts}; {changed} resources changed")


if __name__ == "__main__":
    main()

"""Mutation campaign over real lab snapshots: no mutation may turn a FAIL or UNKNOWN into a PASS.

    python benchmarks/fuzz_snapshots.py --mutations 3000
    python benchmarks/fuzz_snapshots.py --mutations 500 --scenario misconfigured --seed 7
    python benchmarks/fuzz_snapshots.py --mutations 1000 --snapshot saved.json.gz

Each scenario is built in the embedded lab and collected once; the mutations are shared out
between the snapshots. What is mutated, and why some mutations are not made, is described in
tests/robustness/mutations.py (the suite runs a seeded couple of dozen of the same mutations).
Exit status 1 when any mutation flipped a verdict to PASS or crashed the evaluation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.robustness.mutations

import boto3
from tests.robustness.mutations import Campaign, duplicate_key_is_refused, run_campaign

from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.lab.scenarios import build_scenario
from awsaudit.lab.server import start_lab
from awsaudit.snapshot import load

DEFAULT_SCENARIOS = ("misconfigured", "well-configured", "organization")
DUPLICATE_KEY_TRIALS = 50
PROGRESS_EVERY = 250


def lab_documents(scenarios: list[str]) -> dict[str, dict[str, Any]]:
    lab = start_lab()
    documents = {}
    try:
        for name in scenarios:
            lab.reset()
            built = build_scenario(name, lab)
            options = CollectOptions(
                regions=built.regions, endpoint_url=lab.endpoint_url, client_hooks=lab.client_hooks()
            )
            snapshot = collect(boto3.Session(region_name="us-east-1"), options)
            if snapshot.errors:
                print(
                    f"  {name}: {len(snapshot.errors)} collection errors (their checks stay UNKNOWN)",
                    flush=True,
                )
            documents[name] = snapshot.to_json()
    finally:
        lab.stop()
    return documents


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mutations", type=int, default=3000, help="total mutations over all snapshots")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", action="append", help="lab scenario (repeatable)")
    parser.add_argument("--snapshot", action="append", type=Path, help="a saved snapshot instead of the lab")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    started = time.monotonic()
    if args.snapshot:
        documents = {str(path): load(path).to_json() for path in args.snapshot}
    else:
        documents = lab_documents(args.scenario or list(DEFAULT_SCENARIOS))
    share, rest = divmod(args.mutations, len(documents))
    results: dict[str, Campaign] = {}
    for index, (name, document) in enumerate(documents.items()):
        count = share + (1 if index < rest else 0)
        began = time.monotonic()
        results[name] = campaign = run_campaign(
            document, mutations=count, seed=args.seed + index, progress=_progress(name, count)
        )
        print(
            f"{name}: {campaign.mutations} mutations ({_kinds(campaign.by_kind)}), "
            f"{campaign.refused} refused as invalid data, {len(campaign.flips)} flips to PASS, "
            f"{len(campaign.crashes)} crashes, {time.monotonic() - began:.0f} s",
            flush=True,
        )
        for flip in campaign.flips[:20]:
            print(f"  FLIP {flip.mutation.describe()} -> {flip.check} {flip.resource} ({flip.before.value})")
        for crash in campaign.crashes[:20]:
            print(f"  CRASH {crash}")
    duplicate_keys_refused = sum(
        duplicate_key_is_refused(document, args.seed + trial)
        for document in documents.values()
        for trial in range(DUPLICATE_KEY_TRIALS)
    )
    trials = DUPLICATE_KEY_TRIALS * len(documents)
    print(f"duplicated JSON keys: {duplicate_keys_refused} of {trials} files refused on load")
    total = sum(c.mutations for c in results.values())
    flips = sum(len(c.flips) for c in results.values())
    crashes = sum(len(c.crashes) for c in results.values())
    print(f"total: {total} mutations, {flips} flips, {crashes} crashes in {time.monotonic() - started:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "mutations": total,
                    "flips": flips,
                    "crashes": crashes,
                    "duplicate_keys_refused": [duplicate_keys_refused, trials],
                    "per_snapshot": {
                        name: {
                            "mutations": c.mutations,
                            "by_kind": dict(c.by_kind),
                            "refused": c.refused,
                            "flips": [f"{f.mutation.describe()} -> {f.check} {f.resource}" for f in c.flips],
                            "crashes": c.crashes,
                        }
                        for name, c in results.items()
                    },
                },
                indent=2,
            )
        )
    return 1 if flips or crashes or duplicate_keys_refused != trials else 0


def _progress(name: str, total: int) -> Callable[[Campaign], None]:
    def report(campaign: Campaign) -> None:
        if campaign.mutations % PROGRESS_EVERY == 0 and campaign.mutations < total:
            print(
                f"  {name}: {campaign.mutations}/{total}, {len(campaign.flips)} flips, "
                f"{len(campaign.crashes)} crashes",
                flush=True,
            )

    return report


def _kinds(by_kind: Counter[str]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(by_kind.items()))


if __name__ == "__main__":
    sys.exit(main())

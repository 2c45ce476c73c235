"""What checking dataset shapes costs: at collection (shapes + non-finite numbers) and at load.

    python benchmarks/bench_shapes.py SNAPSHOT [SNAPSHOT ...] [--repeat 5]

For each snapshot: its size, the time to parse it with the plain json module and with the
loading hooks (duplicate keys, NaN/Infinity), the time of the shape check alone, of the
collection-time check (shapes and non-finite numbers), and of the whole ``load``. Best of
``--repeat`` runs, on this machine. Collection itself is measured by bench_collect.py; the
collection-time check is the only work shapes add to it.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from awsaudit import snapshot as snapshot_module
from awsaudit.collect.validation import refuse_invalid_datasets
from awsaudit.snapshot import Snapshot, load, validated_datasets


def best(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("snapshots", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for path in args.snapshots:
        measure(path, args.repeat)


def measure(path: Path, repeat: int) -> None:
    raw = path.read_bytes()
    text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    document = json.loads(text)
    datasets = document["datasets"]
    items = sum(
        len(value) if isinstance(value, list) else 1
        for regions in datasets.values()
        for named in regions.values()
        for value in named.values()
    )
    hooks = {
        "object_pairs_hook": snapshot_module._object_without_duplicate_keys,
        "parse_constant": snapshot_module._refuse_non_finite,
        "parse_float": snapshot_module._finite_float,
    }
    plain = best(repeat, lambda: json.loads(text))
    hooked = best(repeat, lambda: json.loads(text, **hooks))
    shapes = best(repeat, lambda: validated_datasets(datasets))

    prepared = [Snapshot.from_json(copy.deepcopy(document)) for _ in range(repeat)]
    collection = best(repeat, lambda: refuse_invalid_datasets(prepared.pop()))
    whole = best(repeat, lambda: load(path))
    print(
        f"{path.name}: {len(text) / 1e6:.1f} MB JSON, {items} top-level items\n"
        f"  parse: plain json {plain * 1000:.0f} ms, with the loading hooks {hooked * 1000:.0f} ms\n"
        f"  shape check {shapes * 1000:.0f} ms; collection-time check (shapes + non-finite) "
        f"{collection * 1000:.0f} ms\n"
        f"  load() in all {whole * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()

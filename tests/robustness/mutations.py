"""Mutation fuzzing of real snapshots: garbled data must never make a FAIL or an UNKNOWN a PASS.

A mutation changes one value of one dataset the way a broken endpoint, a proxy or a future AWS
answer could: a value of the wrong JSON type (``"false"`` for ``false``, ``"14"`` for ``14``), a
non-finite number, an empty list in place of another value, a missing member, an item listed
twice, or an item's twin carrying another item's identifier. The mutated snapshot goes through the
path a collected one takes (``Snapshot.from_json`` and the collection-time shape check) and is
evaluated; every verdict is compared with the unmutated snapshot's, resource by resource. A FAIL or
UNKNOWN that becomes PASS is a *flip*: the mutation made bad or unreadable data look good.

Mutations that describe another valid account are not made, because they may rightly change a
verdict: removing a member the shape declares optional (AWS leaves it out when there is none), or
emptying a list nested inside a resource (a security group whose rules were removed). A duplicated
JSON key is a mutation of the file, not of the data: loading must refuse it.

Used by ``test_snapshot_mutations.py`` (a few seconds, seeded) and by
``benchmarks/fuzz_snapshots.py`` (a campaign of thousands).
"""

from __future__ import annotations

import copy
import json
import random
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsaudit.checks.registry import CheckMeta, all_checks
from awsaudit.checks.runner import run_checks
from awsaudit.collect.validation import refuse_invalid_datasets
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Status
from awsaudit.shapes import SHAPES
from awsaudit.shapes.language import Member, Shape
from awsaudit.snapshot import Snapshot, SnapshotError, load

Step = str | int
Verdicts = dict[tuple[str, str, str], Status]

KINDS = ("wrong_type", "non_finite", "empty_list", "missing_member", "duplicate_item", "shadow_twin")
_IDENTIFIER = re.compile(r"(Id|Arn|ARN|Name|Url|arn|id|name)$")


@dataclass(frozen=True)
class Mutation:
    kind: str
    dataset: tuple[str, str, str]  # service, region, name
    path: tuple[Step, ...]
    detail: str

    def describe(self) -> str:
        where = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in self.path)
        return f"{self.kind} at {'/'.join(self.dataset)}{where}: {self.detail}"


@dataclass(frozen=True)
class Flip:
    mutation: Mutation
    check: str
    resource: str
    region: str
    before: Status
    message: str


@dataclass
class Campaign:
    mutations: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    refused: int = 0  # mutations the shapes refused (the dataset became an InvalidData error)
    flips: list[Flip] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)


def verdicts(findings: Sequence[Finding]) -> Verdicts:
    return {(f.check_id, f.resource, f.region): f.status for f in findings}


def evaluate(
    document: dict[str, Any], checks: Sequence[CheckMeta] | None = None
) -> tuple[Snapshot, list[Finding]]:
    """The path a collected snapshot takes: the model, the collection-time shape check, the checks."""
    snapshot = Snapshot.from_json(document)
    snapshot.errors.extend(refuse_invalid_datasets(snapshot))
    chosen = list(all_checks().values()) if checks is None else list(checks)
    return snapshot, run_checks(snapshot, chosen, AuditConfig())


DatasetKey = tuple[str, str, str]


def datasets_read(document: dict[str, Any]) -> dict[str, set[DatasetKey]]:
    """For each check, the datasets it reads (or asks about) when judging ``document``, each check
    run alone so that analyses shared between checks are built, and their reads seen, by each.

    A check is a pure function of what it reads, so a mutation of one dataset can change only the
    verdicts of the checks that read it: only those are run again.
    """
    reads: dict[str, set[DatasetKey]] = {}
    snapshot = Snapshot.from_json(copy.deepcopy(document))
    current: list[set[DatasetKey]] = [set()]
    _record_reads(snapshot, current)
    for check in all_checks().values():
        current[0] = reads[check.id] = set()
        run_checks(snapshot, [check], AuditConfig())
    return reads


def _record_reads(snapshot: Snapshot, current: list[set[DatasetKey]]) -> None:
    """Note every dataset ``snapshot`` is asked for (or about) in ``current[0]``."""
    dataset, has = snapshot.dataset, snapshot.has

    def recorded_dataset(service: str, region: str, name: str) -> Any:
        current[0].add((service, region, name))
        return dataset(service, region, name)

    def recorded_has(service: str, region: str, name: str) -> bool:
        current[0].add((service, region, name))
        return has(service, region, name)

    snapshot.dataset = recorded_dataset  # type: ignore[method-assign]
    snapshot.has = recorded_has  # type: ignore[method-assign]


class Mutator:
    """Draws mutations of one snapshot document, reproducibly for a seed."""

    def __init__(self, document: dict[str, Any], seed: int) -> None:
        self.document = document
        self.random = random.Random(seed)
        self.datasets = [
            (service, region, name)
            for service, regions in sorted(document["datasets"].items())
            for region, named in sorted(regions.items())
            for name, value in sorted(named.items())
            if value not in ([], {}, None)
        ]

    def mutate(self) -> tuple[Mutation, dict[str, Any]] | None:
        """One mutated copy of the document, or None when the drawn mutation does not apply there."""
        kind = self.random.choice(KINDS)
        key = self.random.choice(self.datasets)
        service, region, name = key
        mutated = copy.deepcopy(self.document)
        holder = mutated["datasets"][service][region]
        shape = SHAPES.get(f"{service}/{name}")
        nodes = list(_nodes(holder[name], (), shape))
        made = getattr(self, f"_{kind}")(holder, name, nodes)
        if made is None:
            return None
        path, detail = made
        return Mutation(kind, key, path, detail), mutated

    # Each mutation edits the document in place and returns (path, what it did), or None.
    def _wrong_type(self, holder: dict[str, Any], name: str, nodes: list[_Node]) -> tuple[Any, str] | None:
        node = self.random.choice(nodes)
        replacement = self.random.choice(_other_types(node.value))
        _replace(holder, name, node.path, replacement)
        return node.path, f"{_kind(node.value)} -> {json.dumps(replacement)[:40]}"

    def _non_finite(self, holder: dict[str, Any], name: str, nodes: list[_Node]) -> tuple[Any, str] | None:
        numbers = [n for n in nodes if isinstance(n.value, int | float) and not isinstance(n.value, bool)]
        node = self.random.choice(numbers or nodes)
        replacement = self.random.choice([float("nan"), float("inf"), float("-inf")])
        _replace(holder, name, node.path, replacement)
        return node.path, f"{_kind(node.value)} -> {replacement}"

    def _empty_list(self, holder: dict[str, Any], name: str, nodes: list[_Node]) -> tuple[Any, str] | None:
        # The dataset itself emptied (an answer of "none"), or a value that is not a list replaced by [].
        candidates = [n for n in nodes if not n.path or not isinstance(n.value, list)]
        node = self.random.choice(candidates)
        _replace(holder, name, node.path, [])
        return node.path, f"{_kind(node.value)} -> []"

    def _missing_member(
        self, holder: dict[str, Any], name: str, nodes: list[_Node]
    ) -> tuple[Any, str] | None:
        members = [
            n
            for n in nodes
            if n.path and isinstance(n.path[-1], str) and not n.declared.optional and not n.in_map
        ]
        if not members:
            return None
        node = self.random.choice(members)
        parent = _at(holder[name], node.path[:-1])
        del parent[node.path[-1]]
        return node.path, "removed"

    def _duplicate_item(
        self, holder: dict[str, Any], name: str, nodes: list[_Node]
    ) -> tuple[Any, str] | None:
        lists = [n for n in nodes if isinstance(n.value, list) and n.value]
        if not lists:
            return None
        node = self.random.choice(lists)
        index = self.random.randrange(len(node.value))
        target = _at(holder[name], node.path)
        target.insert(self.random.choice([index, index + 1]), copy.deepcopy(target[index]))
        return (*node.path, index), "item listed twice"

    def _shadow_twin(self, holder: dict[str, Any], name: str, nodes: list[_Node]) -> tuple[Any, str] | None:
        """A copy of another item that carries this item's identifiers: whichever one a check reads,
        the other's content could hide what this one says."""
        lists = [
            n
            for n in nodes
            if isinstance(n.value, list) and len(n.value) >= 2 and isinstance(n.value[0], dict)
        ]
        if not lists:
            return None
        node = self.random.choice(lists)
        target = _at(holder[name], node.path)
        victim, donor = self.random.sample(range(len(target)), 2)
        if not isinstance(target[victim], dict) or not isinstance(target[donor], dict):
            return None
        twin = copy.deepcopy(target[donor])
        identifiers = [k for k, v in target[victim].items() if isinstance(v, str) and _IDENTIFIER.search(k)]
        if not identifiers:
            return None
        for key in identifiers:
            twin[key] = target[victim][key]
        target.insert(self.random.choice([victim, victim + 1]), twin)
        return (*node.path, victim), f"twin of item {donor} named as item {victim} ({', '.join(identifiers)})"


@dataclass(frozen=True)
class _Node:
    path: tuple[Step, ...]
    value: Any
    declared: Member
    in_map: bool  # a key of a map (tags, attributes): its absence is data


def _nodes(value: Any, path: tuple[Step, ...], shape: Shape | None) -> Iterator[_Node]:
    stack: list[tuple[Any, tuple[Step, ...], Shape | None, Member, bool]] = [
        (value, path, shape, Member(shape, optional=False), False)
    ]
    while stack:
        current, where, current_shape, declared, in_map = stack.pop()
        yield _Node(where, current, declared, in_map)
        if isinstance(current, dict):
            is_map = current_shape is not None and type(current_shape).__name__ == "MapOf"
            for key, child in current.items():
                member = current_shape.member(key) if current_shape is not None else Member(None, False)
                stack.append((child, (*where, key), member.shape, member, is_map))
        elif isinstance(current, list):
            for index, child in enumerate(current):
                member = current_shape.member(index) if current_shape is not None else Member(None, False)
                stack.append((child, (*where, index), member.shape, member, False))


def _at(value: Any, path: Sequence[Step]) -> Any:
    for step in path:
        value = value[step]
    return value


def _replace(holder: dict[str, Any], name: str, path: tuple[Step, ...], replacement: Any) -> None:
    if not path:
        holder[name] = replacement
    else:
        _at(holder[name], path[:-1])[path[-1]] = replacement


def _kind(value: Any) -> str:
    return type(value).__name__


def _other_types(value: Any) -> list[Any]:
    """Values of other JSON types that a broken answer could carry instead of ``value``."""
    if isinstance(value, bool):
        return [str(value).lower(), str(not value).lower(), int(value), int(not value), None]
    if isinstance(value, int | float):
        return [str(value), True, False, None, [value]]
    if isinstance(value, str):
        return [0, 1, True, False, None, [value], {"value": value}]
    if isinstance(value, list):
        return [{}, "", "[]", None, 0]
    if isinstance(value, dict):
        return [[], [value], "", json.dumps(value)[:200], None]
    return ["null", 0, False, [], {}]


def run_campaign(
    document: dict[str, Any], *, mutations: int, seed: int, progress: Callable[[Campaign], None] | None = None
) -> Campaign:
    """``mutations`` mutations of ``document``, each evaluated and compared with the unmutated verdicts."""
    _, base_findings = evaluate(copy.deepcopy(document))
    base = verdicts(base_findings)
    reads = datasets_read(document)
    registry = all_checks()
    mutator = Mutator(document, seed)
    campaign = Campaign()
    while campaign.mutations < mutations:
        drawn = mutator.mutate()
        if drawn is None:
            continue
        mutation, mutated = drawn
        campaign.mutations += 1
        campaign.by_kind[mutation.kind] += 1
        readers = [registry[check_id] for check_id, read in reads.items() if mutation.dataset in read]
        try:
            snapshot, findings = evaluate(mutated, readers)
        except SnapshotError:
            campaign.refused += 1
            continue
        except Exception as crash:  # an evaluation that crashes is a finding of the campaign
            campaign.crashes.append(f"{mutation.describe()}: {type(crash).__name__}: {crash}"[:300])
            continue
        if any(e.code == "InvalidData" for e in snapshot.errors):
            campaign.refused += 1
        for finding in findings:
            before = base.get((finding.check_id, finding.resource, finding.region))
            if before in (Status.FAIL, Status.UNKNOWN) and finding.status is Status.PASS:
                campaign.flips.append(
                    Flip(
                        mutation, finding.check_id, finding.resource, finding.region, before, finding.message
                    )
                )
        if progress is not None:
            progress(campaign)
    return campaign


def duplicate_key_is_refused(document: dict[str, Any], seed: int) -> bool:
    """Repeat one key of one object of the file (the harmless value last): loading must refuse it."""
    chooser = random.Random(seed)
    text = json.dumps(document)
    positions = [m.start() for m in re.finditer(r'"[A-Za-z][A-Za-z0-9]*": ', text)]
    start = chooser.choice(positions)
    key = text[start : text.index(":", start)]
    # A second copy of the key with an empty value, inside the same object, just after the first member.
    end = _member_end(text, text.index(":", start) + 1)
    mutated = f"{text[:end]}, {key}: null{text[end:]}"
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "snapshot.json"
        path.write_text(mutated)
        try:
            load(path)
        except SnapshotError as refusal:
            return "duplicate key" in str(refusal)
    return False


def _member_end(text: str, start: int) -> int:
    """Where the JSON value beginning at ``start`` ends."""
    decoder = json.JSONDecoder()
    index = start
    while text[index] == " ":
        index += 1
    _, end = decoder.raw_decode(text, index)
    return end

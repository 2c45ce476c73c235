"""What a check sees: the snapshot through fail-closed accessors, the config, and result builders."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from awsaudit.checks.registry import CheckMeta
from awsaudit.config import AuditConfig
from awsaudit.findings import Severity, Status
from awsaudit.snapshot import GLOBAL, NotCollected, Snapshot, resource_field

T = TypeVar("T")


@dataclass(slots=True)
class Result:
    """One judgement before it becomes a Finding (the runner adds check and account).

    Not frozen: a check builds one per finding, and a frozen dataclass's constructor costs several
    times a plain one's. Nothing changes a Result after it is built; the Finding made from it is frozen.
    """

    status: Status
    resource: str
    message: str
    region: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None  # overrides the check's default when the evidence warrants it


class Derived:
    """Analyses derived from one snapshot, shared by the checks of one evaluation and dropped with it.

    The runner creates one per evaluation and hands it to every check's context: nothing derived is
    written into the snapshot or kept in module state, so evaluations never see each other's analyses.
    """

    def __init__(self) -> None:
        self._analyses: dict[tuple[str, str], Any] = {}

    def get(self, name: str, region: str, build: Callable[[], T]) -> T:
        key = (name, region)
        if key not in self._analyses:
            self._analyses[key] = build()
        value: T = self._analyses[key]
        return value


class CheckContext:
    """Fail-closed view of one snapshot for one check in one scope (the account or a region)."""

    def __init__(
        self, snapshot: Snapshot, config: AuditConfig, meta: CheckMeta, region: str, derived: Derived
    ) -> None:
        self.snapshot = snapshot
        self.config = config
        self.meta = meta
        self.region = region
        self._derived = derived

    # ------------------------------------------------------------------ data
    @property
    def account_id(self) -> str:
        return self.snapshot.account.account_id

    @property
    def partition(self) -> str:
        return self.snapshot.account.partition

    def dataset(self, service: str, name: str, region: str | None = None) -> Any:
        """A dataset of this scope's region (or ``region``); raises NotCollected when missing."""
        return self.snapshot.dataset(service, region or self.region, name)

    def global_dataset(self, service: str, name: str) -> Any:
        return self.snapshot.dataset(service, GLOBAL, name)

    def regional(self, service: str, name: str) -> Iterator[tuple[str, Any]]:
        """(region, dataset) for every collected region; NotCollected on the first missing one."""
        for region in self.snapshot.regions:
            yield region, self.snapshot.dataset(service, region, name)

    def derived(self, name: str, build: Callable[[], T], region: str | None = None) -> T:
        """An analysis of this snapshot computed once per evaluation and shared by every check that asks.

        ``build`` must be a pure function of the snapshot and region (put anything else it depends
        on, such as configured ports, into ``name``); a NotCollected it raises is not kept, so
        each asking check reports it itself.
        """
        return self._derived.get(name, region or self.region, build)

    def field(self, resource: Mapping[str, Any], name: str, service: str | None = None) -> Any:
        """A resource's sub-call result (e.g. a bucket's Policy); NotCollected when it failed."""
        return resource_field(resource, name, service=service or self.meta.service, region=self.region)

    # ------------------------------------------------------------- resources
    def account_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def scope_arn(self) -> str:
        """The resource a finding about the whole scope names: the account, or the account in a region."""
        if self.region == GLOBAL:
            return self.account_arn()
        return f"arn:{self.partition}:{self.meta.service}:{self.region}:{self.account_id}:account"

    # --------------------------------------------------------------- results
    def passed(
        self,
        resource: str,
        message: str,
        evidence: Mapping[str, Any] | None = None,
        *,
        region: str | None = None,
        severity: Severity | None = None,
    ) -> Result:
        return Result(Status.PASS, resource, message, region or self.region, evidence or {}, severity)

    def failed(
        self,
        resource: str,
        message: str,
        evidence: Mapping[str, Any] | None = None,
        *,
        region: str | None = None,
        severity: Severity | None = None,
    ) -> Result:
        return Result(Status.FAIL, resource, message, region or self.region, evidence or {}, severity)

    def unknown(
        self,
        resource: str,
        message: str,
        evidence: Mapping[str, Any] | None = None,
        *,
        region: str | None = None,
        severity: Severity | None = None,
    ) -> Result:
        return Result(Status.UNKNOWN, resource, message, region or self.region, evidence or {}, severity)

    def manual(
        self,
        resource: str,
        message: str,
        evidence: Mapping[str, Any] | None = None,
        *,
        region: str | None = None,
        severity: Severity | None = None,
    ) -> Result:
        return Result(Status.MANUAL, resource, message, region or self.region, evidence or {}, severity)

    def each(
        self,
        items: Iterable[T],
        resource_of: Callable[[T], str],
        judge: Callable[[T], Result | Iterable[Result]],
        region_of: Callable[[T], str] | None = None,
    ) -> Iterator[Result]:
        """Judge items one by one; data missing for one item, or an item the judge cannot read (a malformed
        or hostile value), makes only that item UNKNOWN."""
        for item in items:
            # Runs for every resource judged: one Result (the common case) is yielded as it is.
            single: Result | None = None
            results: Iterable[Result] = ()
            try:
                outcome = judge(item)
                if isinstance(outcome, Result):
                    single = outcome
                else:
                    results = list(outcome)
            except NotCollected as missing:
                results = [
                    self.unknown(
                        resource_of(item),
                        f"Cannot judge: {missing.dataset} was not collected ({missing.reason})",
                        {
                            "missing": {
                                "service": missing.service,
                                "region": missing.region,
                                "dataset": missing.dataset,
                                "reason": missing.reason,
                            }
                        },
                        region=region_of(item) if region_of else None,
                    )
                ]
            except Exception as unreadable:  # one unreadable item must not sink the judgement of the others
                problem = _brief_problem(unreadable)
                results = [
                    self.unknown(
                        resource_of(item),
                        f"Cannot judge: its data cannot be read ({problem})",
                        {"error": problem},
                        region=region_of(item) if region_of else None,
                    )
                ]
            if single is not None:
                yield single
            else:
                yield from results


_PROBLEM_CHARS = 300


def _brief_problem(error: BaseException) -> str:
    """The exception's type and message, cut short: a message may quote an unbounded hostile value."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= _PROBLEM_CHARS else text[: _PROBLEM_CHARS - 1] + "…"

"""Judge a metric filter pattern by what it matches, not by how it is written."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .corpus import CONTROL_IDS, CorpusEvent, requirements
from .matching import PatternNotEvaluableError, matches_event
from .syntax import FilterPattern, FilterPatternError, parse_filter_pattern


class VerdictStatus(enum.Enum):
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    UNPARSEABLE = "unparseable"
    NOT_EVALUABLE = "not_evaluable"


@dataclass(frozen=True)
class EventOutcome:
    """A corpus event the pattern handled wrongly: eventName plus why it matters."""

    event_id: str
    event_source: str
    event_name: str
    why: str

    def as_evidence(self) -> dict[str, str]:
        return {
            "event": self.event_id,
            "eventSource": self.event_source,
            "eventName": self.event_name,
            "why": self.why,
        }


@dataclass(frozen=True)
class FilterVerdict:
    control_id: str
    cis_version: str
    pattern: str
    status: VerdictStatus
    missed: tuple[EventOutcome, ...] = ()
    wrongly_matched: tuple[EventOutcome, ...] = ()
    error: str | None = None

    @property
    def satisfied(self) -> bool:
        return self.status is VerdictStatus.SATISFIED

    @property
    def summary(self) -> str:
        if self.status is VerdictStatus.SATISFIED:
            return "matches every required event and none of the excluded ones"
        if self.error is not None:
            return self.error
        parts = []
        if self.missed:
            parts.append("misses " + ", ".join(f"{o.event_name} ({o.why})" for o in self.missed))
        if self.wrongly_matched:
            parts.append(
                "also matches " + ", ".join(f"{o.event_name} ({o.why})" for o in self.wrongly_matched)
            )
        return "; ".join(parts)

    def as_evidence(self) -> dict[str, Any]:
        return {
            "control": self.control_id,
            "cis_version": self.cis_version,
            "pattern": self.pattern,
            "status": self.status.value,
            "summary": self.summary,
            "missed": [o.as_evidence() for o in self.missed],
            "wrongly_matched": [o.as_evidence() for o in self.wrongly_matched],
        }


@lru_cache(maxsize=2048)
def evaluate_filter(pattern: str, control_id: str, cis_version: str) -> FilterVerdict:
    """Satisfied when `pattern` matches every must-match event and no must-not-match event of the control."""
    requirement = requirements(control_id, cis_version)
    try:
        parsed = parse_filter_pattern(pattern)
    except FilterPatternError as exc:
        return FilterVerdict(control_id, cis_version, pattern, VerdictStatus.UNPARSEABLE, error=str(exc))
    try:
        missed = tuple(_outcome(e) for e in requirement.must_match if not _matches(parsed, e))
        wrong = tuple(_outcome(e) for e in requirement.must_not_match if _matches(parsed, e))
    except PatternNotEvaluableError as exc:
        return FilterVerdict(control_id, cis_version, pattern, VerdictStatus.NOT_EVALUABLE, error=str(exc))
    status = VerdictStatus.NOT_SATISFIED if missed or wrong else VerdictStatus.SATISFIED
    return FilterVerdict(control_id, cis_version, pattern, status, missed, wrong)


@dataclass(frozen=True)
class FilterControlMatch:
    """Verdicts of one metric filter against every control considered."""

    filter_name: str
    log_group_name: str
    verdicts: Mapping[str, FilterVerdict]

    @property
    def satisfied_controls(self) -> tuple[str, ...]:
        return tuple(control for control, verdict in self.verdicts.items() if verdict.satisfied)


def classify_metric_filters(
    metric_filters: Sequence[Mapping[str, Any]],
    cis_version: str,
    control_ids: Iterable[str] = CONTROL_IDS,
) -> tuple[FilterControlMatch, ...]:
    """For `describe_metric_filters` entries, which control each filter satisfies (and why not the others)."""
    controls = tuple(control_ids)
    return tuple(
        FilterControlMatch(
            filter_name=str(entry.get("filterName", "")),
            log_group_name=str(entry.get("logGroupName", "")),
            verdicts={
                c: evaluate_filter(str(entry.get("filterPattern", "")), c, cis_version) for c in controls
            },
        )
        for entry in metric_filters
    )


def _matches(pattern: FilterPattern, event: CorpusEvent) -> bool:
    return matches_event(pattern, event.record)


def _outcome(event: CorpusEvent) -> EventOutcome:
    return EventOutcome(event.event_id, event.event_source, event.event_name, event.why)

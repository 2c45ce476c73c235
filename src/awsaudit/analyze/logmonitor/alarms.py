"""Whether a CloudWatch alarm on a metric-filter metric fires when one matching event is logged.

A metric filter publishes `metricValue` for every matching event (and `defaultValue`, if set, for
ingested events that do not match). CIS's remediation alarm is Sum >= 1 over one period of 300 s;
we accept any alarm whose statistic, computed over a period that holds exactly one matching event,
breaches the threshold in a single datapoint. Everything else either can never fire on one event
(a problem) or cannot be judged from configuration alone (undetermined).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.errors import quoted


@dataclass(frozen=True)
class MetricRef:
    """One metric a filter publishes, from a `metricTransformations` entry."""

    name: str
    namespace: str
    value: str
    default_value: float | None
    has_dimensions: bool

    @classmethod
    def from_transformation(cls, transformation: Mapping[str, Any]) -> MetricRef:
        default = transformation.get("defaultValue")
        return cls(
            name=str(transformation.get("metricName", "")),
            namespace=str(transformation.get("metricNamespace", "")),
            value=str(transformation.get("metricValue", "")),
            default_value=float(default) if isinstance(default, int | float) else None,
            has_dimensions=bool(transformation.get("dimensions")),
        )


@dataclass(frozen=True)
class AlarmJudgement:
    """Problems make the alarm unable to fire on an event; undetermined items cannot be judged."""

    problems: tuple[str, ...]
    undetermined: tuple[str, ...]

    @property
    def sane(self) -> bool:
        return not self.problems and not self.undetermined


def watched_statistic(alarm: Mapping[str, Any], metric: MetricRef) -> tuple[bool, Mapping[str, Any] | None]:
    """(watches the metric, the statistic source) — the source is None for metric-math expressions."""
    if alarm.get("MetricName") == metric.name and alarm.get("Namespace") == metric.namespace:
        return True, alarm
    queries = [q for q in alarm.get("Metrics") or [] if isinstance(q, Mapping)]
    stat_queries = [q for q in queries if _query_metric(q) == (metric.name, metric.namespace)]
    if not stat_queries:
        return False, None
    returning = [q for q in queries if q.get("ReturnData", True)]
    for query in stat_queries:
        if len(returning) == 1 and returning[0] is query:
            stat = query["MetricStat"]
            watched = stat.get("Metric")
            return True, {
                "Statistic": stat.get("Stat"),
                "Dimensions": watched.get("Dimensions") if isinstance(watched, Mapping) else None,
                "Unit": stat.get("Unit"),
            }
    return True, None


def _query_metric(query: Mapping[str, Any]) -> tuple[str, str] | None:
    stat = query.get("MetricStat")
    if not isinstance(stat, Mapping):
        return None
    metric = stat.get("Metric") or {}
    if not isinstance(metric, Mapping):
        return None
    return str(metric.get("MetricName", "")), str(metric.get("Namespace", ""))


def unreadable_metric(alarm: Mapping[str, Any]) -> str | None:
    """Why the metric an alarm watches cannot be read, or None: an alarm watches one metric (MetricName
    and Namespace, both text) or a list of metric queries; anything else might be the metric we look for."""
    if isinstance(alarm.get("MetricName"), str) and isinstance(alarm.get("Namespace"), str):
        return None
    queries = alarm.get("Metrics")
    if not isinstance(queries, list) or not all(isinstance(q, Mapping) for q in queries):
        return "the metric it watches cannot be read"
    if any(q.get("MetricStat") is not None and _query_metric(q) is None for q in queries):
        return "a metric query it evaluates cannot be read"
    return None


def judge_alarm(alarm: Mapping[str, Any], metric: MetricRef) -> AlarmJudgement:
    """Judge an alarm already known to watch `metric` (see watched_statistic)."""
    problems: list[str] = []
    undetermined: list[str] = []
    _, source = watched_statistic(alarm, metric)
    if source is None:
        undetermined.append(
            "alarm evaluates a metric-math expression; whether one event fires it is not judged"
        )
        return AlarmJudgement((), tuple(undetermined))
    if source.get("Dimensions") and not metric.has_dimensions:
        problems.append("alarm watches dimensions the metric filter never publishes")
    elif metric.has_dimensions:
        term = "one dimension combination" if source.get("Dimensions") else "the metric without dimensions"
        (undetermined if source.get("Dimensions") else problems).append(
            f"the filter publishes the metric with dimensions; the alarm watches {term}"
        )
    observed = _statistic_for_one_event(source, metric, problems, undetermined)
    periods = _datapoints_to_alarm(alarm)
    if periods is None:
        undetermined.append(
            f"EvaluationPeriods {quoted(alarm.get('EvaluationPeriods'))} / DatapointsToAlarm "
            f"{quoted(alarm.get('DatapointsToAlarm'))} cannot be read"
        )
    elif periods > 1:
        problems.append(f"needs {periods} breaching datapoints; one event produces one")
    if observed is not None:
        _compare_with_threshold(
            alarm, observed, _statistic_without_events(source, metric), problems, undetermined
        )
    return AlarmJudgement(tuple(problems), tuple(undetermined))


def _count(value: Any) -> int | None:
    """A positive whole number of periods, or None (absent, a string, a bool, zero...)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _datapoints_to_alarm(alarm: Mapping[str, Any]) -> int | None:
    """How many breaching datapoints fire the alarm: DatapointsToAlarm when set, else EvaluationPeriods
    (which AWS always returns); None when the one that applies cannot be read."""
    if alarm.get("DatapointsToAlarm") is not None:
        return _count(alarm["DatapointsToAlarm"])
    return _count(alarm.get("EvaluationPeriods"))


def _statistic_for_one_event(
    source: Mapping[str, Any], metric: MetricRef, problems: list[str], undetermined: list[str]
) -> float | None:
    try:
        value = float(metric.value)
    except ValueError:
        undetermined.append(f"metric value {quoted(metric.value)} is taken from the event")
        return None
    if not math.isfinite(value):
        undetermined.append(f"metric value {quoted(metric.value)} is not a finite number")
        return None
    if metric.default_value is not None and not math.isfinite(metric.default_value):
        undetermined.append(
            f"the filter's default value {quoted(metric.default_value)} is not a finite number"
        )
        return None
    statistic = source.get("Statistic") or source.get("ExtendedStatistic")
    default = metric.default_value
    if statistic == "Sum":
        return value
    if statistic == "SampleCount":
        return 1.0
    if statistic == "Maximum":
        return value if default is None else max(value, default)
    if statistic == "Minimum":
        return value if default is None else min(value, default)
    if statistic == "Average":
        if default is None or default == value:
            return value
        problems.append(
            f"Average is diluted by the filter's default value {default:g}; one event may never fire it"
        )
        return None
    undetermined.append(f"statistic {quoted(statistic)} is not judged")
    return None


def _statistic_without_events(source: Mapping[str, Any], metric: MetricRef) -> float | None:
    """The statistic of a period with log traffic but no matching event; None when no datapoint exists."""
    default = metric.default_value
    if default is None:
        return None
    # At least one non-matching event was ingested, so Sum is at least the default and SampleCount 1.
    return 1.0 if source.get("Statistic") == "SampleCount" else default


def _compare_with_threshold(
    alarm: Mapping[str, Any],
    observed: float,
    quiet: float | None,
    problems: list[str],
    undetermined: list[str],
) -> None:
    operator = alarm.get("ComparisonOperator")
    threshold = alarm.get("Threshold")
    if operator in ("LessThanThreshold", "LessThanOrEqualToThreshold"):
        problems.append(f"{operator} fires when events are absent, not when one occurs")
        return
    if (
        not isinstance(threshold, int | float)
        or isinstance(threshold, bool)
        or not math.isfinite(threshold)
        or operator not in ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold")
    ):
        undetermined.append(f"comparison {quoted(operator)} with threshold {quoted(threshold)} is not judged")
        return
    inclusive = operator == "GreaterThanOrEqualToThreshold"
    symbol = ">=" if inclusive else ">"

    def breaches(value: float) -> bool:
        return value >= threshold if inclusive else value > threshold

    if not breaches(observed):
        problems.append(f"one event gives {observed:g}, which is not {symbol} threshold {threshold:g}")
    elif quiet is not None and breaches(quiet):
        # An alarm already in ALARM does not notify again: actions run on state changes only.
        problems.append(
            f"periods without matching events give {quiet:g} (the filter's default value), already "
            f"{symbol} threshold {threshold:g}, so the alarm stays in ALARM and a new event notifies nobody"
        )

"""Follow trail → log group → metric filter → alarm → SNS topic → confirmed subscription per control.

Pure: the input is snapshot data with AWS's own field names, grouped by region. A region whose
dataset is None was not collected; a link that needs it is undetermined, never assumed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from awsaudit.errors import quoted

from .alarms import MetricRef, judge_alarm, unreadable_metric, watched_statistic
from .corpus import CONTROL_IDS, requirements
from .trails import TrailQualification, qualify_trail
from .verdict import FilterVerdict, VerdictStatus, evaluate_filter


class ChainOutcome(enum.Enum):
    SATISFIED = "satisfied"
    BROKEN = "broken"
    ORGANIZATION_TRAIL_ELSEWHERE = "organization_trail_elsewhere"
    UNDETERMINED = "undetermined"


class Link(enum.IntEnum):
    """The links in the order a passing chain crosses them."""

    TRAIL = 0
    METRIC_FILTER = 1
    ALARM = 2
    ALARM_ACTION = 3
    SUBSCRIPTION = 4
    COMPLETE = 5


@dataclass(frozen=True)
class RegionMonitoringData:
    """One region's datasets; None marks a dataset that was not collected."""

    trails: Sequence[Mapping[str, Any]] | None
    metric_filters: Sequence[Mapping[str, Any]] | None
    alarms: Sequence[Mapping[str, Any]] | None
    subscriptions: Sequence[Mapping[str, Any]] | None


@dataclass(frozen=True)
class ControlAssessment:
    control_id: str
    cis_version: str
    outcome: ChainOutcome
    reason: str
    broken_link: str | None
    evidence: Mapping[str, Any]


@dataclass(frozen=True)
class _Attempt:
    reached: Link
    reason: str
    undetermined: bool


def assess_monitoring(
    account_id: str,
    cis_version: str,
    regions: Mapping[str, RegionMonitoringData],
    control_ids: Iterable[str] = CONTROL_IDS,
) -> dict[str, ControlAssessment]:
    """Assess every monitoring control for one account."""
    return {control: assess_control(control, cis_version, account_id, regions) for control in control_ids}


def assess_control(
    control_id: str, cis_version: str, account_id: str, regions: Mapping[str, RegionMonitoringData]
) -> ControlAssessment:
    """Assess one control; the account passes when any chain, in any region, is complete."""
    return _ControlChain(control_id, cis_version, account_id, regions).assess()


class _ControlChain:
    def __init__(
        self, control_id: str, cis_version: str, account_id: str, regions: Mapping[str, RegionMonitoringData]
    ) -> None:
        self.control_id = control_id
        self.cis_version = cis_version
        self.account_id = account_id
        self.regions = regions
        requirement = requirements(control_id, cis_version)
        self.required_events = tuple(
            (event.event_source, event.record.get("readOnly") is True) for event in requirement.must_match
        )
        self.attempts: list[_Attempt] = []

    def assess(self) -> ControlAssessment:
        missing_trails = sorted(region for region, data in self.regions.items() if data.trails is None)
        trails = [
            qualify_trail(trail, self.required_events)
            for data in self.regions.values()
            for trail in data.trails or []
        ]
        local = [t for t in trails if t.owner_account == self.account_id]
        foreign_org = [t for t in trails if t.owner_account != self.account_id and t.is_organization_trail]
        chains = [self._follow_trail(trail) for trail in local]
        evidence: dict[str, Any] = {
            "control": self.control_id,
            "cis_version": self.cis_version,
            "trails": [t.as_evidence() for t in trails],
            "chains": chains,
        }
        if missing_trails:
            evidence["trails_not_collected_in"] = missing_trails
        complete = [a for a in self.attempts if a.reached is Link.COMPLETE]
        if complete:
            return self._result(ChainOutcome.SATISFIED, complete[0].reason, None, evidence)
        undetermined = [a for a in self.attempts if a.undetermined]
        if undetermined:
            best = max(undetermined, key=lambda a: a.reached)
            return self._result(ChainOutcome.UNDETERMINED, best.reason, best.reached, evidence)
        covering = [t for t in foreign_org if not _explicitly_disqualified(t)]
        if covering:
            org = covering[0]
            reason = f"covered by organization trail {org.trail_arn}, verify in account {org.owner_account}"
            return self._result(ChainOutcome.ORGANIZATION_TRAIL_ELSEWHERE, reason, None, evidence)
        if missing_trails:
            reason = "trails were not collected in " + ", ".join(missing_trails)
            return self._result(ChainOutcome.UNDETERMINED, reason, Link.TRAIL, evidence)
        if not self.attempts:
            return self._result(
                ChainOutcome.BROKEN, "no CloudTrail trail in this account", Link.TRAIL, evidence
            )
        best = max(self.attempts, key=lambda a: a.reached)
        return self._result(ChainOutcome.BROKEN, best.reason, best.reached, evidence)

    def _result(
        self, outcome: ChainOutcome, reason: str, link: Link | None, evidence: dict[str, Any]
    ) -> ControlAssessment:
        broken = None if link is None else link.name.lower()
        return ControlAssessment(self.control_id, self.cis_version, outcome, reason, broken, evidence)

    def _record(self, reached: Link, reason: str, undetermined: bool = False) -> None:
        self.attempts.append(_Attempt(reached, reason, undetermined))

    def _follow_trail(self, trail: TrailQualification) -> dict[str, Any]:
        chain: dict[str, Any] = {"trail": trail.trail_arn}
        if trail.problems:
            self._record(Link.TRAIL, f"trail {trail.name}: " + "; ".join(trail.problems))
            return chain
        if trail.unknown or trail.log_group is None:
            self._record(Link.TRAIL, f"trail {trail.name}: not collected: " + ", ".join(trail.unknown), True)
            return chain
        group = trail.log_group
        chain["log_group"] = {"region": group.region, "name": group.name}
        if group.account_id != self.account_id:
            self._record(Link.METRIC_FILTER, f"log group {group.name} is in account {group.account_id}", True)
            return chain
        data = self.regions.get(group.region)
        if data is None or data.metric_filters is None:
            self._record(Link.METRIC_FILTER, f"metric filters were not collected in {group.region}", True)
            return chain
        # A filter whose log group cannot be read might be on this group: it makes the link unknown below.
        placeless = [f for f in data.metric_filters if not _text(f.get("logGroupName"))]
        on_group = [f for f in data.metric_filters if f.get("logGroupName") == group.name]
        verdicts = [(f, self._judge_filter(f)) for f in on_group]
        satisfying = [f for f, verdict in verdicts if verdict.satisfied]
        # Once a filter satisfies the control, the verdicts of the group's other filters are noise.
        shown = [(f, v) for f, v in verdicts if v.satisfied] or verdicts
        chain["metric_filters"] = [_filter_evidence(f, verdict) for f, verdict in shown]
        if not satisfying:
            self._record_filter_failure(group.name, [(str(f.get("filterName", "")), v) for f, v in verdicts])
            for metric_filter in placeless:
                self._record(
                    Link.METRIC_FILTER,
                    f"metric filter {quoted(metric_filter.get('filterName'))} names no readable log group; "
                    f"it may be the one on {group.name}",
                    True,
                )
            return chain
        chain["metrics"] = []
        for metric_filter in satisfying:
            name = str(metric_filter.get("filterName", ""))
            transformations = metric_filter.get("metricTransformations")
            problem = _unreadable_transformations(transformations)
            if problem is not None:
                self._record(Link.ALARM, f"metric filter {name} on {group.name}: {problem}", True)
                continue
            chain["metrics"].extend(
                self._follow_metric(group.region, MetricRef.from_transformation(t), name)
                for t in transformations or ()  # a list: checked just above
            )
        if not chain["metrics"] and all(
            _unreadable_transformations(f.get("metricTransformations")) is None for f in satisfying
        ):
            self._record(Link.ALARM, f"metric filter on {group.name} publishes no metric")
        return chain

    def _judge_filter(self, metric_filter: Mapping[str, Any]) -> FilterVerdict:
        pattern = metric_filter.get("filterPattern")
        if not isinstance(pattern, str):
            return FilterVerdict(
                self.control_id,
                self.cis_version,
                "",
                VerdictStatus.UNPARSEABLE,
                error="its filterPattern is missing or not text",
            )
        return evaluate_filter(pattern, self.control_id, self.cis_version)

    def _record_filter_failure(self, log_group: str, verdicts: list[tuple[str, FilterVerdict]]) -> None:
        # An unjudgeable filter might be the one meant for this control, so it makes the link unknown.
        unjudged = [(name, v) for name, v in verdicts if v.error is not None]
        if unjudged:
            name, verdict = unjudged[0]
            self._record(
                Link.METRIC_FILTER,
                f"metric filter {name} on {log_group} cannot be judged: {verdict.error}",
                True,
            )
        elif verdicts:
            name, closest = min(verdicts, key=lambda nv: len(nv[1].missed) + len(nv[1].wrongly_matched))
            self._record(
                Link.METRIC_FILTER,
                f"no metric filter on {log_group} satisfies the control; closest, {name}, {closest.summary}",
            )
        else:
            self._record(Link.METRIC_FILTER, f"log group {log_group} has no metric filters")

    def _follow_metric(self, region: str, metric: MetricRef, filter_name: str) -> dict[str, Any]:
        label = f"{metric.namespace}/{metric.name}"
        evidence: dict[str, Any] = {"filter": filter_name, "metric": label, "alarms": []}
        data = self.regions.get(region)
        if data is None or data.alarms is None:
            self._record(Link.ALARM, f"alarms were not collected in {region}", True)
            return evidence
        watching = [alarm for alarm in data.alarms if watched_statistic(alarm, metric)[0]]
        for alarm in data.alarms:
            problem = unreadable_metric(alarm)
            if problem is not None and alarm not in watching:
                # It might watch this metric: unknown, unless another alarm completes the chain.
                name = alarm.get("AlarmArn", alarm.get("AlarmName"))
                self._record(Link.ALARM, f"alarm {quoted(name)}: {problem}; it may watch {label}", True)
        if not watching:
            self._record(Link.ALARM, f"no alarm watches metric {label}")
        for alarm in watching:
            evidence["alarms"].append(self._follow_alarm(alarm, metric))
        return evidence

    def _follow_alarm(self, alarm: Mapping[str, Any], metric: MetricRef) -> dict[str, Any]:
        name = str(alarm.get("AlarmName", ""))
        judgement = judge_alarm(alarm, metric)
        evidence: dict[str, Any] = {
            "alarm": alarm.get("AlarmArn", name),
            "problems": list(judgement.problems),
            "undetermined": list(judgement.undetermined),
        }
        if not judgement.sane:
            detail = "; ".join(judgement.problems or judgement.undetermined)
            self._record(Link.ALARM, f"alarm {name}: {detail}", not judgement.problems)
            return evidence
        raw_actions = alarm.get("AlarmActions")
        enabled = alarm.get("ActionsEnabled")
        if not isinstance(enabled, bool) or not _strings(raw_actions):
            detail = f"ActionsEnabled {quoted(enabled)} and AlarmActions must be a flag and a list of ARNs"
            self._record(Link.ALARM_ACTION, f"alarm {name}: its actions cannot be read ({detail})", True)
            return evidence
        actions = [str(action) for action in raw_actions or ()]  # a list: checked just above
        if not enabled:
            self._record(Link.ALARM_ACTION, f"alarm {name} has its actions disabled")
            return evidence
        if not actions:
            self._record(Link.ALARM_ACTION, f"alarm {name} has no alarm action")
            return evidence
        topics = [a for a in actions if a.split(":")[2:3] == ["sns"]]
        if not topics:
            self._record(Link.ALARM_ACTION, f"alarm {name} notifies no SNS topic ({', '.join(actions)})")
            return evidence
        evidence["topics"] = [self._follow_topic(name, topic) for topic in topics]
        return evidence

    def _follow_topic(self, alarm_name: str, topic: str) -> dict[str, Any]:
        parts = topic.split(":")
        region, owner = (parts[3], parts[4]) if len(parts) > 5 else ("", "")
        evidence: dict[str, Any] = {"topic": topic}
        data = self.regions.get(region)
        if owner != self.account_id:
            self._record(
                Link.SUBSCRIPTION,
                f"topic {topic} belongs to account {owner}; subscriptions not visible",
                True,
            )
            return evidence
        if data is None or data.subscriptions is None:
            self._record(Link.SUBSCRIPTION, f"SNS subscriptions were not collected in {region}", True)
            return evidence
        on_topic = [s for s in data.subscriptions if s.get("TopicArn") == topic]
        unreadable = [
            s
            for s in data.subscriptions
            if not _text(s.get("TopicArn")) or (s in on_topic and not _text(s.get("SubscriptionArn")))
        ]
        confirmed = [s for s in on_topic if str(s.get("SubscriptionArn", "")).startswith("arn:")]
        evidence["confirmed_subscriptions"] = len(confirmed)
        evidence["unconfirmed_subscriptions"] = len(on_topic) - len(confirmed)
        if confirmed:
            endpoints = ", ".join(f"{s.get('Protocol')}:{s.get('Endpoint')}" for s in confirmed)
            self._record(Link.COMPLETE, f"alarm {alarm_name} notifies {topic} ({endpoints})")
        elif unreadable:
            evidence["unreadable_subscriptions"] = len(unreadable)
            self._record(
                Link.SUBSCRIPTION,
                f"topic {topic} of alarm {alarm_name} has no confirmed subscription in sight, but "
                f"{len(unreadable)} subscription(s) in {region} cannot be read (TopicArn or SubscriptionArn)",
                True,
            )
        else:
            pending = f" ({len(on_topic)} pending confirmation)" if on_topic else ""
            self._record(
                Link.SUBSCRIPTION,
                f"topic {topic} of alarm {alarm_name} has no confirmed subscription{pending}",
            )
        return evidence


def _filter_evidence(metric_filter: Mapping[str, Any], verdict: FilterVerdict) -> dict[str, Any]:
    # Compact on purpose: a log group often carries one filter per control, judged for every control.
    return {
        "filter": metric_filter.get("filterName"),
        "pattern": verdict.pattern,
        "status": verdict.status.value,
        "missed": [o.event_name for o in verdict.missed],
        "wrongly_matched": [o.event_name for o in verdict.wrongly_matched],
        "error": verdict.error,
    }


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _unreadable_transformations(value: Any) -> str | None:
    """Why a filter's metricTransformations cannot be read (each names its metric and namespace), or None."""
    if not isinstance(value, list) or not all(isinstance(t, Mapping) for t in value):
        return "its metricTransformations cannot be read"
    if not all(_text(t.get("metricName")) and _text(t.get("metricNamespace")) for t in value):
        return "a metric transformation names no metric or namespace"
    return None


def _explicitly_disqualified(trail: TrailQualification) -> bool:
    return any(p.startswith(("not a multi-region", "not logging")) for p in trail.problems)

"""CloudWatch Logs filter patterns judged by meaning, and the trail → filter → alarm → SNS chain."""

from .chain import (
    ChainOutcome,
    ControlAssessment,
    Link,
    RegionMonitoringData,
    assess_control,
    assess_monitoring,
)
from .corpus import (
    CIS_VERSIONS,
    CONTROL_IDS,
    ControlRequirement,
    CorpusEvent,
    UnknownControlError,
    requirements,
)
from .matching import PatternNotEvaluableError, matches_event, matches_text
from .syntax import FilterPattern, FilterPatternError, PatternKind, parse_filter_pattern
from .verdict import (
    EventOutcome,
    FilterControlMatch,
    FilterVerdict,
    VerdictStatus,
    classify_metric_filters,
    evaluate_filter,
)

__all__ = [
    "CIS_VERSIONS",
    "CONTROL_IDS",
    "ChainOutcome",
    "ControlAssessment",
    "ControlRequirement",
    "CorpusEvent",
    "EventOutcome",
    "FilterControlMatch",
    "FilterPattern",
    "FilterPatternError",
    "FilterVerdict",
    "Link",
    "PatternKind",
    "PatternNotEvaluableError",
    "RegionMonitoringData",
    "UnknownControlError",
    "VerdictStatus",
    "assess_control",
    "assess_monitoring",
    "classify_metric_filters",
    "evaluate_filter",
    "matches_event",
    "matches_text",
    "parse_filter_pattern",
    "requirements",
]

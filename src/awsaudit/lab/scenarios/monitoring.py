"""CloudWatch Logs metric filter patterns for the 15 CIS monitoring controls (v7 5.1-5.15).

The lab plants the same patterns the checks recommend in their remediation: written from the
controls' audit procedures with explicit grouping (the published route-table and
unauthorized-call texts rely on operator precedence), and valid for CIS 3.0.0, 5.0.0 and 7.0.0.
"""

from __future__ import annotations

from awsaudit.checks.cloudwatch import MONITORED_EVENTS

CIS_FILTER_PATTERNS: dict[str, str] = {
    control.control_id: control.filter_pattern for control in MONITORED_EVENTS
}

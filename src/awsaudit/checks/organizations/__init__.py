"""AWS Organizations checks: one account's membership and guardrails, and organization-wide checks."""

from __future__ import annotations

"""Whole-organization audits: discover member accounts, scan each through an audit role, judge the whole.

``discovery`` lists the organization from management (or delegated administrator) credentials,
``credentials`` obtains short-lived credentials for one account (driver side), ``task`` scans one
account with them (worker side: pure inputs, a small outcome, files on disk), ``runner`` runs the
tasks in a bounded pool, and ``summary`` judges the organization from the outcomes.
"""

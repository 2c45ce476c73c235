"""Organization analyses: the tree, guardrails by what they deny, management-account workloads,
and the context an organization adds to its members' verdicts. Pure functions of snapshots."""

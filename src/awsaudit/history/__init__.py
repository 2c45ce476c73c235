"""What changed between audits: findings that moved, resources whose configuration changed, trends."""

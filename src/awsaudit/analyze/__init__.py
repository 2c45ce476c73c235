"""Pure analyses built from a snapshot: IAM, network exposure, log monitoring."""

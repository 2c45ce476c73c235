"""AWS access for organization scans: discovering accounts, assuming the audit role, account sessions."""

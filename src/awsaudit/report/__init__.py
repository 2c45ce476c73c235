"""Reports: what people read and machines ingest, rendered from one AuditResult."""

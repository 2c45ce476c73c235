"""Reports: what people read and machines ingest, all rendered from one ReportModel."""

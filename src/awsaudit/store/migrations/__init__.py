"""Alembic migrations of the history store, applied programmatically when a store is opened."""

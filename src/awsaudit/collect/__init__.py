"""Collection: the only code that talks to AWS. Turns API responses into a Snapshot."""

"""Three-valued answer to "does this link let the internet through"."""

from enum import StrEnum


class Reach(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"
    """The answer depends on data the snapshot lacks (an uncollected prefix list, a missing group, ...)."""

"""The one exception raised for network data that cannot be interpreted."""


class NetworkDataError(ValueError):
    """A describe-call record has a field the network analysis cannot interpret (bad CIDR, port, ...)."""


class NotAnalysedError(LookupError):
    """An exposure question about a port or interface that the analysis was not run for."""

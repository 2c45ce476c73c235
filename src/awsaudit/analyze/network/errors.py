"""The one exception raised for network data that cannot be interpreted."""


class NetworkDataError(ValueError):
    """A describe-call record has a field the network analysis cannot interpret (bad CIDR, port, ...)."""

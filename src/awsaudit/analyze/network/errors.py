"""The one exception raised for network data that cannot be interpreted."""

from awsaudit.errors import AwsauditError


class NetworkDataError(AwsauditError, ValueError):
    """A describe-call record has a field the network analysis cannot interpret (bad CIDR, port, ...)."""


class NotAnalysedError(AwsauditError, LookupError):
    """An exposure question about a port or interface that the analysis was not run for."""

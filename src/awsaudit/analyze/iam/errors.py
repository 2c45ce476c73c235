"""The one exception the IAM analysis raises for input it cannot understand."""

from awsaudit.errors import AwsauditError


class PolicyParseError(AwsauditError, ValueError):
    """A policy document or authorization-details entry is malformed; the message is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

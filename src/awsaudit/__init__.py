"""awsaudit: audit the security configuration of AWS accounts and organizations."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("awsaudit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

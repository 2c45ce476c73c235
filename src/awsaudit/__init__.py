"""awsaudit: audit the security configuration of AWS accounts and organizations."""

# The package's version, read from here by the build (pyproject.toml): asking the installed
# distribution's metadata instead (importlib.metadata) cost every command about 30 ms of start-up.
__version__ = "0.1.0"

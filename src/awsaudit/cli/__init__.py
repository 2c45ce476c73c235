"""The ``awsaudit`` command line: one module per command group, each parsing options, calling the
library and handing the result to a renderer under ``awsaudit.report``."""

from awsaudit.cli.main import app, main

__all__ = ["app", "main"]

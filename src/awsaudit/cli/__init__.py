"""The ``awsaudit`` command line: one module per command group, each parsing options, calling the
library and handing the result to a renderer under ``awsaudit.report``."""

# Before any module defining dataclasses is imported: their methods' compiled code is cached.
from awsaudit.dataclass_code import install

install()

from awsaudit.cli.main import app, main  # noqa: E402

__all__ = ["app", "main"]

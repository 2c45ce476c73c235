"""What every command group shares: the consoles, the one error guard, list options, client hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, Protocol, TypeVar, runtime_checkable

import typer

from awsaudit.cli import errors
from awsaudit.exit_codes import ExitCode, error_exit_code
from awsaudit.terminal import safe_console

T = TypeVar("T")

# Every command prints through these two: the terminal sanitiser and redaction sit in them.
console = safe_console()
error_console = safe_console(stderr=True)


def fail(message: str, code: int = ExitCode.USAGE) -> NoReturn:
    error_console.print(
        f"awsaudit: error: {errors.one_line(message)}", markup=False, highlight=False, soft_wrap=True
    )
    raise typer.Exit(code)


def guard(action: Callable[[], T]) -> T:
    """Run a command body; an error awsaudit anticipates becomes one line and its exit code."""
    try:
        return action()
    except Exception as problem:
        code = error_exit_code(problem)
        if code is None:
            raise
        errors.anticipated_error(problem, str(problem), code)


def split_list(text: str | None) -> tuple[str, ...] | None:
    """A comma-separated option value; None when it was not given (or names nothing)."""
    if not text:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


@runtime_checkable
class ClientHookSource(Protocol):
    """What a command group may leave in the click context for the collectors' boto3 clients."""

    def client_hooks(self, endpoint_url: str | None) -> tuple[Callable[[Any], None], ...]: ...


def client_hooks(ctx: typer.Context, endpoint_url: str | None) -> tuple[Callable[[Any], None], ...]:
    """The hooks a parent command group installed (`awsaudit lab …` installs the emulator's); none in
    production, where nothing is installed."""
    source = ctx.obj
    return source.client_hooks(endpoint_url) if isinstance(source, ClientHookSource) else ()

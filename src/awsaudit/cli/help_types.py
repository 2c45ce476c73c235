"""Plain option types in ``--help``: TEXT, INTEGER, PATH, the choices; nothing for a flag.

Typer renders an option's Python annotation (``<list[str]>``, ``<bool>``), which reads as
code to a user. Each option without an explicit metavar, and each argument, gets the plain name of its type.
"""

from __future__ import annotations

from typing import Any, get_args

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

_NUMBERS = {int: "INTEGER", float: "NUMBER"}


def plain_type(option: TyperOption | TyperArgument) -> str:
    if isinstance(option, TyperOption) and option.is_flag:
        return ""
    described = option.type_descriptor
    if described.is_choice:
        return "|".join(str(getattr(choice, "value", choice)) for choice in described.choices or ())
    if described.is_path or described.is_file:
        return "PATH"
    if described.is_datetime:
        return "DATE"
    kind = get_args(described.annotation)[0] if described.is_list else described.annotation
    return _NUMBERS.get(kind, "TEXT")


def use_plain_help_types(command: Any) -> Any:
    """Give every option of ``command`` and its subcommands a plain metavar; returns ``command``."""
    # --help is built lazily and cached; building it now lets it lose its `<bool>` too.
    help_option = command.get_help_option(typer.Context(command))
    for param in (*command.params, help_option):
        if isinstance(param, TyperOption) and param.metavar is None:
            param.metavar = plain_type(param)
        elif isinstance(param, TyperArgument):
            # An argument's metavar is its name in the usage line; its type column has no setting.
            word = plain_type(param)
            setattr(param, "display_type_rich", lambda ctx, word=word: word)  # noqa: B010
    for sub in getattr(command, "commands", {}).values():
        use_plain_help_types(sub)
    return command


class PlainHelpGroup(TyperGroup):
    """The top-level group: built after its subcommands, it gives the whole tree plain types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_plain_help_types(self)

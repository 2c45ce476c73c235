"""`--help` names option types in plain words (TEXT, INTEGER, PATH), never Python annotations."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from awsaudit.cli.main import app

# What Typer prints for an annotation: <str>, <bool>, <list[str]>, <int range>, <path>.
ANNOTATION = re.compile(r"<(?:str|bool|int|float|path|list\[[^\]]*\])[^>]*>")


def _command_paths(cmd: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, sub in getattr(cmd, "commands", {}).items():
        paths.extend(_command_paths(sub, (*prefix, name)))
    return paths


ROOT = typer.main.get_command(app)


@pytest.mark.parametrize("path", _command_paths(ROOT), ids=lambda path: " ".join(path) or "awsaudit")
def test_every_help_page_shows_plain_option_types(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert ANNOTATION.findall(result.output) == []


def test_types_read_as_words_and_flags_show_none() -> None:
    output = CliRunner().invoke(app, ["scan", "--help"], terminal_width=200).output
    line = {row.split()[1]: row for row in output.splitlines() if row.startswith("│ --")}
    assert " TEXT " in line["--output-format"]
    assert " PATH " in line["--snapshot"]
    assert " INTEGER " in line["--max-workers"]
    flag_columns = line["--no-store"].split("│")[1].split()
    assert flag_columns[0] == "--no-store" and flag_columns[1] == "Do"


def test_the_annotation_pattern_would_catch_typer_defaults() -> None:
    assert ANNOTATION.findall("--x <list[str]> --y <bool> --z <int range> --p <path>") == [
        "<list[str]>",
        "<bool>",
        "<int range>",
        "<path>",
    ]

"""docs/cli.md, the command reference, written from the commands' own `--help`.

    python -m cli.docs > docs/cli.md

A test regenerates it and compares, so the page always says what `--help` says.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import typer.core
from typer.testing import CliRunner

from cli.main import COMMANDS, app, load_command

WIDTH = 80
ANSI = re.compile(r"\x1b\[[0-9;]*m")

INTRO = """# Command reference

Every `adjudicator` command and what `--help` prints for it. Messages and error reports are in
Chinese; `--lang en` (or `ADJUDICATOR_LANG=en`) shows them in English. Options marked `*` are
required; an option with an environment variable can be given by it instead (`--db` by
`ADJUDICATOR_DATABASE_URL`, `--as` by `ADJUDICATOR_USER`).

This page is written from the commands themselves (`python -m cli.docs > docs/cli.md`), so it
always matches the installed program.
"""


def _below(command: object, path: list[str]) -> Iterator[list[str]]:
    yield path
    if isinstance(command, typer.core.TyperGroup):
        for name, sub in command.commands.items():
            yield from _below(sub, [*path, name])


def _paths() -> Iterator[list[str]]:
    """Every command path, a group before its commands, in the order --help lists them."""
    yield []
    for name in COMMANDS:
        yield from _below(load_command(name), [name])


def _help(path: list[str]) -> str:
    from typer import rich_utils

    width, rich_utils.MAX_WIDTH = rich_utils.MAX_WIDTH, WIDTH  # whatever TERMINAL_WIDTH says
    try:
        result = CliRunner().invoke(app, [*path, "--help"], terminal_width=WIDTH, color=False,
                                    env={"ADJUDICATOR_LANG": "", "NO_COLOR": "1",
                                         "COLUMNS": str(WIDTH)})
    finally:
        rich_utils.MAX_WIDTH = width
    if result.exit_code != 0:
        raise RuntimeError(f"adjudicator {' '.join(path)} --help failed: {result.output}")
    lines = [line.rstrip() for line in ANSI.sub("", result.output).splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def render() -> str:
    """The whole page."""
    parts = [INTRO]
    for path in _paths():
        title = " ".join(["adjudicator", *path])
        level = "#" * (2 + len(path))
        parts.append(f"{level} `{title}`\n\n```text\n{_help(path)}\n```\n")
    return "\n".join(parts)


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()

"""docs/cli.md says what the commands' `--help` says: it is regenerated here and compared
(`python -m cli.docs > docs/cli.md` rewrites it after a command or its help changes)."""

from __future__ import annotations

import re
from pathlib import Path

from cli.docs import render
from cli.main import COMMANDS

PAGE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    expected = render()
    actual = PAGE.read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run python -m cli.docs > docs/cli.md"


def test_cli_reference_has_every_command() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"### `adjudicator {name}`" in page
    assert "#### `adjudicator pay reconcile`" in page
    assert "##### `adjudicator calendar day-off add`" in page


def test_readme_links_the_reference() -> None:
    readme = (PAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "(docs/cli.md)" in readme


def test_no_help_line_is_cut() -> None:
    """At 80 columns rich cuts with … a line it cannot fit: a run of Chinese wider than its
    column, or a wrapped line of Chinese and English that reaches the column's edge. Every help
    text shows whole: its Chinese on lines of its own, short enough for the column."""
    page = PAGE.read_text(encoding="utf-8")
    assert [line for line in page.splitlines() if re.search(r"…\s?│$", line)] == []


def _chinese_first(text: str) -> bool:
    """A CJK character within the first few characters: the Chinese comes first."""
    return any("\u4e00" <= char <= "\u9fff" for char in text.strip()[:4])


def test_every_help_text_is_chinese_first() -> None:
    """Every command's summary and every option's and argument's help start in Chinese (the
    English kept after it for developers), walking the commands as cli.docs does."""
    import inspect

    import typer.core
    import typer.main
    from typer import _click

    from cli.docs import _below
    from cli.main import app, load_command

    def texts(command: object, path: list[str]) -> list[tuple[str, str]]:
        assert isinstance(command, _click.Command)
        help_text = command.short_help or command.help or ""
        summary = inspect.cleandoc(help_text).split("\n\n")[0]
        found = [(" ".join(["adjudicator", *path]), summary)]
        # typer's own options (--help, the shell completion's) too: typer words them in
        # English only ("Show this message and exit." under every command)
        for param in command.get_params(_click.Context(command)):
            if getattr(param, "hidden", False):
                continue
            found.append((f"{' '.join(['adjudicator', *path])} {param.name}",
                          getattr(param, "help", None) or ""))
        return found

    every = texts(typer.main.get_command(app), [])
    for name in COMMANDS:
        root = load_command(name)
        for path in _below(root, [name]):
            command = root
            for part in path[1:]:
                assert isinstance(command, typer.core.TyperGroup)
                command = command.commands[part]
            every += texts(command, path)
    assert len(every) > 300
    assert [(where, text) for where, text in every if not _chinese_first(text)] == []


def test_the_help_panels_are_titled_in_chinese_first() -> None:
    """Every help drew its panels under typer's English titles (Options, Arguments,
    Commands)."""
    from typer.testing import CliRunner

    from cli.main import app

    for path in ([], ["tariff"], ["tariff", "validate"]):
        shown = CliRunner().invoke(app, [*path, "--help"], env={"ADJUDICATOR_LANG": ""}).output
        assert "选项 Options" in shown and "显示本帮助后退出。" in shown, shown
        assert ("命令 Commands" in shown) == (len(path) < 2)
        assert ("参数 Arguments" in shown) == (len(path) == 2)

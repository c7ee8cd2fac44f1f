"""docs/cli.md says what the commands' `--help` says: it is regenerated here and compared
(`python -m cli.docs > docs/cli.md` rewrites it after a command or its help changes)."""

from __future__ import annotations

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

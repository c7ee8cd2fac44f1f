"""What every command shares: failing with a one-line reason, JSON output, the console."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from adjudicator.storage.context import Context

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop the command with a one-line reason on stderr and a non-zero exit status."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def refused(*refusals: type[Exception]) -> Iterator[None]:
    """Turn a service's refusal (one of `refusals`) into the command's one-line failure."""
    try:
        yield
    except refusals as exc:
        fail(str(exc))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


DbOption = typer.Option("--db", envvar="ADJUDICATOR_DATABASE_URL",
                        help="Database URL (default: the SQLite file adjudicator.db here).",
                        show_envvar=True)
AsOption = typer.Option("--as", envvar="ADJUDICATOR_USER",
                        help="Act as this user (every command acts as a named user).",
                        show_envvar=True)
JsonOption = typer.Option("--json", help="Output JSON.")


def context(db: str | None, user: str | None) -> Context:
    """The service context for a command, or a one-line failure saying what is missing."""
    from sqlalchemy.exc import OperationalError

    from adjudicator.storage.context import DatabaseNotReady, UnknownUser, open_context

    if not user:
        fail("say who is acting: --as USER or ADJUDICATOR_USER")
    try:
        return open_context(db, user)
    except (UnknownUser, DatabaseNotReady) as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(f"cannot open the database: {exc.orig}")

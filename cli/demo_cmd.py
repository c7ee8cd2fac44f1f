"""`adjudicator demo`: the whole workflow on a synthetic county, in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from adjudicator.messages import Message
from cli.common import console, fail, print_table


def demo(
    out: Annotated[Path, typer.Option("--out", help="Where the database and documents go "
                                                    "(rewritten on each run).")]
    = Path("demo-output"),
    households: Annotated[int, typer.Option("--households", min=10,
                                            help="Households in the county.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic county.")] = 2026,
) -> None:
    """Generate a realistic synthetic county and run the whole workflow on SQLite."""
    from adjudicator.demo import run_demo

    try:
        summary = run_demo(out, households=households, seed=seed,
                           say=lambda text: console.print(f"• {text}", highlight=False))
    except Exception as exc:
        fail(Message("cli.demo_stopped", detail=f"{type(exc).__name__}: {exc}"))
    table = Table("what", "where", title="demo output")
    for what, path in summary.files.items():
        table.add_row(what, str(path))
    print_table(table)
    console.print(f"database: {summary.database}  (try: adjudicator report --db "
                  f"{summary.database} --as sun)", highlight=False)
    if summary.figures["replay_differences"] or not summary.figures["chain_ok"]:
        fail(Message("cli.demo_check_failed"))

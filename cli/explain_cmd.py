"""`adjudicator explain`: a decision in words, with its rule trace and band breakdown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from adjudicator.explain import band_table, explain_decision
from cli.common import console, fail, print_json


def _decisions_in(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                fail(f"{path}:line {number}: not JSON ({exc})")
            if "trace" in data:  # error lines of `evaluate` are skipped
                yield data


def render_decision(decision: dict[str, Any], lang: str) -> None:
    for line in explain_decision(decision, lang):
        console.print(line, highlight=False, markup=False)
    rows = band_table(decision)
    if rows:
        title = "分段赔付" if lang == "zh" else "Bands"
        table = Table("from", "to", "rate", "amount", title=title)
        for row in rows:
            table.add_row(*row)
        console.print(table)


def explain(
    target: Annotated[str, typer.Argument(help="A claim id (stored decision), or a file of "
                                               "decision JSON lines written by `evaluate`.")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    claim: Annotated[str | None, typer.Option("--claim", help="With a file: only this claim.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Output the decision JSON.")] = False,
) -> None:
    """Explain decisions in plain Chinese or English: reasons, every rule, band breakdown."""
    if lang not in ("zh", "en"):
        fail("--lang must be zh or en")
    path = Path(target)
    if not path.is_file():
        fail(f"{target}: no such decisions file (stored claims are explained once a database "
             "is set up)")
    shown = 0
    for decision in _decisions_in(path):
        if claim is not None and decision["claim_id"] != claim:
            continue
        shown += 1
        if as_json:
            print_json(decision)
        else:
            render_decision(decision, lang)
            console.print()
    if shown == 0:
        fail(f"no decision{' for claim ' + claim if claim else ''} in {target}")

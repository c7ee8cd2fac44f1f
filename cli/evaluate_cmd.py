"""`adjudicator evaluate`: pure mode, cases in, decisions out, no database."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from adjudicator.evaluate import (
    EvaluationCounts,
    evaluate_documents,
    evaluate_parallel,
    iter_documents,
)
from adjudicator.tariff import TariffError, load_tariff
from cli.common import err_console, fail


def evaluate(
    cases: Annotated[Path, typer.Argument(help="Cases as JSON Lines, a JSON array or one JSON "
                                                "object; '-' reads standard input.")],
    tariff: Annotated[Path, typer.Option("--tariff", "-t", help="Tariff TOML file.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write decisions here "
                                                                 "instead of stdout.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes deciding chunks "
                                                                  "of cases; output order is "
                                                                  "kept.")] = 1,
) -> None:
    """Adjudicate cases against a tariff: one decision JSON line per case, in input order.

    A malformed case gives an error line naming the case and each field at fault; the run
    goes on and exits with status 1 at the end.
    """
    try:
        loaded = load_tariff(tariff)
    except TariffError as exc:
        fail(str(exc).replace("\n", "; "))
    counts = EvaluationCounts()
    with ExitStack() as stack:
        if str(cases) == "-":
            source, stream = "<stdin>", sys.stdin
        else:
            if not cases.is_file():
                fail(f"{cases}: no such file")
            source, stream = str(cases), stack.enter_context(cases.open(encoding="utf-8"))
        sink = (stack.enter_context(out.open("w", encoding="utf-8")) if out is not None
                else sys.stdout)
        documents = iter_documents(stream, source)
        lines = (evaluate_documents(documents, loaded, counts) if workers == 1 else
                 evaluate_parallel(documents, tariff.read_bytes(), str(tariff), counts, workers))
        try:
            for line in lines:
                sink.write(line)
                sink.write("\n")
        except (ValueError, UnicodeDecodeError) as exc:
            fail(str(exc))
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.outcomes.items()))
    err_console.print(f"{counts.cases} cases: {summary or 'no decisions'}; "
                      f"{counts.errors} malformed", highlight=False)
    if counts.errors:
        raise typer.Exit(1)

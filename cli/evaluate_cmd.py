"""`adjudicator evaluate`: pure mode, cases in, decisions out, no database."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from adjudicator.evaluate import Engine, evaluate_stream
from adjudicator.messages import Message, Tally
from adjudicator.rules.tariff import TariffError, load_tariff
from cli.common import (
    MOST_WORKERS,
    err_console,
    fail,
    file_problems,
    not_over_inputs,
    refused,
    require_file,
)
from schemas.vocabulary import OUTCOMES, Words


class EngineChoice(StrEnum):
    COLUMNAR = "columnar"
    SCALAR = "scalar"


def evaluate(
    cases: Annotated[Path, typer.Argument(help="案件：JSON Lines、JSON 数组或单个 JSON "
                                                "对象；'-' 读标准输入。\n\n"
                                                "Cases as JSON Lines, a JSON array or one JSON "
                                                "object; '-' reads standard input.")],
    tariff: Annotated[Path, typer.Option("--tariff", "-t", help="保障方案 TOML 文件。\n\n"
                                                                "Tariff TOML file.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="理算结论写到此文件，\n\n"
                                                                 "不打印到屏幕。\n\n"
                                                                 "Write decisions here "
                                                                 "instead of stdout.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=MOST_WORKERS,
                                         help="并行理算的进程数，\n\n"
                                              "输出顺序不变。\n\n"
                                              "Processes deciding chunks "
                                              "of cases; output order is "
                                              "kept.")] = 1,
    engine: Annotated[EngineChoice, typer.Option(
        "--engine", help="理算方式（结论逐字节相同）：\n\n"
                         "columnar 成批理算；scalar 逐案理算，用于对照。"
                         "\n\n"
                         "The same decisions byte for byte either way: columnar decides "
                         "chunks of cases at once; scalar is the one-case-at-a-time "
                         "reference, for cross-checks.")] = EngineChoice.COLUMNAR,
) -> None:
    """理算：按保障方案逐案理算，每案一行理算结论 JSON，顺序同输入。
    Adjudicate cases against a tariff: one decision JSON line per case, in input order.

    格式有误的案件输出一行错误，写明案件和每个出错字段；其余照常理算，最后退出码为 1。
    A malformed case gives an error line naming the case and each field at fault; the run
    goes on and exits with status 1 at the end.
    """
    not_over_inputs("--out", out, cases, tariff)
    try:
        loaded = load_tariff(tariff)
    except TariffError as exc:
        fail(Message("cli.tariff_invalid", detail=file_problems(exc)))
    chosen: Engine = "scalar" if engine is EngineChoice.SCALAR else "columnar"
    with ExitStack() as stack:
        if str(cases) == "-":
            source, stream = "<stdin>", sys.stdin.buffer
        else:
            require_file(cases)
            source, stream = str(cases), stack.enter_context(cases.open("rb"))
        sink = (stack.enter_context(out.open("wb")) if out is not None
                else sys.stdout.buffer)
        with refused(ValueError, UnicodeDecodeError):
            counts = evaluate_stream(stream, source, loaded, sink, workers=workers,
                                     engine=chosen)
        sink.flush()
    outcomes = Tally((OUTCOMES.get(k, Words(k, k)), v) for k, v in sorted(counts.outcomes.items()))
    err_console.print(Message("evaluate.summary", cases=counts.cases, outcomes=outcomes,
                              errors=counts.errors), highlight=False)
    if counts.errors:
        raise typer.Exit(1)

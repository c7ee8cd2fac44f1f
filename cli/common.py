"""What every command shares: failing with a one-line reason (in Chinese unless --lang en),
JSON output, the console."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from adjudicator.messages import CATALOGUE, LANGS, Message, Text, current_lang, render, set_lang

if TYPE_CHECKING:
    from adjudicator.storage.context import Context

#: The years a command may be asked about (--year): the program's years, with room on either
#: side; another number (-1, 0, 20260) is a typing mistake, refused as a usage error.
YEAR_MIN, YEAR_MAX = 2000, 2100


def a_year(value: int | None) -> int | None:
    """A year option's or argument's check (`callback=a_year`): YEAR_MIN to YEAR_MAX."""
    if value is not None and not YEAR_MIN <= value <= YEAR_MAX:
        raise typer.BadParameter(Message("cli.bad_year", year=value, least=YEAR_MIN,
                                         most=YEAR_MAX).render())
    return value

#: The most worker processes a command starts (--workers): more is a typing mistake that
#: would start thousands of processes.
MOST_WORKERS = 64

console = Console()
err_console = Console(stderr=True)


def fail(message: Text | Exception, code: int = 1) -> NoReturn:
    """Stop the command with a one-line reason on stderr and a non-zero exit status: a
    Message or a refusal in the current language, or text already worded for a person."""
    prefix = Message("cli.error").render()
    text = refusal_text(message) if isinstance(message, Exception) else render(message)
    err_console.print(f"[bold red]{prefix}[/]{escape(text)}", highlight=False,
                      soft_wrap=True)
    raise typer.Exit(code)


def require_file(path: Path) -> None:
    """A file to read that is a folder, or is not there: one line saying which."""
    if path.is_dir():
        fail(Message("cli.is_folder", path=path))
    if not path.is_file():
        fail(Message("cli.no_such_file", path=path))


def not_over_inputs(option: str, out: Path | None, *inputs: Path | None) -> None:
    """Refuse an output (`option`) that is one of the files the command reads: opening it to
    write would empty it before it is read, or replace it once read."""
    from adjudicator.intake.report import same_file

    if out is not None and any(read is not None and same_file(out, read) for read in inputs):
        fail(Message("cli.out_is_input", option=option, path=out))


def distinct_outputs(*paths: Path | None) -> None:
    """Refuse two outputs of one command naming the same file (--pdf and --xlsx): the second
    would replace the first and both be reported written."""
    from adjudicator.intake.report import same_file

    given = [path for path in paths if path is not None]
    for index, path in enumerate(given):
        if any(same_file(path, other) for other in given[index + 1:]):
            fail(Message("cli.same_output", path=path))


def file_problems(exc: Exception, separator: str = "; ") -> str:
    """Every problem of a tariff or contract file (TariffError, ContractError), each naming
    the file and the key at fault, in the current language."""
    from adjudicator.messages import problem_lines

    return separator.join(problem_lines(getattr(exc, "source", ""),
                                        list(getattr(exc, "problems", []))))


def refusal_text(exc: Exception) -> str:
    """A service's refusal for a person: its own message when it has one in both languages,
    else the Chinese words the web app shows for it, with the service's reason after them
    (in English: `--lang en` shows that reason alone)."""
    from adjudicator.messages import LocalizedError

    if isinstance(exc, LocalizedError):
        return exc.localized()
    from adjudicator.rules.tariff import TariffError

    if isinstance(exc, TariffError):
        return Message("cli.tariff_invalid", detail=file_problems(exc)).render()
    from adjudicator.web.errors import REFUSALS, refusal

    if isinstance(exc, REFUSALS):
        answer = refusal(exc)
        return Message("cli.detail", message=answer.message.rstrip("。"),
                       detail=answer.detail or str(exc)).render()
    text = str(exc)
    if any("\u4e00" <= char <= "\u9fff" for char in text):  # worded in Chinese already
        return text
    return Message("cli.refused", detail=text).render()


@contextmanager
def refused(*refusals: type[Exception]) -> Iterator[None]:
    """Turn a service's refusal (one of `refusals`) into the command's one-line failure."""
    try:
        yield
    except refusals as exc:
        fail(refusal_text(exc))


def choose_lang(lang: str | None, *, command: bool = True) -> None:
    """Apply a --lang option (zh or en). A command's None keeps the language chosen before
    it; the application's None (no --lang, no ADJUDICATOR_LANG) starts from Chinese."""
    if lang is None and command:
        return
    if lang is not None and lang not in LANGS:
        set_lang(None)
        fail(Message("cli.bad_lang"))
    set_lang(lang)


LangOption = typer.Option("--lang", envvar="ADJUDICATOR_LANG", show_envvar=True,
                          help="提示和报错的语言：zh（默认）或 en。\n\n"
                          "Language of messages and error reports: zh (default) or en.")


#: Column headers (catalogue keys) of an identifier a person acts on.
IDENTIFIER_KEYS = ("col.claim", "col.household", "col.notice", "col.sample", "col.user",
                   "col.seq", "col.id")

#: Columns holding an identifier a person acts on (copies into the next command): never cut.
IDENTIFIER_COLUMNS = frozenset({"claim", "claim_id", "household", "household_id", "notice",
                                "notice_no", "sample", "id", "user", "seq", "#", "方案编号",
                                "SHA-256", "案件编号", "户编号",
                                *(text for key in IDENTIFIER_KEYS for text in CATALOGUE[key])})


def worded_table(*headers: str | Column, title: Text | None = None, **options: Any) -> Table:
    """A table whose headers are catalogue keys (a Column's header as well) and whose title is
    a message or a key, all in the current language."""
    columns: list[str | Column] = []
    for header in headers:
        if isinstance(header, Column):
            header.header = Message(str(header.header)).render()
            columns.append(header)
        else:
            columns.append(Message(header).render())
    if isinstance(title, str):
        title = Message(title)
    return Table(*columns, title=None if title is None else title.render(), **options)


def category_namer(ctx: Context) -> Callable[[str], str]:
    """How a claim category is shown: in Chinese the stored tariffs' own label (生产经营 for
    a tariff's `production`) or the built-in's (因病); in English the built-in's word, else
    the code."""
    from schemas.vocabulary import CLAIM_CATEGORIES, word

    lang = current_lang()
    labels: dict[str, str] = {}
    if lang == "zh":
        from adjudicator.services.tariffs import stored_category_labels

        with ctx.factory() as session:
            labels = stored_category_labels(session)
    return lambda code: labels.get(code) or word(CLAIM_CATEGORIES, code, lang)


#: Column headers (catalogue keys) of an amount in yuan: folded, 31023.94 read as 31023.9.
AMOUNT_KEYS = ("col.payout", "col.amount", "col.total", "fund.col.yuan", "audit.col.at_stake",
               "audit.col.received", "audit.col.granted", "report.col.approved_amount",
               "report.col.paid_amount")

#: Columns of amounts: as wide as their widest amount, their header folding if need be.
AMOUNT_COLUMNS = frozenset(text for key in AMOUNT_KEYS for text in CATALOGUE[key])


def keep_ids(table: Table, identifiers: frozenset[str] = IDENTIFIER_COLUMNS,
             width: int | None = None) -> Table:
    """Fit a filled table to any width (80 columns in a pipe or a narrow terminal) without
    cutting an identifier: its columns never wrap and are as wide as their longest cell; an
    amount's column is as wide as its widest amount (31023.94 never folded into 31023.9 and
    4) when the table then still fits `width`; every other column folds its text onto more
    lines instead of ending it with "…"."""
    amounts = []
    for column in table.columns:
        widths = [cell_len(str(cell)) for cell in column.cells]
        if str(column.header) in identifiers:
            column.no_wrap = True
            column.min_width = max([cell_len(str(column.header)), *widths])
            continue
        if str(column.header) in AMOUNT_COLUMNS and widths:
            column.min_width = max(widths)
            amounts.append(column)
        if column.overflow == "ellipsis":
            column.overflow = "fold"
    if width is not None and amounts and _narrowest(table) > width:
        for column in amounts:  # too many columns for whole amounts: folded, never cropped
            column.min_width = None
    return table


def amounts_whole(fitted: Table, width: int) -> bool:
    """Whether a table fitted by `keep_ids` shows every amount whole on one line when drawn
    `width` columns wide (true for a table without amounts)."""
    amounts = {str(cell) for column in fitted.columns if str(column.header) in AMOUNT_COLUMNS
               for cell in column.cells}
    if not amounts:
        return True
    drawn = Console(width=width, file=io.StringIO(), color_system=None)
    drawn.print(fitted)
    lines = drawn.file.getvalue().splitlines()  # type: ignore[attr-defined]
    return all(any(amount in line for line in lines) for amount in amounts)


def print_blocks(table: Table) -> None:
    """A table too wide for the console to show its amounts whole (80 columns), a block a
    row: its first column's "header：value" as a heading, then one such line per other
    column."""
    if table.title:
        console.print(table.title, style="bold", highlight=False)
    columns = table.columns
    colon = "：" if current_lang() == "zh" else ": "
    labels = [" ".join(str(column.header).split()) for column in columns]
    for row in zip(*(list(column.cells) for column in columns), strict=True):
        console.print()
        console.print(f"[bold]{escape(labels[0])}{colon}{escape(str(row[0]))}[/]",
                      highlight=False)
        for label, value in zip(labels[1:], row[1:], strict=True):
            console.print(f"  {escape(label)}{colon}{escape(str(value))}", highlight=False,
                          soft_wrap=True)


def _narrowest(table: Table) -> int:
    """The least width a table can be drawn in without cropping a column."""
    from rich.measure import Measurement

    measuring = Console(width=100_000, file=io.StringIO())
    return Measurement.get(measuring, measuring.options, table).minimum


def print_table(table: Table) -> None:
    """Print a table with its identifiers whole (`keep_ids`); when its amounts cannot all be
    whole in the console's width, a block a row instead (`print_blocks`)."""
    fitted = keep_ids(table, width=console.width)
    if amounts_whole(fitted, console.width):
        console.print(fitted)
    else:
        print_blocks(fitted)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


DbOption = typer.Option("--db", envvar="ADJUDICATOR_DATABASE_URL",
                        help="数据库地址\n\n（默认：当前目录的 SQLite 文件 adjudicator.db）。\n\n"
                        "Database URL (default: the SQLite file adjudicator.db here).",
                        show_envvar=True)
AsOption = typer.Option("--as", envvar="ADJUDICATOR_USER",
                        help="操作人：以此用户身份操作。\n\n"
                        "Act as this user (every command acts as a named user).",
                        show_envvar=True)
JsonOption = typer.Option("--json", help="输出 JSON。\n\nOutput JSON.")


def context(db: str | None, user: str | None) -> Context:
    """The service context for a command, or a one-line failure saying what is missing."""
    from sqlalchemy.exc import OperationalError

    from adjudicator.storage.context import DatabaseNotReady, UnknownUser, open_context

    if not user:
        fail(Message("cli.no_user"))
    try:
        ctx = open_context(db, user)
    except (UnknownUser, DatabaseNotReady) as exc:
        fail(exc)
    except OperationalError as exc:
        fail(Message("cli.no_database", reason=exc.orig))
    _not_the_database(ctx)
    return ctx


def _not_the_database(ctx: Context) -> None:
    """Refuse a file named on the command line that is the SQLite database the command uses:
    an output written there (an error report, a PDF, a workbook) would destroy the database,
    and no command reads it as an input."""
    from adjudicator.intake.report import same_file
    from adjudicator.storage.db import sqlite_file

    database = sqlite_file(ctx.engine.url.render_as_string(hide_password=False))
    command = click_context()
    if database is None or command is None:
        return
    for param in command.command.params:
        value = command.params.get(param.name or "")
        if isinstance(value, Path) and same_file(value, database):
            ctx.engine.dispose()
            fail(Message("cli.file_is_database", option=(param.opts or [param.name])[0],
                         path=value))


def click_context() -> Any:
    """The command line's own context (its parsed options), or None outside a command."""
    from typer._click.globals import get_current_context

    return get_current_context(silent=True)

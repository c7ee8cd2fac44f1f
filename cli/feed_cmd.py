"""`adjudicator feed import|screen|list|keep|remove|report`: the monthly department feeds
(docs/feeds.md).

Exit status of `feed import`: 0 when the file was read (some rows may be in the error report),
2 when every row was rejected, 1 when it could not run at all (a one-line reason).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table

from adjudicator.messages import Message, Tally, current_lang
from cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    console,
    context,
    distinct_outputs,
    fail,
    print_json,
    print_table,
    require_file,
)
from schemas.vocabulary import CLAIM_CATEGORIES, PUSH_STATUSES, Words, word

app = typer.Typer(help="部门数据月报：导入、预警推送名单、乡镇初筛、月度报告。\n"
                  "Monthly department feeds (医保、应急、教育、民政): import, warning lines and "
                  "the push list, the township's screening, the monthly report.",
                  no_args_is_help=True)

DbOpt = Annotated[str | None, DbOption]
AsOpt = Annotated[str | None, AsOption]
JsonOpt = Annotated[bool, JsonOption]
MonthOpt = Annotated[str, typer.Option("--month", help="月份，YYYY-MM（如 2026-03）。\n\n"
                                       "The month, YYYY-MM (e.g. 2026-03).")]
CategoryOpt = Annotated[str | None, typer.Option(
    "--category", help="类别：medical（因病）、disaster（因灾）或 education（因学）"
    "（户有多个类别时）。\n\nmedical, disaster or education (when the household has several).")]
BUREAU_NAMES = ("medical", "disaster", "education", "civil-affairs")
LOCAL = ZoneInfo("Asia/Shanghai")


def _refusals() -> tuple[type[Exception], ...]:
    from adjudicator.feeds.importer import FeedRefused
    from adjudicator.feeds.triage import TriageRefused
    from adjudicator.intake.report import ReportUnwritable
    from adjudicator.intake.sources import UnreadableFile
    from adjudicator.roles import PermissionDenied
    from adjudicator.workdays import BadDays
    from adjudicator.workflow import IllegalTransition

    return (FeedRefused, TriageRefused, UnreadableFile, PermissionDenied, IllegalTransition,
            FileNotFoundError, BadDays, ReportUnwritable)


def _run(db: str | None, user: str | None, call: Any) -> Any:
    from sqlalchemy.exc import SQLAlchemyError  # here, not at the top: `feed --help` stays quick

    ctx = context(db, user)
    try:
        return call(ctx)
    except _refusals() as exc:
        fail(exc)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        fail(Message("feed.database_error", reason=reason))
    finally:
        ctx.engine.dispose()


@app.command("import")
def import_(
    bureau: Annotated[str, typer.Argument(help="部门：医保 medical、应急 disaster、"
                                               "教育 education、民政 civil-affairs。\n\n"
                                               "medical | disaster | education | "
                                               "civil-affairs")],
    file: Annotated[Path, typer.Argument(help="部门导出的文件：.csv（UTF-8 或 GBK）或 .xlsx。\n\n"
                                              "The bureau's export: .csv (UTF-8 or GBK) or "
                                              ".xlsx.")],
    month: MonthOpt, db: DbOpt = None, user: AsOpt = None, as_json: JsonOpt = False,
    errors: Annotated[Path | None, typer.Option(
        "--errors", help="错误报告写到哪里（默认：FILE.errors.csv）。\n\n"
        "Where to write the error report (default: FILE.errors.csv).")
    ] = None,
) -> None:
    """导入部门月报文件，按身份证号码匹配已登记的成员。
    Import a bureau's monthly file; rows are
    matched to registered members by ID number."""
    from adjudicator.feeds.importer import import_feed

    if bureau not in BUREAU_NAMES:
        fail(Message("feed.unknown_bureau", bureau=bureau, bureaus=" | ".join(BUREAU_NAMES)))
    require_file(file)
    result = _run(db, user, lambda ctx: import_feed(ctx, bureau, file, month, errors))
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(Message(
            "feed.imported", file=result.file, month=month, total=result.rows_total,
            accepted=result.accepted, matched=result.matched, unmatched=result.unmatched,
            reversed=result.reversed, unchanged=result.unchanged, rejected=result.rejected,
            skipped=result.total_rows_skipped), highlight=False, soft_wrap=True)
        if result.ignored_columns:
            console.print(Message("feed.unused_columns", columns=Tally(
                (Words(c, c), None) for c in result.ignored_columns)), highlight=False,
                soft_wrap=True)
        if result.rejected:
            console.print(Message("pay.error_report", path=result.error_report),
                          highlight=False, soft_wrap=True)
    if result.all_rejected:
        raise typer.Exit(2)


def _entries_table(title: Message, entries: list[dict[str, Any]]) -> Table:
    table = Table(title=title.render(), title_justify="left")
    for key in ("col.household", "col.village", "feed.col.head", "col.category",
                "feed.col.figure", "feed.col.line", "feed.col.new", "feed.col.members",
                "col.status", "feed.col.why"):
        table.add_column(Message(key).render())
    lang = current_lang()
    for e in entries:
        table.add_row(e["household_id"], e.get("village") or "", e.get("head", ""),
                      word(CLAIM_CATEGORIES, e["category"], lang), e["figure"],
                      e["warning_line"], e["new_figure"], str(e["members"]),
                      word(PUSH_STATUSES, e["status"], lang),
                      e.get("reason_text") or e.get("note") or "")
    return table


@app.command("screen")
def screen(month: MonthOpt, db: DbOpt = None, user: AsOpt = None,
           as_json: JsonOpt = False) -> None:
    """预警线：按乡镇列出本月预警推送名单，
    以及被筛掉的户和原因。
    Warning lines: the month's
    push list (预警推送名单) per township, with the households
    screened out and why."""
    from adjudicator.feeds.screen import screen_month

    result = _run(db, user, lambda ctx: screen_month(ctx, month))
    if as_json:
        print_json({"month": month, "counts": result.counts(),
                    "townships": {code: [e.as_dict() for e in entries]
                                  for code, entries in result.by_township().items()}})
        return
    if not result.entries:
        console.print(Message("feed.none_over", month=month), highlight=False)
        return
    for code, entries in result.by_township().items():
        name = next((e.township_name for e in entries if e.township_name), "") or ""
        print_table(_entries_table(Message("feed.push_list_in", month=month, name=name,
                                             code=code), [e.as_dict() for e in entries]))
    counts = result.counts()
    console.print(Message("feed.pushed", pushed=counts.get("pushed", 0),
                          screened_out=counts.get("screened_out", 0)), highlight=False)


@app.command("list")
def list_(month: MonthOpt, db: DbOpt = None, user: AsOpt = None, as_json: JsonOpt = False,
          township: Annotated[str | None, typer.Option(
              "--township", help="只看此乡镇（行政区划代码前缀）。\n\n"
              "Only this township (a region code prefix).")] = None,
          everything: Annotated[bool, typer.Option(
              "--all", help="也列出被筛掉、已保留或已剔除的户。\n\n"
              "Also the households screened out, kept or removed.")] = False
          ) -> None:
    """乡镇初筛的预警推送名单（县乡村振兴局用户只看到自己负责的乡镇）。
    The push list a township screens (an officer sees only their townships)."""
    from adjudicator.feeds.triage import push_entries

    statuses = ("pushed", "kept", "removed", "screened_out") if everything else ("pushed",)
    entries = _run(db, user, lambda ctx: push_entries(ctx, month, township, statuses))
    if as_json:
        print_json(entries)
        return
    print_table(_entries_table(Message("feed.push_list", month=month), entries))


@app.command("keep")
def keep(household: Annotated[str, typer.Argument(help="户编号。\n\nThe household id (户编号).")],
         month: MonthOpt, db: DbOpt = None, user: AsOpt = None, category: CategoryOpt = None,
         reason: Annotated[str, typer.Option("--reason", help="原因（可不填）。\n\n"
                                                              "Why (optional).")] = "",
         days: Annotated[int, typer.Option("--days", help="核查时限（工作日）。\n\n"
                                                          "Working days to verify.")] = 5,
         as_json: JsonOpt = False) -> None:
    """初筛保留：保留推送的户，生成其申请和一项入户核查任务。
    Keep a pushed household (初筛保留):
    its claims and one verification task."""
    from adjudicator.feeds.triage import keep_household

    result = _run(db, user, lambda ctx: keep_household(ctx, month, household, reason,
                                                       category, days))
    if as_json:
        print_json(result.as_dict())
        return
    task = (Message("feed.reused", verification=result.reused_verification)
            if result.reused_verification else
            Message("feed.task", verifier=result.verifier_id, due=result.due)
            if result.verifier_id else result.note or "")
    console.print(Message("feed.kept", household=household, claims=Tally(
        (Words(c, c), None) for c in result.claim_ids), task=task), highlight=False,
        soft_wrap=True)


@app.command("remove")
def remove(household: Annotated[str, typer.Argument(help="户编号。"
                                                         "\n\nThe household id (户编号).")],
           month: MonthOpt,
           reason: Annotated[str, typer.Option("--reason", help="不立案的原因（必填）。\n\n"
                                                                "Why it is not a case "
                                                                "(required).")],
           db: DbOpt = None, user: AsOpt = None, category: CategoryOpt = None,
           as_json: JsonOpt = False) -> None:
    """初筛剔除：剔除推送的户，须写明原因。
    Remove a pushed household (初筛剔除) with a reason."""
    from adjudicator.feeds.triage import remove_household

    result = _run(db, user, lambda ctx: remove_household(ctx, month, household, reason,
                                                         category))
    if as_json:
        print_json(result.as_dict())
        return
    console.print(Message("feed.removed", household=household, note=result.note),
                  highlight=False, soft_wrap=True)


@app.command("report")
def report(month: MonthOpt, db: DbOpt = None, user: AsOpt = None, as_json: JsonOpt = False,
           xlsx: Annotated[Path | None, typer.Option("--xlsx", help="另存 XLSX。\n\n"
                                                                    "Write an XLSX.")] = None,
           pdf: Annotated[Path | None, typer.Option("--pdf", help="另存带图表的 PDF。\n\n"
                                                                  "Write a PDF with a chart.")
                          ] = None) -> None:
    """月度报告：各部门行数、匹配数、超预警线数、推送数、
    按原因的剔除数、新开任务数，分乡镇；
    并列出未报送的部门。
    终端放不下表格时（如 80 列），每个乡镇一段“列名：数值”。
    The monthly report: rows per bureau, matched, over the line, pushed, removed by reason,
    tasks opened, per township; missing bureaus listed.
    Too narrow for the table (80 columns): "label: value" lines per township."""
    from adjudicator.feeds.columns import BUREAUS
    from adjudicator.feeds.report import (
        COLUMNS,
        cells,
        feed_report,
        removed_by_reason,
        report_pdf,
        report_xlsx,
    )

    distinct_outputs(pdf, xlsx)
    found = _run(db, user, lambda ctx: feed_report(ctx, month))
    if xlsx is not None:
        _write(xlsx, lambda: report_xlsx(found))
    if pdf is not None:
        generated = dt.datetime.now(LOCAL).strftime("%Y-%m-%d %H:%M")
        _write(pdf, lambda: report_pdf(found, generated))
    if as_json:
        print_json(found.as_dict())
        return
    title = Message("feed.report_title", month=month).render()
    rows = [*found.townships, found.total]
    table = Table(title=title, title_justify="left")
    for header, key in COLUMNS:  # only the removal reasons may wrap (never cut with "…")
        table.add_column(header, no_wrap=key != "removed",
                         overflow="fold" if key == "removed" else "ellipsis")
    for row in rows:
        table.add_row(*(str(c) for c in cells(row)[:-1]),
                      "\n".join(removed_by_reason(row)) or "—")
    if _fits(table):
        console.print(table)
    else:
        _print_blocks(title, rows)
    console.print(Message("feed.missing", bureaus=Tally(
        (Words(BUREAUS[b].label, b), None) for b in found.missing)), highlight=False)
    for path in (xlsx, pdf):
        if path is not None:
            console.print(Message("feed.written", path=path), highlight=False)


def _write(path: Path, content: Any) -> None:
    """`content()` written to `path` (its folder made), or one line saying why not."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content())
    except OSError as exc:  # a folder, a file where a folder should be, no permission
        fail(Message("feed.cannot_write", path=path, reason=exc.strerror or type(exc).__name__))


def _fits(table: Table) -> bool:
    """Whether the table fits the console with every header, name, code and figure whole on
    one line: only its last column (the removal reasons, one a line) may wrap, and it keeps at
    least the width of its header."""
    natural = console.measure(table, options=console.options.update_width(100_000)).maximum
    last = table.columns[-1]
    widest = max(cell_len(line) for cell in [last.header, *last.cells]
                 for line in str(cell).splitlines() or [""])
    return natural - widest + cell_len(str(last.header)) <= console.width


def _print_blocks(title: str, rows: list[Any]) -> None:
    """The report in a narrow console (80 columns): per township a heading (its name and
    code), then one "label：value" line per column, the removal reasons each on a line of its
    own; the total last."""
    from adjudicator.feeds.report import COLUMNS, cells, heading, removed_by_reason

    console.print(f"[bold]{escape(title)}[/]", highlight=False)
    for row in rows:
        console.print()
        console.print(f"[bold]{escape(heading(row))}[/]", highlight=False)
        for (label, key), value in zip(COLUMNS, cells(row), strict=True):
            if key is None:
                continue
            if key == "removed":
                reasons = removed_by_reason(row)
                console.print(f"  {escape(label)}：{'' if reasons else '—'}", highlight=False)
                for reason in reasons:
                    console.print(f"    {escape(reason)}", highlight=False)
            else:
                console.print(f"  {escape(label)}：{value}", highlight=False)
    console.print()
